package applicant

import (
	"fmt"
	"strings"
	"unicode"
)

// NormalizePhone returns a phone number in E.164. French numbers are
// accepted the way people write them (06 12 34 56 78, 06.12.34.56.78,
// 06/12/34/56/78, +33 (0)6 12 34 56 78, +33 06…, 0033 6…); a foreign
// number must start with + or 00 and its country code, and its trunk
// "(0)" is dropped (+32 (0)475… -> +32475…). Letters or other signs are
// an error: a phone number holds nothing else.
func NormalizePhone(s string) (string, error) {
	raw := s
	// The trunk zero written in parentheses after a country code is not
	// dialled.
	if k := strings.IndexByte(s, '('); k >= 0 {
		if e := strings.IndexByte(s[k:], ')'); e > 0 && strings.TrimSpace(s[k+1:k+e]) == "0" {
			s = s[:k] + " " + s[k+e+1:]
		}
	}
	var d []byte
	plus := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, byte(r))
		case r == '+' && len(d) == 0 && !plus:
			plus = true
		case r == '.' || r == '-' || r == '/' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", fmt.Errorf("%q is not a phone number", raw)
		}
	}
	digits := string(d)
	if !plus && strings.HasPrefix(digits, "00") {
		plus, digits = true, digits[2:]
	}
	national, french := "", false
	switch {
	case plus && strings.HasPrefix(digits, "33"):
		national, french = digits[2:], true
		if len(national) == 10 && national[0] == '0' { // +33 06…
			national = national[1:]
		}
	case plus:
		if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
			return "", fmt.Errorf("%q is not a phone number (French, or + and a country code)", raw)
		}
		return "+" + digits, nil
	case len(digits) == 10 && digits[0] == '0':
		national, french = digits[1:], true
	case len(digits) == 11 && strings.HasPrefix(digits, "33"):
		national, french = digits[2:], true
	}
	if !french {
		return "", fmt.Errorf("%q is not a phone number (French, or + and a country code)", raw)
	}
	if len(national) != 9 || national[0] == '0' {
		return "", fmt.Errorf("%q is not a French phone number (10 digits)", raw)
	}
	return "+33" + national, nil
}

// DisplayPhone writes a French number in E.164 the way it is read in
// France, +33612345678 -> "06 12 34 56 78"; any other value is returned
// as it is.
func DisplayPhone(e164 string) string {
	rest, ok := strings.CutPrefix(e164, "+33")
	if !ok || len(rest) != 9 || !allDigits(rest) {
		return e164
	}
	d := "0" + rest
	return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10]
}
