package intake

import (
	"context"
	"os"
	"testing"
)

// Web pages, SVG images, archives, disk images, OneNote files and Excel
// add-ins are kept for the coordinator but marked risky, and an HTML part
// the mail itself shows (cid:) is never treated as inline content.
func TestRiskyAttachmentsKeptMarkedNeverInline(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	part := func(name, ct, extra string) string {
		return "--b\r\nContent-Type: " + ct + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name +
			"\"\r\n" + extra + "Content-Transfer-Encoding: base64\r\n\r\nPGh0bWw+PC9odG1sPg==\r\n"
	}
	raw := "From: Anne Roux <anne@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature\r\n" +
		"Message-ID: <risky@example.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour, je candidate. Entreprise : Boulangerie Roux.</p><img src=\"cid:page@x\">\r\n" +
		part("facture.html", "text/html", "Content-ID: <page@x>\r\n") + part("logo.svg", "image/svg+xml", "") +
		part("dossier.zip", "application/zip", "") + part("notes.one", "application/onenote", "") +
		part("calcul.xll", "application/octet-stream", "") + part("cv.pdf", "application/pdf", "") + "--b--\r\n"
	out, err := p.Ingest(ctx, Source{}, []byte(raw))
	if err != nil || !out.Created {
		t.Fatalf("%+v, %v", out, err)
	}
	atts, err := st.Attachments(ctx, mustApp(t, st, out.Reference).ID, 0)
	if err != nil || len(atts) != 6 {
		t.Fatalf("%d attachments, %v", len(atts), err)
	}
	for _, a := range atts {
		risky := a.Filename != "cv.pdf"
		if a.Risky != risky || a.Inline || !a.Stored || a.Refused != "" {
			t.Errorf("%s: risky %v inline %v stored %v refused %q", a.Filename, a.Risky, a.Inline, a.Stored, a.Refused)
		}
		if _, err := os.Stat(p.cfg.Files.Path(a.SHA256)); err != nil {
			t.Errorf("%s not kept: %v", a.Filename, err)
		}
	}
}
