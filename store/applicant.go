package store

import "github.com/rse-lozere/rse-intake/store/applicant"

// Applicant is the applicant record of the domain package, which both
// intake and store use (see package applicant).
type Applicant = applicant.Applicant

// ApplicantFields lists the names of the applicant fields, in JSON and
// column spelling, in the order they are shown.
var ApplicantFields = applicant.Fields

// These forward to package applicant, the one home of the rules, for the
// callers written before it existed.
var (
	// Deprecated: use applicant.ValidSiret.
	ValidSiret = applicant.ValidSiret
	// Deprecated: use applicant.DepartementOf.
	DepartementOf = applicant.DepartementOf
	// Deprecated: use applicant.NormalizePhone.
	NormalizePhone = applicant.NormalizePhone
	// Deprecated: use applicant.Fold.
	Fold = applicant.Fold
)
