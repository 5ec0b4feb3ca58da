package extract

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestEveryPatternCompiles: the extraction patterns are compiled on first
// use, so each is compiled here, where a bad one fails the tests instead
// of a run.
func TestEveryPatternCompiles(t *testing.T) {
	if len(allPatterns) < 50 {
		t.Fatalf("only %d patterns registered", len(allPatterns))
	}
	for _, p := range allPatterns {
		if _, err := regexp.Compile(p.String()); err != nil {
			t.Errorf("pattern %.60q: %v", p.String(), err)
		}
	}
}

// TestPatternsNeedWhatTheirMatchesHold: a pattern is not run on a text
// without one of the strings mustHold read from it; every match found on
// the corpus mails (as written and folded) holds one.
func TestPatternsNeedWhatTheirMatchesHold(t *testing.T) {
	texts := []string{"ce n'est pas une candidature", "je ne candidate pas encore, pas avant janvier",
		"---- Forwarded message ----", "Le 2 mars, X a ecrit :", "avant de vous envoyer le dossier"}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b), applicant.Fold(string(b)))
		}
	}
	for _, p := range allPatterns {
		if p.get(); p.needs == nil {
			continue // run on every text
		}
		for _, s := range texts {
			if p.re.MatchString(s) && !p.mayMatch(s) {
				t.Fatalf("pattern %.60q matches %.60q, which holds none of %q", p.String(), s, p.needs)
			}
		}
	}
}
