package extract

import (
	"regexp"
	"testing"
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
