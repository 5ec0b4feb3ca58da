package extract

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestColonNearAsLines: colonNear reports a colon in one of lines[i:i+3]
// exactly when one of them holds one, and nextColon the first line from i
// that holds one, whether the lines are asked in
// order (as splitBody asks), skipping some, or out of order.
func TestColonNearAsLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 500; round++ {
		lines := make([]string, 1+rng.IntN(12))
		for k := range lines {
			if rng.IntN(4) == 0 {
				lines[k] = []string{"De : x", ":", "a:", "x :y"}[rng.IntN(4)]
			} else {
				lines[k] = strings.Repeat("mot ", rng.IntN(3))
			}
		}
		seen := newLineTests(strings.Join(lines, "\n"), lines)
		for i := 0; i < len(lines); {
			want := false
			for n := 0; n < 3 && i+n < len(lines); n++ {
				want = want || strings.Contains(lines[i+n], ":")
			}
			if got := seen.colonNear(lines, i); got != want {
				t.Fatalf("%q at %d: colonNear %v, want %v", lines, i, got, want)
			}
			next := math.MaxInt
			for j := len(lines) - 1; j >= i; j-- {
				if strings.Contains(lines[j], ":") {
					next = j
				}
			}
			if got := seen.nextColon(lines, i); got != next {
				t.Fatalf("%q at %d: nextColon %d, want %d", lines, i, got, next)
			}
			switch rng.IntN(6) {
			case 0:
				i = rng.IntN(len(lines)) // out of order
			case 1:
				i += 1 + rng.IntN(3)
			default:
				i++
			}
		}
	}
}
