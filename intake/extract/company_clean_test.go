package extract

import "testing"

// A company value is cut only at an aside in parentheses, never inside
// what the applicant wrote: a formula-looking value stays whole, so the
// exports can show it, neutralised, exactly as it was typed.
func TestCleanCompanyKeepsGluedParentheses(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`:    `=HYPERLINK("http://x","y")`,
		`=cmd|' /C calc'!A0`:            `=cmd|' /C calc'!A0`,
		"Vidal(BTP)":                    "Vidal(BTP)",
		"Menuiserie Dupont (EURL)":      "Menuiserie Dupont",
		"Gîtes du Causse (en création)": "Gîtes du Causse",
	} {
		if got := cleanCompany(in); got != want {
			t.Errorf("cleanCompany(%q) = %q, want %q", in, got, want)
		}
	}
}
