package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// aloneKeys: reAlone runs only on a text holding one of them.
var aloneKeys = keys("seul")

// readHeadcount reads the headcount from sentences ("nous sommes 12
// salariés"), or "je travaille seule", when no label gave it.
func (r *reading) readHeadcount() {
	a, x, flat := r.a, r.x, r.flat
	if a.Headcount == nil {
		if n, ok := headcountFromText(r.flatCase); ok {
			a.Headcount = &n
			x.note(applicant.Headcount, "headcount_in_sentence")
		} else if r.flatCase.hasAny(aloneKeys) {
			// "je suis seule" alone may mean "on my own to handle this":
			// only "je travaille seul(e)" or "seul(e) dans l'entreprise".
			for _, loc := range reAlone.FindAllStringIndex(flat, 4) {
				lm := strings.ToLower(flat[loc[0]:loc[1]])
				// "je travaille seul avec mon apprenti" is two.
				next := strings.ToLower(flat[loc[1]:min(len(flat), loc[1]+24)])
				if strings.Contains(next, "avec") || strings.Contains(next, "aid") || strings.Contains(next, "sauf") {
					continue
				}
				if strings.Contains(lm, "travaille") || strings.Contains(lm, " dans ") {
					one := 1
					a.Headcount = &one
					x.note(applicant.Headcount, "works_alone")
					break
				}
			}
		}
	}
}
