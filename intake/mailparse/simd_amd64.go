//go:build amd64 && !purego

package mailparse

// useAVX2 tells whether decodeBlocks and fullLinesAVX2 may be called,
// and plainRun and dropCRs read 32 bytes at a time: they need AVX2,
// which x86-64 processors have since 2013 and 2015 (Intel, AMD).
var useAVX2 = hasAVX2()

// decodeBlocks decodes groups of 32 characters of the standard alphabet
// from src into dst, 24 bytes each, and skips the line breaks (CRLF or
// LF) that follow a multiple of four of them, while src holds 32 more
// characters and dst room for 32 bytes (each store writes 32); it
// returns the bytes written and the characters read, which end between
// two groups of four. Anything else is left to the byte loops. Decoding
// a PDF's base64 was, instruction for instruction, most of what parsing
// a mail with one cost (simd_amd64.s).
//
//go:noescape
func decodeBlocks(dst, src []byte) (n, i int)

func hasAVX2() bool

// plainOK: plainRun needs only SSE2, which every x86-64 processor has.
const plainOK = true

// plainRun returns how many bytes b starts with that shapeOf passes
// without a look at them (none above 0x7e or below 0x20, but CRLF and
// two- and three-byte UTF-8, which it tells as accents: é, and ’ € …,
// which a return to shapeOf's loop for each cost as much as a line),
// read 16 at a time, or 32 with AVX2 (useAVX2; see simd_amd64.s): it
// stops before any other byte, or at the last 16 bytes. French text has
// an accent or a line end every few dozen bytes: reading it 16 bytes at
// once, those passed on the way, took two thirds of the instructions
// off scanning its shape.
//
//go:noescape
func plainRun(b []byte) (n int, accents bool)

// dropCRs takes every '\r' out of b[i:] 16 bytes at a time (32 with
// AVX2 while 32 are left), writing what it keeps from b[n:] on (n at
// most i), while 16 bytes are left to read; it returns where it stopped writing and reading. The bytes of b
// from the one it returns on are garbage. A text's lines are a few
// dozen bytes: a call to IndexByte and one to memmove for each cost
// more than moving its bytes.
//
//go:noescape
func dropCRs(b []byte, n, i int) (w, r int)

// fullLinesAVX2 is fullLinesGo (lines.go) for lines of 32 bytes or more,
// each read in one pass with AVX2 (useAVX2), where the byte checks and
// the count of line feeds cost twice as many instructions.
//
//go:noescape
func fullLinesAVX2(lines []byte, stride, eol int) int
