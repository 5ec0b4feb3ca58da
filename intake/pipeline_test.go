package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/store"
)

// testComposer renders plain acknowledgements so that pipeline tests can
// see what is queued without depending on the notify templates.
type testComposer struct{ n int }

func (c *testComposer) mail(kind string, app *store.Application, answering *store.Message) *store.OutboxMail {
	c.n++
	return &store.OutboxMail{
		Kind: kind, Recipient: app.Email, Subject: kind + " " + app.Reference,
		HeaderMsgID: "<" + kind + "-" + app.Reference + "@example.org>", InReplyTo: answering.MessageID,
		DedupeKey: kind + ":" + app.Reference, BodyText: "missing: " + missingNote(app.Missing), BodyHTML: "<p>x</p>",
	}
}

func (c *testComposer) Acknowledgement(app *store.Application, _ []store.Attachment, m *store.Message) (*store.OutboxMail, error) {
	return c.mail(store.MailAck, app, m), nil
}

func (c *testComposer) Completion(app *store.Application, m *store.Message) (*store.OutboxMail, error) {
	return c.mail(store.MailComplete, app, m), nil
}

var corpusProgram = extract.Program{
	Address:         "rse.innovation.manageriale@gmail.com",
	Coordinators:    []string{"coordination@rse-lozere.fr"},
	ReferencePrefix: "RSE",
}

type truth struct {
	Kind              string  `json:"kind"`
	ShouldAcknowledge bool    `json:"should_acknowledge"`
	MessageID         *string `json:"message_id"`
	Completes         *string `json:"completes"`
}

func newTestPipeline(t *testing.T) (*Pipeline, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetClock(func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) })
	p := NewPipeline(st, Config{
		Program:  corpusProgram,
		Files:    store.Files{Dir: filepath.Join(dir, "files")},
		Composer: &testComposer{},
		Location: time.UTC,
	})
	return p, st
}

func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	sort.Strings(files)
	return files
}

// TestIngestCorpus takes the shared corpus in, in file order, and checks
// what the store decides: references in order, follow-ups threaded to the
// application they complete, the duplicate delivery not answered again,
// and exactly one acknowledgement per acknowledgeable application.
func TestIngestCorpus(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	byMsgID := map[string]string{} // Message-ID -> reference
	var acks int
	for _, f := range corpusFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want truth
		b, _ := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".json")
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		out, err := p.Ingest(ctx, Source{}, raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		if want.Kind == "application" && want.ShouldAcknowledge {
			acks++
			if !out.Created {
				t.Errorf("%s: no application created (outcome %+v)", name, out)
			}
			if want.MessageID != nil {
				byMsgID[*want.MessageID] = out.Reference
			}
		}
		if want.Completes != nil {
			if ref := byMsgID[*want.Completes]; out.Reference != ref || out.Created {
				t.Errorf("%s: completes %s, want %s (outcome %+v)", name, out.Reference, ref, out)
			}
		}
		if strings.HasPrefix(name, "20-") && (!out.Duplicate || len(out.Queued) > 0) {
			t.Errorf("%s: duplicate delivery not recognised: %+v", name, out)
		}
		if !want.ShouldAcknowledge {
			for _, q := range out.Queued {
				if q == store.MailAck {
					t.Errorf("%s: acknowledgement queued for a message that must not be answered", name)
				}
			}
		}
	}
	apps, err := st.Applications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != acks {
		t.Errorf("%d applications, want %d", len(apps), acks)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].ID < apps[j].ID })
	for i, a := range apps {
		if want := "RSE-2026-" + pad4(i+1); a.Reference != want {
			t.Errorf("application %d reference %s, want %s", i, a.Reference, want)
		}
	}
	s, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Messages != len(corpusFiles(t)) || s.Duplicates != 1 {
		t.Errorf("stats: %d messages (%d duplicates), want %d (1)", s.Messages, s.Duplicates, len(corpusFiles(t)))
	}
	var ackRows int
	err = st.InTx(ctx, func(tx *store.Tx) error {
		for _, a := range apps {
			has, err := tx.HasMail(ctx, "ack:"+a.Reference)
			if err != nil {
				return err
			}
			if has {
				ackRows++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ackRows != acks {
		t.Errorf("%d acknowledgements queued, want %d", ackRows, acks)
	}
	// 02 lacked its SIRET; 08 sent it: the file is complete, and the
	// follow-up's quoted history did not overwrite anything.
	a2, err := st.Application(ctx, "RSE-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	if a2.Siret != "42387196100011" {
		t.Errorf("RSE-2026-0002 siret = %q after its follow-up", a2.Siret)
	}
	hist, err := st.History(ctx, a2.ID)
	if err != nil || len(hist) < 2 {
		t.Errorf("RSE-2026-0002 history = %+v, %v", hist, err)
	}
}

func pad4(n int) string { return fmt.Sprintf("%04d", n) }

// TestIngestUnreadableAndDamaged: a message that cannot be read is kept
// raw for review and the next one still goes through.
func TestIngestUnreadableAndDamaged(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	garbage := []byte("\x00\x01\x02 not a mail at all \xff\xfe")
	out, err := p.Ingest(ctx, Source{}, garbage)
	if err != nil {
		t.Fatal(err)
	}
	if !out.NeedsReview || out.Reference == "" {
		t.Fatalf("garbage: %+v, want needs_review with an application to review", out)
	}
	a, err := st.Application(ctx, out.Reference)
	if err != nil || a.Status != store.StatusNeedsReview {
		t.Fatalf("garbage application = %+v, %v", a, err)
	}
	raw, err := st.MessageRaw(ctx, out.MessageID, p.cfg.Files)
	if err != nil || string(raw) != string(garbage) {
		t.Errorf("raw bytes not kept: %q %v", raw, err)
	}
	// The next message still goes through.
	good, _ := os.ReadFile("testdata/corpus/01-champs-etiquetes-utf8-qp.eml")
	if out, err := p.Ingest(ctx, Source{}, good); err != nil || !out.Created {
		t.Fatalf("message after garbage: %+v, %v", out, err)
	}
}

// failingComposer cannot write any mail, as when an address defeats it.
type failingComposer struct{}

func (failingComposer) Acknowledgement(*store.Application, []store.Attachment, *store.Message) (*store.OutboxMail, error) {
	return nil, fmt.Errorf("no usable e-mail address")
}

func (failingComposer) Completion(*store.Application, *store.Message) (*store.OutboxMail, error) {
	return nil, fmt.Errorf("no usable e-mail address")
}

// TestSenderCannotStopIntake: an address no mail can go to, or a mail
// that cannot be written, leaves the message stored, unanswered, and the
// next message goes through.
func TestSenderCannotStopIntake(t *testing.T) {
	ctx := context.Background()
	mailFrom := func(from, id string) []byte {
		return []byte("From: " + from + "\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature RSE\r\n" +
			"Message-ID: <" + id + "@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n\r\n" +
			"Bonjour, je souhaite candidater. Entreprise : Boulangerie Test, SIRET : 73282932000074, à Mende (48000).\r\n")
	}
	p, st := newTestPipeline(t)
	for i, from := range []string{"Jean <jean..dupont@example.fr>", "jean.dupont.@example.fr", "<jean@@example.fr>"} {
		out, err := p.Ingest(ctx, Source{}, mailFrom(from, fmt.Sprint("bad", i)))
		if err != nil {
			t.Fatalf("%s: %v", from, err)
		}
		if out.MessageID == 0 || len(out.Queued) != 0 {
			t.Errorf("%s: %+v, want stored and unanswered", from, out)
		}
	}
	p.cfg.Composer = failingComposer{}
	out, err := p.Ingest(ctx, Source{}, mailFrom("Anne Roux <anne.roux@example.fr>", "good"))
	if err != nil || !out.Created || len(out.Queued) != 0 {
		t.Fatalf("composer failure: %+v, %v; want stored, not queued", out, err)
	}
	h, err := st.History(ctx, mustApp(t, st, out.Reference).ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range h {
		found = found || (e.Action == "mail" && strings.Contains(e.Note, "no usable e-mail address"))
	}
	if !found {
		t.Errorf("history does not say the acknowledgement was not written: %+v", h)
	}
}

func mustApp(t *testing.T, st *store.Store, ref string) *store.Application {
	t.Helper()
	a, err := st.Application(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestThreadingBySenderAndReference: the same address applying for two
// companies makes two applications; a reference quoted from another
// address is kept with the application but fills nothing.
func TestThreadingBySenderAndReference(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	mail := func(from, id, subject, body string) []byte {
		return []byte("From: " + from + "\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: " + subject + "\r\n" +
			"Message-ID: <" + id + "@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)
	}
	ingest := func(raw []byte) Outcome {
		t.Helper()
		out, err := p.Ingest(ctx, Source{}, raw)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := ingest(mail("Paul Conseil <paul@conseil.fr>", "a1", "Candidature RSE",
		"Bonjour,\r\nJe souhaite candidater au programme.\r\nNom : Martin\r\nPrénom : Paul\r\nEntreprise : Boulangerie Martin\r\nCommune : Mende\r\nCode postal : 48000\r\n"))
	second := ingest(mail("Paul Conseil <paul@conseil.fr>", "a2", "Candidature RSE",
		"Bonjour,\r\nJe souhaite candidater au programme.\r\nNom : Martin\r\nPrénom : Paul\r\nEntreprise : Garage Durand\r\nCommune : Florac\r\nCode postal : 48400\r\nTéléphone : 06 12 34 56 78\r\n"))
	if !first.Created || !second.Created || first.Reference == second.Reference {
		t.Fatalf("two companies from one address: %+v then %+v, want two applications", first, second)
	}
	a1 := mustApp(t, st, first.Reference)
	if a1.Phone != "" || a1.Company != "Boulangerie Martin" {
		t.Errorf("first application took the second's facts: %+v", a1.Applicant)
	}

	// The same sender sends the missing SIRET: a follow-up of the open one.
	fu := ingest(mail("Paul Conseil <paul@conseil.fr>", "a3", "Re: Candidature RSE",
		"Bonjour, voici le SIRET de la boulangerie qui manquait : 732 829 320 00074\r\n"))
	if fu.Created || fu.Reference == "" {
		t.Errorf("follow-up by sender: %+v", fu)
	}

	// Someone else quotes the first reference with other facts.
	other := ingest(mail("Inconnu <x@ailleurs.fr>", "a4", "Au sujet de "+first.Reference,
		"Bonjour, concernant la candidature "+first.Reference+", le téléphone est 06 99 99 99 99.\r\n"))
	if other.Reference != first.Reference || other.Created || len(other.Queued) != 0 {
		t.Errorf("foreign reference: %+v, want linked to %s, nothing queued", other, first.Reference)
	}
	a1 = mustApp(t, st, first.Reference)
	if a1.Phone == "+33699999999" {
		t.Errorf("a stranger's mail filled the application: %+v", a1.Applicant)
	}

	// A colleague's reply-all in the thread fills nothing (kept with the
	// application when it reads as a follow-up, else stored on its own).
	reply := []byte("From: Cabinet Compta <compta@cabinet.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Re: Candidature RSE\r\nMessage-ID: <a5@cabinet.fr>\r\nIn-Reply-To: <a1@example.fr>\r\n" +
		"References: <a1@example.fr>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\n" +
		"Bonjour, je complète pour mon client : téléphone 06 11 11 11 11.\r\n")
	if out := ingest(reply); (out.Reference != "" && out.Reference != first.Reference) || out.Created || len(out.Queued) != 0 {
		t.Errorf("third-party reply: %+v, want nothing created nor answered", out)
	}
	if a1 = mustApp(t, st, first.Reference); a1.Phone != "" {
		t.Errorf("phone %q taken from a colleague's reply", a1.Phone)
	}
	// Nor does a reparse let either stranger's mail in.
	if _, err := p.Reparse(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if a1 = mustApp(t, st, first.Reference); a1.Phone != "" {
		t.Errorf("phone %q taken from a stranger's mail (after reparse)", a1.Phone)
	}
}

// TestBacklogThreading: an application and its follow-up that arrived two
// months before the first poll are threaded as they would have been then.
func TestBacklogThreading(t *testing.T) {
	ctx := context.Background()
	p, _ := newTestPipeline(t)
	arrived := p.st.Now().Add(-60 * 24 * time.Hour)
	app := []byte("From: Anne Roux <anne.roux@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Candidature RSE\r\nMessage-ID: <old1@example.fr>\r\n\r\n" +
		"Bonjour, je souhaite candidater.\r\nNom : Roux\r\nPrénom : Anne\r\nEntreprise : Boulangerie Roux\r\nCommune : Mende\r\n")
	fu := []byte("From: Anne Roux <anne.roux@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Mon SIRET\r\nMessage-ID: <old2@example.fr>\r\n\r\n" +
		"Bonjour, comme promis voici mon numéro SIRET : 732 829 320 00074 et mon téléphone 06 12 34 56 78.\r\n")
	first, err := p.Ingest(ctx, Source{Arrived: arrived}, app)
	if err != nil || !first.Created {
		t.Fatalf("%+v %v", first, err)
	}
	second, err := p.Ingest(ctx, Source{Arrived: arrived.Add(24 * time.Hour)}, fu)
	if err != nil || second.Created || second.Reference != first.Reference {
		t.Errorf("backlog follow-up: %+v, %v; want it threaded to %s", second, err, first.Reference)
	}
}

func TestReceivedAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	arrived := now.Add(-48 * time.Hour)
	cases := []struct {
		name          string
		arrived, date time.Time
		want          time.Time
	}{
		{"no dates", time.Time{}, time.Time{}, now},
		{"server arrival", arrived, time.Time{}, arrived},
		{"server arrival wins over the sender's date", arrived, arrived.Add(-time.Hour), arrived},
		{"sender date without arrival", time.Time{}, now.Add(-time.Hour), now.Add(-time.Hour)},
		{"sender date in 2001", time.Time{}, time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), now},
		{"sender date in the future", time.Time{}, now.Add(time.Hour), now},
		{"arrival in the future", now.Add(time.Hour), time.Time{}, now},
	}
	for _, c := range cases {
		if got := receivedAt(c.arrived, c.date, now); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRefusedAttachments: a program and an attachment above the size limit
// are recorded, with why, but never written to disk.
func TestRefusedAttachments(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	p.cfg.MaxAttachmentSize = 1 << 10
	big := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 100) // 2.6 KB decoded
	raw := "From: Anne Roux <anne.roux@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Candidature RSE\r\nMessage-ID: <att@example.fr>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Bonjour, je candidate. Entreprise : Boulangerie Roux, à Mende (48000).\r\n" +
		"--b\r\nContent-Type: application/octet-stream; name=\"outil.exe\"\r\nContent-Disposition: attachment; filename=\"outil.exe\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"cv.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + big +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"kbis.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
	out, err := p.Ingest(ctx, Source{}, []byte(raw))
	if err != nil || !out.Created {
		t.Fatalf("%+v, %v", out, err)
	}
	atts, err := st.Attachments(ctx, mustApp(t, st, out.Reference).ID, 0)
	if err != nil || len(atts) != 3 {
		t.Fatalf("attachments %+v, %v", atts, err)
	}
	for _, a := range atts {
		_, statErr := os.Stat(p.cfg.Files.Path(a.SHA256))
		onDisk := statErr == nil
		switch a.Filename {
		case "outil.exe", "cv.pdf":
			if a.Stored || a.Refused == "" || onDisk {
				t.Errorf("%s: stored %v, refused %q, on disk %v; want refused and not kept", a.Filename, a.Stored, a.Refused, onDisk)
			}
		case "kbis.pdf":
			if !a.Stored || a.Refused != "" || !onDisk {
				t.Errorf("kbis.pdf: stored %v, refused %q, on disk %v", a.Stored, a.Refused, onDisk)
			}
		}
	}
}
