package intake

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

// TestStoredReportJSONIsJSONMarshal: the report stored with each message
// is, byte for byte, json.Marshal of StoredReport, for every mail of the
// test corpora and of the generated mailbox, and for analyses holding
// what only a hostile or broken mail would (HTML, quotes, control
// characters, broken UTF-8, line separators, attachments of every kind).
func TestStoredReportJSONIsJSONMarshal(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.eml")
	if err != nil || len(files) < 100 {
		t.Fatalf("%d test mails: %v", len(files), err)
	}
	var raws [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
	}
	generated, _ := imaptest.GenerateMailbox(300, 1)
	raws = append(raws, generated...)
	for i, raw := range raws {
		an, err := Analyze(raw, corpusProgram, mailparse.Options{MaxAttachmentSize: 1 << 10})
		if err != nil {
			t.Fatalf("mail %d: %v", i, err)
		}
		markTruncated(&an, raw)
		checkStoredReportJSON(t, an)
	}

	odd := []string{"", `a "quoted" \ back`, "<b>&amp;</b>", "tab\there\nline\r", "\x00\x1f\x7f\b\f",
		"bad \xff\xfe utf-8", "sep \u2028 \u2029", "réel \uFFFD", "emoji 😀", "\xe2\x80"}
	for i, s := range odd {
		valid, headcount := i%2 == 0, -i
		app := applicant.Applicant{FirstName: s, LastName: "Roux", Email: s, Phone: s, Company: s, Role: s, Siret: s,
			Siren: s, PostalCode: s, Commune: s, Departement: s, Sector: s, Motivation: s, ForwardedBy: s}
		if i%3 != 0 {
			app.SiretValid, app.Headcount = &valid, &headcount
		}
		app.Evidence = map[string]applicant.Evidence{
			"last_name":  {Source: s, Line: i, Text: s, Rule: s, MessageID: s},
			"first_name": {Source: "body", Line: 3, Text: "Prénom : " + s, Rule: "label"},
			"headcount":  {Source: "body", Text: s},
			"unknown":    {Source: "body", Text: s},
		}
		date := time.Date(2026, 3, 2, 9, 4, 5, 0, time.FixedZone("", 3600*(i-5)))
		an := Analysis{
			Mail: &mailparse.Message{MessageID: s, InReplyTo: s, Subject: s, FromEmail: s, FromName: s, Text: s,
				References: []string{s, "<a@b>"}[:i%3], Errors: []string{s, "x"}[:i%3], Date: date, HasDate: i%2 == 1,
				Attachments: []mailparse.Attachment{
					{Filename: s, ContentType: s, Size: int64(i) << 20, SHA256: s, TooLarge: i%2 == 0},
					{Filename: "inline.png", Inline: true},
					{Filename: "in.doc", Container: "winmail.dat"},
				}[:i%4]},
			Result: extract.Result{Kind: []string{extract.KindFollowUp, extract.KindApplication, s}[i%3], KindRule: s,
				ShouldAcknowledge: i%2 == 0, Reference: s, Applicant: app},
			Unreadable: i%4 == 1,
		}
		checkStoredReportJSON(t, an)
	}
}

func checkStoredReportJSON(t *testing.T, an Analysis) {
	t.Helper()
	want, err := json.Marshal(an.StoredReport())
	if err != nil {
		t.Fatal(err)
	}
	got, evidence := an.storedReportJSON()
	if string(got) != string(want) {
		t.Errorf("stored report\n got %s\nwant %s", got, want)
	}
	// The writer stores the piece as the application's evidence.
	if want := applicant.AppendEvidence(nil, an.Result.Applicant.Evidence, nil); evidence != nil &&
		string(evidence) != string(want) {
		t.Errorf("evidence in the stored report\n got %s\nwant %s", evidence, want)
	}
	if ap := &an.Result.Applicant; evidence == nil && len(ap.Evidence) > 0 && keepsAllEvidence(ap) {
		t.Errorf("no evidence piece in a report keeping all of it: %s", got)
	}
}

// BenchmarkStoredReport encodes the stored reports of 1,000 mails of the
// generated mailbox, as Prepare does for each message.
func BenchmarkStoredReport(b *testing.B) {
	raws, _ := imaptest.GenerateMailbox(1000, 1)
	ans := make([]Analysis, len(raws))
	for i, raw := range raws {
		var err error
		if ans[i], err = Analyze(raw, corpusProgram, mailparse.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range ans {
			_, _ = ans[i].storedReportJSON()
		}
	}
}

// keepsAllEvidence reports whether a report keeps every evidence entry of
// ap: AppendJSONFields leaves out those of empty fields.
func keepsAllEvidence(ap *applicant.Applicant) bool {
	for k := range ap.Evidence {
		if v, _ := ap.Field(k); v == "" {
			return false
		}
	}
	return true
}
