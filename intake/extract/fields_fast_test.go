package extract

import (
	"slices"
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

// TestHeadcountTotalsAsPattern holds headcountTotals, which runs the
// pattern only on a value holding its words, to the pattern: on totals
// written in every case, with the long s, and on every line of the bench
// mailbox.
func TestHeadcountTotalsAsPattern(t *testing.T) {
	values := []string{"", "12 salariés", "1 salarié + 1 apprenti, soit 3 personnes", "SOIT 4", "Soit : douze",
		"au total 7", "AU TOTAL: 8", "Au Total 9", "en tout 5", "EN TOUT six", "\u017foit 3", "ſOIT vingt",
		"3 associés, soit", "soit3", "assoit 4", "au  total 5", "en\ttout 6", "14 salariés, soit 11,5 ETP"}
	for _, raw := range benchMailboxTexts(t) {
		values = append(values, strings.Split(raw, "\n")...)
	}
	for _, v := range values {
		got, want := headcountTotals(v), reHeadcountTotal.FindAllStringSubmatchIndex(v, 4)
		if len(got) != len(want) {
			t.Errorf("headcountTotals(%q) = %v, want %v", v, got, want)
			continue
		}
		for i := range got {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("headcountTotals(%q) = %v, want %v", v, got, want)
			}
		}
	}
}
