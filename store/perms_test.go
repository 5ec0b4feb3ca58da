package store_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// withUmask runs the test under umask, the usual 022 of a shell, which
// would make files 0644 and folders 0755 if modes were left to it.
func withUmask(t *testing.T, umask int) {
	t.Helper()
	old := syscall.Umask(umask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// modes returns every path under root (root included) with a mode that
// others than the owner can use.
func looseModes(t *testing.T, root string) []string {
	t.Helper()
	var loose []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			loose = append(loose, p+" "+info.Mode().Perm().String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return loose
}

func TestStoreFilesOwnerOnlyWithUmask022(t *testing.T) {
	withUmask(t, 0o022)
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(root, "sub", "rse.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	files := store.Files{Dir: path + ".files"}
	if _, _, err := files.Write(bytes.NewReader([]byte("CV"))); err != nil {
		t.Fatal(err)
	}
	// A write makes SQLite create the WAL and shared-memory files.
	if _, err := st.Stats(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range store.DatabaseFiles(path)[1:] {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s was not created: the test would not check its mode (%v)", p, err)
		}
	}
	if loose := looseModes(t, root); len(loose) > 0 {
		t.Errorf("not owner-only: %v", loose)
	}
	if w := store.CheckPermissions(append(store.DatabaseFiles(path), files.Dir)); len(w) > 0 {
		t.Errorf("CheckPermissions on owner-only files: %v", w)
	}
}

func TestCheckPermissionsWarns(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "rse.db")
	pass := filepath.Join(dir, "imap.pass")
	att := filepath.Join(dir, "rse.db.files")
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pass, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(att, "ab"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ab/ab1", "ab/ab2"} {
		if err := os.WriteFile(filepath.Join(att, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{db, db + "-wal", pass, att}
	if w := store.CheckPermissions(paths); len(w) != 0 {
		t.Fatalf("owner-only files: %v", w)
	}
	for _, p := range []string{db, pass} {
		os.Chmod(p, 0o644)
	}
	os.Chmod(filepath.Join(att, "ab", "ab2"), 0o640)
	w := store.CheckPermissions(paths)
	got := strings.Join(w, "\n")
	if len(w) != 3 || !strings.Contains(got, "rse.db can be read by others than its owner (mode 0644): chmod 600") ||
		!strings.Contains(got, "imap.pass can be read") || !strings.Contains(got, "1 files or folders under") {
		t.Errorf("warnings = %q", w)
	}
}
