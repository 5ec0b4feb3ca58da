package store_test

import (
	"context"
	"testing"

	"github.com/rse-lozere/rse-intake/store"
)

// openAt opens the store at path, closed when the test ends; opening a
// path already open stands for a second process (the daemon) on the same
// database.
func openAt(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
