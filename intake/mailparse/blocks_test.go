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
	if !blocksOK {
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
	if !blocksOK {
		t.Skip("no decodeBlocks on this processor")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		line := 1 + rng.IntN(90)
		eol := []string{"\r\n", "\n"}[rng.IntN(2)]
		var src []byte
		for len(src) < 300 {
			for range line {
				src = append(src, b64chars[rng.IntN(len(b64chars))])
			}
			src = append(src, eol...)
		}
		if rng.IntN(2) == 0 {
			src[rng.IntN(len(src))] = "=\r\n \t-_!\x00\xe9"[rng.IntN(10)]
		}
		src = src[rng.IntN(8) : len(src)-rng.IntN(40)]
		checkBlocks(t, rng.IntN(300), src)
	}
}
