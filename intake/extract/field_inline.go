package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readInlineLabels reads labels inside sentences: "… avec mon frère. Secteur : tourisme de
// pleine nature (location…). Effectif : 4 salariés à l'année."
func (r *reading) readInlineLabels() {
	x, flat := r.x, r.flat
	before := x.a
	hadPhone := r.phone != ""
	inlineLabels(flat, x, &r.phone)
	x.noteNew(&before, "inline_label")
	if !hadPhone && r.phone != "" {
		x.note(applicant.Phone, "inline_label")
	}
}
