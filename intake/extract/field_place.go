package extract

import (
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// readPlace reads the postal code and commune: an address label, a
// place in the text, "notre entreprise à X", a known commune next to a
// code.
func (r *reading) readPlace() {
	a, x, lines, isLabel, all := r.a, r.x, r.lines, r.isLabel, r.all
	notePlace := func(rule string) {
		if r.postal != "" {
			x.note(applicant.PostalCode, rule)
		}
		if r.commune != "" {
			x.note(applicant.Commune, rule)
		}
	}
	if r.postal == "" && r.addressPC != "" {
		r.postal = r.addressPC
		if r.commune == "" {
			r.commune = r.addrCom
		}
	}
	if r.commune == "" && r.addrCom != "" && (r.postal == "" || r.postal == r.addressPC) {
		r.commune = r.addrCom
		if r.postal == "" {
			r.postal = r.addressPC
		}
	}
	notePlace("address_label")
	if r.postal == "" || r.commune == "" {
		pc, c := placeFromText(r.flatCase, lines, isLabel)
		if r.postal == "" && pc != "" && (r.commune == "" || c == "" || looseKey(communeKey(c)) == looseKey(communeKey(r.commune))) {
			r.postal = pc
		}
		if r.commune == "" && c != "" && (pc == "" || pc == r.postal) {
			r.commune = c
		}
		notePlace("place_in_text")
	}
	if r.commune == "" && r.postal == "" {
		r.commune = ownCompanyAt(r.flatCase)
		notePlace("company_at_commune")
	}
	if r.commune == "" && hasFiveDigits(all) {
		// "a marvejols 48100", "48200 saint chely d'apcher": a known
		// commune next to a postal code, in any case.
		if pc, c := knownCommuneAround(all, r.postal); c != "" {
			r.postal, r.commune = pc, c
			x.decided(applicant.PostalCode, ruleKnownCommune)
			x.decided(applicant.Commune, ruleKnownCommune)
		}
	}
	a.PostalCode = r.postal
	a.Commune = r.commune
	a.Departement = applicant.DepartementOf(r.postal)
}
