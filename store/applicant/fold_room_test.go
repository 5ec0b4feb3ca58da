package applicant

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestAppendFoldInRoom holds AppendFold to Fold when dst has room, which
// it folds into eight bytes at a time (as joinWrapped's buffer has), and
// when the room runs out in the middle of s: texts of up to 300 bytes
// with capitals, backquotes, accents, œ, runes that fold longer and
// broken UTF-8, after a prefix, with every room from none to more than s.
func TestAppendFoldInRoom(t *testing.T) {
	pieces := []string{"a", "Z", "`", " ", "\n", "é", "É", "œ", "Æ", "’", "Ⱥ", "\xff", "\xc3", "😀", "abcdefg",
		"ABCDEFGHIJKLM", "l'entreprise ", "Société ", "façade"}
	rng := rand.New(rand.NewPCG(3, 12))
	for range 20000 {
		var b strings.Builder
		for n := rng.IntN(300); b.Len() < n; {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		want := "xy" + Fold(s)
		for _, room := range []int{0, 3, 8, 13, len(s) / 2, len(s), len(s) + 20} {
			dst := append(make([]byte, 0, 2+room), "xy"...)
			if got := string(AppendFold(dst, s)); got != want {
				t.Fatalf("AppendFold(room %d, %q) = %q, want %q", room, s, got, want)
			}
		}
	}
}
