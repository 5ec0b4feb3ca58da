package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestStartSkipperAsBytes holds startSkipper.next, eight bytes at a
// time, to its test byte by byte, at every offset of texts with the bytes
// it stops at near and across the eight-byte blocks.
func TestStartSkipperAsBytes(t *testing.T) {
	texts := []string{
		"",
		"abc",
		"je suis Didier Servière, gérant de la SARL Servière-Dupont à Mende",
		"l'entreprise d’Élodie PAGÈS — 48000 Mende\n\t{|}~\x7f@[`éà «Été»",
		strings.Repeat("x", 15) + "R" + strings.Repeat("y", 16) + "\xc3\xa9" + strings.Repeat("z", 6) + " \xc3\xa9-",
		"AAAAAAA\xc3\x80\xbf\xc0\xffRSrs-'--''\x00\x01\x2c\x2e\x26\x28",
		randomBytes(400, "-'ARSDarsdz@[`{ \x00\x0d\x2c\x2e\x2f\x7e\x7f\x80\xa9\xbf\xc0\xc3\xe2\xff"),
	}
	sets := []string{"", "R", "RS", "RSD", "A-'"}
	for _, set := range sets {
		sk := newStartSkipper()
		for _, c := range []byte(set) {
			sk.add(c)
		}
		stops := func(text string, i int) bool {
			c := text[i]
			if c < utf8.RuneSelf {
				return c == '-' || c == '\'' || strings.IndexByte(set, c) >= 0
			}
			return c >= 0xC0 && (i == 0 || !(text[i-1] < utf8.RuneSelf && asciiWordLetters[text[i-1]]))
		}
		for _, text := range texts {
			for i := 0; i <= len(text); i++ {
				want := i
				for want < len(text) && !stops(text, want) {
					want++
				}
				if got := sk.next(text, i); got != want {
					t.Errorf("set %q: next(%q, %d) = %d, want %d", set, text, i, got, want)
				}
			}
		}
	}
}

// randomBytes returns n bytes drawn from alphabet, the same every run.
func randomBytes(n int, alphabet string) string {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
