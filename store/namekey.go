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
	name := words(a.FirstName + " " + a.LastName)
	comp := CompanyKey(a.Company)
	if len(name) == 0 || comp == "" {
		return ""
	}
	return strings.Join(name, " ") + "|" + comp
}

// CompanyKey normalises a company name: lowercase, no accents, no
// punctuation, no legal form ("SARL Les Jardins" = "Les jardins (SARL)").
func CompanyKey(company string) string {
	var comp []string
	for _, w := range words(company) {
		if !legalForms[w] {
			comp = append(comp, w)
		}
	}
	return strings.Join(comp, " ")
}

func words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Fold lowercases and strips accents ("Élodie" -> "elodie"), for
// comparisons that must not depend on how a name was typed.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}
