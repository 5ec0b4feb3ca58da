package shortlist_test

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// TestXLSXOpensInLibreOffice has LibreOffice, as a coordinator without
// Excel would, read the workbook and write each sheet as it shows it.
// LibreOffice is not part of CI: the test skips without it.
func TestXLSXOpensInLibreOffice(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed: the workbook is not checked in LibreOffice")
	}
	dir := t.TempDir()
	b, _ := writeXLSX(t, append(sampleRows(), injectionRows()...), "fr")
	if err := os.WriteFile(filepath.Join(dir, "s.xlsx"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// CSV filter options: ';', '"', UTF-8, from line 1, cells as shown,
	// every sheet in its own file (s-SHEET.csv). A profile of its own, so
	// that a LibreOffice already open does not take the job.
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore",
		"-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true,false,false,-1",
		"--outdir", filepath.Join(dir, "out"), filepath.Join(dir, "s.xlsx"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	titles := shortlist.Titles("fr")
	col := func(name string) int { return slices.Index(shortlist.ReadingColumns, name) }
	shown := map[string][][]string{}
	for _, sheet := range sheets {
		f, err := os.Open(filepath.Join(dir, "out", "s-"+sheet+".csv"))
		if err != nil {
			t.Fatalf("sheet %s not written by LibreOffice: %v", sheet, err)
		}
		r := csv.NewReader(f)
		r.Comma = ';'
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < 2 || !slices.Equal(recs[0], titles) {
			t.Fatalf("%s as LibreOffice shows it: %q", sheet, recs)
		}
		shown[sheet] = recs
	}
	all := shown["Toutes"]
	checks := []struct{ got, want string }{
		{all[1][col("status")], "Complète"},
		{all[1][col("received_at")], "02/03/2026 11:15"},
		{all[2][col("received_at")], "01/07/2026 10:00"},
		{all[1][col("phone")], "06 12 34 56 78"},
		{all[1][col("siret")], "73282932000074"},
		// Evaluated, the formula would show "y": the cell is text,
		// neutralised as in the CSV.
		{all[5][col("company")], `'=HYPERLINK("http://x","y")`},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: LibreOffice shows %q, want %q", i, c.got, c.want)
		}
	}
}
