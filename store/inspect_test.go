package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func TestOpenReadOnlyRefusesWritesAndMissingFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rse.db")
	if _, err := OpenReadOnly(ctx, path); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing database: %v, want ErrNotFound", err)
	}
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if v, err := ro.SchemaVersionOf(ctx); err != nil || v != SchemaVersion() {
		t.Errorf("schema version %d, %v; want %d", v, err, SchemaVersion())
	}
	if _, err := ro.Checkpoints(ctx); err != nil {
		t.Errorf("reading: %v", err)
	}
	if _, err := ro.DB().ExecContext(ctx, `DELETE FROM outbox`); err == nil {
		t.Error("a write went through a read-only store")
	}
	if n, err := Size(path); err != nil || n == 0 {
		t.Errorf("size %d, %v", n, err)
	}
}
