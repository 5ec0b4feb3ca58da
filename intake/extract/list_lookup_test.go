package extract

import "testing"

// TestListSharingAStart: a list that starts where another does (a piece
// of it) is told from it by its length, though only the first is kept by
// where it starts (byFirst), and a copy of a list is none of the
// matcher's.
func TestListSharingAStart(t *testing.T) {
	l := []string{"alpha", "beta", "gamma"}
	m := newPhraseMatcher(l, l[:2])
	if pl := m.list(l); pl == nil || len(pl.ids) != 3 {
		t.Fatalf("list(l) = %v, want the list of 3", pl)
	}
	if pl := m.list(l[:2]); pl == nil || len(pl.ids) != 2 {
		t.Fatalf("list(l[:2]) = %v, want the list of 2", pl)
	}
	if pl := m.list(l[:1]); pl != nil {
		t.Fatalf("list(l[:1]) = %v, want none", pl)
	}
	if pl := m.list(append([]string(nil), l...)); pl != nil {
		t.Fatalf("list(copy of l) = %v, want none", pl)
	}
	h := m.scan("un beta")
	if !m.any(h, l[:2], "un beta") || m.any(h, []string{"gamma"}, "un beta") {
		t.Fatal("any: beta is in l[:2], gamma is not in the text")
	}
}
