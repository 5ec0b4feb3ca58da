package applicant

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
)

// Correct checks, normalises and sets one field from what a person typed,
// with what follows from it: a SIRET sets its check and SIREN, a postal
// code its département, a phone is stored in E.164, an e-mail lowercase.
// An empty value clears the field. The error says what is wrong with the
// value, in words a coordinator can act on.
func (a *Applicant) Correct(field, value string) error {
	if err := a.correct(field, value); err != nil {
		return err
	}
	// A value typed in by a coordinator was read in no mail: the history
	// says who set it.
	a.dropEvidence(field)
	for _, d := range derivedFrom[field] {
		a.dropEvidence(d)
	}
	return nil
}

// derivedFrom lists the fields set together with a field.
var derivedFrom = map[string][]string{Siret: {SiretValid, Siren}, PostalCode: {Departement}}

func (a *Applicant) correct(field, value string) error {
	value = strings.TrimSpace(value)
	if field != Motivation && strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("a line break is not allowed in %s", field)
	}
	switch field {
	case Siret:
		if value == "" {
			a.Siret, a.Siren, a.SiretValid = "", "", nil
			return nil
		}
		d := stripSeparators(value)
		if len(d) != 14 || !allDigits(d) {
			return fmt.Errorf("%q is not a SIRET (14 digits)", value)
		}
		v := ValidSiret(d)
		a.Siret, a.Siren, a.SiretValid = d, d[:9], &v
	case PostalCode:
		if value == "" {
			a.PostalCode, a.Departement = "", ""
			return nil
		}
		d := stripSeparators(value)
		if len(d) != 5 || !allDigits(d) {
			return fmt.Errorf("%q is not a French postal code (5 digits)", value)
		}
		a.PostalCode, a.Departement = d, DepartementOf(d)
	case Departement:
		if value == "" {
			a.Departement = ""
			return nil
		}
		d := strings.ToUpper(value)
		if !ValidDepartement(d) {
			return fmt.Errorf("%q is not a département number (01-95, 2A, 2B, 971-976)", value)
		}
		a.Departement = d
	case Headcount:
		if value == "" {
			a.Headcount = nil
			return nil
		}
		// Only spaces go: "1 200" is French for 1200, but "12.5" is no headcount.
		n, err := strconv.Atoi(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, value))
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a headcount (a whole number of people)", value)
		}
		a.Headcount = &n
	case Phone:
		if value == "" {
			a.Phone = ""
			return nil
		}
		p, err := NormalizePhone(value)
		if err != nil {
			return err
		}
		a.Phone = p
	case Email:
		if value == "" {
			a.Email = ""
			return nil
		}
		addr, err := mail.ParseAddress(value)
		if err != nil || !strings.Contains(addr.Address[strings.LastIndex(addr.Address, "@")+1:], ".") {
			return fmt.Errorf("%q is not an e-mail address", value)
		}
		a.Email = strings.ToLower(addr.Address)
	case SiretValid: // follows from the SIRET, never typed in
		return fmt.Errorf("%s cannot be set", field)
	default:
		p, ok := a.stringField(field)
		if !ok {
			return fmt.Errorf("unknown field %q", field)
		}
		*p = value
	}
	return nil
}

// stripSeparators drops the spaces, dots and dashes people put in numbers
// ("123 456 789 00012", "48 000", "1 200" with a no-break space).
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
