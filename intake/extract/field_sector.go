package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readSector reads the sector from "dans le secteur de …".
func (r *reading) readSector() {
	a, x, flat := r.a, r.x, r.flat
	if a.Sector == "" && containsFold(flat, "secteur") {
		if m := reSectorSentence.FindStringSubmatch(flat); m != nil {
			s := reSectorStop.ReplaceAllString(" "+m[1], "")
			a.Sector = trimValue(s)
			x.noteChoice(applicant.Sector, a.Sector, "sector_in_sentence", a.Sector)
		}
	}
}
