package store

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
	SiretValid  *bool  // Luhn check of Siret; nil when there is no Siret
	Siren       string // 9 digits
	PostalCode  string
	Commune     string
	Departement string // "48", "2A"
	Headcount   *int
	Sector      string
	Motivation  string
	ForwardedBy string // lowercase address of whoever forwarded the application
}

// ApplicantFields lists the names of the applicant fields, in JSON and
// column spelling, in the order they are shown.
var ApplicantFields = []string{
	"first_name", "last_name", "email", "phone", "company", "role",
	"siret", "siret_valid", "siren", "postal_code", "commune", "departement",
	"headcount", "sector", "motivation", "forwarded_by",
}

// Field returns the value of a field by its JSON name, as a string
// ("" when absent); ok is false for an unknown name.
func (a *Applicant) Field(name string) (value string, ok bool) {
	p, isString := a.stringField(name)
	if isString {
		return *p, true
	}
	switch name {
	case "siret_valid":
		if a.SiretValid == nil {
			return "", true
		}
		if *a.SiretValid {
			return "true", true
		}
		return "false", true
	case "headcount":
		if a.Headcount == nil {
			return "", true
		}
		return strconv.Itoa(*a.Headcount), true
	}
	return "", false
}

func (a *Applicant) stringField(name string) (*string, bool) {
	switch name {
	case "first_name":
		return &a.FirstName, true
	case "last_name":
		return &a.LastName, true
	case "email":
		return &a.Email, true
	case "phone":
		return &a.Phone, true
	case "company":
		return &a.Company, true
	case "role":
		return &a.Role, true
	case "siret":
		return &a.Siret, true
	case "siren":
		return &a.Siren, true
	case "postal_code":
		return &a.PostalCode, true
	case "commune":
		return &a.Commune, true
	case "departement":
		return &a.Departement, true
	case "sector":
		return &a.Sector, true
	case "motivation":
		return &a.Motivation, true
	case "forwarded_by":
		return &a.ForwardedBy, true
	}
	return nil, false
}

// IsZero reports whether no field is set.
func (a *Applicant) IsZero() bool {
	for _, f := range ApplicantFields {
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
	for _, f := range ApplicantFields {
		if keep[f] {
			continue
		}
		cur, _ := a.Field(f)
		nv, _ := b.Field(f)
		if cur != "" || nv == "" {
			continue
		}
		switch f {
		case "siret_valid":
			v := *b.SiretValid
			a.SiretValid = &v
		case "headcount":
			v := *b.Headcount
			a.Headcount = &v
		default:
			p, _ := a.stringField(f)
			*p = nv
		}
		filled = append(filled, f)
	}
	return filled
}

// MarshalJSON renders absent fields as null.
func (a Applicant) MarshalJSON() ([]byte, error) {
	return json.Marshal(a.jsonMap())
}

func (a *Applicant) jsonMap() map[string]any {
	m := make(map[string]any, len(ApplicantFields))
	for _, f := range ApplicantFields {
		switch f {
		case "siret_valid":
			m[f] = a.SiretValid
		case "headcount":
			m[f] = a.Headcount
		default:
			p, _ := a.stringField(f)
			m[f] = nullString(*p)
		}
	}
	return m
}

// AddJSON adds the applicant fields to an object being built for JSON
// output, so that records embedding an Applicant stay flat.
func (a *Applicant) AddJSON(m map[string]any) {
	for k, v := range a.jsonMap() {
		m[k] = v
	}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Set copies the field named name from b into a.
func (a *Applicant) Set(name string, b *Applicant) {
	switch name {
	case "siret_valid":
		a.SiretValid = b.SiretValid
	case "headcount":
		a.Headcount = b.Headcount
	default:
		if p, ok := a.stringField(name); ok {
			q, _ := b.stringField(name)
			*p = *q
		}
	}
}
