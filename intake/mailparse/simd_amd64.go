//go:build amd64 && !purego

package mailparse

// blocksOK tells whether decodeBlocks may be called: it needs SSSE3,
// which every x86-64 processor since 2011 has, but not the first ones.
var blocksOK = hasSSSE3()

// decodeBlocks decodes groups of 16 characters of the standard alphabet
// from src into dst, 12 bytes each, and skips the line breaks (CRLF or
// LF) that follow a multiple of four of them, while src holds 16 more
// characters and dst room for 16 bytes (each store writes 16); it
// returns the bytes written and the characters read, which end between
// two groups of four. Anything else is left to the byte loops. Decoding
// a PDF's base64 was, instruction for instruction, most of what parsing
// a mail with one cost (simd_amd64.s).
//
//go:noescape
func decodeBlocks(dst, src []byte) (n, i int)

func hasSSSE3() bool

// plainOK: plainRun needs only SSE2, which every x86-64 processor has.
const plainOK = true

// plainRun returns how many bytes b starts with that shapeOf passes
// without a look at them (none above 0x7e or below 0x20, but CRLF and
// two-byte UTF-8, which it tells as accents), read 16 at a time: it
// stops before any other byte, or at the last 16 bytes. French text has
// an accent or a line end every few dozen bytes: reading it 16 bytes at
// once, those passed on the way, made scanning its shape three times
// cheaper.
//
//go:noescape
func plainRun(b []byte) (n int, accents bool)
