package applicant

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestAppendFoldAsFold holds AppendFold, which folds eight ASCII bytes at
// once, to Fold, on strings of every length up to a few words with
// capitals, backquotes, accents, œ and broken UTF-8 at every place.
func TestAppendFoldAsFold(t *testing.T) {
	pieces := []string{"a", "Z", "`", "é", "É", "œ", "Œ", "’", "\xff", "\xc3", " ", "-", "Mende", "SARL", "d'Artagnan",
		"ABCDEFGH", "abcdefgh", "\u212a", "ß", "ǅ", "Ⱥ"}
	rng := rand.New(rand.NewPCG(2, 9))
	for range 40000 {
		var b strings.Builder
		for range rng.IntN(9) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		for _, pre := range []string{"", "x"} {
			got := string(AppendFold([]byte(pre), s))
			if want := pre + Fold(s); got != want {
				t.Fatalf("AppendFold(%q, %q) = %q, want %q", pre, s, got, want)
			}
		}
	}
}
