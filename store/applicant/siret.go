package applicant

import "strings"

// laPoste is the SIREN of La Poste, whose thousands of establishments
// outgrew the Luhn check: their SIRETs have a digit sum that is a multiple
// of 5 instead. Its head office (35600000000048) still passes Luhn.
const (
	laPoste           = "356000000"
	laPosteHeadOffice = "35600000000048"
)

// ValidSiret reports whether a 14-digit SIRET passes its check: Luhn, or
// La Poste's digit-sum rule for its establishments.
func ValidSiret(siret string) bool {
	if len(siret) != 14 || !allDigits(siret) {
		return false
	}
	if strings.HasPrefix(siret, laPoste) && siret != laPosteHeadOffice {
		sum := 0
		for i := 0; i < len(siret); i++ {
			sum += int(siret[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(siret)
}

// ValidSiren reports whether a 9-digit SIREN passes the Luhn check.
func ValidSiren(siren string) bool {
	return len(siren) == 9 && allDigits(siren) && luhn(siren)
}

// luhn reports whether the digits pass the Luhn check: from the right,
// every second digit doubled (minus 9 above 9), the sum a multiple of 10.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
