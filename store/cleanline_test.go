package store

import (
	"math/rand/v2"
	"testing"
)

// CleanLine returns a line it finds already clean without copying it; the
// shortcut must give what the full cleaning gives, for any line.
func TestCleanLineShortcutAgreesWithFullCleaning(t *testing.T) {
	pieces := []string{"a", "Z", "0", " ", "  ", "\t", "\n", "\x7f", "\x00", "~", "é", "\u2028", "\xff", ".", ":"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var s string
		for range rng.IntN(12) {
			s += pieces[rng.IntN(len(pieces))]
		}
		for _, max := range []int{0, 1, 3, 8} {
			if got, want := CleanLine(s, max), cleanLine(s, max); got != want {
				t.Fatalf("CleanLine(%q, %d) = %q, full cleaning gives %q", s, max, got, want)
			}
		}
	}
}
