package mailparse

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, dir := range []string{corpusDir, "testdata"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, path := range files {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatalf("Parse returned an error on in-memory input: %v", err)
		}
		if m == nil {
			t.Fatal("nil Message")
		}
		kept := bytes.Clone(data)
		if mb, err := ParseBytes(data, Options{}); err != nil || !reflect.DeepEqual(mb, m) {
			t.Errorf("ParseBytes differs from Parse (%v)\n%+v\n%+v", err, mb, m)
		}
		// Read a byte at a time, the body's lines are taken one by one,
		// never many at once from the read buffer.
		if m1, err := Parse(iotest.OneByteReader(bytes.NewReader(data)), Options{}); err != nil || !reflect.DeepEqual(m1, m) {
			t.Errorf("read a byte at a time, differs (%v)\n%+v\n%+v", err, m1, m)
		}
		if !bytes.Equal(data, kept) {
			t.Fatal("ParseBytes changed its input")
		}
		for _, s := range []string{m.Text, m.HTML, m.Subject, m.FromName} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 in output: %q", s)
			}
		}
		for _, a := range m.Attachments {
			if a.Filename == "" || len(a.Filename) > 200 || bytes.ContainsAny([]byte(a.Filename), "/\\\x00") {
				t.Errorf("bad filename %q", a.Filename)
			}
			// A span names text that decodes, strictly, to the
			// attachment's bytes, and that encoding them gives back.
			if a.Base64 != nil {
				if d, ok := spanDecoded(data, a); !ok {
					t.Errorf("%s: span %+v does not decode", a.Filename, *a.Base64)
				} else if why := spanHolds(data, a, d); why != "" {
					t.Errorf("%s: span %+v: %s", a.Filename, *a.Base64, why)
				}
			}
		}
		_ = HTMLToText(string(data))
	})
}

// FuzzHeaderValue drives the header decoders directly, where a whole
// message rarely reaches: encoded-words, comments, charset guesses.
func FuzzHeaderValue(f *testing.F) {
	for _, s := range []string{
		"=?UTF-8?Q?H=C3=A9l=C3=A8ne?= <h@x.fr>",
		"=?utf-8?b?SMM=?= =?utf-8?b?qWzDqG5l?=",
		`"Marie" <marie(bureau)@x.fr> (fixe), jean@x.fr (Jean)`,
		"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
		"Soci+AOk-t+AOk- d\xc3\xa9j\xc3\xa0 \xe9t\xe9",
		"Dupont, Marie <mailto:m@x.fr> [j@x.fr]",
		"<> <a@x> <b@y>",
		" <> bare@id.fr ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// As makeField hands a value on: raw bytes already UTF-8.
		v, _ := salvage8bit(escapeRaw8InWords([]byte(s)))
		if d := decodeWords(v); !utf8.ValidString(d) {
			t.Errorf("decodeWords: invalid UTF-8 %q", d)
		}
		want := ""
		if ids := msgIDs(s); len(ids) > 0 {
			want = ids[0]
		}
		if got := firstMsgID(s); got != want {
			t.Errorf("firstMsgID(%q) = %q, msgIDs gives %q first", s, got, want)
		}
		if c, _ := stripComments(s); len(c) > len(s) {
			t.Errorf("stripComments grew %q to %q", s, c)
		}
		for _, label := range []string{"", "utf-8", "utf-7", "iso-2022-jp", "hz-gb-2312", "x-unknown"} {
			if out, _, _ := convertCharset([]byte(s), label); !utf8.ValidString(out) {
				t.Errorf("convertCharset(%q, %q): invalid UTF-8 %q", s, label, out)
			}
		}
		m, err := Parse(strings.NewReader("From: "+s+"\r\nTo: "+s+"\r\nSubject: "+s+"\r\n\r\nx"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range append([]Address{{Name: m.FromName, Email: m.FromEmail}}, m.To...) {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Email) {
				t.Errorf("invalid UTF-8 in address %+v", a)
			}
		}
	})
}

// FuzzTextScans: the word-at-a-time scans give what the byte-at-a-time
// definitions give, on any bytes.
func FuzzTextScans(f *testing.F) {
	for _, s := range []string{"", "Bonjour,\r\nJe suis gérante à Mende.\r\n", "\xc3\xa9t\xc3", "\xed\xa0\x80 surrogate",
		"\xc0\xaf overlong", "tab\there\x7fdel\x00nul", "€ 3 bytes 𝄞 4 bytes \xf4\x90\x80\x80",
		"une ligne de plus de huit octets\r\nsuivie\r\r\nfin\r", "ASCII seul\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := len(b)
		for i, c := range b {
			if textControl[c] {
				want = i
				break
			}
		}
		if got := nextControl(b, 0); got != want {
			t.Errorf("nextControl(%q) = %d, want %d", b, got, want)
		}
		checkDropCRs(t, b, 0, 0)
		sh := shapeOf(b)
		if sh.utf8 != utf8.Valid(b) || sh.ascii != !slices.ContainsFunc(b, func(c byte) bool { return c >= 0x80 }) {
			t.Errorf("shapeOf(%q) = %+v, utf8.Valid %v", b, sh, utf8.Valid(b))
		}
		if sh.utf8 {
			if want := crlfOnlyByByte(b); sh.crlfOnly != want {
				t.Errorf("shapeOf(%q).crlfOnly = %v, want %v", b, sh.crlfOnly, want)
			}
		}
	})
}

// TestShapeOfPairs holds shapeOf's word-at-a-time test to its definition
// on every two bytes at every place of ASCII letters (a byte that
// borrows must not hide the one above it; 26 for plainRun's groups of 16
// too), then on random texts.
func TestShapeOfPairs(t *testing.T) {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := []byte(letters)
	for at := range len(b) - 1 {
		for c := range 1 << 16 {
			b[at], b[at+1] = byte(c), byte(c>>8)
			sh := shapeOf(b)
			if sh.utf8 != utf8.Valid(b) || sh.utf8 && sh.crlfOnly != crlfOnlyByByte(b) ||
				sh.ascii != (b[at] < 0x80 && b[at+1] < 0x80) {
				t.Fatalf("shapeOf(%q) = %+v", b, sh)
			}
		}
		b[at], b[at+1] = letters[at], letters[at+1]
	}
	// Texts of the bytes that tell sequences apart, at random: a lead
	// and its continuation astride two words, a control amid letters...
	const alphabet = "a\r\n\t\x00\x1f\x7f\x80\xa9\xbf\xc0\xc1\xc2\xc3\xdf\xe0\xe2\xef\xf0\xf4\xf5\xff"
	rng := rand.New(rand.NewPCG(1, 2))
	b = make([]byte, 40)
	for range 300_000 {
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		b := b[:rng.IntN(len(b)+1)]
		if sh := shapeOf(b); sh.utf8 != utf8.Valid(b) || sh.utf8 && sh.crlfOnly != crlfOnlyByByte(b) ||
			sh.ascii != !slices.ContainsFunc(b, func(c byte) bool { return c >= 0x80 }) {
			t.Fatalf("shapeOf(%q) = %+v", b, sh)
		}
	}
}

// plainRunModel is plainRun's rule in Go, a byte at a time: with AVX2,
// groups of 32 while 32 bytes are left, then of 16.
func plainRunModel(b []byte) (n int, accents bool) {
	for {
		var w []byte
		switch {
		case useAVX2 && len(b)-n >= 32:
			w = b[n : n+32]
			if k, acc, ok := plainGroupModel(w); ok {
				n, accents = n+k, accents || acc
				continue
			}
		case len(b)-n >= 16:
			w = b[n : n+16]
		default:
			return n, accents
		}
		j := 0
		for j < len(w) && w[j] >= 0x20 && w[j] < 0x7f {
			j++
		}
		if n += j; j == len(w) {
			continue
		}
		switch c, rest := b[n], b[n:]; {
		case len(rest) < 2:
			return n, accents
		case c == '\r' && rest[1] == '\n':
			n += 2
		case c >= 0xc2 && c <= 0xdf && rest[1]&0xc0 == 0x80:
			n, accents = n+2, true
		case len(rest) >= 3 && c >= 0xe1 && c <= 0xef && c != 0xed && rest[1]&0xc0 == 0x80 && rest[2]&0xc0 == 0x80:
			n, accents = n+3, true
		default:
			return n, accents
		}
	}
}

// plainGroupModel is the rule plainRun passes a group of 32 bytes by at
// once: printable ASCII, line feeds, CRLFs and two-byte sequences only,
// the last byte left out when it starts one (k 31); acc when any byte
// is above 0x7f.
func plainGroupModel(w []byte) (k int, acc, ok bool) {
	lead := func(c byte) bool { return c >= 0xc2 && c <= 0xdf }
	for i, c := range w {
		switch {
		case c >= 0x20 && c < 0x7f || c == '\n':
		case c == '\r':
			if i+1 < len(w) && w[i+1] != '\n' {
				return 0, false, false
			}
		case lead(c):
			if i+1 < len(w) && w[i+1]&0xc0 != 0x80 {
				return 0, false, false
			}
		case c >= 0x80 && c <= 0xbf:
			if i == 0 || !lead(w[i-1]) {
				return 0, false, false
			}
		default:
			return 0, false, false
		}
		acc = acc || c >= 0x80
	}
	if c := w[len(w)-1]; c == '\r' || lead(c) {
		return len(w) - 1, acc, true
	}
	return len(w), acc, true
}

// plainRun is a second home of shapeOf's word test and of its CRLF,
// two-byte and three-byte cases: every byte at every place, and texts of
// the bytes that tell them apart, must stop it as they would.
func TestPlainRunAsModel(t *testing.T) {
	if !plainOK {
		t.Skip("no plainRun on this processor")
	}
	avx2 := useAVX2
	defer func() { useAVX2 = avx2 }()
	check := func(b []byte) {
		t.Helper()
		// With AVX2 where there is, then the SSE2 loop alone, as on
		// processors without.
		for _, useAVX2 = range []bool{avx2, false} {
			n, acc := plainRun(b)
			if wn, wacc := plainRunModel(b); n != wn || acc != wacc {
				t.Fatalf("plainRun(%q) = %d, %v; want %d, %v (AVX2 %v)", b, n, acc, wn, wacc, useAVX2)
			}
		}
	}
	b := []byte(strings.Repeat("Bonjour, ", 6))
	for n := range len(b) + 1 {
		check(b[:n])
	}
	for at := range len(b) - 1 {
		for c := range 256 {
			for _, next := range []byte{'a', '\n', 0x80, 0xbf, 0xc0} {
				b := bytes.Clone(b)
				b[at], b[at+1] = byte(c), next
				check(b)
			}
		}
	}
	// Three bytes from every lead of three at every place, the next two
	// of the range of either side of a group's end, or not.
	for at := range len(b) - 2 {
		for c := 0xe0; c <= 0xf0; c++ {
			for _, next := range [][2]byte{{0x80, 0x80}, {0xbf, 0xbf}, {0xa0, 0x80}, {0x9f, 0xbf}, {0x80, 'a'}, {0xc0, 0x80}, {'\r', '\n'}} {
				b := bytes.Clone(b)
				b[at], b[at+1], b[at+2] = byte(c), next[0], next[1]
				check(b)
				if sh := shapeOf(b); sh.utf8 != utf8.Valid(b) || sh.ascii {
					t.Fatalf("shapeOf(%q) = %+v", b, sh)
				}
			}
		}
	}
	// French text, its units whole mostly (groups of 32 passed at once),
	// and now and then a byte of one alone.
	units := []string{"Bonjour", " ", "\r\n", "\n", "é", "à", "«", "’", "€", "\xc3", "\xa9", "\r", "\t", "\xe2\x80"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200_000 {
		var b []byte
		for len(b) < 100 {
			u := rng.IntN(len(units))
			if u >= 9 && rng.IntN(8) > 0 {
				u = rng.IntN(9)
			}
			b = append(b, units[u]...)
		}
		check(b[rng.IntN(8):])
	}
	const alphabet = "aaaaaaaaaa\r\n\t\x00\x1f\x7f\x80\xa9\xbf\xc0\xc1\xc2\xc3\xdf\xe0\xe2\xef\xf0\xf4\xf5\xff"
	rng = rand.New(rand.NewPCG(3, 4))
	b = make([]byte, 70)
	for range 300_000 {
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check(b[:rng.IntN(len(b)+1)])
	}
}

// crlfOnlyByByte is textShape.crlfOnly's definition: every byte cleanText
// changes or drops is the CR of a CRLF.
func crlfOnlyByByte(b []byte) bool {
	for i, c := range b {
		if textControl[c] && (c != '\r' || i+1 == len(b) || b[i+1] != '\n') {
			return false
		}
	}
	return true
}

// TestTrims holds the header's hand-written trims to the bytes functions
// they stand for, on every text of up to six bytes among the ones they
// trim and two they keep.
func TestTrims(t *testing.T) {
	const alphabet = " \t\rn\n"
	var b []byte
	var all func(n int)
	all = func(n int) {
		if got, want := trimRightWSP(b), bytes.TrimRight(b, " \t"); !bytes.Equal(got, want) {
			t.Errorf("trimRightWSP(%q) = %q, want %q", b, got, want)
		}
		if got, want := trimWSPCR(b), bytes.Trim(b, " \t\r"); !bytes.Equal(got, want) {
			t.Errorf("trimWSPCR(%q) = %q, want %q", b, got, want)
		}
		if n == 0 {
			return
		}
		for i := range len(alphabet) {
			b = append(b, alphabet[i])
			all(n - 1)
			b = b[:len(b)-1]
		}
	}
	all(6)
}

// FuzzBase64Reader holds base64Reader, decodeBlocks on and off, to
// decoding one byte at a time.
func FuzzBase64Reader(f *testing.F) {
	f.Add([]byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\nNTY3ODk=\r\n"))
	f.Add([]byte("QUJD\nREVG\r\nR0hJSktMTU5PUFFSU1RVVldY WVphYmNk-_ZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx==MjM0"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want := decodeBytewise(in)
		for _, bufSize := range []int{100, 64 << 10} {
			if got := readBase64(t, in, func(r io.Reader) io.Reader { return r }, bufSize); !bytes.Equal(got, want) {
				t.Fatalf("%q, reads of %d: decoded\n%x, want\n%x", in, bufSize, got, want)
			}
		}
	})
}

// TestIsASCII holds isASCII's eight bytes at a time to its definition:
// one byte above 0x7f at every place of texts of every length up to a
// few words, or none.
func TestIsASCII(t *testing.T) {
	for n := range 30 {
		b := bytes.Repeat([]byte{0x7f}, n)
		if !isASCII(b) {
			t.Fatalf("isASCII(%q) = false", b)
		}
		for i := range n {
			for _, c := range []byte{0x80, 0xc3, 0xff} {
				b[i] = c
				if isASCII(b) {
					t.Fatalf("isASCII(%q) = true", b)
				}
			}
			b[i] = 0x7f
		}
	}
}

// TestHeaderTextAsMap holds headerText's way around strings.Map to it:
// texts of the bytes that tell controls, C1's included, and invalid
// UTF-8 apart.
func TestHeaderTextAsMap(t *testing.T) {
	const alphabet = "aé\t\r\n\x00\x1f\x7f\xc2\x80\x9f\xa0\xbf\xc3\xe2\xef\xbd\xff"
	rng := rand.New(rand.NewPCG(11, 12))
	b := make([]byte, 24)
	for range 300_000 {
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b[:rng.IntN(len(b)+1)])
		if got, want := headerText(s), strings.Map(headerRune, s); got != want {
			t.Fatalf("headerText(%q) = %q, want %q", s, got, want)
		}
	}
}
