package store

import (
	"unicode"
	"unicode/utf8"

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
	// Built in one array on the stack, one string made: the writer keys
	// every application it creates or updates, twice for a new one.
	var stack [256]byte
	b := appendKeyWords(stack[:0], a.FirstName, false)
	b = appendKeyWords(b, a.LastName, false)
	name := len(b)
	if name == 0 {
		return ""
	}
	b = appendKeyWords(append(b, '|'), a.Company, true)
	if len(b) == name+1 {
		return ""
	}
	return string(b)
}

// CompanyKey normalises a company name: lowercase, no accents, no
// punctuation, no legal form ("SARL Les Jardins" = "Les jardins (SARL)").
func CompanyKey(company string) string {
	var stack [128]byte
	return string(appendKeyWords(stack[:0], company, true))
}

// appendKeyWords appends to key the words of s, folded (letters and
// digits; see applicant.Fold), each after a space unless key is empty or
// ends with the '|' between name and company; legal forms left out with
// company.
func appendKeyWords(key []byte, s string, company bool) []byte {
	var stack [128]byte
	folded := applicant.AppendFold(stack[:0], s)
	for i := 0; i < len(folded); {
		start := i
		for i < len(folded) {
			r, w := utf8.DecodeRune(folded[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			i += w
		}
		if word := folded[start:i]; len(word) > 0 && !(company && legalForms[string(word)]) {
			if len(key) > 0 && key[len(key)-1] != '|' {
				key = append(key, ' ')
			}
			key = append(key, word...)
		}
		if i < len(folded) {
			_, w := utf8.DecodeRune(folded[i:])
			i += w
		}
	}
	return key
}
