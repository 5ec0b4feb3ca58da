package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func userVersion(t *testing.T, st *Store) int {
	t.Helper()
	var v int
	if err := st.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrateFromEmpty(t *testing.T) {
	st := openTest(t)
	if got, want := userVersion(t, st), SchemaVersion(); got != want || want < 2 {
		t.Fatalf("user_version = %d, want %d (>= 2)", got, want)
	}
	var mode string
	if err := st.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := st.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

// TestMigrateFromEveryVersion builds a database at each earlier schema
// version, puts data in it, and checks that opening it with this binary
// upgrades it without losing the data.
func TestMigrateFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	for v := 1; v < SchemaVersion(); v++ {
		path := filepath.Join(t.TempDir(), "old.db")
		st, err := openNoMigrate(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.migrateTo(ctx, v); err != nil {
			t.Fatalf("migrate to %d: %v", v, err)
		}
		if _, err := st.db.Exec(`INSERT INTO messages (sha256, body_sha256, size, raw, stored_at, kind)
			VALUES ('a', 'b', 3, x'616263', '2026-11-02T08:00:00Z', 'application')`); err != nil {
			t.Fatalf("seed at version %d: %v", v, err)
		}
		st.Close()

		st2, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open version %d database: %v", v, err)
		}
		if got := userVersion(t, st2); got != SchemaVersion() {
			t.Errorf("from %d: user_version = %d, want %d", v, got, SchemaVersion())
		}
		raw, err := st2.MessageRaw(ctx, 1, Files{})
		if err != nil || string(raw) != "abc" {
			t.Errorf("from %d: message raw = %q, %v", v, raw, err)
		}
		st2.Close()
	}
}

func TestRefuseNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("Open on a newer schema: %v, want a refusal", err)
	}
}

func TestCheckpointAndDeliveries(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	key := MailboxKey{Server: "127.0.0.1:993", Username: "u", Mailbox: "INBOX"}
	cp, rescan, err := st.Checkpoint(ctx, key, 7)
	if err != nil || rescan || cp.LastUID != 0 {
		t.Fatalf("first checkpoint = %+v, rescan %v, %v", cp, rescan, err)
	}
	m := &Message{MailboxID: cp.ID, UID: 5, MessageID: "<a@b>", SHA256: "s1", BodySHA256: "b1", Raw: []byte("x"), Kind: "application"}
	err = st.InTx(ctx, func(tx *Tx) error {
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		return tx.AdvanceCheckpoint(ctx, cp.ID, 5)
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failed transaction leaves neither the message nor the checkpoint.
	boom := errors.New("boom")
	err = st.InTx(ctx, func(tx *Tx) error {
		m2 := &Message{MailboxID: cp.ID, UID: 6, SHA256: "s2", BodySHA256: "b2", Raw: []byte("y"), Kind: "other"}
		if err := tx.InsertMessage(ctx, m2); err != nil {
			return err
		}
		if err := tx.AdvanceCheckpoint(ctx, cp.ID, 6); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	cp, _, _ = st.Checkpoint(ctx, key, 7)
	if cp.LastUID != 5 {
		t.Errorf("checkpoint after rollback = %d, want 5", cp.LastUID)
	}
	_ = st.InTx(ctx, func(tx *Tx) error {
		got, err := tx.FindDelivery(ctx, Delivery{MessageID: "<a@b>", SHA256: "other", Body: known("b1")}, Files{})
		if err != nil || got == nil || got.ID != m.ID {
			t.Errorf("FindDelivery = %+v, %v; want message %d", got, err, m.ID)
		}
		got, _ = tx.FindDelivery(ctx, Delivery{MessageID: "<a@b>", SHA256: "x", Body: known("different body")}, Files{})
		if got != nil {
			t.Errorf("FindDelivery with another body = %+v, want none", got)
		}
		return nil
	})
	// A new UIDVALIDITY is a new checkpoint, and asks for a rescan.
	cp2, rescan, err := st.Checkpoint(ctx, key, 8)
	if err != nil || !rescan || cp2.ID == cp.ID || cp2.LastUID != 0 {
		t.Fatalf("new uidvalidity checkpoint = %+v, rescan %v, %v", cp2, rescan, err)
	}
	uids, err := st.PendingServerMarks(ctx, cp.ID)
	if err != nil || len(uids) != 1 || uids[0] != 5 {
		t.Fatalf("pending marks = %v, %v", uids, err)
	}
	if err := st.MarkServerDone(ctx, cp.ID, uids); err != nil {
		t.Fatal(err)
	}
	if uids, _ := st.PendingServerMarks(ctx, cp.ID); len(uids) != 0 {
		t.Errorf("pending marks after done = %v", uids)
	}
}

func TestApplicationReferencesAndFields(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	st.SetClock(func() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) })
	valid, four := true, 4
	var refs []string
	err := st.InTx(ctx, func(tx *Tx) error {
		for i := 0; i < 3; i++ {
			m := &Message{SHA256: "s", BodySHA256: "b", Raw: []byte("r"), Kind: "application"}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			a := &Application{Status: StatusIncomplete, FirstMessageID: m.ID, Applicant: Applicant{
				FirstName: "Élodie", LastName: "Rouvière", Siret: "81234567600017", SiretValid: &valid, Headcount: &four,
			}, Missing: []Missing{{Field: "phone"}}}
			if err := tx.CreateApplication(ctx, a, "RSE", 2026); err != nil {
				return err
			}
			refs = append(refs, a.Reference)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(refs, " ") != "RSE-2026-0001 RSE-2026-0002 RSE-2026-0003" {
		t.Fatalf("references = %v", refs)
	}
	a, err := st.Application(ctx, "rse-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	if a.FirstName != "Élodie" || *a.SiretValid != true || *a.Headcount != 4 || a.Phone != "" ||
		len(a.Missing) != 1 || a.Missing[0].Field != "phone" {
		t.Errorf("application read back = %+v", a)
	}
	if _, err := st.Application(ctx, "RSE-2026-0099"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown reference: %v, want ErrNotFound", err)
	}
}

func TestApplicantJSONAndFill(t *testing.T) {
	valid := false
	a := Applicant{FirstName: "Julien", Siret: "123", SiretValid: &valid}
	b, err := a.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"first_name":"Julien"`, `"last_name":null`, `"headcount":null`, `"siret_valid":false`} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON %s lacks %s", s, want)
		}
	}
	twelve := 12
	add := Applicant{FirstName: "Other", Phone: "+33612345678", Headcount: &twelve, Company: "X"}
	filled := a.FillFrom(&add, map[string]bool{"company": true})
	if a.FirstName != "Julien" || a.Phone != "+33612345678" || *a.Headcount != 12 || a.Company != "" {
		t.Errorf("FillFrom = %+v", a)
	}
	if strings.Join(filled, ",") != "phone,headcount" {
		t.Errorf("filled = %v", filled)
	}
}

func TestFilesContentAddressed(t *testing.T) {
	f := Files{Dir: filepath.Join(t.TempDir(), "files")}
	content := []byte("%PDF-1.4 fake cv")
	size, sha, err := f.Write(bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(content)
	if size != int64(len(content)) || sha != hex.EncodeToString(want[:]) {
		t.Errorf("Write = %d %s", size, sha)
	}
	got, err := os.ReadFile(f.Path(sha))
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("stored file = %q, %v", got, err)
	}
	// The same content again is kept once.
	if _, sha2, err := f.Write(bytes.NewReader(content)); err != nil || sha2 != sha {
		t.Fatalf("second Write = %s, %v", sha2, err)
	}
	entries, _ := os.ReadDir(f.Dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".incoming") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestTransactionCancelledSaysSo: a transaction whose context ends while
// it runs fails with the context's error, whatever database/sql reports
// of the rollback it made, so that a stopping poll is told from a broken
// store.
func TestTransactionCancelledSaysSo(t *testing.T) {
	st := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := st.InTx(ctx, func(tx *Tx) error {
		cancel()
		// database/sql rolls back when the context ends, in its own
		// goroutine: wait for it, then use the transaction.
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, err := tx.tx.ExecContext(context.Background(), `SELECT 1`)
			if err != nil || time.Now().After(deadline) {
				return err
			}
			time.Sleep(time.Millisecond)
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("InTx after its context ended: %v, want context.Canceled", err)
	}
	if err := st.InTx(context.Background(), func(tx *Tx) error { return nil }); err != nil {
		t.Fatalf("next transaction: %v", err)
	}
}
