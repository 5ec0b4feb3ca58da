package notify

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of rendered mails")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./notify -run Golden -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the rendering (go test ./notify -run Golden -update rewrites it):\n%s", path, got)
	}
}

// TestGoldenSessionMails pins what participants and coordinators read:
// the reminder, its update and its cancellation with their calendars, in
// both languages, and a digest.
func TestGoldenSessionMails(t *testing.T) {
	stamp := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for _, lang := range Languages {
		c := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = lang })
		s := launch(t)
		s.Location = "Maison de l'entreprise, 2 rue de l'Ange, Mende"
		s.Description = "Accueil à partir de 18 h.\nPrésentation du programme; échanges avec le groupe fondateur."
		r := Recipient{Email: "elodie@example.net", Name: "Élodie Rouvière",
			Application: &store.Application{ID: 1, Reference: "RSE-2026-0001"}}
		var b strings.Builder
		for i, what := range []string{SessionMailReminder, SessionMailUpdate, SessionMailCancel} {
			m, err := c.SessionMail(&s, i, r, what, stamp)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString("Subject: " + m.Subject + "\n\n" + m.BodyText + "\n--- " + m.Parts[0].ContentType + "\n" +
				strings.ReplaceAll(m.Parts[0].Content, "\r\n", "\n") + "\n")
		}
		golden(t, "reminder_"+lang+".golden", b.String())

		d := &Digest{loc: paris(t), Start: time.Date(2026, 12, 1, 8, 0, 0, 0, paris(t)), End: time.Date(2026, 12, 2, 8, 0, 0, 0, paris(t)),
			New: []DigestApplication{
				{Reference: "RSE-2026-0001", Name: "Élodie Rouvière", Company: "Atelier Lumière du Gévaudan", Commune: "48000 Mende", Eligible: true},
				{Reference: "RSE-2026-0002", Name: "Julien Pradal", Company: "Scierie Pradal & Fils", Commune: "48400 Florac",
					Missing: []store.Missing{{Field: "siret"}}, Reasons: []string{"SIRET manquant"}},
			},
			Waiting: []DigestMessage{{Why: WaitQuestion, From: "Franck Teissier <franck@example.fr>", Subject: "Avant de candidater",
				StoredAt: time.Date(2026, 12, 1, 15, 4, 0, 0, time.UTC)}},
			Quiet:    []DigestApplication{{Reference: "RSE-2026-0003", Name: "Nathalie Bouniol", Missing: []store.Missing{{Field: "siret"}}, LastNews: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}},
			Counts:   map[string]int{store.StatusComplete: 14, store.StatusIncomplete: 4},
			Failures: []*store.OutboxMail{{Kind: store.MailAck, Recipient: "gone@example.net", LastError: "550 5.1.1 no such user"}},
			Sessions: []DigestSession{{Title: s.Title, Start: s.Start, Location: "Mende", Reminded: 3, Pending: 1}},
		}
		text, err := c.RenderDigestText(d)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "digest_"+lang+".golden", text)
	}
}
