package extract

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestHoldsFoldedAsHolds holds holdsFolded, which folds a text a piece
// at a time into an array on the stack, to holds of the text folded
// whole: texts of up to 2 KB (several pieces), whose phrases are written
// with capitals and accents, cut across the pieces, among runes whose
// fold is longer than they are (which outgrow the array).
func TestHoldsFoldedAsHolds(t *testing.T) {
	m := newPhraseMatcher([]string{"societe", "coeur de lozere", "l'entreprise"})
	pieces := []string{"a", " ", "é", "Ⱥ", "\xff", "’", "abcdefgh ", "Société", "SOCIETE", "Cœur de Lozère", "l’Entreprise",
		"socie", "coeur de", strings.Repeat("\xff", 200), strings.Repeat("x", 300)}
	rng := rand.New(rand.NewPCG(5, 7))
	for range 3000 {
		var b strings.Builder
		for n := rng.IntN(2048); b.Len() < n; {
			// Phrases are rare: most texts hold none.
			p := pieces[rng.IntN(len(pieces))]
			if strings.ContainsAny(p, "SCslL") && rng.IntN(8) != 0 {
				continue
			}
			b.WriteString(p)
		}
		s := b.String()
		if got, want := m.holdsFolded(s), m.holds(applicant.Fold(s)); got != want {
			t.Fatalf("holdsFolded(%q) = %v, want %v", s, got, want)
		}
	}
}
