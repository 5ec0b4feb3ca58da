// Package applicant is the single home of the domain's facts about an
// applicant and the French rules that check and spell them: the Applicant
// record and its field names, SIRET/SIREN validation, phone numbers, the
// département of a postal code, and accent folding. Both intake (which
// reads the facts from mail) and store (which keeps and corrects them)
// import it; it imports nothing of this module, so that extraction never
// links the database and the rules cannot drift apart again.
package applicant

import (
	"encoding/json"
	"strconv"
)

// Applicant holds the facts about an applicant and their company, as
// extracted from mail or corrected by a coordinator. An empty string means
// absent; JSON renders absent values as null, never "".
type Applicant struct {
	FirstName   string
	LastName    string
	Email       string // lowercase
	Phone       string // E.164, e.g. +33612345678
	Company     string
	Role        string // as written: "gérante", "co-fondatrice"
	Siret       string // 14 digits
	SiretValid  *bool  // ValidSiret(Siret); nil when there is no Siret
	Siren       string // 9 digits
	PostalCode  string
	Commune     string
	Departement string // "48", "2A"
	Headcount   *int
	Sector      string
	Motivation  string
	ForwardedBy string // lowercase address of whoever forwarded the application
	// Evidence holds, by field name, where each value was read in the
	// mail it came from; a field a coordinator set has none.
	Evidence map[string]Evidence
}

// Field names, in JSON and column spelling.
const (
	FirstName   = "first_name"
	LastName    = "last_name"
	Email       = "email"
	Phone       = "phone"
	Company     = "company"
	Role        = "role"
	Siret       = "siret"
	SiretValid  = "siret_valid"
	Siren       = "siren"
	PostalCode  = "postal_code"
	Commune     = "commune"
	Departement = "departement"
	Headcount   = "headcount"
	Sector      = "sector"
	Motivation  = "motivation"
	ForwardedBy = "forwarded_by"
)

// Fields lists the names of the applicant fields, in the order they are
// shown.
var Fields = []string{
	FirstName, LastName, Email, Phone, Company, Role,
	Siret, SiretValid, Siren, PostalCode, Commune, Departement,
	Headcount, Sector, Motivation, ForwardedBy,
}

// Field returns the value of a field by its JSON name, as a string
// ("" when absent); ok is false for an unknown name.
func (a *Applicant) Field(name string) (value string, ok bool) {
	p, isString := a.stringField(name)
	if isString {
		return *p, true
	}
	switch name {
	case SiretValid:
		if a.SiretValid == nil {
			return "", true
		}
		return strconv.FormatBool(*a.SiretValid), true
	case Headcount:
		if a.Headcount == nil {
			return "", true
		}
		return strconv.Itoa(*a.Headcount), true
	}
	return "", false
}

func (a *Applicant) stringField(name string) (*string, bool) {
	switch name {
	case FirstName:
		return &a.FirstName, true
	case LastName:
		return &a.LastName, true
	case Email:
		return &a.Email, true
	case Phone:
		return &a.Phone, true
	case Company:
		return &a.Company, true
	case Role:
		return &a.Role, true
	case Siret:
		return &a.Siret, true
	case Siren:
		return &a.Siren, true
	case PostalCode:
		return &a.PostalCode, true
	case Commune:
		return &a.Commune, true
	case Departement:
		return &a.Departement, true
	case Sector:
		return &a.Sector, true
	case Motivation:
		return &a.Motivation, true
	case ForwardedBy:
		return &a.ForwardedBy, true
	}
	return nil, false
}

// IsZero reports whether no field is set.
func (a *Applicant) IsZero() bool {
	for _, f := range Fields {
		if v, _ := a.Field(f); v != "" {
			return false
		}
	}
	return true
}

// FillFrom copies into a every field of b that a lacks, except the fields
// named in keep (a coordinator's corrections, which later mail never
// overwrites). It returns the names of the fields it filled.
func (a *Applicant) FillFrom(b *Applicant, keep map[string]bool) []string {
	var filled []string
	for _, f := range Fields {
		if keep[f] {
			continue
		}
		cur, _ := a.Field(f)
		nv, _ := b.Field(f)
		if cur != "" || nv == "" {
			continue
		}
		a.Set(f, b)
		filled = append(filled, f)
	}
	return filled
}

// Set copies the field named name, and where it was read, from b into a.
func (a *Applicant) Set(name string, b *Applicant) {
	if e, ok := b.Evidence[name]; ok {
		a.SetEvidence(name, e)
	} else {
		a.dropEvidence(name)
	}
	switch name {
	case SiretValid:
		a.SiretValid = clonePtr(b.SiretValid)
	case Headcount:
		a.Headcount = clonePtr(b.Headcount)
	default:
		if p, ok := a.stringField(name); ok {
			q, _ := b.stringField(name)
			*p = *q
		}
	}
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// JSON is the applicant as its JSON fields: absent values are nil and
// render as null. Embed it in an output struct to keep records flat.
type JSON struct {
	FirstName   *string `json:"first_name"`
	LastName    *string `json:"last_name"`
	Email       *string `json:"email"`
	Phone       *string `json:"phone"`
	Company     *string `json:"company"`
	Role        *string `json:"role"`
	Siret       *string `json:"siret"`
	SiretValid  *bool   `json:"siret_valid"`
	Siren       *string `json:"siren"`
	PostalCode  *string `json:"postal_code"`
	Commune     *string `json:"commune"`
	Departement *string `json:"departement"`
	Headcount   *int    `json:"headcount"`
	Sector      *string `json:"sector"`
	Motivation  *string `json:"motivation"`
	ForwardedBy *string `json:"forwarded_by,omitempty"` // forwards only
	// Evidence is keyed by field name; only fields with a value have one.
	Evidence map[string]Evidence `json:"evidence"`
}

// JSON returns the applicant in its JSON shape.
func (a *Applicant) JSON() JSON {
	j := JSON{
		FirstName: null(a.FirstName), LastName: null(a.LastName), Email: null(a.Email), Phone: null(a.Phone),
		Company: null(a.Company), Role: null(a.Role), Siret: null(a.Siret), SiretValid: clonePtr(a.SiretValid),
		Siren: null(a.Siren), PostalCode: null(a.PostalCode), Commune: null(a.Commune),
		Departement: null(a.Departement), Headcount: clonePtr(a.Headcount), Sector: null(a.Sector),
		Motivation: null(a.Motivation), ForwardedBy: null(a.ForwardedBy),
		Evidence: map[string]Evidence{},
	}
	for f, e := range a.Evidence {
		if v, _ := a.Field(f); v != "" {
			j.Evidence[f] = e
		}
	}
	return j
}

// MarshalJSON renders absent fields as null.
func (a Applicant) MarshalJSON() ([]byte, error) {
	return json.Marshal(a.JSON())
}

func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Applicant reads the record back from its JSON shape.
func (j JSON) Applicant() Applicant {
	val := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return Applicant{
		FirstName: val(j.FirstName), LastName: val(j.LastName), Email: val(j.Email), Phone: val(j.Phone),
		Company: val(j.Company), Role: val(j.Role), Siret: val(j.Siret), SiretValid: clonePtr(j.SiretValid),
		Siren: val(j.Siren), PostalCode: val(j.PostalCode), Commune: val(j.Commune),
		Departement: val(j.Departement), Headcount: clonePtr(j.Headcount), Sector: val(j.Sector),
		Motivation: val(j.Motivation), ForwardedBy: val(j.ForwardedBy), Evidence: j.Evidence,
	}
}
