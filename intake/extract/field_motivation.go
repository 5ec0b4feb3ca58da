package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readMotivation takes the labelled motivation, or the author's own
// paragraphs.
func (r *reading) readMotivation() {
	a, x, lines, isLabel, sig := r.a, r.x, r.lines, r.isLabel, r.sig
	if r.motivation == "" {
		r.motivation = motivationFromText(lines[:sig], isLabel, r.flat)
		x.noteChoice(applicant.Motivation, r.motivation, "own_paragraphs", r.motivation)
	}
	a.Motivation = truncateRunes(collapseSpacesPast(r.motivation, maxMotivation), maxMotivation)
}
