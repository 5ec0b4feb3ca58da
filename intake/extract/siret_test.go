package extract

import (
	"testing"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// A SIRET or SIREN is found where the applicant names it, or as a lone run
// of 14 digits; its check is the domain's.
func TestFindSiret(t *testing.T) {
	tests := []struct {
		in           string
		siret, siren string
		valid        bool
	}{
		{"SIRET : 812 345 676 00017", "81234567600017", "812345676", true},
		{"N° SIRET : 84523176000016", "84523176000016", "845231760", true},
		{"SIRET : 512349879 00027", "51234987900027", "512349879", true},
		{"Notre numéro SIRET : 790 123 459 00033", "79012345900033", "790123459", false},
		{"Siret 736.481.925.00012", "73648192500012", "736481925", false},
		{"notre SIREN est le 512 874 369, merci", "", "512874369", false},
		{"Numéro : 53012874300016", "53012874300016", "530128743", true},
		{"Nous roulons 1 400 000 km par an", "", "", false},
		{"SIRET : en cours", "", "", false},
	}
	for _, tt := range tests {
		siret, siren := findSiret(tt.in)
		if siret != tt.siret || siren != tt.siren {
			t.Errorf("findSiret(%q) = %q, %q; want %q, %q", tt.in, siret, siren, tt.siret, tt.siren)
		}
		if siret != "" && applicant.ValidSiret(siret) != tt.valid {
			t.Errorf("applicant.ValidSiret(%q) = %v, want %v", siret, !tt.valid, tt.valid)
		}
	}
}
