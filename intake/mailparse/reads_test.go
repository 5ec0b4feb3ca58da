package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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

// TestBase64LinesAnyGeometry holds the base64 lines taken many at once
// (fullLines) to the same lines taken one by one, read a byte at a time:
// texts in lines of several lengths and endings, broken here and there
// by a line feed or carriage return, a line like a boundary, a short or
// long line.
func TestBase64LinesAnyGeometry(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 400 {
		data := make([]byte, 2000+rng.IntN(20000))
		for k := range data {
			data[k] = byte(rng.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		n, eol := []int{72, 76, 100, 996}[rng.IntN(4)], []string{"\r\n", "\n"}[rng.IntN(2)]
		var text []byte
		for len(enc) > 0 {
			k := min(n, len(enc))
			text = append(append(text, enc[:k]...), eol...)
			enc = enc[k:]
		}
		for range rng.IntN(4) {
			at := rng.IntN(len(text))
			stride := n + len(eol)
			if j := rng.IntN(len(text)/stride) * stride; rng.IntN(3) == 0 && j+stride <= len(text) {
				// A boundary line as long as the others (its spaces go),
				// or a line whose last character is a carriage return.
				if rng.IntN(2) == 0 {
					copy(text[j:j+n], "--b"+strings.Repeat(" ", n-3))
				} else {
					text[j+n-1] = '\r'
				}
				continue
			}
			if rng.IntN(2) == 0 {
				// In place: the lines keep their length.
				copy(text[at:], []string{"\n", "\r", "-", "\n--b\r", "\n--b--"}[rng.IntN(5)])
				continue
			}
			bad := []string{"\n", "\r", "\r\n", "--b\r\n", "--x", "-", "AAAA\n"}[rng.IntN(7)]
			text = append(text[:at], append([]byte(bad), text[at:]...)...)
		}
		raw := []byte("From: a@x.fr\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" +
			"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + string(text) + "--b--\r\n")
		for _, sink := range []Sink{nil, hashSink{}} {
			whole := parseFed(t, raw, func(r io.Reader) io.Reader { return r }, sink)
			if got := parseFed(t, raw, iotest.OneByteReader, sink); !reflect.DeepEqual(got, whole) {
				t.Fatalf("message %d, sink %T: read a byte at a time, differs\n%+v\n%+v", i, sink, got, whole)
			}
			if got, err := ParseBytes(raw, Options{Sink: sink}); err != nil || !reflect.DeepEqual(got, whole) {
				t.Fatalf("message %d, sink %T: ParseBytes differs (%v)\n%+v\n%+v", i, sink, err, got, whole)
			}
		}
	}
}
