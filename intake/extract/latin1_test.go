package extract

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestLatin1LettersNoSpace: the runes isLatin1Letter passes over without
// decoding them, U+00C0 to U+00FF, are no spaces and two bytes each.
func TestLatin1LettersNoSpace(t *testing.T) {
	for r := rune(0xC0); r <= 0xFF; r++ {
		s := string(r)
		if !isLatin1Letter(s, 0) || unicode.IsSpace(r) || utf8.RuneLen(r) != 2 {
			t.Errorf("%U: isLatin1Letter %v, space %v, %d bytes", r, isLatin1Letter(s, 0), unicode.IsSpace(r), len(s))
		}
	}
	for _, s := range []string{"\xc3", "\xc3a", "\xc2\xa0", "\u0085", "é"[:1] + "x"} {
		if r, w := utf8.DecodeRuneInString(s); isLatin1Letter(s, 0) != (w == 2 && r >= 0xC0 && r <= 0xFF) {
			t.Errorf("%q: isLatin1Letter %v", s, isLatin1Letter(s, 0))
		}
	}
}

// TestCollapseSpacesAccents: collapseSpaces and collapsedRunes over
// accented words, spaces of every kind between, as strings.Fields says.
func TestCollapseSpacesAccents(t *testing.T) {
	for _, s := range []string{"été à Lyon", " Société  Générale\u00a0à\tÉvry ", "\xc3 \xc3\xa9\xc3", "ÿÿ\u2003é\u0085è",
		"réseau\u3000économie  ", "à", "\xc3\x80\xc3", "café\xc3 thé"} {
		want := strings.Join(strings.Fields(s), " ")
		if got := collapseSpaces(s); got != want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", s, got, want)
		}
		for n := -1; n < 12; n++ {
			if got, w := collapsedRunes(s, n), utf8.RuneCountInString(want); (got > n) != (w > n) || w <= n && got != w {
				t.Errorf("collapsedRunes(%q, %d) = %d, want %d", s, n, got, w)
			}
		}
	}
}

// TestTrimSpaceAsStrings: trimSpace is strings.TrimSpace, on every byte
// and a few runes at either end.
func TestTrimSpaceAsStrings(t *testing.T) {
	var ends []string
	for c := range 256 {
		ends = append(ends, string([]byte{byte(c)}))
	}
	ends = append(ends, "", " ", "\u00a0", "\u0085", "\u2003", "é", "\u3000", "\x1c")
	for _, a := range ends {
		for _, b := range ends {
			for _, mid := range []string{"", "x", " mot ", "é"} {
				s := a + mid + b
				if got, want := trimSpace(s), strings.TrimSpace(s); got != want {
					t.Fatalf("trimSpace(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
}
