package store_test

import (
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

func TestAttachmentTypes(t *testing.T) {
	for _, c := range []struct {
		name, ct         string
		risky, forbidden bool
	}{
		{"cv.pdf", "application/pdf", false, false},
		{"Kbis.PDF", "application/octet-stream", false, false},
		{"statuts.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false, false},
		{"facture.html", "text/html", true, false},
		{"page.htm", "application/octet-stream", true, false},
		{"logo.svg", "image/svg+xml", true, false},
		{"dossier.zip", "application/zip", true, false},
		{"archive.7z", "application/octet-stream", true, false},
		{"pieces.rar", "application/octet-stream", true, false},
		{"disque.img", "application/octet-stream", true, false},
		{"notes.one", "application/onenote", true, false},
		{"calcul.xll", "application/octet-stream", true, false},
		{"sans-nom", "text/html", true, false},
		{"raccourci.lnk", "application/octet-stream", true, true},
		{"app.hta", "application/hta", true, true},
		{"image.iso", "application/octet-stream", true, true},
		{"budget.xlsm", "application/vnd.ms-excel.sheet.macroEnabled.12", true, true},
		{"setup.exe", "application/octet-stream", true, true},
		{"setup.bin", "application/x-msdownload", true, true},
	} {
		_, forbidden := store.ForbiddenAttachment(c.name, c.ct)
		if risky := store.RiskyAttachment(c.name, c.ct); risky != c.risky || forbidden != c.forbidden {
			t.Errorf("%s (%s): risky %v forbidden %v, want %v %v", c.name, c.ct, risky, forbidden, c.risky, c.forbidden)
		}
	}
}
