package extract

import (
	"strings"
	"testing"
)

// TestLabelHeadHoldsTheCut holds splitLabel's quick test of the head of
// a line (labelHead) to cutLabel: a line whose head holds no separator
// is no label, on every line of the bench mailbox and on lines with each
// separator written around the end of the head.
func TestLabelHeadHoldsTheCut(t *testing.T) {
	var lines []string
	for _, raw := range benchMailboxTexts(t) {
		lines = append(lines, strings.Split(raw, "\n")...)
	}
	for _, sep := range []string{":", " : ", "\t", "：", " - ", " – ", " — ", "...", "…", " ....... ", "-", "–"} {
		for _, label := range []string{"Effectif", "Code postal", "Nom", "Téléphone", "x"} {
			for n := 40; n <= 75; n++ {
				head := label + strings.Repeat(" ", max(0, n-len(label)))
				for _, lead := range []string{"", " ", "- ", "• ", "\t"} {
					lines = append(lines, lead+head+sep+" 12 salariés et une phrase qui continue encore un peu")
					lines = append(lines, lead+strings.Repeat("a", n)+sep+" valeur")
				}
			}
		}
	}
	for _, l := range lines {
		if mayHoldLabel(labelHead(l)) {
			continue
		}
		if label, f, value, ok := cutLabel(l); ok {
			t.Errorf("cutLabel(%q) = %q, %v, %q, true; its head %q holds no separator", l, label, f, value, labelHead(l))
		}
	}
}
