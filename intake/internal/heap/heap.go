// Package heap measures the live Go heap while a function runs, for the
// memory benchmarks of the intake (a big attachment must be streamed, not
// held).
package heap

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// Peak samples the heap every millisecond while f runs, after a GC, and
// returns the largest value seen (live objects plus garbage not yet
// collected).
func Peak(f func()) uint64 {
	runtime.GC()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak
}
