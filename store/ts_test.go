package store

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestTSAsFormat holds ts, written out, to time.Format with tsLayout.
func TestTSAsFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("CET", 3600), time.FixedZone("odd", -(9*3600 + 30*60 + 7))}
	for i := range 200000 {
		var sec int64
		switch i % 4 {
		case 0: // around now
			sec = time.Now().Unix() + r.Int64N(20*365*86400) - 10*365*86400
		case 1: // any year a Date header may give, and beyond
			sec = r.Int64N(400000*86400*365) - 200000*86400*365
		case 2: // around the edges of four-digit years
			edge := []int64{time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()}
			sec = edge[r.IntN(2)] + r.Int64N(2*86400) - 86400
		default:
			sec = r.Int64N(1 << 40)
		}
		tm := time.Unix(sec, r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		if i%7 == 0 {
			tm = tm.Truncate(time.Second)
		}
		if got, want := ts(tm), tm.UTC().Format(tsLayout); got != want {
			t.Fatalf("ts(%v) = %q, want %q", tm, got, want)
		}
	}
	var zero time.Time
	if got, want := ts(zero), zero.Format(tsLayout); got != want {
		t.Fatalf("ts(zero) = %q, want %q", got, want)
	}
}
