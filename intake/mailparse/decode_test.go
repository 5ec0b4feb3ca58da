package mailparse

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// decodeBytewise is the lenient base64 decoding of base64Reader's
// comment, one byte at a time: alphabet characters (both alphabets)
// decoded, padding ends the group, anything else skipped.
func decodeBytewise(in []byte) []byte {
	var out []byte
	acc, nq := uint32(0), 0
	flush := func() {
		switch nq {
		case 2:
			out = append(out, byte(acc>>4))
		case 3:
			out = append(out, byte(acc>>10), byte(acc>>2))
		}
		acc, nq = 0, 0
	}
	for _, c := range in {
		switch v := b64table[c]; {
		case v < 128:
			acc = acc<<6 | uint32(v&63)
			if nq++; nq == 4 {
				out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
				acc, nq = 0, 0
			}
		case v == b64Pad:
			flush()
		}
	}
	flush()
	return out
}

// readBase64 decodes in with base64Reader, its input handed over as r
// wraps it, and checks that the byte loops alone (decodeBlocks not
// called) decode it alike.
func readBase64(t *testing.T, in []byte, wrap func(io.Reader) io.Reader, bufSize int) []byte {
	t.Helper()
	out := readBase64Once(t, in, wrap, bufSize)
	if useAVX2 {
		useAVX2 = false
		defer func() { useAVX2 = true }()
		if loops := readBase64Once(t, in, wrap, bufSize); !bytes.Equal(loops, out) {
			t.Fatalf("%q: decoded\n%x, by the byte loops alone\n%x", in, out, loops)
		}
	}
	return out
}

func readBase64Once(t *testing.T, in []byte, wrap func(io.Reader) io.Reader, bufSize int) []byte {
	t.Helper()
	d := newBase64Reader(wrap(bytes.NewReader(in)))
	defer d.release()
	var out []byte
	buf := make([]byte, bufSize)
	for {
		n, err := d.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
	}
}

var base64Feeds = map[string]func(io.Reader) io.Reader{
	"whole":    func(r io.Reader) io.Reader { return r },
	"halves":   iotest.HalfReader,
	"one byte": iotest.OneByteReader,
}

// Mail clients cut base64 in lines of any length and either line end;
// every line length and every way of handing the text over must decode
// as encoding/base64 does.
func TestBase64ReaderDecodesEveryLineShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, size := range []int{0, 1, 2, 3, 5, 6, 7, 100, 2999, 3000} {
		enc := base64.StdEncoding.EncodeToString(data[:size])
		for line := 1; line <= 100; line++ {
			for _, eol := range []string{"\r\n", "\n"} {
				var b strings.Builder
				for s := enc; len(s) > 0; {
					k := min(line, len(s))
					b.WriteString(s[:k] + eol)
					s = s[k:]
				}
				for name, feed := range base64Feeds {
					for _, bufSize := range []int{1, 7, 512, 8<<10 + 7, 8<<10 + 8, 64 << 10} {
						if got := readBase64(t, []byte(b.String()), feed, bufSize); !bytes.Equal(got, data[:size]) {
							t.Fatalf("size %d, lines of %d, eol %q, %s, reads of %d: decoded %d bytes, differ", size, line, eol, name, bufSize, len(got))
						}
					}
				}
			}
		}
	}
}

// The fast paths must not change what damaged base64 decodes to:
// padding, spaces, garbage and the URL alphabet anywhere decode as one
// byte at a time does.
func TestBase64ReaderDecodesDamagedTextAsBytewise(t *testing.T) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		in := make([]byte, rng.IntN(400))
		for i := range in {
			switch r := rng.IntN(100); {
			case r < 2:
				in[i] = "=\r\n \t-_!\x00é"[rng.IntN(11)]
			case r < 5:
				in[i] = "\r\n"[rng.IntN(2)]
			default:
				in[i] = chars[rng.IntN(len(chars))]
			}
		}
		// Sniffing may take a damaged text for plain text: the test is
		// of decoding, so sniffing is not on (newBase64Reader's default).
		want := decodeBytewise(in)
		for name, feed := range base64Feeds {
			for _, bufSize := range []int{1000, 64 << 10} {
				if got := readBase64(t, in, feed, bufSize); !bytes.Equal(got, want) {
					t.Fatalf("%q, %s, reads of %d: decoded\n%x, want\n%x", in, name, bufSize, got, want)
				}
			}
		}
	}
}

// Lines of 72 characters and more are decoded 72 characters at once: a
// padding, space, garbage or URL character, or a line break, at any
// place of such a line must decode as one byte at a time does.
func TestBase64ReaderDecodesDamageAnywhereInLongLines(t *testing.T) {
	data := make([]byte, 57*4)
	for i := range data {
		data[i] = byte(i*37 + 11)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for _, line := range []int{72, 76, 100} {
		var b strings.Builder
		for s := enc; len(s) > 0; {
			k := min(line, len(s))
			b.WriteString(s[:k] + "\r\n")
			s = s[k:]
		}
		text := []byte(b.String())
		for at := range line + 2 {
			for _, c := range []byte("= !-_\n\r") {
				in := bytes.Clone(text)
				in[line+2+at] = c // in the second line
				want := decodeBytewise(in)
				for name, feed := range base64Feeds {
					for _, bufSize := range []int{1000, 64 << 10} {
						if got := readBase64(t, in, feed, bufSize); !bytes.Equal(got, want) {
							t.Fatalf("lines of %d, %q at %d, %s, reads of %d: decoded\n%x, want\n%x", line, c, at, name, bufSize, got, want)
						}
					}
				}
			}
		}
	}
}

// TestIndexFoldAsByteByByte holds indexFold to the byte-by-byte search
// it skips through.
func TestIndexFoldAsByteByByte(t *testing.T) {
	slow := func(b []byte, needle string) int {
		for i := 0; i+len(needle) <= len(b); i++ {
			j := 0
			for j < len(needle) && (b[i+j]|0x20) == needle[j] {
				j++
			}
			if j == len(needle) {
				return i
			}
		}
		return -1
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "<\x1cmMeEtTaA cChHrRsS=\x03-\"'>"
	for range 200_000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		for _, needle := range []string{"<meta", "charset=", "m", "\x03x"} {
			if got, want := indexFold(b, needle), slow(b, needle); got != want {
				t.Fatalf("indexFold(%q, %q) = %d, want %d", b, needle, got, want)
			}
		}
	}
}

// TestReplaceCRLFAsReplaceAll holds replaceCRLF, done in place, to the
// strings.ReplaceAll it stands for.
func TestReplaceCRLFAsReplaceAll(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 200_000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = "\r\na"[rng.IntN(3)]
		}
		want := strings.ReplaceAll(string(b), "\r\n", "\n")
		if got := string(replaceCRLF(bytes.Clone(b))); got != want {
			t.Fatalf("replaceCRLF(%q) = %q, want %q", b, got, want)
		}
	}
}
