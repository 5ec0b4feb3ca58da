package intake

import (
	"math/bits"
	"sync"
)

// Large mails (a PDF or two) are fetched into buffers reused from one
// message to the next: a fresh buffer of hundreds of kilobytes is zeroed
// by the runtime, then faulted in page by page, and handed back to the
// system after the next collection, for the next one to fault in again.
// Small mails are many but cheap to allocate, and are not pooled.
const (
	rawPoolMinShift = 16 // 64 KiB: the smallest buffer pooled
	rawPoolMaxShift = 25 // 32 MiB: larger mail gets its own buffer
)

// rawPoolKeep is how many bytes of buffers are kept for reuse at most.
// Not a sync.Pool: the collector empties those every other cycle, and a
// poll collects about every ten large mails.
const rawPoolKeep = 16 << 20

// rawPool holds buffers by size class: class i holds capacity
// 1<<(rawPoolMinShift+i).
var rawPool struct {
	mu    sync.Mutex
	free  [rawPoolMaxShift - rawPoolMinShift + 1][][]byte
	bytes int
}

// rawClass is the class whose buffers hold n bytes, or -1 for sizes not
// pooled.
func rawClass(n int) int {
	if n < 1<<rawPoolMinShift || n > 1<<rawPoolMaxShift {
		return -1
	}
	shift := bits.Len(uint(n - 1)) // the smallest power of two >= n
	return max(shift, rawPoolMinShift) - rawPoolMinShift
}

// getRaw returns a buffer of length n, its content undefined: the caller
// overwrites all of it.
func getRaw(n int) []byte {
	c := rawClass(n)
	if c < 0 {
		return make([]byte, n)
	}
	rawPool.mu.Lock()
	if f := rawPool.free[c]; len(f) > 0 {
		b := f[len(f)-1]
		rawPool.free[c] = f[:len(f)-1]
		rawPool.bytes -= cap(b)
		rawPool.mu.Unlock()
		return b[:n]
	}
	rawPool.mu.Unlock()
	return make([]byte, n, 1<<(rawPoolMinShift+c))
}

// putRaw gives b back for reuse. Nothing may hold b, or any part of it,
// afterwards. Buffers not made by getRaw's classes are left to the
// collector.
func putRaw(b []byte) {
	c := rawClass(cap(b))
	if c < 0 || cap(b) != 1<<(rawPoolMinShift+c) {
		return
	}
	rawPool.mu.Lock()
	defer rawPool.mu.Unlock()
	if rawPool.bytes+cap(b) > rawPoolKeep {
		return
	}
	rawPool.free[c] = append(rawPool.free[c], b[:0])
	rawPool.bytes += cap(b)
}
