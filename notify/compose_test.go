package notify

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

var showMail = flag.Bool("show", false, "print rendered mails")

func TestAcknowledgementFrench(t *testing.T) {
	c := newComposer(t, nil)
	app := &store.Application{ID: 7, Reference: "RSE-2026-0007", Status: store.StatusIncomplete,
		Applicant: elodie(),
		Missing: []store.Missing{{Field: "siret", Reason: "SIRET invalide (la clé de contrôle ne correspond pas)"},
			{Field: "phone"}, {Field: "attachment:cv"}, {Field: "attachment:plan"}, {Field: "attachment:lettre"},
			{Field: "headcount", Reason: "effectif illisible"}}}
	atts := []store.Attachment{{Filename: "portfolio.zip", Refused: "type de fichier refusé (archive .zip)."},
		{Filename: "cv.pdf", Stored: true}}
	answering := &store.Message{ID: 3, MessageID: "<CAF=abc@mail.gmail.com>"}
	m, err := c.Acknowledgement(app, atts, answering)
	if err != nil {
		t.Fatal(err)
	}
	if *showMail {
		t.Logf("%s\n\n%s\n\n%s", m.Subject, m.BodyText, m.BodyHTML)
	}
	if want := "Votre candidature RSE-2026-0007 – " + testProgram; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	checks := []struct{ name, got string }{{"text", m.BodyText}, {"html", m.BodyHTML}}
	for _, part := range checks {
		got := part.got
		if part.name == "html" {
			got = strings.ReplaceAll(got, "&#39;", "'")
		}
		for _, want := range []string{
			"Bonjour Élodie Rouvière,",
			"RSE-2026-0007",
			"Les Ateliers du Causse",
			"48000 Mende",
			"le numéro SIRET (14 chiffres) : le numéro donné n'est pas valide",
			"votre numéro de téléphone",
			"votre CV (pièce jointe)",
			"la pièce jointe « plan »",
			"votre lettre de motivation (pièce jointe)",
			"l'effectif de l'entreprise (nombre de salariés) : effectif illisible",
			"« portfolio.zip » n'a pas pu être prise en compte : type de fichier refusé (archive .zip).",
			"un lien de téléchargement",
			"8 entreprises seront retenues",
			"15 avril 2026",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s part lacks %q:\n%s", part.name, want, got)
			}
		}
		if strings.Contains(got, "cv.pdf") {
			t.Errorf("%s part names an accepted attachment", part.name)
		}
		if strings.Contains(got, "SIRET : 12345678901234") {
			t.Errorf("%s part shows an invalid SIRET as understood", part.name)
		}
	}
	if m.Kind != store.MailAck || m.DedupeKey != "ack:RSE-2026-0007" || m.ApplicationID != 7 || m.MessageID != 3 {
		t.Errorf("kind %q dedupe %q app %d msg %d", m.Kind, m.DedupeKey, m.ApplicationID, m.MessageID)
	}
	if m.Recipient != "elodie.rouviere@example.net" || m.RecipientName != "Élodie Rouvière" {
		t.Errorf("recipient %q %q", m.Recipient, m.RecipientName)
	}
	if m.InReplyTo != "<CAF=abc@mail.gmail.com>" || m.References != "<CAF=abc@mail.gmail.com>" {
		t.Errorf("in-reply-to %q references %q", m.InReplyTo, m.References)
	}
	if !strings.HasPrefix(m.HeaderMsgID, "<") || !strings.HasSuffix(m.HeaderMsgID, "@gmail.com>") {
		t.Errorf("message id %q not on the program's domain", m.HeaderMsgID)
	}
	m2, _ := c.Acknowledgement(app, atts, answering)
	if m2.HeaderMsgID == m.HeaderMsgID {
		t.Error("two renderings share a Message-ID")
	}
}

func TestAcknowledgementNoNameComplete(t *testing.T) {
	c := newComposer(t, func(cfg *ComposerConfig) { cfg.DecisionBy = cfg.DecisionBy.AddDate(-1, 0, 0) })
	app := &store.Application{Reference: "RSE-2026-0008", Applicant: store.Applicant{Email: "x@example.net",
		Company: "Boulangerie Pic"}}
	m, err := c.Acknowledgement(app, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.BodyText, "Bonjour,\n") {
		t.Errorf("no-name greeting:\n%s", m.BodyText)
	}
	if !strings.Contains(m.BodyText, "Votre dossier nous paraît complet") {
		t.Errorf("complete application not said complete:\n%s", m.BodyText)
	}
	if m.InReplyTo != "" || m.References != "" || m.MessageID != 0 {
		t.Errorf("threading without a message: %q %q %d", m.InReplyTo, m.References, m.MessageID)
	}
	if strings.Contains(m.BodyText, "\n\n\n") {
		t.Errorf("text has runs of blank lines:\n%s", m.BodyText)
	}
}

func TestCompletionAndDecisions(t *testing.T) {
	c := newComposer(t, nil)
	app := &store.Application{Reference: "RSE-2026-0009", Applicant: elodie()}
	m, err := c.Completion(app, &store.Message{ID: 4, MessageID: "<r@x>"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Votre dossier RSE-2026-0009 est complet – "+testProgram || m.DedupeKey != "complete:RSE-2026-0009" ||
		m.Kind != store.MailComplete || m.InReplyTo != "<r@x>" {
		t.Errorf("completion: %q %q %q %q", m.Subject, m.DedupeKey, m.Kind, m.InReplyTo)
	}
	for status, want := range map[string]string{
		store.StatusSelected:   "a été retenue",
		store.StatusWaitlisted: "liste d'attente",
		store.StatusDeclined:   "pas en mesure de retenir",
	} {
		app.Status = status
		m, err := c.Decision(app)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != store.MailDecision || m.DedupeKey != "decision:RSE-2026-0009:"+status {
			t.Errorf("%s: kind %q dedupe %q", status, m.Kind, m.DedupeKey)
		}
		if !strings.Contains(m.BodyText, want) || !strings.Contains(m.BodyHTML, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("%s mail lacks %q:\n%s\n%s", status, want, m.BodyText, m.BodyHTML)
		}
	}
	app.Status = store.StatusComplete
	if _, err := c.Decision(app); err == nil {
		t.Error("a decision mail for a complete application")
	}
	app.Status, app.Email = store.StatusSelected, ""
	if _, err := c.Decision(app); err == nil {
		t.Error("a decision mail without an address")
	}
}

func TestEnglish(t *testing.T) {
	c := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = "en" })
	app := &store.Application{Reference: "RSE-2026-0010", Applicant: elodie(),
		Missing: []store.Missing{{Field: "phone"}}}
	m, err := c.Acknowledgement(app, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hello Élodie Rouvière,", "your phone number", "15 April 2026"} {
		if !strings.Contains(m.BodyText, want) {
			t.Errorf("English text lacks %q:\n%s", want, m.BodyText)
		}
	}
	if m.Subject != "Your application RSE-2026-0010 – "+testProgram {
		t.Errorf("subject %q", m.Subject)
	}
	if _, err := NewComposer(ComposerConfig{ProgramName: "P", ProgramAddress: "a@b.c", Language: "de"}); err == nil {
		t.Error("language de accepted")
	}
}

// Applicant data is escaped in every HTML part, whatever the mail.
func TestHTMLEscaping(t *testing.T) {
	c := newComposer(t, nil)
	const evilName = `<img src=x onerror=alert(1)>`
	const evilCompany = `<script>alert("x")</script>`
	app := &store.Application{Reference: "RSE-2026-0011", Applicant: store.Applicant{FirstName: evilName,
		Email: "evil@example.net", Company: evilCompany, Commune: `"><b>Mende</b>`, Role: "x' onmouseover='y"},
		Missing: []store.Missing{{Field: "siret", Reason: "<i>bad</i>"}, {Field: "attachment:<svg onload=1>"}}}
	atts := []store.Attachment{{Filename: `<iframe src="javascript:1">.pdf`, Refused: "<b>trop gros</b>"}}
	var mails []*store.OutboxMail
	m, err := c.Acknowledgement(app, atts, nil)
	if err != nil {
		t.Fatal(err)
	}
	mails = append(mails, m)
	m, err = c.Completion(app, nil)
	if err != nil {
		t.Fatal(err)
	}
	mails = append(mails, m)
	for _, st := range []string{store.StatusSelected, store.StatusWaitlisted, store.StatusDeclined} {
		app.Status = st
		m, err := c.Decision(app)
		if err != nil {
			t.Fatal(err)
		}
		mails = append(mails, m)
	}
	for _, m := range mails {
		for _, bad := range []string{"<img", "<script", "<b>", "<i>", "<svg", "<iframe", "onmouseover='"} {
			if strings.Contains(m.BodyHTML, bad) {
				t.Errorf("%s HTML contains %q unescaped:\n%s", m.DedupeKey, bad, m.BodyHTML)
			}
		}
		if !strings.Contains(m.BodyHTML, "&lt;img src=x onerror=alert(1)&gt;") {
			t.Errorf("%s HTML lacks the escaped name:\n%s", m.DedupeKey, m.BodyHTML)
		}
	}
	if !strings.Contains(mails[0].BodyHTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("company not escaped as expected:\n%s", mails[0].BodyHTML)
	}
}

func writeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "fr/ack.txt", "Salut {{.Name}}, dossier {{.Reference}} (gabarit local).\n")
	writeFile(t, dir, "fr/README.md", "not a template, ignored\n")
	c := newComposer(t, func(cfg *ComposerConfig) { cfg.TemplatesDir = dir })
	app := &store.Application{Reference: "RSE-2026-0012", Applicant: elodie()}
	m, err := c.Acknowledgement(app, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.BodyText != "Salut Élodie Rouvière, dossier RSE-2026-0012 (gabarit local).\n" {
		t.Errorf("override not used: %q", m.BodyText)
	}
	if !strings.Contains(m.BodyHTML, "Bonjour Élodie Rouvière,") {
		t.Error("embedded HTML not used beside the overridden text")
	}

	for _, tc := range []struct{ file, content, want string }{
		{"fr/complete.html", `{{define "content"}}{{if}}{{end}}`, "fr/complete.html"},
		{"en/ack.subject.txt", "{{.Reference", "en/ack.subject.txt"},
		{"fr/ack.txt", "{{.NoSuchField}}", "fr/ack.txt"},
		{"fr/decision_declined.html", "<p>no content block</p>", "fr/decision_declined.html"},
		{"fr/layout.html", `<a href="{{.Program}}`, "fr/layout.html"},
		{"fr/labels.txt", "months = janvier\n", "fr/labels.txt"},
		{"fr/akc.txt", "typo", "fr/akc.txt"},
	} {
		dir := t.TempDir()
		writeFile(t, dir, tc.file, tc.content)
		_, err := NewComposer(ComposerConfig{ProgramName: "P", ProgramAddress: "a@b.c", TemplatesDir: dir})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("broken %s: error %v, want one naming %s", tc.file, err, tc.want)
		}
	}
	if _, err := NewComposer(ComposerConfig{ProgramName: "P", ProgramAddress: "a@b.c",
		TemplatesDir: filepath.Join(dir, "missing")}); err == nil {
		t.Error("a missing templates folder accepted")
	}
}

// TestEveryLanguageStarts: a composer reads only the configured language's
// embedded templates, when it composes a first mail, and tries them all
// at start only when some are overridden; so each language is read here
// and every template of it rendered with a full and an empty application,
// session and digest.
func TestEveryLanguageStarts(t *testing.T) {
	for _, lang := range Languages {
		c, err := NewComposer(ComposerConfig{ProgramName: "P", ProgramAddress: "a@b.c", Language: lang})
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if len(c.langs) != 0 {
			t.Errorf("%s: %d languages read at start, want none until a mail is composed", lang, len(c.langs))
		}
		if err := c.selfTest(); err != nil {
			t.Errorf("%s: %v", lang, err)
		}
		if len(c.langs) != 1 || c.langs[lang] == nil {
			t.Errorf("%s: read %d languages, want only %s", lang, len(c.langs), lang)
		}
	}
}
