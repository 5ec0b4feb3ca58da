package store

import "github.com/rse-lozere/rse-intake/store/applicant"

// Applicant is the applicant record of the domain package, which both
// intake and store use (see package applicant).
type Applicant = applicant.Applicant

// ApplicantFields lists the names of the applicant fields, in JSON and
// column spelling, in the order they are shown.
var ApplicantFields = applicant.Fields
