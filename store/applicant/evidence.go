package applicant

import (
	"fmt"
	"maps"
)

// Sources of evidence: where in a mail a value was read.
const (
	SourceLabel     = "label"     // a "Label : value" line or an inline label
	SourceSentence  = "sentence"  // the author's own sentences
	SourceSignature = "signature" // the signature block
	SourceHeader    = "header"    // the From header of the mail
	SourceForward   = "forward"   // the inner header of a forwarded mail
)

// Evidence says where a field's value was read, so that a coordinator can
// check it in one glance and a developer can see which rule misfired.
type Evidence struct {
	Source string `json:"source"` // one of the Source constants
	Line   int    `json:"line"`   // line of the mail's text, from 1; 0 for a header
	Text   string `json:"text"`   // the line (or header) as written
	Rule   string `json:"rule"`   // the extraction rule that took the value
	// MessageID is the Message-ID of the mail the value was read in: an
	// application gathers fields from several mails (its follow-ups).
	MessageID string `json:"message_id,omitempty"`
}

// String renders the evidence the way show prints it:
// « line 12: « N° SIRET : 812 345 676 00017 » (label) ».
func (e Evidence) String() string {
	where := "header"
	if e.Line > 0 {
		where = fmt.Sprintf("line %d", e.Line)
	}
	return fmt.Sprintf("%s: « %s » (%s, %s)", where, e.Text, e.Source, e.Rule)
}

// SetEvidence records where field was read, copying the map first so that
// copies of an Applicant never share it.
func (a *Applicant) SetEvidence(field string, e Evidence) {
	a.Evidence = maps.Clone(a.Evidence)
	if a.Evidence == nil {
		a.Evidence = map[string]Evidence{}
	}
	a.Evidence[field] = e
}

// dropEvidence forgets where field was read (it was cleared or typed in by
// a coordinator, whose correction the history shows).
func (a *Applicant) dropEvidence(field string) {
	if _, ok := a.Evidence[field]; !ok {
		return
	}
	a.Evidence = maps.Clone(a.Evidence)
	delete(a.Evidence, field)
}
