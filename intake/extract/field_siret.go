package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readIdentifiers finds the SIRET or SIREN anywhere in the author's
// text, and the SIRET's check.
func (r *reading) readIdentifiers() {
	a, x, all := r.a, r.x, r.all
	before := x.a
	if a.Siret == "" {
		s, sn := findSiret(all)
		r.noNumbers = s == "" && sn == ""
		a.Siret = s
		if a.Siren == "" {
			a.Siren = sn
		}
		x.noteNew(&before, "identification_number")
	}
	if a.Siret != "" {
		a.Siren = a.Siret[:9]
		v := applicant.ValidSiret(a.Siret)
		a.SiretValid = &v
	}
}
