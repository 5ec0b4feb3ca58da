package applicant

import "strings"

// monaco is the postal prefix of the Principality of Monaco, which shares
// the French postal system but is no département.
const monaco = "980"

// DepartementOf returns the département of a 5-digit French postal code:
// its first two digits, except Corsica (20000-20199 Corse-du-Sud "2A",
// 20200 and above Haute-Corse "2B", Bastia's 206xx included) and the
// overseas départements and collectivities, numbered with three digits
// (97100 -> "971", 98800 -> "988"). Monaco (980xx) and anything that is
// not a postal code give "".
func DepartementOf(postalCode string) string {
	if len(postalCode) != 5 || !allDigits(postalCode) {
		return ""
	}
	switch {
	case strings.HasPrefix(postalCode, "20"):
		if postalCode < "20200" {
			return "2A"
		}
		return "2B"
	case strings.HasPrefix(postalCode, monaco):
		return ""
	case strings.HasPrefix(postalCode, "97"), strings.HasPrefix(postalCode, "98"):
		return postalCode[:3]
	case postalCode < "01000":
		return ""
	}
	return postalCode[:2]
}

// ValidDepartement reports whether d is a département number as
// DepartementOf spells it: 01-95 (not 20), 2A, 2B, or three digits from
// 971 to 989 (not Monaco's 980).
func ValidDepartement(d string) bool {
	switch {
	case d == "2A" || d == "2B":
		return true
	case len(d) == 2 && allDigits(d):
		return d >= "01" && d <= "95" && d != "20"
	case len(d) == 3 && allDigits(d):
		return d >= "971" && d <= "989" && d != monaco
	}
	return false
}
