package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTrimSpaceOtherAsStrings holds trimSpace, and its trimSpaceOther, to
// strings.TrimSpace on lines with ASCII and Unicode spaces, letters
// written C3 and a byte, other runes and broken UTF-8 at either end.
func TestTrimSpaceOtherAsStrings(t *testing.T) {
	pieces := []string{"", " ", "\t", "\r", "\v\f", "a", "Z", "é", "À", "ÿ", "\u00a0", "\u0085", "\u2009", "\u3000",
		"\u202f", "œ", "’", "–", "\xc3", "\xa9", "\xc3\x28", "\xe2\x80", "\xff", "mot", " mot ", "-- "}
	rng := rand.New(rand.NewPCG(9, 3))
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		want := strings.TrimSpace(s)
		if got := trimSpace(s); got != want {
			t.Fatalf("trimSpace(%q) = %q, want %q", s, got, want)
		}
		if got := trimSpaceOther(s); got != want {
			t.Fatalf("trimSpaceOther(%q) = %q, want %q", s, got, want)
		}
	}
}
