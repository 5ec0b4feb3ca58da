//go:build !amd64 || purego

package mailparse

// useAVX2: there is no decodeBlocks nor fullLinesAVX2 but for amd64
// (simd_amd64.go).
var useAVX2 = false

func decodeBlocks(dst, src []byte) (n, i int) { return 0, 0 }

// plainOK: there is no plainRun but for amd64 (simd_amd64.go); this
// one passes nothing, and shapeOf's word loop does it all.
const plainOK = false

func plainRun(b []byte) (n int, accents bool) { return 0, false }

// dropCRs: there is none but for amd64 (simd_amd64.go); this one takes
// out nothing, and cleanTextString's loop does it all.
func dropCRs(b []byte, n, i int) (w, r int) { return n, i }

// fullLinesAVX2: there is none but for amd64 (simd_amd64.go), and
// useAVX2 is false.
func fullLinesAVX2(lines []byte, stride, eol int) int { return 0 }
