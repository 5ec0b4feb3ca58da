package extract

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestStemmedPatternsAgreeWithRegexp: a sentence pattern looked for only
// at its stems finds exactly what the regexp finds, match for match and
// group for group, on every corpus mail and on texts crowded with the
// stems (glued to other words, capitalised, several in one sentence).
func TestStemmedPatternsAgreeWithRegexp(t *testing.T) {
	texts := []string{"", "Je suis gérante de la SARL Dupont.", "JE SUIS GERANT DE LA SAS MARTIN",
		"jesuis gérant; xje suis gérant; suis-je gérant ? En tant que président de l'association X",
		"aujourd'hui on est onze en comptant. Nous sommes 12 salariés. On est 3. Le cabinet compte deux associés, " +
			"nous comptons cinq salariés, on est 4 personnes, le cabinet compte six kinés. L'équipe compte trois vendeuses.",
		"Gérante de la SARL Dupont, je souhaite. Président de l'association X\nDirectrice de la Scierie Y, et, gérant du Garage Z",
		"notre entreprise, Menuiserie Vidal, … mon atelier « Le Bois » ma société Dupont",
		"Je dirige la Scierie du Causse. J’ai repris le Garage Martin. je gère l'Auberge.",
		"effectif : 12\neffectif total de 14 ; comptons 5 salariés ; j’emploie 3 personnes, emploie 4, compte 6",
		strings.Repeat("le la l' on nous ma mon notre suis compte 3 ", 50)}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b), flatten(string(b)))
		}
	}
	for _, p := range []*stemmed{headcountOf, headcountWe, roleSentence, dirige, ourCompany, roleAtStart} {
		for _, text := range texts {
			if got, want := p.FindAllStringSubmatchIndex(text), p.re.FindAllStringSubmatchIndex(text, -1); !slices.EqualFunc(got, want, slices.Equal[[]int]) {
				t.Fatalf("%s in %.80q: stems found %v, regexp %v", p.re, text, got, want)
			}
			if got, want := p.FindStringSubmatch(text), p.re.FindStringSubmatch(text); !slices.Equal(got, want) {
				t.Fatalf("%s in %.80q: stems found %q, regexp %q", p.re, text, got, want)
			}
		}
	}
}

// flatten joins lines as the extractors read sentences.
func flatten(s string) string { return regexp.MustCompile(`\s*\n\s*`).ReplaceAllString(s, " ") }
