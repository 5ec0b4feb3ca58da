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
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b), flatten(string(b)))
		}
	}
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
