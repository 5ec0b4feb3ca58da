package mailparse

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// blocksModel is decodeBlocks's rule written in Go, one group of 32 at a
// time: it returns the bytes decodeBlocks writes and the characters it
// reads.
func blocksModel(dstLen int, src []byte) (n, i int) {
	for len(src)-i >= 32 && dstLen-n >= 32 {
		g := src[i : i+32]
		j := 0
		for j < 32 && b64table[g[j]] < 64 {
			j++
		}
		if j == 32 {
			i, n = i+32, n+24
			continue
		}
		eol := 0
		switch {
		case j%4 != 0:
		case g[j] == '\n':
			eol = 1
		case g[j] == '\r' && g[j+1] == '\n':
			eol = 2
		}
		if eol == 0 {
			break
		}
		i, n = i+j+eol, n+j/4*3
	}
	return n, i
}

// checkBlocks holds decodeBlocks on src to blocksModel and its bytes to
// decodeBytewise, and checks it writes nothing past dstLen.
func checkBlocks(t *testing.T, dstLen int, src []byte) {
	t.Helper()
	buf := bytes.Repeat([]byte{0xaa}, dstLen+64)
	n, i := decodeBlocks(buf[:dstLen], src)
	wn, wi := blocksModel(dstLen, src)
	if n != wn || i != wi {
		t.Fatalf("%q into %d: wrote %d, read %d; want %d, %d", src, dstLen, n, i, wn, wi)
	}
	if want := decodeBytewise(src[:i]); !bytes.Equal(buf[:n], want) {
		t.Fatalf("%q into %d: decoded\n%x, want\n%x", src, dstLen, buf[:n], want)
	}
	for k := dstLen; k < len(buf); k++ {
		if buf[k] != 0xaa {
			t.Fatalf("%q into %d: byte %d written", src, dstLen, k)
		}
	}
}

const b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeBlocks is a second home of the standard alphabet (b64table's)
// and of the line breaks decodeRun skips: every byte, at every place of
// a group, must be taken as they take it.
func TestDecodeBlocksEveryByte(t *testing.T) {
	if !useAVX2 {
		t.Skip("no decodeBlocks on this processor")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	src := make([]byte, 72)
	for c := range 256 {
		for at := range 40 {
			for _, next := range []byte{'A', '\n', '\r'} {
				for i := range src {
					src[i] = b64chars[rng.IntN(len(b64chars))]
				}
				src[at], src[at+1] = byte(c), next
				checkBlocks(t, 64, src)
			}
		}
	}
}

// Lines of every length, either line end, damage anywhere, and every
// room left in dst.
func TestDecodeBlocksLines(t *testing.T) {
	if !useAVX2 {
		t.Skip("no decodeBlocks on this processor")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		line := 1 + rng.IntN(90)
		eol := []string{"\r\n", "\n"}[rng.IntN(2)]
		var src []byte
		for len(src) < 600 {
			for range line {
				src = append(src, b64chars[rng.IntN(len(b64chars))])
			}
			src = append(src, eol...)
		}
		if rng.IntN(2) == 0 {
			src[rng.IntN(len(src))] = "=\r\n \t-_!\x00\xe9"[rng.IntN(10)]
		}
		src = src[rng.IntN(8) : len(src)-rng.IntN(40)]
		checkBlocks(t, rng.IntN(600), src)
	}
}

// dropCRsModel is dropCRs's rule written in Go, one window of 16 at a
// time (32 while 32 are left, with AVX2): it returns b[:n] followed by
// what it keeps of the bytes it reads, and where it stops reading.
func dropCRsModel(b []byte, n, i int) (kept []byte, r int) {
	kept = bytes.Clone(b[:n])
	for r = i; len(b)-r >= 16; {
		w := 16
		if useAVX2 && len(b)-r >= 32 {
			w = 32
		}
		k := bytes.IndexByte(b[r:r+w], '\r')
		if k < 0 {
			k = w
		}
		kept = append(kept, b[r:r+k]...)
		r += min(k+1, w)
	}
	return kept, r
}

// checkDropCRs holds dropCRs to dropCRsModel, where there is one, with
// AVX2 where there is, then without.
func checkDropCRs(t *testing.T, b []byte, n, i int) {
	t.Helper()
	avx2 := useAVX2
	defer func() { useAVX2 = avx2 }()
	for _, useAVX2 = range []bool{avx2, false} {
		want, wr := dropCRsModel(b, n, i)
		c := bytes.Clone(b)
		w, r := dropCRs(c, n, i)
		if !plainOK {
			want, wr = b[:n], i // there is none: nothing taken out
		}
		if r != wr || !bytes.Equal(c[:w], want) {
			t.Fatalf("dropCRs(%q, %d, %d) = %q, read %d; want %q, %d (AVX2 %v)", b, n, i, c[:w], r, want, wr, useAVX2)
		}
	}
}

func TestDropCRs(t *testing.T) {
	line := []byte("Bonjour, je vous écris au sujet du poste.\r\n")
	text := bytes.Repeat(line, 30)
	for end := range len(text) + 1 {
		checkDropCRs(t, text[:end], 0, 0)
		if n := bytes.IndexByte(text[:end], '\r'); n >= 0 {
			checkDropCRs(t, text[:end], n, n+1)
		}
	}
	// Carriage returns at every distance from each other and from where
	// the writing lags behind: each way to store the bytes before one.
	rng := rand.New(rand.NewPCG(5, 6))
	b := make([]byte, 200)
	for range 50_000 {
		every := 1 + rng.IntN(40)
		for j := range b {
			b[j] = 'a' + byte(j%26)
			if rng.IntN(every) == 0 {
				b[j] = '\r'
			}
		}
		end := rng.IntN(len(b) + 1)
		i := rng.IntN(end + 1)
		checkDropCRs(t, b[:end], rng.IntN(i+1), i)
	}
}

// TestCleanTextStringCRs: cleanTextString takes every carriage return
// out of a text whose only controls are CRLF line ends, whatever its
// lines' lengths.
func TestCleanTextStringCRs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20_000 {
		var b []byte
		for range rng.IntN(30) {
			b = append(b, bytes.Repeat([]byte{'x'}, rng.IntN(90))...)
			b = append(b, '\r', '\n')
		}
		b = append(b, bytes.Repeat([]byte{'y'}, rng.IntN(20))...)
		want := string(bytes.ReplaceAll(b, []byte("\r"), nil))
		if got, clean := cleanTextString(bytes.Clone(b), true); got != want || !clean {
			t.Fatalf("cleanTextString(%q) = %q, %v; want %q", b, got, clean, want)
		}
	}
}

// TestFullLinesAVX2AsGo holds fullLinesAVX2 to fullLinesGo: lines of
// every length it takes, each with a line feed, a carriage return or
// "--" at each place that tells them apart.
func TestFullLinesAVX2AsGo(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this processor")
	}
	check := func(lines []byte, stride, eol int) {
		t.Helper()
		if got, want := fullLinesAVX2(lines, stride, eol), fullLinesGo(lines, stride, eol); got != want {
			t.Fatalf("fullLinesAVX2(%q, %d, %d) = %d, want %d", lines, stride, eol, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for stride := 32; stride <= 200; stride++ {
		for _, eol := range []int{1, 2} {
			line := bytes.Repeat([]byte{'Q'}, stride)
			line[stride-1] = '\n'
			if eol == 2 {
				line[stride-2] = '\r'
			}
			lines := bytes.Repeat(line, 4)
			for k := range 5 {
				check(lines[:k*stride], stride, eol)
				check(lines[:k*stride], stride, 3-eol)
			}
			for at := range len(lines) {
				for _, c := range []byte{'\n', '\r', '-', 'x'} {
					b := bytes.Clone(lines)
					b[at] = c
					check(b, stride, eol)
					if at%stride == 0 && at+1 < len(b) {
						b[at+1] = '-'
						check(b, stride, eol)
					}
				}
			}
			for range 20 {
				b := bytes.Clone(lines)
				for range 1 + rng.IntN(3) {
					b[rng.IntN(len(b))] = "\n\r-"[rng.IntN(3)]
				}
				check(b, stride, eol)
			}
		}
	}
	// Texts of many lines (their line feeds counted in rounds and sums
	// of rounds), a line feed anywhere or none.
	for _, stride := range []int{32, 73, 77, 78, 200} {
		for _, eol := range []int{1, 2} {
			line := bytes.Repeat([]byte{'Q'}, stride)
			line[stride-1] = '\n'
			if eol == 2 {
				line[stride-2] = '\r'
			}
			lines := bytes.Repeat(line, 300)
			for range 300 {
				b := bytes.Clone(lines[:stride*rng.IntN(301)])
				if len(b) > 0 && rng.IntN(4) > 0 {
					b[rng.IntN(len(b))] = '\n'
				}
				check(b, stride, eol)
			}
		}
	}
}
