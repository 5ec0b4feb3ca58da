package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated files (README command reference)")

// runCLI runs one command line in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// commandReference is the README's command reference, generated from
// each command's --help.
func commandReference() string {
	var b strings.Builder
	var usage bytes.Buffer
	printUsage(&usage)
	b.WriteString("```text\n$ rse-intake --help\n" + usage.String() + "```\n")
	for _, c := range commands() {
		b.WriteString("\n### " + c.name + "\n```text\n" + commandHelp(c) + "```\n")
	}
	return b.String()
}

func TestREADMECommandReference(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const start, end = "<!-- commands:start -->\n", "<!-- commands:end -->"
	i, j := bytes.Index(readme, []byte(start)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README lacks the %q ... %q markers", start, end)
	}
	want := commandReference()
	got := string(readme[i+len(start) : j])
	if got == want {
		return
	}
	if !*update {
		t.Fatalf("README command reference is out of date: run go test ./cmd/rse-intake -run TestREADMECommandReference -update")
	}
	out := append(append(append([]byte{}, readme[:i+len(start)]...), want...), readme[j:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range commands() {
		code, out, _ := runCLI(t, c.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage: rse-intake "+c.name) {
			t.Errorf("%s --help: exit %d, output %q", c.name, code, out)
		}
	}
	if code, out, _ := runCLI(t, "--help"); code != 0 || !strings.Contains(out, "Commands:") {
		t.Errorf("--help: exit %d, %q", code, out)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.toml")
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"list", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--config", missing, "stats"}, 2, "nope.toml does not exist"},
		{[]string{"parse"}, 2, "at least one .eml"},
		{[]string{"parse", filepath.Join(dir, "absent.eml")}, 1, "absent.eml"},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.err) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.err)
		}
	}
}

// TestNoDatabaseYet: reading commands never create an empty database.
func TestNoDatabaseYet(t *testing.T) {
	conf := writeConfig(t, "[store]\npath = \"nothing-here.db\"\n")
	for _, args := range [][]string{{"stats"}, {"list", "--json"}, {"export", "--format", "csv"}} {
		code, _, stderr := runCLI(t, append([]string{"--config", conf}, args...)...)
		if code != 1 || !strings.Contains(stderr, "nothing-here.db") {
			t.Errorf("%v: exit %d, %s", args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(conf), "nothing-here.db")); err == nil {
		t.Error("a reading command created the database")
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rse-intake.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{"[imap]\nhots = \"x\"\n", "unknown key imap.hots (line 2)"},
		{"[program]\ncohort_sise = 8\n", "unknown key program.cohort_sise"},
		{"[imap]\nhost = \"imap.example.org\"\nsecurity = \"none\"\n", "only allowed for a loopback host"},
		{"[smtp]\nhost = \"smtp.example.org\"\nsecurity = \"plain\"\n", "line 3: [smtp] security: must be"},
		{"[imap]\nprocessed = \"delete\"\n", "line 2: [imap] processed: must be"},
		{"[imap]\nport = 70000\n", "line 2: [imap] port: must be between 1 and 65535"},
		{"[smtp]\nport = 0\nsecurity = \"tls\"\nport = -1\n", "line 4 (key smtp.port): not valid TOML"},
		{"[smtp]\nport = -25\n", "line 2: [smtp] port: must be between 1 and 65535"},
		{"[program]\ntimezone = \"Mars/Olympus\"\n", "[program] timezone"},
		{"[program]\nrequired = [\"shoe_size\"]\n", "unknown field \"shoe_size\""},
		{"[program\n", "rse-intake.toml"},
	}
	for _, c := range cases {
		path := writeConfig(t, c.body)
		code, _, stderr := runCLI(t, "--config", path, "stats")
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("config %q: exit %d, stderr %q; want 2 and %q", c.body, code, stderr, c.want)
		}
	}
}

func TestConfigDefaultsAndSecrets(t *testing.T) {
	path := writeConfig(t, "[imap]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nusername = \"u\"\npassword_file = \"pw.txt\"\n")
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "pw.txt"), []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Program.CohortSize != 8 || cfg.Program.Timezone != "Europe/Paris" || cfg.Program.ReferencePrefix != "RSE" ||
		cfg.IMAP.Mailbox != "INBOX" || cfg.IMAP.Processed != "flag" || cfg.IMAP.Port != 143 ||
		cfg.Store.Path != filepath.Join(filepath.Dir(path), "rse-intake.db") ||
		cfg.Store.Attachments != cfg.Store.Path+".files" || len(cfg.Program.Required) != 6 {
		t.Errorf("defaults: %+v", cfg)
	}
	if err := cfg.requireIMAP(); err != nil || cfg.IMAP.Password != "from-file" {
		t.Errorf("password from file: %q, %v", cfg.IMAP.Password, err)
	}
	t.Setenv("RSE_IMAP_PASSWORD", "from-env")
	cfg, _ = loadConfig(path)
	if err := cfg.requireIMAP(); err != nil || cfg.IMAP.Password != "from-env" {
		t.Errorf("password from env: %q, %v", cfg.IMAP.Password, err)
	}
}

// TestSampleConfig: what init writes loads, and names every key the
// configuration has.
func TestSampleConfig(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "rse-intake.toml")
	if code, _, stderr := runCLI(t, "init", "--out", out); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "init", "--out", out); code != 2 || !strings.Contains(stderr, "already exists") {
		t.Errorf("second init: %d %s, want a refusal", code, stderr)
	}
	if _, err := loadConfig(out); err != nil {
		t.Fatalf("sample config does not load: %v", err)
	}
	for _, key := range configKeys() {
		if !strings.Contains(sampleConfig, "\n"+key+" =") && !strings.Contains(sampleConfig, "\n# "+key+" =") {
			t.Errorf("sample config lacks key %s", key)
		}
	}
}

// configKeys lists every key of the configuration file, from the toml tags.
func configKeys() []string {
	var keys []string
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		sec := t.Field(i)
		if sec.Tag.Get("toml") == "" {
			continue
		}
		typ := sec.Type
		if typ.Kind() == reflect.Slice { // [[session]] tables
			typ = typ.Elem()
		}
		for j := 0; j < typ.NumField(); j++ {
			if tag := typ.Field(j).Tag.Get("toml"); tag != "" {
				keys = append(keys, tag)
			}
		}
	}
	return keys
}
