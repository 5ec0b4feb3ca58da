//go:build !amd64 || purego

package mailparse

// blocksOK: there is no decodeBlocks but for amd64 (decode_amd64.go).
var blocksOK = false

func decodeBlocks(dst, src []byte) (n, i int) { return 0, 0 }
