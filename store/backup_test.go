package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

func TestBackupWhileOpen(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	st, files, _ := privacyFixture(t)
	dst := filepath.Join(t.TempDir(), "backups", "rse-2026-12-02.db")
	res, err := st.Backup(ctx, dst, files)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 3 || res.Missing != 0 {
		t.Errorf("backup = %+v, want 3 files (two CVs, one shared brochure)", res)
	}
	if loose := looseModes(t, filepath.Dir(dst)); len(loose) > 0 {
		t.Errorf("backup not owner-only: %v", loose)
	}
	// The copy is a database of its own, complete, without a WAL beside it.
	if _, err := os.Stat(dst + "-wal"); err == nil {
		t.Error("the backup has a -wal file: copying the .db alone would not restore it")
	}
	cp := openAt(t, dst)
	p, err := cp.Person(ctx, anne.email, store.Files{})
	if err != nil || len(p.Applications) != 1 || len(p.Mails) != 2 {
		t.Fatalf("Anne in the backup: %+v, %v", p, err)
	}
	atts, err := cp.Attachments(ctx, p.Applications[0].ID, 0)
	if err != nil || len(atts) != 2 {
		t.Fatal(atts, err)
	}
	for _, a := range atts {
		if _, err := os.Stat(store.Files{Dir: res.Attachments}.Path(a.SHA256)); err != nil {
			t.Errorf("backup lacks %s: %v", a.Filename, err)
		}
	}
	if _, err := st.Backup(ctx, dst, files); err == nil {
		t.Error("a second backup over the first succeeded")
	}
}

// TestBackupWhileWriting: a second process (the daemon) keeps writing
// while the backup runs; the copy is a sound database holding a prefix
// of what was written.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	st, files, dbPath := privacyFixture(t)
	daemon := openAt(t, dbPath)
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			err := daemon.InTx(ctx, func(tx *store.Tx) error {
				return tx.InsertMessage(ctx, &store.Message{SHA256: fmt.Sprint("w", n), BodySHA256: fmt.Sprint("wb", n),
					Raw: []byte("Subject: x\r\n\r\nbody"), Kind: "bulk"})
			})
			if err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	dst := filepath.Join(t.TempDir(), "copy.db")
	_, berr := st.Backup(ctx, dst, files)
	close(stop)
	written := <-done
	if berr != nil {
		t.Fatal(berr)
	}
	cp := openAt(t, dst)
	var check string
	if err := cp.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	stats, err := cp.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Messages < 3 || stats.Messages > 3+written {
		t.Errorf("copy has %d messages; the fixture has 3 and %d were written meanwhile", stats.Messages, written)
	}
	t.Logf("%d messages written during the backup, %d in the copy", written, stats.Messages-3)
}
