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
// a mail with one cost (decode_amd64.s).
//
//go:noescape
func decodeBlocks(dst, src []byte) (n, i int)

func hasSSSE3() bool
