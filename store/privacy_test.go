package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

// person is one applicant of the privacy fixtures.
type person struct {
	first, last, email, phone, company string
}

var (
	anne = person{"Anne", "Roux", "anne.roux@example.fr", "+33611223344", "Boulangerie Roux"}
	luc  = person{"Luc", "Bel", "luc.bel@example.fr", "+33655443322", "Bel Menuiserie"}
)

// privacyFixture stores, for each person, an application from its own
// mail with a CV and a shared brochure attached, and its acknowledgement;
// plus a bounce quoting Anne's address and a coordinators' digest naming
// her. It returns the store, its files and the database path.
func privacyFixture(t *testing.T) (*store.Store, store.Files, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "rse.db")
	st := openAt(t, path)
	files := store.Files{Dir: path + ".files"}
	brochure := []byte("%PDF brochure de la CCI, la même pour tous")
	for i, p := range []person{anne, luc} {
		raw := fmt.Sprintf("From: %s %s <%s>\r\nSubject: Candidature\r\n\r\nNom : %s\r\nTéléphone : %s\r\n",
			p.first, p.last, p.email, p.last, p.phone)
		cv := []byte(fmt.Sprintf("%%PDF CV de %s %s, %s", p.first, p.last, p.phone))
		err := st.InTx(ctx, func(tx *store.Tx) error {
			m := &store.Message{SHA256: fmt.Sprint("raw", i), BodySHA256: fmt.Sprint("body", i), Raw: []byte(raw),
				FromEmail: p.email, FromName: p.first + " " + p.last, Subject: "Candidature", Kind: "application",
				Parsed: []byte(fmt.Sprintf(`{"text":"Nom : %s"}`, p.last))}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			a := &store.Application{Status: store.StatusReceived, FirstMessageID: m.ID, Applicant: store.Applicant{
				FirstName: p.first, LastName: p.last, Email: p.email, Phone: p.phone, Company: p.company}}
			if err := tx.CreateApplication(ctx, a, "RSE", 2026); err != nil {
				return err
			}
			if err := tx.LinkMessage(ctx, m.ID, a.ID); err != nil {
				return err
			}
			for pos, content := range [][]byte{cv, brochure} {
				size, sha, err := files.Write(bytes.NewReader(content))
				if err != nil {
					return err
				}
				if err := tx.InsertAttachment(ctx, &store.Attachment{MessageID: m.ID, ApplicationID: a.ID, Position: pos,
					Filename: fmt.Sprintf("piece-%d-%s.pdf", pos, p.last), ContentType: "application/pdf", Size: size,
					SHA256: sha, Stored: true}); err != nil {
					return err
				}
			}
			if err := tx.Audit(ctx, a.ID, store.AuditEntry{Actor: "claire", Action: "set", Field: "phone", To: p.phone}); err != nil {
				return err
			}
			return tx.QueueMail(ctx, &store.OutboxMail{Kind: store.MailAck, ApplicationID: a.ID, MessageID: m.ID,
				DedupeKey: "ack:" + a.Reference, Recipient: p.email, RecipientName: p.first + " " + p.last,
				Subject: "Votre candidature " + a.Reference, HeaderMsgID: fmt.Sprintf("<ack-%d@rse>", i),
				BodyText: "Bonjour " + p.first, BodyHTML: "<p>Bonjour " + p.first + "</p>"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		bounce := &store.Message{SHA256: "rawb", BodySHA256: "bodyb", FromEmail: "mailer-daemon@example.fr",
			Raw:  []byte("From: MAILER-DAEMON@example.fr\r\n\r\nDelivery to ANNE.ROUX@example.fr failed\r\n"),
			Kind: "bounce", Parsed: []byte(`{}`)}
		if err := tx.InsertMessage(ctx, bounce); err != nil {
			return err
		}
		return tx.QueueMail(ctx, &store.OutboxMail{Kind: "digest", Recipient: "coordination@example.org",
			Subject: "Nouvelles candidatures", HeaderMsgID: "<digest-1@rse>",
			BodyText: "Anne Roux (Boulangerie Roux), Luc Bel (Bel Menuiserie)", BodyHTML: "<p>2</p>"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, files, path
}

// traces returns which of needles (any case) occur in the database files
// or under the attachments folder.
func traces(t *testing.T, dbPath, filesDir string, needles ...string) []string {
	t.Helper()
	var found []string
	look := func(path string) {
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ToLower(b)
		for _, n := range needles {
			if bytes.Contains(b, []byte(strings.ToLower(n))) {
				found = append(found, fmt.Sprintf("%q in %s", n, filepath.Base(path)))
			}
		}
	}
	for _, p := range store.DatabaseFiles(dbPath) {
		look(p)
	}
	filepath.WalkDir(filesDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			look(p)
		}
		return nil
	})
	return found
}

func TestPersonGathersEverything(t *testing.T) {
	ctx := context.Background()
	st, _, _ := privacyFixture(t)
	p, err := st.Person(ctx, "  Anne.Roux@EXAMPLE.fr ", store.Files{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Applications) != 1 || p.Applications[0].LastName != "Roux" {
		t.Fatalf("applications = %+v", p.Applications)
	}
	if len(p.Messages) != 1 || p.Messages[0].Kind != "bounce" {
		t.Errorf("messages outside the application = %+v, want the bounce quoting the address", p.Messages)
	}
	kinds := map[string]int{}
	for _, m := range p.Mails {
		kinds[m.Kind]++
	}
	if kinds["ack"] != 1 || kinds["digest"] != 1 || len(p.Mails) != 2 {
		t.Errorf("mails = %v, want her acknowledgement and the digest naming her", kinds)
	}
	if nobody, err := st.Person(ctx, "nobody@example.fr", store.Files{}); err != nil || !nobody.Empty() {
		t.Errorf("person of an unknown address = %+v, %v", nobody, err)
	}
}

func TestForgetLeavesNoTrace(t *testing.T) {
	ctx := context.Background()
	st, files, dbPath := privacyFixture(t)
	before := traces(t, dbPath, files.Dir, anne.email, anne.last, anne.phone)
	if len(before) == 0 {
		t.Fatal("the fixture holds no trace of Anne: the test would prove nothing")
	}
	er, err := st.Forget(ctx, anne.email, "claire", files)
	if err != nil {
		t.Fatal(err)
	}
	if len(er.Applications) != 1 || er.Messages != 2 || er.Mails != 2 || er.Files != 1 || er.SharedFiles != 1 {
		t.Errorf("erasure = %+v, want 1 application, 2 messages, 2 mails, 1 file deleted and 1 shared kept", er)
	}
	if left := traces(t, dbPath, files.Dir, anne.email, anne.last, anne.phone, "Boulangerie"); len(left) > 0 {
		t.Errorf("after forget: %v", left)
	}
	// Luc is untouched, his files too (the shared brochure included).
	p, err := st.Person(ctx, luc.email, store.Files{})
	if err != nil || len(p.Applications) != 1 || len(p.Mails) != 1 {
		t.Fatalf("Luc after Anne's erasure: %+v, %v", p, err)
	}
	atts, err := st.Attachments(ctx, p.Applications[0].ID, 0)
	if err != nil || len(atts) != 2 {
		t.Fatalf("Luc's attachments: %v, %v", atts, err)
	}
	for _, a := range atts {
		if _, err := os.Stat(files.Path(a.SHA256)); err != nil {
			t.Errorf("Luc's file %s: %v", a.Filename, err)
		}
	}
	if p, err := st.Person(ctx, anne.email, store.Files{}); err != nil || !p.Empty() {
		t.Errorf("person after forget = %+v, %v", p, err)
	}
	reg, err := st.Erasures(ctx)
	if err != nil || len(reg) != 1 || !strings.Contains(reg[0], "application RSE-2026-0001 erased on request, by claire") {
		t.Errorf("register = %q, %v", reg, err)
	}
}

// TestForgetWhileDaemonOpen: the daemon keeps the database open (idle
// between polls) while a coordinator runs forget: the erasure still
// leaves the file and the write-ahead log clean, and the daemon reads on.
func TestForgetWhileDaemonOpen(t *testing.T) {
	ctx := context.Background()
	st, files, dbPath := privacyFixture(t)
	daemon := openAt(t, dbPath)
	if _, err := daemon.Stats(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forget(ctx, anne.email, "claire", files); err != nil {
		t.Fatal(err)
	}
	if left := traces(t, dbPath, files.Dir, anne.email, anne.last, anne.phone); len(left) > 0 {
		t.Errorf("after forget beside an open daemon: %v", left)
	}
	if p, err := daemon.Person(ctx, luc.email, store.Files{}); err != nil || len(p.Applications) != 1 {
		t.Errorf("the daemon's view after the erasure: %+v, %v", p, err)
	}
}

// TestForgetRemovesSessionReminders: the reminders of a session planned
// for or sent to the person go with them (the register of who was
// reminded names them too).
func TestForgetRemovesSessionReminders(t *testing.T) {
	ctx := context.Background()
	st, files, dbPath := privacyFixture(t)
	p := mustPerson(t, st, anne.email)
	start := time.Now().Add(48 * time.Hour)
	err := st.InTx(ctx, func(tx *store.Tx) error {
		if _, _, err := tx.SyncSession(ctx, store.SessionState{ID: "lancement-2026", Start: start, End: start.Add(2 * time.Hour),
			Location: "Mende"}); err != nil {
			return err
		}
		// Anne as a selected applicant, and as an address named in the
		// session's audience; Luc named too.
		for i, who := range []struct {
			email, offset string
			app           int64
		}{{anne.email, "24h0m0s", p.Applications[0].ID}, {"Anne.Roux@example.fr", "168h0m0s", 0}, {luc.email, "24h0m0s", 0}} {
			err := tx.QueueSessionMail(ctx, &store.SessionMail{SessionID: "lancement-2026", Recipient: who.email,
				Offset: who.offset, ApplicationID: who.app}, &store.OutboxMail{Kind: store.MailReminder,
				ApplicationID: who.app, Recipient: who.email, Subject: "Rappel", HeaderMsgID: fmt.Sprintf("<rem-%d@rse>", i),
				BodyText: "Rappel", BodyHTML: "<p>Rappel</p>"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forget(ctx, anne.email, "claire", files); err != nil {
		t.Fatal(err)
	}
	sms, err := st.SessionMails(ctx, "lancement-2026")
	if err != nil {
		t.Fatal(err)
	}
	if len(sms) != 1 || sms[0].Recipient != luc.email {
		t.Errorf("session mails after forget = %+v, want Luc's only", sms)
	}
	if left := traces(t, dbPath, files.Dir, anne.email, anne.last); len(left) > 0 {
		t.Errorf("after forget: %v", left)
	}
}
