package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// Exports hold applicants' personal data: owner-only whatever the umask,
// including when they replace a file that everyone could read.
func TestExportFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	replaced := filepath.Join(dir, "old.csv")
	if err := os.WriteFile(replaced, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "new.csv"), replaced} {
		if err := writeExport(io.Discard, path, func(w io.Writer) error {
			_, err := io.WriteString(w, "Rang;Référence\r\n")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(path), fi.Mode().Perm())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// hostileMail is an application whose company line is a spreadsheet
// formula.
const hostileMail = "From: Jean Dupont <jean.dupont@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
	"Subject: Candidature RSE\r\nMessage-ID: <hostile-1@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour,\r\nJe souhaite candidater au programme.\r\n" +
	"Nom : Dupont\r\nPrénom : Jean\r\nEntreprise : =HYPERLINK(\"http://x\",\"y\")\r\nSIRET : 732 829 320 00074\r\n" +
	"Commune : Mende\r\nCode postal : 48000\r\nTéléphone : 06 12 34 56 78\r\n\r\nCordialement,\r\nJean Dupont\r\n"

// A company line an applicant wrote as a formula is taken in whole by the
// real pipeline and comes out whole in every export: inert in the ones a
// spreadsheet opens, as written in JSON.
func TestExportHostileCompanyWholeAndInert(t *testing.T) {
	imap := imaptest.StartMemServer(t, "rse", "secret")
	conf := e2eConfig(t, imap.Host(), imap.Port(), "rse", "secret", smtpsink.Start(t))
	if err := imap.Append("INBOX", []byte(hostileMail)); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--config", conf, "poll", "--once")
	c := func(args ...string) []string { return append([]string{"--config", conf, "export"}, args...) }
	const written = `=HYPERLINK("http://x","y")`

	for _, dialect := range []struct {
		args    []string
		comma   rune
		columns []string
	}{
		{[]string{"--format", "csv"}, ';', shortlist.ReadingColumns},
		{[]string{"--format", "csv", "--rfc4180"}, ',', shortlist.Columns},
	} {
		out := mustRun(t, c(dialect.args...)...)
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
		r.Comma = dialect.comma
		recs, err := r.ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%v: %d records, %v\n%s", dialect.args, len(recs), err, out)
		}
		if got := recs[1][slices.Index(dialect.columns, "company")]; got != "'"+written {
			t.Errorf("%v: company %q, want %q", dialect.args, got, "'"+written)
		}
	}

	var rows []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("--format", "json")...)), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("json: %v %v", rows, err)
	}
	if rows[0]["company"] != written {
		t.Errorf("json company %q, want %q", rows[0]["company"], written)
	}

	path := filepath.Join(t.TempDir(), "s.xlsx")
	mustRun(t, c("--format", "xlsx", "--out", path)...)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cell, _ := excelize.CoordinatesToCellName(slices.Index(shortlist.ReadingColumns, "company")+1, 2)
	for _, sheet := range []string{"Sélection", "Toutes"} {
		v, _ := f.GetCellValue(sheet, cell)
		formula, _ := f.GetCellFormula(sheet, cell)
		typ, _ := f.GetCellType(sheet, cell)
		if v != "'"+written || formula != "" || typ != excelize.CellTypeInlineString {
			t.Errorf("%s!%s = %q (type %v), formula %q; want %q as text", sheet, cell, v, typ, formula, "'"+written)
		}
	}
}

// --rfc4180 names a CSV dialect: with another format it is a usage error,
// not a flag silently ignored.
func TestExportRFC4180OnlyWithCSV(t *testing.T) {
	conf := writeConfig(t, "[program]\naddress = \"rse@example.org\"\n")
	for _, format := range []string{"xlsx", "json"} {
		code, _, stderr := runCLI(t, "--config", conf, "export", "--format", format, "--rfc4180", "--out", filepath.Join(t.TempDir(), "x"))
		if code != 2 || !strings.Contains(stderr, "--rfc4180") {
			t.Errorf("--format %s --rfc4180: exit %d, %s", format, code, stderr)
		}
	}
}
