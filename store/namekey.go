package store

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// legalForms are left out when comparing company names.
var legalForms = map[string]bool{"sarl": true, "sas": true, "sasu": true, "eurl": true, "scop": true,
	"gaec": true, "sa": true, "sci": true, "ei": true, "eirl": true, "scea": true, "earl": true}

// NameKey normalises an applicant's name and company ("first last|company",
// lowercase, without accents, punctuation or legal form) so that the same
// person and company written two ways compare equal; "" when either part
// is missing.
func NameKey(a *Applicant) string {
	words := func(s string) []string {
		return strings.FieldsFunc(foldAccents(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	name := words(a.FirstName + " " + a.LastName)
	var comp []string
	for _, w := range words(a.Company) {
		if !legalForms[w] {
			comp = append(comp, w)
		}
	}
	if len(name) == 0 || len(comp) == 0 {
		return ""
	}
	return strings.Join(name, " ") + "|" + strings.Join(comp, " ")
}

// foldAccents lowercases and strips accents.
func foldAccents(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}
