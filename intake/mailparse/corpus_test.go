package mailparse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const corpusDir = "../testdata/corpus"

// truth is the part of a corpus ground-truth file this package answers.
type truth struct {
	MessageID   *string `json:"message_id"`
	InReplyTo   *string `json:"in_reply_to"`
	FromEmail   *string `json:"from_email"`
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
	} `json:"attachments"`
}

func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s: %v", corpusDir, err)
	}
	return files
}

func parseFile(t testing.TB, path string) *Message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := Parse(f, Options{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	return m
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func TestCorpusGroundTruth(t *testing.T) {
	for _, path := range corpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(strings.TrimSuffix(path, ".eml") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var want truth
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			m := parseFile(t, path)
			if m.MessageID != str(want.MessageID) {
				t.Errorf("MessageID = %q, want %q", m.MessageID, str(want.MessageID))
			}
			if m.InReplyTo != str(want.InReplyTo) {
				t.Errorf("InReplyTo = %q, want %q", m.InReplyTo, str(want.InReplyTo))
			}
			if m.FromEmail != str(want.FromEmail) {
				t.Errorf("FromEmail = %q, want %q", m.FromEmail, str(want.FromEmail))
			}
			var got, exp []string
			for _, a := range m.Attachments {
				if !a.Inline {
					got = append(got, a.Filename+" | "+a.ContentType)
				}
			}
			for _, a := range want.Attachments {
				exp = append(exp, a.Filename+" | "+a.ContentType)
			}
			if !slices.Equal(got, exp) {
				t.Errorf("attachments = %q, want %q", got, exp)
			}
			if strings.HasPrefix(name, "24-") {
				if strings.TrimSpace(m.Text) != "" {
					t.Errorf("Text = %q, want empty", m.Text)
				}
			} else if strings.TrimSpace(m.Text) == "" {
				t.Errorf("Text is empty; Errors: %q", m.Errors)
			}
			for _, a := range m.Attachments {
				if len(a.SHA256) != 64 || a.Size <= 0 {
					t.Errorf("attachment %q: size %d sha %q", a.Filename, a.Size, a.SHA256)
				}
			}
		})
	}
}

// corpusMessage parses the corpus file whose name starts with prefix.
func corpusMessage(t *testing.T, prefix string) *Message {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, prefix+"-*.eml"))
	if len(files) != 1 {
		t.Fatalf("corpus file %s-*.eml: found %d", prefix, len(files))
	}
	return parseFile(t, files[0])
}

func TestCorpusSpecificCases(t *testing.T) {
	tests := []struct {
		file      string
		text      []string // substrings of Text
		subject   string   // substring of Subject
		errors    bool     // at least one defect expected
		fromHTML  bool
		fromName  string
		errSubstr string
	}{
		{file: "22", text: []string{"SIRET : 75318264100013"}, errors: true, errSubstr: "boundary"},
		{file: "23", text: []string{"Prénom : Thierry", "Gérant", "Maçonnerie", "Bâtiment – maçonnerie générale"},
			errors: true, errSubstr: `unknown charset "x-unknown" in text/plain part: decoded as UTF-8`},
		{file: "26", subject: "Candidature RSE – Rieu Charpente", errors: true, fromName: "Kévin Rieu"},
		{file: "03", text: []string{"€", "J’initie, je m’engage RSE", "Prénom\tNathalie"}, fromHTML: true},
		{file: "04", text: []string{"Teissèdre", "LANGOGNE"}, fromName: "Gérard Teissèdre"},
		{file: "25", text: []string{"Pagès Conseil & Formation"}, errors: true, errSubstr: "998", fromName: "Sandrine Pagès"},
		{file: "01", fromName: ""},
		{file: "06", fromName: "Hélène Astruc", text: []string{"réduire le gaspillage alimentaire et l'eau consommée par chambre."}},
		{file: "16", text: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			m := corpusMessage(t, tc.file)
			for _, s := range tc.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, m.Text)
				}
			}
			if !strings.Contains(m.Subject, tc.subject) {
				t.Errorf("Subject = %q, want it to contain %q", m.Subject, tc.subject)
			}
			if tc.errors && len(m.Errors) == 0 {
				t.Errorf("no Errors, want some")
			}
			if tc.errSubstr != "" && !slices.ContainsFunc(m.Errors, func(e string) bool { return strings.Contains(e, tc.errSubstr) }) {
				t.Errorf("Errors %q lack %q", m.Errors, tc.errSubstr)
			}
			if m.TextFromHTML != tc.fromHTML {
				t.Errorf("TextFromHTML = %v, want %v", m.TextFromHTML, tc.fromHTML)
			}
			if tc.fromName != "" && m.FromName != tc.fromName {
				t.Errorf("FromName = %q, want %q", m.FromName, tc.fromName)
			}
		})
	}
}
