package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readPhone takes a labelled number, else the author's own number in the text.
func (r *reading) readPhone() {
	a, x, all := r.a, r.x, r.all
	if r.phone == "" {
		r.phone = pickPhone(all, a.Siret)
		x.noteChoice(applicant.Phone, r.phone, "own_number", r.phone)
	}
	a.Phone = r.phone
}
