package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestCleanAlready: cleanText returns as they are exactly the texts
// cleanAlready accepts, and cleans the others as it did.
func TestCleanAlready(t *testing.T) {
	long := strings.Repeat("Bonjour, je souhaite candidater. ", 3)
	for _, tt := range []struct {
		s     string
		clean bool
	}{
		{"", true},
		{long, true},
		{long + "Société « Élan » – 12 salariés…", true},
		{long + "a\r\nb", false},
		{"abc\rdef", false},
		{long + "Tél.\u00a0: 06", false},
		{long + "x\u202fy", false},
		{long + "zero\u200bwidth", false},
		{long + "soft\u00adhyphen", false},
		{"\ufeff" + long, false},
		{long + "line\u2028sep", false},
		{long + "de\u0301compose\u0301", false},
		{long + "bad \xff byte", false},
		{long + "cut \xc3", false},
		{long + "\ufffd", false},
		{long + "漢字", false},
	} {
		if got := cleanAlready(tt.s); got != tt.clean {
			t.Errorf("cleanAlready(%q) = %v, want %v", tt.s, got, tt.clean)
		}
		if tt.clean && cleanText(tt.s) != tt.s {
			t.Errorf("cleanText(%q) changed a clean text", tt.s)
		}
	}
	// Every rune of one or two bytes, and C3 before every byte, alone and
	// among ASCII: as a reading rune by rune says.
	plain := func(s string) bool {
		for _, r := range s {
			if r == '\r' || r >= utf8.RuneSelf && (r >= rune(len(plainRunes())) || !plainRunes()[r]) {
				return false
			}
		}
		return true
	}
	for r := rune(0); r < 0x800; r++ {
		for _, s := range []string{string(r), "abcdefgh" + string(r) + "ij", string([]byte{0xc3, byte(r)})} {
			if got := cleanAlready(s); got != plain(s) {
				t.Errorf("cleanAlready(%q) = %v, want %v", s, got, plain(s))
			}
		}
	}
	// Every 8-byte alignment of a carriage return is seen.
	for k := range 17 {
		if s := strings.Repeat("a", k) + "\r" + strings.Repeat("b", 9); cleanAlready(s) {
			t.Errorf("cleanAlready(%q) = true", s)
		}
	}
}

// TestCollapseSpacesAsFields holds collapseSpacesPast, which returns a
// piece of s while s needs no change, to strings.Fields joined, and its
// cut to truncateRunes of that.
func TestCollapseSpacesAsFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a b", "a b ", "a  b", "a\tb", "a\nb c", "été à Lyon", "a\u00a0b",
		"un  deux trois", "Nous sommes une PME de douze salariés.", " x", "x\u2003", "mot1 mot2 mot3 mot4 mot5 mot6 mot7"} {
		want := strings.Join(strings.Fields(s), " ")
		if got := collapseSpaces(s); got != want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", s, got, want)
		}
		for n := 0; n < 12; n++ {
			if got, w := truncateRunes(collapseSpacesPast(s, n), n), truncateRunes(want, n); got != w {
				t.Errorf("collapseSpacesPast(%q, %d) cut = %q, want %q", s, n, got, w)
			}
		}
	}
}

// TestFoldTwoRunesAsFold holds foldTwoRunes, which isClosing reads a
// line's start with, to applicant.Fold of the line's first two runes.
func TestFoldTwoRunesAsFold(t *testing.T) {
	for _, s := range []string{"", "é", "Él", "œuvre", "Œ", "Æsop", "æ", "Ça", "« Bien", "’a", "\xffa", "a\xff", "\u0130x", "\u023a", "K\u212a",
		"日本", "Ⅻ", "Cordialement", "ô", "ß"} {
		k := 0
		for n := 0; n < 2 && k < len(s); n++ {
			_, w := utf8.DecodeRuneInString(s[k:])
			k += w
		}
		want := applicant.Fold(s[:k])
		if f, n := foldTwoRunes(s); string(f[:n]) != want {
			t.Errorf("foldTwoRunes(%q) = %q, want %q", s, f[:n], want)
		}
	}
}

// TestFoldIsAsFold holds foldIs to comparing applicant.Fold's string.
func TestFoldIsAsFold(t *testing.T) {
	words := []string{"", "a", "A", "é", "e", "Élodie", "elodie", "ELODIE", "elodi", "elodiee", "Œuvre", "oeuvre", "œ", "oe", "o",
		"Æ", "ae", "`", "'", "’", "K\u212a", "kk", "\xff", "\ufffd", "Ⱥ", "\u2c65", "Jean-Noël", "jean-noel", "日本", "ß", "ss"}
	for _, s := range words {
		for _, w := range words {
			if got, want := foldIs(s, w), applicant.Fold(s) == w; got != want {
				t.Errorf("foldIs(%q, %q) = %v, want %v", s, w, got, want)
			}
		}
	}
}

// TestAppendFoldAsFold holds applicant.AppendFold to applicant.Fold.
func TestAppendFoldAsFold(t *testing.T) {
	for _, s := range []string{"", "a", "Élodie", "ŒUVRE", "Æsop", "l`x", "L’Aubrac", "K\u212a", "\xff\xfe", "Ⱥ", "Jean-Noël", "日本", "ß",
		"Mme", "M.", "Dr", "Cordialement, Mathilde Combes"} {
		if got, want := string(applicant.AppendFold(nil, s)), applicant.Fold(s); got != want {
			t.Errorf("AppendFold(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestMayStartMarker: mayStartMarker holds wherever hasMarkerStart of the
// whole line folded does, and markerStartsMaxLen is the longest start.
func TestMayStartMarker(t *testing.T) {
	for _, p := range markerStarts {
		if len(p) > markerStartsMaxLen {
			t.Errorf("marker start %q longer than markerStartsMaxLen", p)
		}
	}
	for _, s := range []string{"Début du message réexpédié :", "DÉBUT DU MESSAGE RÉEXPÉDIÉ", "Begin forwarded message:", "Message transféré",
		"-- Message transféré --", "–– x", "-– Original Message --", "Merci", "Déjà éé éé éé éé éé éé éé éé éé", "Bonjour",
		"Début du mèssàgé réexpédié ààààà", "M", "D"} {
		if hasMarkerStart(applicant.Fold(s)) && !mayStartMarker(s) {
			t.Errorf("mayStartMarker(%q) = false, but the folded line starts a marker", s)
		}
	}
}
