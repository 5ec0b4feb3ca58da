package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestDemo runs the demo end to end and checks what it leaves behind.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, out, stderr := runCLI(t, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"seeded the inbox with 20 sample mails", "Shortlist:", "shortlist.xlsx"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}

	mails, err := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if err != nil || len(mails) == 0 {
		t.Fatalf("no mail written: %v", err)
	}
	kinds := map[string]int{}
	for _, m := range mails {
		base := filepath.Base(m)
		kind := strings.TrimSuffix(base[strings.Index(base, "-")+1:], ".eml")
		kinds[kind]++
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		// The out-of-office senders (07, 15), the bounce (10), the
		// newsletter (11) and the noreply notification (13) get nothing.
		for _, never := range []string{"m.chaptal@", "laurent.vergnet@", "mailer-daemon@", "newsletter@", "noreply@"} {
			if bytes.Contains(bytes.ToLower(headerOf(raw, "To")), []byte(never)) {
				t.Errorf("%s was sent to %s", base, never)
			}
		}
		if !bytes.Contains(raw, []byte("Auto-Submitted: auto-replied")) {
			t.Errorf("%s lacks Auto-Submitted", base)
		}
	}
	// 12 applications in the sample, each acknowledged once; the two
	// follow-ups that complete a file get their confirmation.
	if kinds["ack"] != 12 || kinds["complete"] != 2 || kinds["decision"] == 0 {
		t.Errorf("mails by kind = %v, want 12 ack, 2 complete and some decisions", kinds)
	}

	f, err := excelize.OpenFile(filepath.Join(dir, "shortlist.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sel, err := f.GetRows("Sélection")
	if err != nil {
		t.Fatal(err)
	}
	if len(sel) < 2 || sel[0][1] != "Référence" {
		t.Fatalf("Sélection sheet = %v", sel)
	}
	all, err := f.GetRows("Toutes")
	if err != nil || len(all) != 13 {
		t.Errorf("Toutes has %d rows (with header), want 13: %v", len(all), err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "shortlist.csv"))
	if err != nil || !bytes.HasPrefix(csv, []byte("\xef\xbb\xbfRang;Référence;")) {
		t.Errorf("shortlist.csv = %.60q, %v", csv, err)
	}

	// The folder stays explorable with the real commands.
	code, out, stderr = runCLI(t, "--config", filepath.Join(dir, "rse-intake.toml"), "list", "--json")
	if code != 0 || !strings.Contains(out, `"reference": "RSE-2026-0001"`) {
		t.Errorf("list after demo: exit %d %s %s", code, out, stderr)
	}

	// A second run in the same folder starts afresh.
	if code, out, stderr := runCLI(t, "demo", "--dir", dir); code != 0 {
		t.Fatalf("second demo: exit %d\n%s\n%s", code, out, stderr)
	}
	again, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
	if len(again) != len(mails) {
		t.Errorf("second run wrote %d mails, first %d", len(again), len(mails))
	}
}

// headerOf returns the raw value of the first header field name.
func headerOf(raw []byte, name string) []byte {
	for _, line := range bytes.Split(raw, []byte("\r\n")) {
		if len(line) == 0 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && strings.EqualFold(string(k), name) {
			return v
		}
	}
	return nil
}
