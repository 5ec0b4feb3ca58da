package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// demoConfig runs the demo in a temporary folder and returns its
// configuration, so that the coordinators' commands can be tried on real
// data taken in by the real pipeline.
func demoConfig(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	if code, out, stderr := runCLI(t, "demo", "--dir", dir); code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, stderr)
	}
	return filepath.Join(dir, "rse-intake.toml")
}

func TestCoordinatorCommands(t *testing.T) {
	conf := demoConfig(t)
	c := func(args ...string) []string { return append([]string{"--config", conf}, args...) }

	// RSE-2026-0005 has an invalid SIRET: incomplete. A coordinator
	// corrects it; the file becomes complete.
	var app map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("show", "RSE-2026-0005", "--json")...)), &app); err != nil {
		t.Fatal(err)
	}
	if app["status"] != "incomplete" || app["siret_valid"] != false {
		t.Fatalf("RSE-2026-0005 before correction: status %v, siret_valid %v", app["status"], app["siret_valid"])
	}
	// Each message says which classification rule decided its kind.
	msgs, _ := app["messages"].([]any)
	for _, m := range msgs {
		if r, _ := m.(map[string]any)["kind_rule"].(string); r == "" {
			t.Errorf("show --json: message without kind_rule: %v", m)
		}
	}
	text := mustRun(t, c("show", "RSE-2026-0005")...)
	if !strings.Contains(text, "application (applies)") {
		t.Errorf("show does not name the rule that decided the kind:\n%s", text)
	}
	// Each field says where it was read, in JSON and in text.
	ev, _ := app["evidence"].(map[string]any)
	for _, f := range []string{"siret", "company", "email"} {
		e, _ := ev[f].(map[string]any)
		if e["source"] == nil || e["rule"] == nil || e["text"] == nil {
			t.Errorf("show --json: evidence of %s: %v", f, ev[f])
		}
	}
	if !strings.Contains(text, "siret ← line ") {
		t.Errorf("show does not say where the SIRET was read:\n%s", text)
	}
	// A field a follow-up gave names the mail it was read in.
	var completed map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("show", "RSE-2026-0002", "--json")...)), &completed); err != nil {
		t.Fatal(err)
	}
	siretEv, _ := completed["evidence"].(map[string]any)["siret"].(map[string]any)
	if siretEv["message_id"] == nil || siretEv["message_id"] == completed["message_id"] {
		t.Errorf("the SIRET sent in a follow-up: evidence %v, application first mail %v", siretEv, completed["message_id"])
	}
	out := mustRun(t, c("set", "RSE-2026-0005", "siret", "732 829 320 00074", "--by", "claire")...)
	if !strings.Contains(out, "status complete") {
		t.Errorf("set: %s", out)
	}
	// A value a coordinator typed was read in no mail.
	var fixed map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("show", "RSE-2026-0005", "--json")...)), &fixed); err != nil {
		t.Fatal(err)
	}
	if ev, _ := fixed["evidence"].(map[string]any); ev["siret"] != nil || ev["siret_valid"] != nil || ev["company"] == nil {
		t.Errorf("evidence after set siret: %v", ev)
	}
	if code, _, stderr := runCLI(t, c("set", "RSE-2026-0005", "siret", "123")...); code != 2 || !strings.Contains(stderr, "siret") {
		t.Errorf("set bad siret: exit %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, c("set", "RSE-2026-0005", "shoe_size", "42")...); code == 0 || !strings.Contains(stderr, "shoe_size") {
		t.Errorf("set unknown field: exit %d %s", code, stderr)
	}

	mustRun(t, c("review", "RSE-2026-0005", "--status", "shortlisted", "--note", "bon dossier", "--by", "claire")...)
	mustRun(t, c("review", "RSE-2026-0005", "--score", "7", "--by", "claire")...)
	code, _, stderr := runCLI(t, c("review", "RSE-2026-0005", "--status", "received")...)
	if code != 2 || !strings.Contains(stderr, "selected") {
		t.Errorf("forbidden transition: exit %d, %s (want 2 and the allowed statuses)", code, stderr)
	}
	if code, _, _ := runCLI(t, c("review", "RSE-2026-0005", "--score", "11")...); code != 2 {
		t.Errorf("score 11: exit %d, want 2", code)
	}
	if code, _, stderr := runCLI(t, c("review", "RSE-2099-0001", "--status", "selected")...); code != 1 || !strings.Contains(stderr, "RSE-2099-0001") {
		t.Errorf("unknown reference: exit %d %s", code, stderr)
	}

	var hist []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("history", "RSE-2026-0005", "--json")...)), &hist); err != nil {
		t.Fatal(err)
	}
	var sawSet, sawShortlist, sawScore bool
	for _, h := range hist {
		switch {
		case h["action"] == "set" && h["field"] == "siret" && h["by"] == "claire":
			sawSet = true
		case h["action"] == "status" && h["to"] == "shortlisted" && h["note"] == "bon dossier":
			sawShortlist = true
		case h["action"] == "score":
			sawScore = true
		}
	}
	if !sawSet || !sawShortlist || !sawScore {
		t.Errorf("history lacks a change: %v", hist)
	}

	// Exports.
	csv := mustRun(t, c("export", "--format", "csv")...)
	if !strings.HasPrefix(csv, "\ufeffRang;Référence;Statut;Entreprise;Nom;Prénom;Fonction;") ||
		!strings.Contains(csv, "\r\n") || !strings.Contains(csv, ";Présélectionnée;") {
		t.Errorf("csv export starts %.80q", csv)
	}
	plain := mustRun(t, c("export", "--format", "csv", "--rfc4180", "--status", "selected,shortlisted")...)
	if strings.HasPrefix(plain, "\ufeff") || !strings.HasPrefix(plain, "rank,reference,status,last_name,") ||
		strings.Contains(plain, "incomplete") || !strings.Contains(plain, ",shortlisted,") {
		t.Errorf("rfc4180 export starts %.80q", plain)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("export", "--format", "json")...)), &rows); err != nil || len(rows) != 12 {
		t.Fatalf("json export: %d rows, %v", len(rows), err)
	}
	xlsx := filepath.Join(t.TempDir(), "s.xlsx")
	mustRun(t, c("export", "--format", "xlsx", "--out", xlsx)...)
	if fi, err := os.Stat(xlsx); err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("xlsx export: %v %v", fi.Mode(), err)
	}
	checkCommitteeWorkbook(t, xlsx)
	if code, _, _ := runCLI(t, c("export", "--format", "xlsx")...); code != 2 {
		t.Errorf("xlsx to stdout: exit %d, want 2", code)
	}

	// Decisions: the demo already mailed its decisions; a new one is
	// listed by a dry run and queued by the real run, once.
	mustRun(t, c("review", "RSE-2026-0005", "--status", "waitlisted")...)
	dry := mustRun(t, c("decisions", "send", "--dry-run")...)
	if !strings.Contains(dry, "would queue 1 decision") {
		t.Errorf("dry run: %s", dry)
	}
	if out := mustRun(t, c("decisions", "send")...); !strings.Contains(out, "queued 1 decision") {
		t.Errorf("decisions send: %s", out)
	}
	if out := mustRun(t, c("decisions", "send")...); !strings.Contains(out, "queued 0 decision") {
		t.Errorf("second decisions send: %s", out)
	}
	var outbox []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("outbox", "--json", "--status", "pending")...)), &outbox); err != nil || len(outbox) != 1 {
		t.Fatalf("pending outbox: %v %v", outbox, err)
	}
	id := strings.TrimSuffix(strings.TrimSuffix(jsonNumber(outbox[0]["id"]), ".0"), "")
	mustRun(t, c("outbox", "cancel", id)...)
	if err := json.Unmarshal([]byte(mustRun(t, c("outbox", "--json", "--status", "cancelled")...)), &outbox); err != nil || len(outbox) != 1 {
		t.Errorf("cancelled outbox: %v %v", outbox, err)
	}
	mustRun(t, c("outbox", "retry", id)...)

	// The decision changes before its mail left: the old mail is
	// cancelled, and the next decisions send queues the new one.
	mustRun(t, c("review", "RSE-2026-0005", "--status", "selected")...)
	if err := json.Unmarshal([]byte(mustRun(t, c("outbox", "--json", "--status", "pending")...)), &outbox); err != nil || len(outbox) != 0 {
		t.Errorf("pending mails after the decision changed: %v %v", outbox, err)
	}
	if out := mustRun(t, c("decisions", "send")...); !strings.Contains(out, "queued 1 decision") {
		t.Errorf("decisions send after a change: %s", out)
	}

	var stats map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, c("stats", "--json")...)), &stats); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"messages", "messages_by_kind", "applications", "applications_by_status", "outbox", "checkpoints"} {
		if _, ok := stats[k]; !ok {
			t.Errorf("stats --json lacks %q", k)
		}
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkCommitteeWorkbook opens an exported workbook as the committee does:
// "Sélection" first, French titles and statuses, landscape on one page
// width with the title row on every page.
func checkCommitteeWorkbook(t *testing.T, path string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.GetSheetName(f.GetActiveSheetIndex()) != "Sélection" {
		t.Errorf("active sheet %q", f.GetSheetName(f.GetActiveSheetIndex()))
	}
	rows, err := f.GetRows("Sélection")
	if err != nil || len(rows) < 2 {
		t.Fatalf("Sélection: %d rows, %v", len(rows), err)
	}
	if !slices.Equal(rows[0][:3], []string{"Rang", "Référence", "Statut"}) {
		t.Errorf("Sélection titles %q", rows[0])
	}
	french := map[string]bool{}
	for _, s := range []string{"Reçue", "Incomplète", "Complète", "Présélectionnée", "Retenue", "Liste d'attente",
		"Refusée", "Retirée", "À relire"} {
		french[s] = true
	}
	all, err := f.GetRows("Toutes")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all[1:] {
		if !french[r[2]] {
			t.Errorf("%s: status %q is not French", r[1], r[2])
		}
	}
	layout, err := f.GetPageLayout("Sélection")
	if err != nil {
		t.Fatal(err)
	}
	if *layout.Orientation != "landscape" || layout.FitToWidth == nil || *layout.FitToWidth != 1 {
		t.Errorf("Sélection prints %s, fit to width %v", *layout.Orientation, layout.FitToWidth)
	}
	var titles bool
	for _, n := range f.GetDefinedName() {
		titles = titles || n.Name == "_xlnm.Print_Titles" && n.Scope == "Sélection" && n.RefersTo == "'Sélection'!$1:$1"
	}
	if !titles {
		t.Errorf("no title row repeated on the printed pages: %+v", f.GetDefinedName())
	}
}
