package intake

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
)

// TestApplicationForwardedAsAttachment: an accountant forwards a client's
// application as an attached message. The applicant is the client, read
// from the attached message, and the accountant is who forwarded it;
// before attached messages were read, the accountant and his firm were
// taken for the applicant and would have been answered.
func TestApplicationForwardedAsAttachment(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("mailparse", "testdata", "forward-as-attachment.eml"))
	if err != nil {
		t.Fatal(err)
	}
	an, err := Analyze(raw, corpusProgram, mailparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := an.Result.Applicant
	if an.Result.Kind != extract.KindApplication || a.FirstName != "Jeanne" || a.LastName != "Vidal" ||
		a.Email != "jeanne.vidal@atelier-vidal.example" || a.ForwardedBy != "p.roux@cabinet-roux.example" ||
		a.Company != "Atelier Vidal Céramique" || a.Siret != "73282932000074" || a.Phone != "+33612489037" {
		t.Errorf("read as %s: %+v", an.Result.Kind, a)
	}
	report := an.Report()
	if len(report.Attachments) != 1 || report.Attachments[0].Filename != "Candidature au programme RSE.eml" {
		t.Errorf("report attachments %+v: want the attached message, its CV kept with the application only", report.Attachments)
	}
}

// TestForwardedApplicationsCVCounts: the CV attached to the forwarded
// message is kept with the application and satisfies required_attachments;
// the acknowledgement goes to the applicant, not to the accountant.
func TestForwardedApplicationsCVCounts(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("mailparse", "testdata", "forward-as-attachment.eml"))
	if err != nil {
		t.Fatal(err)
	}
	p, st := newTestPipeline(t)
	p.cfg.RequiredAttachments = []string{"cv"}
	out, err := p.Ingest(t.Context(), Source{}, raw)
	if err != nil || !out.Created {
		t.Fatalf("%+v, %v", out, err)
	}
	app := mustApp(t, st, out.Reference)
	if app.Email != "jeanne.vidal@atelier-vidal.example" {
		t.Errorf("application of %s, want the applicant's", app.Email)
	}
	for _, m := range app.Missing {
		if m.Field == "attachment:cv" {
			t.Errorf("the CV inside the forwarded message is missing: %+v", app.Missing)
		}
	}
	atts, err := st.Attachments(t.Context(), app.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range atts {
		names = append(names, a.Filename)
	}
	if len(atts) != 2 || atts[1].Filename != "CV-Jeanne-Vidal.pdf" || !atts[1].Stored {
		t.Errorf("attachments kept: %q", names)
	}
}
