package extract

import (
	"regexp"
	"strings"
	"testing"
)

// TestQuotedTradeNameIsTheOnePattern: split at the quote, the two patterns
// find what the one pattern they come from finds, on texts made to sit at
// their edges: blanks of every length, article and noun joined, a word
// boundary inside a word, quotes that open nothing before one that does.
func TestQuotedTradeNameIsTheOnePattern(t *testing.T) {
	whole := regexp.MustCompile(`(?i:\b(?:la|le|l['’]|notre|mon|ma)\s*[a-zàâçéèêëîïôûù\-]{4,20}\s+)["«“]\s*(\p{Lu}[^"«»“”\n]{1,60}?)\s*["»”]`)
	texts := []string{
		`Je suis le gérant de la pizzeria "Le Four à Bois" à Mende.`,
		`Candidature au programme « J'initie, je m'engage RSE », pour notre boulangerie « Chez Paul ».`,
		`J'ai repris l'auberge « Les Genêts » en 2019.`,
		"la   \t boutique\n\n  « Au Bon Marché »",
		`truc-la boutique « Trait d'Union »`,
		`xla boutique « Pas Ici »`,
		`notre   société “Bois Lozère” et la ferme « La Borie »`,
		`la ferme « la borie » puis la ferme « La Borie »`,
		`le a « Court »`,
		`la ` + strings.Repeat("é", 20) + ` « Longue »`,
		`la ` + strings.Repeat("é", 21) + ` « Trop Longue »`,
		`mon atelier « ` + strings.Repeat("A", 61) + ` »`,
		`« Seule » et rien avant`,
		`MA QUINCAILLERIE "Outils Durand" et LE GARAGE « Roux »`,
		`la scierie «Sans Blanc»`,
	}
	for _, text := range texts {
		want, wantOK := "", false
		if m := whole.FindStringSubmatch(text); m != nil {
			want, wantOK = m[1], true
		}
		if got, ok := quotedTradeName(text); got != want || ok != wantOK {
			t.Errorf("%q: %q %v, the one pattern gives %q %v", text, got, ok, want, wantOK)
		}
	}
}
