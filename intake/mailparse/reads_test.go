package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

// hashSink reads an attachment in reads of 256 KB, as store.Files does
// through its write buffer, which lets the base64 decoder write into the
// reader's buffer.
type hashSink struct{}

func (hashSink) Put(r io.Reader, a *Attachment) (int64, string, error) {
	h := sha256.New()
	n, err := io.CopyBuffer(struct{ io.Writer }{h}, r, make([]byte, 256<<10))
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// parseFed parses raw handed over by feed, with attachments read by sink.
func parseFed(t testing.TB, raw []byte, feed func(io.Reader) io.Reader, sink Sink) *Message {
	t.Helper()
	m, err := Parse(feed(bytes.NewReader(raw)), Options{Sink: sink})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// A message read one byte at a time never has a whole line waiting in
// the read buffer: each line goes through lineReader.next alone. Read
// whole, the body's lines are taken from the buffer many at once. What
// Parse makes of a message must not depend on which.
func TestParseSameWhateverTheReadsGive(t *testing.T) {
	var raws [][]byte
	for _, dir := range []string{corpusDir, "testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, path := range files {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			raws = append(raws, b)
		}
	}
	mailbox, _ := imaptest.GenerateMailbox(60, 7)
	raws = append(raws, mailbox...)
	// A multipart without a boundary parameter whose body has a line like
	// a boundary: looking past it for a part header refilled the read
	// buffer, and read a byte at a time "--00" was kept as "0-00".
	raws = append(raws, []byte("Content-Type: multipart/mixed\n0\n--00\n0"),
		[]byte("Content-Type: multipart/mixed\r\n\r\nfirst line\r\n--maybe-a-boundary\r\nnot a header\r\n"))
	if len(raws) < 70 {
		t.Fatalf("%d messages: the corpus is missing", len(raws))
	}
	for i, raw := range raws {
		for _, sink := range []Sink{nil, hashSink{}} {
			whole := parseFed(t, raw, func(r io.Reader) io.Reader { return r }, sink)
			for name, feed := range map[string]func(io.Reader) io.Reader{
				"one byte": iotest.OneByteReader,
				"halves":   iotest.HalfReader,
			} {
				if got := parseFed(t, raw, feed, sink); !reflect.DeepEqual(got, whole) {
					t.Errorf("message %d read %s, sink %T: differs from read whole\n%+v\n%+v", i, name, sink, got, whole)
				}
			}
			// ParseBytes reads the same bytes where they lie.
			kept := bytes.Clone(raw)
			got, err := ParseBytes(raw, Options{Sink: sink})
			if err != nil || !reflect.DeepEqual(got, whole) {
				t.Errorf("message %d, sink %T: ParseBytes differs from Parse (%v)\n%+v\n%+v", i, sink, err, got, whole)
			}
			if !bytes.Equal(raw, kept) {
				t.Fatalf("message %d: ParseBytes changed it", i)
			}
		}
	}
}
