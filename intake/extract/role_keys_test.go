package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRoleSentenceKeysHoldEveryMatch: the key words roleAndCompanyFromText
// asks for before it looks for reRoleSentence are in every text the
// pattern matches (whole phrases such as "en tant que", not "tant que",
// which RSE mails write for other reasons), in any case.
func TestRoleSentenceKeysHoldEveryMatch(t *testing.T) {
	texts := []string{"je suis gérante de la SARL X", "JE SUIS GÉRANTE", "j’en suis le gérant", "J'EN SUIS LA PRÉSIDENTE",
		"En tant que gérant", "EN TANT QUE directrice", "en qualité de gérante", "EN QUALITÉ DE président", "en qualite de pdg",
		"moi-même gérant", "MOI-MÊME co-gérante", "As its ceo", "I AM ceo", "suis depuis 2015 le gérant",
		"je suis actuellement gérant", "Je suis aujourd’hui la présidente", "tant que gérant", "qualité de gérant", "de qualité gérant"}
	texts = withCorpusTexts(t, texts)
	matched := 0
	for _, text := range texts {
		if reRoleSentence.MatchString(text) {
			matched++
			if !newCaseless(text).hasAny(roleSentenceKeys) {
				t.Errorf("reRoleSentence matches %.80q, which holds none of its keys", text)
			}
		}
	}
	if matched < 10 {
		t.Fatalf("reRoleSentence matched %d texts: the test reads too few", matched)
	}
}

// TestIntroStemsHoldEveryMatch: roleAfterIntroName looks for its pattern
// only in a text holding one of introStems, in any case, or searched whole
// (a long s, a Kelvin sign): every text the pattern matches is one.
func TestIntroStemsHoldEveryMatch(t *testing.T) {
	texts := []string{"Je suis Lucas Meyrueis, ferronnier d'art", "JE SUIS Marc Roux, gérant", "je m’appelle Anne Roux, potière",
		"Je M'appelle Jean Vidal, menuisier.", "je me nomme Léa Fabre, gérante", "MOI, C'EST Fabrice Pic, associé-gérant",
		"Moi c’est Anne Roux, céramiste\n", "moi c'eſt Jo Roux, potier.", "je ſuis Jo Roux, potier.", "je suis ravie, Jo Roux, potier"}
	texts = withCorpusTexts(t, texts)
	matched := 0
	for _, text := range texts {
		if reRoleAfterIntro.MatchString(text) {
			matched++
			if ct := newCaseless(text); !ct.hasAny(introStems) && !roleAfterIntro.wholeText(ct) {
				t.Errorf("reRoleAfterIntro matches %.80q, which holds none of introStems", text)
			}
		}
	}
	if matched < 8 {
		t.Fatalf("reRoleAfterIntro matched %d texts: the test reads too few", matched)
	}
}

// withCorpusTexts adds every mail of intake/testdata, as it is and
// flattened as readApplicant reads it, to texts.
func withCorpusTexts(t *testing.T, texts []string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus mail in ../testdata (%v)", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b), flatten(string(b)))
	}
	return texts
}
