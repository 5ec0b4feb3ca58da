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

// TestWholeLinesAsLineByLine holds wholeLines to the loop of lines it
// stands for where no line may be a boundary, on random texts of short,
// long and empty lines, CRLF, LF and lone CR, and rooms of every size.
func TestWholeLinesAsLineByLine(t *testing.T) {
	// byLine is that loop; long tells it stopped at a line too long.
	byLine := func(b []byte, room int) (used, eolLen, last int, long bool) {
		for {
			rest := b[used:]
			i := bytes.IndexByte(rest[:min(len(rest), maxLineLength+2)], '\n')
			if i < 0 {
				return used, eolLen, last, len(rest) > maxLineLength+2
			}
			content, eol := splitEOL(rest[:i+1])
			if used+len(content) > room {
				return used, eolLen, last, false
			}
			used, eolLen, last = used+i+1, len(eol), i+1
		}
	}
	check := func(b []byte, room int) {
		t.Helper()
		used, eolLen, last, sawLong := wholeLines(b, room)
		wantUsed, _, _, long := byLine(b, room)
		// All the loop takes, or, before a line too long, some of it:
		// whole lines, the last one's ending and length told.
		_, wantEOL, wantLast, _ := byLine(b[:used], room)
		if used > wantUsed || used < wantUsed && !long || sawLong && !long ||
			used > 0 && (eolLen != wantEOL || last != wantLast) {
			t.Fatalf("wholeLines(%q, %d) = %d, %d, %d, %v; the loop takes %d (to a line too long: %v), %d, %d",
				b, room, used, eolLen, last, sawLong, wantUsed, long, wantEOL, wantLast)
		}
	}
	// A line just too long, or just short enough, wherever it starts.
	for _, n := range []int{maxLineLength + 1, maxLineLength + 2} {
		for at := range 1100 {
			b := append(bytes.Repeat([]byte("\n"), at), bytes.Repeat([]byte{'y'}, n)...)
			check(append(b, "\nz\n"...), 1<<20)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		var b []byte
		lines, longs := rng.IntN(12), 8
		if rng.IntN(4) == 0 {
			lines, longs = rng.IntN(300), 1000 // many windows' worth
		}
		for range lines {
			n := rng.IntN(80)
			if rng.IntN(longs) == 0 {
				n = 900 + rng.IntN(200) // about maxLineLength
			}
			b = append(b, bytes.Repeat([]byte{'x'}, n)...)
			switch rng.IntN(4) {
			case 0:
				b = append(b, '\n')
			case 1:
				b = append(b, '\r')
			default:
				b = append(b, '\r', '\n')
			}
		}
		for _, room := range []int{-1, 0, 1, rng.IntN(len(b) + 2), len(b) - 1, len(b), len(b) + 1, 1 << 20} {
			check(b, room)
		}
	}
}

// TestLastLF holds lastLF to bytes.LastIndexByte: line feeds at every
// place of texts of every length up to a few words, among the bytes a
// word test may take for one (0x0b, 0x8a, 0x00, 0xff, a line feed's
// neighbours), then at random.
func TestLastLF(t *testing.T) {
	check := func(b []byte) {
		t.Helper()
		if got, want := lastLF(b), bytes.LastIndexByte(b, '\n'); got != want {
			t.Fatalf("lastLF(%q) = %d, want %d", b, got, want)
		}
	}
	for n := range 40 {
		for _, fill := range []byte{'x', 0x0b, 0x8a, 0x00, 0xff, 0x09} {
			b := bytes.Repeat([]byte{fill}, n)
			check(b)
			for i := range n {
				b[i] = '\n'
				check(b)
				for j := range i {
					b[j] = '\n'
					check(b)
					b[j] = fill
				}
				b[i] = fill
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	b := make([]byte, 100)
	for range 100_000 {
		for i := range b {
			b[i] = "\n\x0b\x8a\x00\xffab"[rng.IntN(7)]
		}
		check(b[:rng.IntN(len(b)+1)])
	}
}
