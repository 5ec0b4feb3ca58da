package store

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// nameKeyByFields is NameKey as strings.FieldsFunc over the folded text
// writes it, word lists joined: what the one-array NameKey must give.
func nameKeyByFields(a *Applicant) string {
	words := func(s string) []string {
		return strings.FieldsFunc(applicant.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	name := words(a.FirstName + " " + a.LastName)
	comp := companyKeyByFields(a.Company, words)
	if len(name) == 0 || comp == "" {
		return ""
	}
	return strings.Join(name, " ") + "|" + comp
}

func companyKeyByFields(company string, words func(string) []string) string {
	var comp []string
	for _, w := range words(company) {
		if !legalForms[w] {
			comp = append(comp, w)
		}
	}
	return strings.Join(comp, " ")
}

// TestNameKeyAsFields holds NameKey and CompanyKey to their FieldsFunc
// meaning over names and companies drawn from the pieces that matter
// (accents, œ, apostrophes, legal forms, digits, punctuation, broken
// UTF-8, long text past the arrays on the stack).
func TestNameKeyAsFields(t *testing.T) {
	pieces := []string{"Élodie", "ROUX", "d'Arc", "O’Neil", "Jean-Pierre", " ", "  ", "SARL", "sas", "Sasu", "EI",
		"(SARL)", "Les", "jardins", "Cœur", "Æther", "42", "n°7", "&", ".", ",", "|", "\xff", "\xe2\x80", "é", "ß",
		"İstanbul", "Ǆ", "x", strings.Repeat("Brasserie ", 30), "\t", "—", "«", "»"}
	rng := rand.New(rand.NewPCG(3, 4))
	draw := func() string {
		var s strings.Builder
		for range rng.IntN(6) {
			s.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return s.String()
	}
	words := func(s string) []string {
		return strings.FieldsFunc(applicant.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	for range 30000 {
		a := &Applicant{FirstName: draw(), LastName: draw(), Company: draw()}
		if got, want := NameKey(a), nameKeyByFields(a); got != want {
			t.Fatalf("NameKey(%q, %q, %q) = %q, want %q", a.FirstName, a.LastName, a.Company, got, want)
		}
		if got, want := CompanyKey(a.Company), companyKeyByFields(a.Company, words); got != want {
			t.Fatalf("CompanyKey(%q) = %q, want %q", a.Company, got, want)
		}
	}
}
