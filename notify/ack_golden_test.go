package notify

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// ackCases are applications whose acknowledgement takes every branch of
// the templates: facts, missing pieces with and without reasons, one and
// many refused files, a forwarded application, no name, text to escape.
func ackCases() []struct {
	name string
	app  *store.Application
	atts []store.Attachment
} {
	headcount := 7
	full := elodie()
	full.Phone, full.Headcount, full.ForwardedBy = "0612345678", &headcount, "conseil@cci-lozere.fr"
	many := make([]store.Attachment, 5)
	for i := range many {
		many[i] = store.Attachment{Filename: "scan" + strconv.Itoa(i) + ".exe", Refused: "type de fichier refusé."}
	}
	return []struct {
		name string
		app  *store.Application
		atts []store.Attachment
	}{
		{"incomplete", &store.Application{Reference: "RSE-2026-0007", Status: store.StatusIncomplete, Applicant: full,
			Missing: []store.Missing{{Field: "siret", Reason: "SIRET invalide (la clé de contrôle ne correspond pas)"},
				{Field: "attachment:cv"}, {Field: "attachment:plan"}, {Field: "headcount", Reason: "effectif illisible"},
				{Field: "mystery"}}},
			[]store.Attachment{{Filename: "portfolio.zip", Refused: "type de fichier refusé (archive .zip)."},
				{Filename: "cv.pdf", Stored: true}}},
		{"complete", &store.Application{Reference: "RSE-2026-0008", Status: store.StatusComplete,
			Applicant: store.Applicant{Email: "x@example.net", Company: "Boulangerie Pic"}}, nil},
		{"refusals", &store.Application{Reference: "RSE-2026-0009", Applicant: elodie()}, many},
		{"escaped", &store.Application{Reference: "RSE-2026-0011", Applicant: store.Applicant{
			FirstName: `<img src=x onerror=alert(1)>`, Email: "evil@example.net", Company: `<script>alert("x")</script>`,
			Commune: `"><b>Mende</b>`, Role: "x' onmouseover='y"},
			Missing: []store.Missing{{Field: "siret", Reason: "<i>bad</i>"}, {Field: "attachment:<svg onload=1>"}}},
			[]store.Attachment{{Filename: `<iframe src="javascript:1">.pdf`, Refused: "<b>trop gros</b>"}}},
	}
}

// TestGoldenAcknowledgements pins, byte for byte, the acknowledgement
// every new application gets, in both languages: subject, text and HTML.
func TestGoldenAcknowledgements(t *testing.T) {
	for _, lang := range Languages {
		c := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = lang })
		var b strings.Builder
		for _, tc := range ackCases() {
			m, err := c.Acknowledgement(tc.app, tc.atts, nil)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			b.WriteString("==== " + tc.name + "\n" + m.RecipientName + "\n" + m.Subject + "\n--- text\n" + m.BodyText +
				"--- html\n" + m.BodyHTML + "\n")
		}
		golden(t, "ack_"+lang+".golden", b.String())
	}
}

// BenchmarkAcknowledgement renders the acknowledgement of an incomplete
// application, as the intake does for each new one.
func BenchmarkAcknowledgement(b *testing.B) {
	c := newComposer(b, nil)
	tc := ackCases()[0]
	answering := &store.Message{ID: 3, MessageID: "<CAF=abc@mail.gmail.com>"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Acknowledgement(tc.app, tc.atts, answering); err != nil {
			b.Fatal(err)
		}
	}
}
