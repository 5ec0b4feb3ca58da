package intake

import (
	"strconv"
	"time"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// storedReportJSON is json.Marshal(a.StoredReport()), byte for byte,
// written out: the reflection of encoding/json over the report and the
// pointers StoredReport builds for its nulls were two to three per cent
// of a poll's CPU, for a report every message stores. evidence is the
// piece of it that is the applicant's evidence as an application stores
// it, applicant.AppendEvidence(nil, ev, nil), when the report keeps every
// entry (the report leaves out those of empty fields); nil otherwise.
// The writer stores that piece rather than encode the evidence again.
func (a Analysis) storedReportJSON() (report, evidence []byte) {
	m, res := a.Mail, &a.Result
	// Sized once for what it holds, unescaped: grown on the way, it was
	// copied twice or three times for most mails.
	ap := &res.Applicant
	size := 1024 + len(res.KindRule) + len(res.Reference) + len(m.MessageID) + len(m.InReplyTo) + len(m.Subject) +
		len(m.FromEmail) + len(m.FromName) + len(ap.FirstName) + len(ap.LastName) + len(ap.Email) + len(ap.Phone) +
		len(ap.Company) + len(ap.Role) + len(ap.Siret) + len(ap.Siren) + len(ap.PostalCode) + len(ap.Commune) +
		len(ap.Departement) + len(ap.Sector) + len(ap.Motivation) + len(ap.ForwardedBy)
	for _, l := range [][]string{m.References, m.Errors} {
		for _, s := range l {
			size += len(s) + 3
		}
	}
	for _, at := range m.Attachments {
		size += len(at.Filename) + len(at.ContentType) + 160
	}
	for k, e := range ap.Evidence {
		size += len(k) + len(e.Source) + len(e.Text) + len(e.Rule) + len(e.MessageID) + 80
	}
	b := make([]byte, 0, size)
	b = append(b, `{"kind":`...)
	b = applicant.AppendJSONString(b, res.Kind)
	b = applicant.AppendJSONStringOrNull(append(b, `,"kind_rule":`...), res.KindRule)
	b = append(b, `,"should_acknowledge":`...)
	b = strconv.AppendBool(b, res.ShouldAcknowledge)
	b = applicant.AppendJSONStringOrNull(append(b, `,"message_id":`...), m.MessageID)
	b = applicant.AppendJSONStringOrNull(append(b, `,"in_reply_to":`...), m.InReplyTo)
	b = appendStrings(append(b, `,"references":`...), m.References)
	b = applicant.AppendJSONStringOrNull(append(b, `,"subject":`...), m.Subject)
	b = append(b, `,"date":`...)
	if m.HasDate {
		b = append(b, '"')
		b = m.Date.AppendFormat(b, time.RFC3339) // nothing in it to escape
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = applicant.AppendJSONStringOrNull(append(b, `,"from_email":`...), m.FromEmail)
	b = applicant.AppendJSONStringOrNull(append(b, `,"from_name":`...), m.FromName)
	b = append(b, `,"text":null`...)
	b = appendStrings(append(b, `,"errors":`...), m.Errors)
	b = applicant.AppendJSONStringOrNull(append(b, `,"reference":`...), res.Reference)
	b = applicant.AppendJSONStringOrNull(append(b, `,"completes":`...), a.completes())
	b = append(b, `,"attachments":[`...)
	first := true
	for _, at := range m.Attachments {
		if !reported(at) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = applicant.AppendJSONString(append(b, `{"filename":`...), at.Filename)
		b = applicant.AppendJSONString(append(b, `,"content_type":`...), at.ContentType)
		b = strconv.AppendInt(append(b, `,"size":`...), at.Size, 10)
		b = applicant.AppendJSONString(append(b, `,"sha256":`...), at.SHA256)
		if at.TooLarge {
			b = append(b, `,"too_large":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, "],"...)
	b, at, whole := res.Applicant.AppendJSONFieldsEvidence(b)
	// No evidence is "{}", as quickly written again.
	if len(ap.Evidence) > 0 && whole {
		evidence = b[at:len(b):len(b)]
	}
	if a.Unreadable {
		b = append(b, `,"needs_review":true`...)
	}
	return append(b, '}'), evidence
}

// appendStrings appends l as a JSON array, [] when nil (see
// nonNilStrings).
func appendStrings(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = applicant.AppendJSONString(b, s)
	}
	return append(b, ']')
}
