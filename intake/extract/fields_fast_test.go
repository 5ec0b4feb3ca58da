package extract

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
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

// TestTruncateRunesAsRunes holds truncateRunes to its meaning: the first
// n runes and an ellipsis, or the whole text when it has no more, a byte
// that is no UTF-8 counted as one rune and written as U+FFFD when cut.
func TestTruncateRunesAsRunes(t *testing.T) {
	texts := []string{"", "a", "abcdefgh", "abcdefghi", "été", "Ça a été dur, très dur à écrire.", "\xff", "ab\xffcd",
		"é\xc3", strings.Repeat("é", 20), strings.Repeat("abcdefg", 5) + "é" + strings.Repeat("x", 9),
		randomBytes(300, "abcd é’"), randomBytes(300, "abcdefgh é\xc3\xa9\xff")}
	for _, raw := range benchMailboxTexts(t)[:20] {
		texts = append(texts, strings.Split(raw, "\n")...)
	}
	for _, s := range texts {
		for n := 0; n <= 40 || n <= len(s)+2 && n <= 200; n++ {
			want := s
			if utf8.RuneCountInString(s) > n {
				want = string([]rune(s)[:n]) + "…"
			}
			if got := truncateRunes(s, n); got != want {
				t.Errorf("truncateRunes(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

// TestOwnLineNumbersAsScan holds ownLineNumbers, which tells the text's
// next line by comparing its start, to the scan line by line it stands
// for: on every mail of the bench mailbox, with all its lines as its own,
// every other one, lines cut at the start or end (as the read window cuts
// them), and lines the text does not hold.
func TestOwnLineNumbersAsScan(t *testing.T) {
	scan := func(text string, own []string) []int {
		out := make([]int, len(own))
		rest, k, left := text, 0, true
		for i, l := range own {
			if l == "" || !left {
				continue
			}
			for r, n := rest, k; ; n++ {
				t, after, more := strings.Cut(r, "\n")
				if t == l || strings.HasPrefix(t, l) || strings.HasSuffix(t, l) {
					out[i] = n + 1
					rest, k, left = after, n+1, more
					break
				}
				if !more {
					break
				}
				r = after
			}
		}
		return out
	}
	texts := append(benchMailboxTexts(t), "", "a", "a\n", "\na\n\na", "ab\nab\nabc\nb")
	for _, text := range texts {
		lines := strings.Split(text, "\n")
		var every, cut []string
		for i, l := range lines {
			if i%2 == 0 {
				every = append(every, l)
			}
			switch i % 5 {
			case 1:
				cut = append(cut, l[:len(l)/2])
			case 2:
				cut = append(cut, l[len(l)/2:])
			case 3:
				cut = append(cut, l+"x")
			default:
				cut = append(cut, l)
			}
		}
		for _, own := range [][]string{lines, every, cut, {"a", "ab", "b"}} {
			if got, want := ownLineNumbers(text, own), scan(text, own); !slices.Equal(got, want) {
				t.Errorf("ownLineNumbers(%.60q, …) = %v, want %v", text, got, want)
			}
		}
	}
}

// TestLabelNumberAsPattern holds labelNumber, which runs the pattern only
// on a label holding a digit or a parenthesis, to the pattern: on numbered
// labels of every form and on every line of the bench mailbox, folded.
func TestLabelNumberAsPattern(t *testing.T) {
	values := []string{"", "1) structure", "3. effectif", "champ 4 - fonction", "question 2 : secteur", "q3 secteur",
		"a) nom", "h)", "i) nom", "12/ ville", "etape 1 adresse", "item 12: x", "point 7", "rubrique 1", "field 9 - name",
		"nom", "siret (14 chiffres)", "12", "champ"}
	for _, raw := range benchMailboxTexts(t) {
		for _, l := range strings.Split(raw, "\n") {
			values = append(values, applicant.Fold(l))
		}
	}
	for _, v := range values {
		if got, want := labelNumber(v), reLabelNumber.FindStringIndex(v); !slices.Equal(got, want) {
			t.Errorf("labelNumber(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestHoldsNotInNameAsContainsAny holds holdsNotInName to
// strings.ContainsAny: on signs alone, beyond ASCII and no UTF-8, and on
// every line of the bench mailbox.
func TestHoldsNotInNameAsContainsAny(t *testing.T) {
	values := []string{"", "Jean Dupont", "Jean «Dupont»", "»", "«", "\xc2", "\xab", "\xe2\xc2\xab", "é@", "Zoé_",
		"Jean-Luc d’Aubrac", "\xff\xfe", "L'Œuvre", "x\"y", "{", "}", "Ω"}
	for _, raw := range benchMailboxTexts(t) {
		values = append(values, strings.Split(raw, "\n")...)
	}
	for _, v := range values {
		if got, want := holdsNotInName(v), strings.ContainsAny(v, notInNames); got != want {
			t.Errorf("holdsNotInName(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestLettersAndDigitsAsRunes holds lettersAndDigits, which reads ASCII
// by a table, to the count rune by rune: on every line of the bench
// mailbox, with bytes that are no UTF-8, at several limits.
func TestLettersAndDigitsAsRunes(t *testing.T) {
	texts := []string{"", "_", "a_b", "Ça coûte 12 €", "\xff\xfe1", "x\xc3", "Ⅻ ² ٣ 𝟘"}
	for _, raw := range benchMailboxTexts(t) {
		texts = append(texts, strings.Split(raw, "\n")...)
	}
	for _, s := range texts {
		for _, limit := range []int{1, 3, 10, 1 << 20} {
			want := 0
			for _, r := range s {
				if want < limit && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
					want++
				}
			}
			if got := lettersAndDigits(s, limit); got != want {
				t.Errorf("lettersAndDigits(%q, %d) = %d, want %d", s, limit, got, want)
			}
		}
	}
}

// TestCollapsedRunesPastBound holds collapsedRunes to what
// motivationFromText counts on when it counts a paragraph no further than
// past what is left of the bound: the whole count when it is within the
// bound, a count above the bound otherwise.
func TestCollapsedRunesPastBound(t *testing.T) {
	texts := []string{"", "a", "a  b", " \t été  à\u00a0la\u2003mer ", strings.Repeat("mot ", 400)}
	texts = append(texts, benchMailboxTexts(t)[:40]...)
	for _, s := range texts {
		whole := utf8.RuneCountInString(collapseSpaces(s))
		for _, n := range []int{0, 1, 2, 5, 59, 60, 61, 300, 1199, 1200, 5000} {
			got := collapsedRunes(s, n)
			if whole <= n && got != whole || whole > n && got <= n {
				t.Errorf("collapsedRunes(%.40q, %d) = %d; the whole count is %d", s, n, got, whole)
			}
		}
	}
}
