package store

import (
	"strings"
	"unicode"

	"github.com/rse-lozere/rse-intake/store/applicant"
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
	return strings.FieldsFunc(applicant.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
