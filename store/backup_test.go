package store_test

import (
	"context"
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
	cp, err := store.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	p, err := cp.Person(ctx, anne.email)
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
