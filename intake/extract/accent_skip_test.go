package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestAccentNamesAsEveryWord holds accentNames, which reads the text only
// where startSkipper stops, to the same reading of every word of the text,
// on the corpus mails and on texts with names in every case and accent,
// for names taken from their own words.
func TestAccentNamesAsEveryWord(t *testing.T) {
	texts := []string{"", "é", "É", "\xc3", "Hélène", "je suis Hélène Dupré, gérante", "HÉLÈNE DUPRÉ", "l'Élodie d’Œuvre",
		"xÉlodie Élodie-Anne Éloïse, ’Éloïse «Éloïse» \xc3\xc3\x89loïse Ærø ẞig Ĳssel ŒUVRE œuvre -Élodie 'Élodie",
		"Merci, Françoise Prouhèze-Sérvière. FRANÇOISE PROUHÈZE. françoise prouhèze. Françoise\tProuhèze\n",
		"Denis Prouhèze\r\nGérant – Scierie Prouhèze, 48000 Mende", "Ǆemal ǅemal Σίσυφος Ｓｉｓｙ", "Mesut Özil, Øystein Ñúñez, Þór Ýves",
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b))
		}
	}
	names := []string{"", "Helene", "Dupre", "Helene Dupre", "Elodie", "Eloise", "Oeuvre", "Francoise", "Prouheze",
		"Denis", "Sig", "Ijssel", "Aero", "Elodie-Anne", "Mende", "Sisyphos", "Sisy"}
	changed := 0
	for _, text := range texts {
		// Names from the text's own capitalised words, folded to ASCII.
		own := names
		for _, w := range strings.Fields(text) {
			if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) && !isASCII(w) && len(own) < len(names)+40 {
				if f := applicant.Fold(w); isASCII(f) {
					own = append(own, f)
				}
			}
		}
		for k := 0; k+1 < len(own); k++ {
			first, last := own[k], own[k+1]
			wantFirst, wantLast := first, last
			accentNamesEveryWord(text, &wantFirst, &wantLast)
			accentNames(text, &first, &last)
			if wantFirst != own[k] || wantLast != own[k+1] {
				changed++
			}
			if first != wantFirst || last != wantLast {
				t.Fatalf("accentNames(%.60q, %q, %q) = %q %q, want %q %q", text, own[k], own[k+1], first, last, wantFirst, wantLast)
			}
		}
	}
	if changed < 20 {
		t.Fatalf("accentNames gave %d names their accents: the test reads too few", changed)
	}
}

// accentNamesEveryWord is accentNames trying every offset of the text.
func accentNamesEveryWord(text string, names ...*string) {
	wants := make([][]string, len(names))
	left := 0
	for k, name := range names {
		if *name != "" && isASCII(*name) {
			if wants[k] = strings.Fields(applicant.Fold(*name)); len(wants[k]) > 0 {
				left++
			}
		}
	}
	for i := 0; i < len(text) && left > 0; {
		if text[i] >= utf8.RuneSelf {
			if r, n := utf8.DecodeRuneInString(text[i:]); r != '’' && unicode.IsLetter(r) && !unicode.IsUpper(r) {
				i += n
				continue
			}
		}
		if !textWordStart(text, i) {
			i++
			continue
		}
		first, next := nextTextWord(text, i)
		i = next
		for k, want := range wants {
			if len(want) == 0 {
				continue
			}
			found, ok, more := accentedAt(text, want, first, next)
			if ok {
				*names[k] = found
			}
			if ok || !more {
				wants[k] = nil
				left--
			}
		}
	}
}
