package extract

import (
	"net/textproto"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// testProgram is the program the corpora were written for.
var testProgram = Program{
	Address:         "rse.innovation.manageriale@gmail.com",
	Coordinators:    []string{"coordination@rse-lozere.fr"},
	ReferencePrefix: "RSE",
}

// message builds a mail to the program; hdrs may set In-Reply-To and any
// header, attachments are PDF names.
func message(subject, fromName, from, text string, hdrs map[string]string, attachments ...string) *mailparse.Message {
	h := textproto.MIMEHeader{}
	for k, v := range hdrs {
		h.Set(k, v)
	}
	m := &mailparse.Message{Subject: subject, FromName: fromName, FromEmail: from, Text: text, Header: h,
		To: []mailparse.Address{{Email: testProgram.Address}}, InReplyTo: h.Get("In-Reply-To")}
	for _, a := range attachments {
		m.Attachments = append(m.Attachments, mailparse.Attachment{Filename: a, ContentType: "application/pdf"})
	}
	return m
}

// analyzeText runs Analyze on a mail built from a subject, a sender and a
// body.
func analyzeText(subject, fromName, from, text string, hdrs map[string]string) Result {
	return Analyze(message(subject, fromName, from, text, hdrs), testProgram)
}

// applicantOf runs Analyze on a plain application and returns its facts.
func applicantOf(t *testing.T, fromName, from, text string) Result {
	t.Helper()
	r := analyzeText("Candidature programme RSE", fromName, from, text, nil)
	if r.Kind != KindApplication || !r.ShouldAcknowledge {
		t.Fatalf("kind %q ack %v, want an acknowledged application", r.Kind, r.ShouldAcknowledge)
	}
	return r
}

// kindCase is one mail and the kind it must get. want may list
// alternatives ("spam|other"); only application and follow_up are
// acknowledged, and any other kind carries no applicant facts.
type kindCase struct {
	name, subject, fromName, from, text string
	hdrs                                map[string]string
	attachments                         []string
	want                                string
}

func checkKinds(t *testing.T, tests []kindCase) {
	t.Helper()
	for _, tt := range tests {
		m := message(tt.subject, tt.fromName, tt.from, tt.text, tt.hdrs, tt.attachments...)
		checkKind(t, tt.name, Analyze(m, testProgram), tt.want)
	}
}

func checkKind(t *testing.T, name string, r Result, want string) {
	t.Helper()
	if !strings.Contains("|"+want+"|", "|"+r.Kind+"|") {
		t.Errorf("%s: kind %q, want %s", name, r.Kind, want)
	}
	wantAck := r.Kind == KindApplication || r.Kind == KindFollowUp
	if r.ShouldAcknowledge != wantAck {
		t.Errorf("%s: kind %s with should_acknowledge %v", name, r.Kind, r.ShouldAcknowledge)
	}
	if !wantAck && !r.Applicant.IsZero() {
		t.Errorf("%s: applicant facts set for a %s: %+v", name, r.Kind, r.Applicant)
	}
}

// fieldCase is one mail and some of the facts it must give (by applicant
// field name; "" for none). kind defaults to application; from and
// subject to an applicant's.
type fieldCase struct {
	name, fromName, from, text string
	subject                    string
	hdrs                       map[string]string
	attachments                []string
	kind                       string
	want                       map[string]string
}

func checkFields(t *testing.T, tests []fieldCase) {
	t.Helper()
	for _, tt := range tests {
		subject, from, kind := tt.subject, tt.from, tt.kind
		if subject == "" {
			subject = "Candidature programme RSE"
		}
		if from == "" {
			from = "someone@example.fr"
		}
		if kind == "" {
			kind = KindApplication
		}
		r := Analyze(message(subject, tt.fromName, from, tt.text, tt.hdrs, tt.attachments...), testProgram)
		if r.Kind != kind {
			t.Errorf("%s: kind %q, want %s", tt.name, r.Kind, kind)
			continue
		}
		for f, want := range tt.want {
			got, ok := r.Applicant.Field(f)
			if !ok {
				t.Fatalf("%s: no field %q", tt.name, f)
			}
			if f == "company" && normCompany(got) == normCompany(want) || got == want {
				continue
			}
			t.Errorf("%s: %s = %q, want %q", tt.name, f, got, want)
		}
	}
}
