package extract

import (
	"strings"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// reNextVerbOfWe is "et" then a verb of the first person plural, with
// what follows: "et vendons surtout aux restaurants".
var reNextVerbOfWe = lazy(`\s+et\s+\p{L}{2,}ons\b.*$`)

// sectorKeys: reSectorSentence runs only on a text holding one of them.
var sectorKeys = keys("secteur")

// readSector reads the sector from "dans le secteur de …".
func (r *reading) readSector() {
	a, x, flat := r.a, r.x, r.flat
	if a.Sector == "" && r.flatCase.hasAny(sectorKeys) {
		if m := reSectorSentence.FindStringSubmatchIndex(flat); m != nil {
			s := reSectorStop.ReplaceAllString(" "+flat[m[2]:m[3]], "")
			// "Nous travaillons dans le secteur de X et vendons …": with
			// "nous" as the subject, "et" then a verb of the same person
			// starts the next clause, not a second sector.
			if k := strings.LastIndexAny(flat[:m[0]], ".!?\n"); strings.Contains(strings.ToLower(flat[k+1:m[0]]), "nous ") {
				s = reNextVerbOfWe.ReplaceAllString(s, "")
			}
			a.Sector = trimValue(s)
			x.noteChoice(applicant.Sector, a.Sector, "sector_in_sentence", a.Sector)
		}
	}
}
