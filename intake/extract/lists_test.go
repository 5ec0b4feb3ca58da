package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestListHitsAsContains: whether a text holds one of a matcher's lists,
// as its scan marks the list, is whether a search finds one of the
// list's phrases in it, and count counts the phrases a search finds, for every list of the author's phrases and of the
// key words, on the corpus mails and on texts made of each list's
// phrases.
func TestListHitsAsContains(t *testing.T) {
	var texts []string
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "*", "*.eml"))
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			texts = append(texts, string(b))
		}
	}
	for _, tc := range []struct {
		m     *phraseMatcher
		lists [][]string
		view  func(string) string
	}{
		{ownPhrases(), ownLists, applicant.Fold},
		{keyMatcher(), keyLists, lowerString},
	} {
		lists := tc.lists
		all := append([]string{""}, texts...)
		for _, l := range lists {
			all = append(all, strings.Join(l, " "), l[0], l[len(l)-1][1:])
		}
		for _, text := range all {
			s := tc.view(text)
			hits := tc.m.scan(s)
			for k, l := range lists {
				if got, want := tc.m.any(hits, l, s), phrases(l).in(s); got != want {
					t.Fatalf("list %.40q in %.60q: scan %v, search %v", l, s, got, want)
				}
				// count, with also the text of another list or none.
				for _, also := range []string{"", tc.view(all[(k+len(texts))%len(all)])} {
					want := 0
					for _, w := range l {
						if strings.Contains(s, w) || also != "" && strings.Contains(also, w) {
							want++
						}
					}
					if got := tc.m.count(hits, l, s, also, nil); got != want {
						t.Fatalf("list %.40q in %.60q and %.40q: count %d, want %d", l, s, also, got, want)
					}
				}
			}
		}
	}
}
