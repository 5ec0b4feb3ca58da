package applicant_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

func TestValidSiret(t *testing.T) {
	for s, want := range map[string]bool{
		"73282932000074": true,
		"73282932000075": false,
		"35600000000048": true, // La Poste head office: Luhn
		"35600000049837": true, // a post office: digit sum multiple of 5
		"35600000049838": false,
		"1234":           false,
		"7328293200007A": false,
		"":               false,
	} {
		if got := applicant.ValidSiret(s); got != want {
			t.Errorf("ValidSiret(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidSiren(t *testing.T) {
	for s, want := range map[string]bool{"732829320": true, "732829321": false, "73282932": false, "73282932A": false} {
		if got := applicant.ValidSiren(s); got != want {
			t.Errorf("ValidSiren(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"06 12 34 56 78", "+33612345678"},
		{"04.66.49.00.00", "+33466490000"},
		{"06-12-34-56-78", "+33612345678"},
		{"06/12/34/56/78", "+33612345678"},
		{"0612345678", "+33612345678"},
		{"+33 (0)6 12 34 56 78", "+33612345678"},
		{"+33 ( 0 ) 6 12 34 56 78", "+33612345678"},
		{"+33 06 12 34 56 78", "+33612345678"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"+33(0)612345678", "+33612345678"},
		{"05 65 60 47 18", "+33565604718"},
		{"+32 2 123 45 67", "+3221234567"},
		{"0033 6 12 34 56 78", "+33612345678"},
		{"33 6 12 34 56 78", "+33612345678"},
		{"+41 22 123 45 67", "+41221234567"},
		{"+32 (0)475 61 28 93", "+32475612893"},
		{"0041 79 345 67 82", "+41793456782"},
		{"+44 7700 900461", "+447700900461"},
		{"06 12 34 56", ""},
		{"+33 1 23 45 67", ""},
		{"=1+1", ""},
		{"06 12 34 56 78 poste 12", ""},
		{"+0 123 456 789", ""},
		{"+33 0 12 34 56 78 9", "+33123456789"}, // +33 01…: the trunk zero written plainly
	}
	for _, tt := range tests {
		got, err := applicant.NormalizePhone(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizePhone(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDisplayPhone(t *testing.T) {
	for in, want := range map[string]string{
		"+33612345678": "06 12 34 56 78",
		"+33466490000": "04 66 49 00 00",
		"+41221234567": "+41221234567",
		"+3361234":     "+3361234",
		"":             "",
	} {
		if got := applicant.DisplayPhone(in); got != want {
			t.Errorf("DisplayPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDepartementOf(t *testing.T) {
	for pc, want := range map[string]string{
		"48000": "48", "48200": "48", "01000": "01", "05000": "05", "75011": "75", "95000": "95",
		"20000": "2A", "20090": "2A", "20167": "2A", "20199": "2A", // Corse-du-Sud
		"20200": "2B", "20600": "2B", "20290": "2B", // Haute-Corse, Bastia's 206xx too
		"97100": "971", "97200": "972", "97300": "973", "97400": "974", "97600": "976",
		"97500": "975", "98800": "988", // overseas collectivities
		"98000": "", // Monaco is no département
		"00100": "", "4800": "", "480000": "", "48OOO": "", "": "",
	} {
		if got := applicant.DepartementOf(pc); got != want {
			t.Errorf("DepartementOf(%q) = %q, want %q", pc, got, want)
		}
	}
}

func TestValidDepartement(t *testing.T) {
	for d, want := range map[string]bool{
		"48": true, "01": true, "95": true, "2A": true, "2B": true, "971": true, "976": true,
		"20": false, "00": false, "96": false, "980": false, "2a": false, "Lozère": false, "": false,
	} {
		if got := applicant.ValidDepartement(d); got != want {
			t.Errorf("ValidDepartement(%q) = %v, want %v", d, got, want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Élodie":                 "elodie",
		"SOCIÉTÉ":                "societe",
		"Cœur de Lozère":         "coeur de lozere",
		"Ætna":                   "aetna",
		"l’entreprise":           "l'entreprise",
		"Saint‑Chély–d’Apcher":   "saint-chely-d'apcher",
		"«Les Jardins»":          "\"les jardins\"",
		"Šódź Dvořák Ångström":   "sodz dvorak angstrom",
		"plain ascii":            "plain ascii",
		"naïve façade crème brû": "naive facade creme bru",
	} {
		if got := applicant.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// foldByRune is what Fold must give: FoldRune rune by rune, with œ and æ
// written out.
func foldByRune(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'œ', 'Œ':
			b.WriteString("oe")
		case 'æ', 'Æ':
			b.WriteString("ae")
		default:
			b.WriteRune(applicant.FoldRune(r))
		}
	}
	return b.String()
}

// TestFoldEveryTwoByteRune: Fold is FoldRune, with œ and æ written out,
// for every rune of one or two bytes, alone and among ASCII (its
// shortcuts for ASCII words and for the runes written C3 and a byte must
// give the same answer), and for C3 before every byte.
func TestFoldEveryTwoByteRune(t *testing.T) {
	want := foldByRune
	for r := rune(0); r < 0x800; r++ {
		for _, s := range []string{string(r), "Ab" + string(r) + "CDEFGHIJ" + string(r), string(r) + string(r)} {
			if got := applicant.Fold(s); got != want(s) {
				t.Fatalf("Fold(%q) = %q, want %q", s, got, want(s))
			}
		}
	}
	// A capital, a backquote or a rune beyond ASCII at every place of
	// texts of every length around the eight-byte words.
	for n := 0; n < 26; n++ {
		for at := 0; at <= n; at++ {
			for _, c := range []string{"A", "Z", "`", "@", "[", "é", "Œ", "\xff", "’"} {
				s := "abcdefghijklmnopqrstuvwxyz"[:at] + c + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[at:n]
				if got := applicant.Fold(s); got != want(s) {
					t.Fatalf("Fold(%q) = %q, want %q", s, got, want(s))
				}
			}
		}
	}
	for c := 0; c < 256; c++ {
		for _, s := range []string{string([]byte{0xc3, byte(c)}), "abcdefgh" + string([]byte{0xc3, byte(c)}) + "x"} {
			if got := applicant.Fold(s); got != want(s) {
				t.Fatalf("Fold(%q) = %q, want %q", s, got, want(s))
			}
		}
	}
}

// FuzzFold: Fold is FoldRune rune by rune, with œ and æ written out,
// whatever the bytes (its ASCII shortcut must give the same answer).
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Élodie", "SOCIÉTÉ `x`", "Cœur ÆTNA", "\xff\xfeA", "KİK", "plain ascii"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := applicant.Fold(s), foldByRune(s); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestFoldLongTexts: Fold is FoldRune rune by rune on texts of up to 400
// bytes, longer than FoldTo's block and ending every way, built of words
// with capitals, accents, backquotes and runes of two to four bytes: the
// block is flushed before a word that would not fit, and the last bytes
// of a text are lowered as one shifted word.
func TestFoldLongTexts(t *testing.T) {
	pieces := []string{"a", "b", "Z", "`", " ", "\n", "é", "É", "œ", "Æ", "’", "\u2003", "😀", "\xff", "\xc3",
		"abcdefg", "ABCDEFGHIJKLM", "l'entreprise ", "Société ", "façade", "KİK"}
	rng := rand.New(rand.NewPCG(8, 8))
	for range 30000 {
		var b strings.Builder
		for n := rng.IntN(400); b.Len() < n; {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := applicant.Fold(s), foldByRune(s); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}
