package extract

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// BenchmarkOwnScan measures the scan of an author's text (folded, about
// 7 KB: the most of it read) for the rules' phrases, the table warm.
func BenchmarkOwnScan(b *testing.B) {
	prose, err := os.ReadFile(filepath.Join("testdata", "long-application-prose.txt"))
	if err != nil {
		b.Fatal(err)
	}
	s := applicant.Fold(head(string(prose), readHead+readTail))
	m, marks := ownPhrases(), intentStemMarks()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		m.scanEnds(s, marks)
	}
}
