package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// A store opened read-only reads everything and can write nothing, even
// where the file system would let it; a missing database is an error,
// never created.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "t.db")
	if _, err := store.OpenReadOnly(ctx, path); err == nil {
		t.Fatal("opened a database that does not exist")
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("OpenReadOnly created the database")
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		return tx.InsertMessage(ctx, &store.Message{SHA256: "s", BodySHA256: "b", Raw: []byte("x"), Kind: "other"})
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	ro, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if s, err := ro.Stats(ctx); err != nil || s.Messages != 1 {
		t.Errorf("stats %+v, %v", s, err)
	}
	err = ro.InTx(ctx, func(tx *store.Tx) error {
		return tx.InsertMessage(ctx, &store.Message{SHA256: "t", BodySHA256: "c", Raw: []byte("y"), Kind: "other"})
	})
	if err == nil {
		t.Error("wrote through a read-only store")
	}
}
