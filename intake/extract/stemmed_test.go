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
		"Bonjour,\n\nGÉRANTE de la SARL X. ,  \n Président de la SAS Y!\tdirecteur du Garage Z?\r\nſecrétaire générale de l'Association W, " +
			"\u212Ainésithérapeute coordinateur de la Maison M.\n\nÉlu, co-gérant de l’EARL V,\fpdg de la SA U",
		"notre entreprise, Menuiserie Vidal, … mon atelier « Le Bois » ma société Dupont",
		"NOTRE ENTREPRISE Dupont, Ma  \n Société Martin, la ſarl Roux, l’\tAtelier Vidal, LA SOCIÉTÉ Fabre, mabusiness X, ma démarche Y",
		"Gerant de la SARL X. COGERANT du GAEC Y, Presidente de l'Association Z, commune de Mende, cofondatrice des Ateliers W; " +
			"notre societe Dupont, MA SOCIETE Martin, la commune Roux, le Cabinet Vidal, notre entreprise\nFabre, mon Eurl",
		"Je dirige la Scierie du Causse. J’ai repris le Garage Martin. je gère l'Auberge.",
		"effectif : 12\neffectif total de 14 ; comptons 5 salariés ; j’emploie 3 personnes, emploie 4, compte 6",
		strings.Repeat("le la l' on nous ma mon notre suis compte 3 ", 50),
		"Bonjour, je suis Lucas Meyrueis, ferronnier d'art, à la tête de. MOI, C'EST Fabrice Pic, associé-gérant. " +
			"Moi c’est Anne Roux, céramiste\nJe m'appelle Jean Vidal, menuisier depuis 2010. je me nomme Léa Fabre, gérante",
		"je suis ravie, je me permets, moi aussi, moi,c'est Jo Roux, potier. JE SUIS\n\tMarc Roux, gérant; je suisMarc Roux, potier, " +
			"je m'appelleJean Vidal, menuisier, moi, c’est  Éric Pic, céramiste, je  suis Anne Roux, potière",
		"Installée à Langogne, BASÉE au Rozier; siège social est à Mende, Établie à Florac, établis sur Saint Chély, ma SARL à Mende, " +
			"notre ferme au Rozier, MON ENTREPRISE aux Bondons, mais à Mende, ma  \n société à Ispagnac",
		"xétabli à Mende, rÉtablie à Florac", "baſée à Marvejols, ſituée à Nasbinals, ma ſarl à Mende",
		"nous ſommes 12 salariés, xſuis gérant", "bas\u212a à Mende",
		"Gérant de la SARL X. ,  \n Président de la SAS Y!\tdirecteur du Garage Z?\r\nsecrétaire générale de l'Association W, " +
			"kinésithérapeute coordinateur de la Maison M.\n\nÉlu, co-gérant de l’EARL V,\fpdg de la SA U",
		" \nPrésident de la SAS X", "\nDirectrice du Camping Y... Gérante de la SARL Z", "foo\n  Gérant de la SARL X, bar\nGérant du Garage Y",
		"  Gérante de la SARL X;Gérant de la SAS Y,Gérant du GAEC Z", ".Gérant de la SAS X", ". Gérant de la SAS X",
		".\nGérante de la SARL X, Gérante\nde la SARL Y, Gérante, de la SAS Z. Gérant  \t DU Garage W! Président directeur général des Ateliers V",
		"Gérant\r\n de la SARL X? Gérante,\nDe la SARL Y\nCo-gérant\n\nd'Ispagnac Bois, pdg\fD'Olt Conseil. Gérante dela SARL X, gérante de",
		"Gérante", "Gérante ", "Gérante d", "\nGérant\n", ",", "Gérante\n\nDe la SARL X",
		". Artisan dialogue de la SARL X. Artisan ébéniste d’Olt Bois, Artisan potier DU Lac, gérant D'Aubrac Bois, gérant dES Ateliers Y, gérant du",
		"Gérant d'", "Gérant d’", "Gérant d\xe2\x80", "Gérant DE\tla SAS X", "gérant dU Garage Z", "gérant deLa Forge",
		"Artisan devons, Gérant depuis 2010, gérant durable, Gérant des ateliers, gérant desAteliers X, gérant dES  Ateliers Y, gérant du lac",
		"Gérant de l'Olt, gérant de L’Aubrac, gérant du  Lac, gérant de\tLozère Bois, gérant d'Olt, gérant de ÉBÈNE, gérant de\xff, gérant de dOlt",
		"gérant des", "gérant de", "gérant du ", "gérant dEs\n", "gérant deS Ateliers", "gérant dUX", ". gérant de 3 Vallées"}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b), flatten(string(b)))
		}
	}
	for _, p := range []*stemmed{headcountOf, headcountWe, roleSentence, dirige, ourCompany, roleAtStart, roleAfterIntro, installedAt, ownCompanyAtStems} {
		for _, text := range texts {
			if got, want := p.FindAllStringSubmatchIndex(newCaseless(text)), p.re.FindAllStringSubmatchIndex(text, -1); !slices.EqualFunc(got, want, slices.Equal[[]int]) {
				t.Fatalf("%s in %.80q: stems found %v, regexp %v", p.re, text, got, want)
			}
			if got, want := p.FindStringSubmatch(newCaseless(text)), p.re.FindStringSubmatch(text); !slices.Equal(got, want) {
				t.Fatalf("%s in %.80q: stems found %q, regexp %q", p.re, text, got, want)
			}
		}
	}
}

// flatten joins lines as the extractors read sentences.
func flatten(s string) string { return regexp.MustCompile(`\s*\n\s*`).ReplaceAllString(s, " ") }

// TestCaselessFindsWhatIndexFoldFinds: the lower-cased copy keeps the
// text's offsets, and a word is found in it where indexFold finds it, in
// any ASCII case and only there (not through Unicode folds such as the
// Kelvin sign or the long s, nor by changing other letters' case).
func TestCaselessFindsWhatIndexFoldFinds(t *testing.T) {
	texts := []string{"", "SIRET : 123", "Siret siret sIrEt", "ÉTÉ Été été", "\u212Aelvin kelvin", "Je \u017Fuis ſuis SUIS",
		"J’AI j’ai J'ai", "\xff\xfeSUIS", "İSTANBUL istanbul"}
	for _, text := range texts {
		c := newCaseless(text)
		if len(c.lower) != len(text) {
			t.Fatalf("%q: copy of %d bytes, want %d", text, len(c.lower), len(text))
		}
		for _, w := range []string{"siret", "suis", "j’ai", "j'ai", "kelvin", "istanbul", "ete"} {
			var got, want []int
			c.each(w, func(i int) { got = append(got, i) })
			for from := 0; ; {
				i := indexFold(text[from:], w)
				if i < 0 {
					break
				}
				want = append(want, from+i)
				from += i + 1
			}
			if !slices.Equal(got, want) || c.has(w) != (len(want) > 0) {
				t.Errorf("%q in %q: found at %v, indexFold at %v", w, text, got, want)
			}
		}
	}
}

// TestLowerAndWordStarts: the eight-at-a-time lowering and word starts
// are those of a byte-by-byte reading, on the corpus mails and on pieces
// of every length around the eight-byte steps.
func TestLowerAndWordStarts(t *testing.T) {
	texts := []string{"", "A", "été", "Société_RSE 2026", "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80\xff"}
	for n := 0; n < 40; n++ {
		texts = append(texts, strings.Repeat("Ab é_9-", 6)[:n], strings.Repeat("xyz", 13)[:n])
	}
	var every []byte
	for c := range 256 {
		every = append(every, byte(c), 'a', byte(c), byte(c), 'Z', ' ')
	}
	for k := range 8 {
		texts = append(texts, string(every[k:]))
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b))
		}
	}
	for _, s := range texts {
		var lower []byte
		var words []int32
		for i := 0; i < len(s); i++ {
			lower = append(lower, lowerASCII(s[i]))
			if isASCIIWordByte(s[i]) && (i == 0 || !isASCIIWordByte(s[i-1])) {
				words = append(words, int32(i))
			}
		}
		if got := wordStartsOf(s); !slices.Equal(got, words) {
			t.Fatalf("%.60q: wordStartsOf = %v, want %v", s, got, words)
		}
		if got := lowerString(s); got != string(lower) {
			t.Fatalf("%.60q: lowerString = %.60q, want %.60q", s, got, lower)
		}
	}
}
