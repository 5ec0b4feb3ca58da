package store

import (
	"math/rand/v2"
	"strings"
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

// isCleanLine and isCleanText pass printable ASCII eight bytes at a time:
// on long lines and texts, mostly clean as names and motivations are, the
// shortcuts must still give what the full cleaning gives.
func TestCleanShortcutsAgreeOnLongText(t *testing.T) {
	pieces := []string{"abcdefgh", "Dupont", "SARL", " ", " ", " ", "  ", "é", "è", "\u2028", "\u202e", "\xff", "\xc3",
		"\x7f", "\x1f", "\t", "\r", "\n", "\n", "\n\n", "~", "!", "0123456789", "«", "’", "\u0085", "\u00a0", "ß", "\u07ff",
		"\xdf", "\xc3\xc3", "\xc3\x28"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		for _, max := range []int{0, 7, 8, 9, 40, 200} {
			// Exactly the lines and texts the full cleaning keeps are found
			// clean: none is copied for nothing.
			if got, want := isCleanLine(s, max), cleanLine(s, max) == s; got != want {
				t.Fatalf("isCleanLine(%q, %d) = %v, full cleaning keeps it: %v", s, max, got, want)
			}
			if got, want := isCleanText(s, max), cleanText(s, max) == s; got != want {
				t.Fatalf("isCleanText(%q, %d) = %v, full cleaning keeps it: %v", s, max, got, want)
			}
		}
	}
}
