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
