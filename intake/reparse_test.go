package intake

import (
	"context"
	"os"
	"testing"
)

// TestReparseKeepsCorrections: reparse rebuilds applications from their
// stored raw mail, follow-ups included, and leaves what a coordinator
// corrected as the coordinator set it.
func TestReparseKeepsCorrections(t *testing.T) {
	ctx := context.Background()
	p, st := newTestPipeline(t)
	for _, f := range corpusFiles(t) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Ingest(ctx, Source{}, raw); err != nil {
			t.Fatal(err)
		}
	}
	before, err := st.Application(ctx, "RSE-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetField(ctx, "RSE-2026-0002", "company", "Scierie Pradal (corrigé)", "test"); err != nil {
		t.Fatal(err)
	}
	// Wipe an extracted field behind the store's back, as an older parser
	// that missed it would have left it.
	if _, err := st.DB().Exec(`UPDATE applications SET commune = NULL WHERE reference = 'RSE-2026-0002'`); err != nil {
		t.Fatal(err)
	}
	outboxRows := func() int {
		var n int
		if err := st.DB().QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	queuedBefore := outboxRows()
	n, err := p.Reparse(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(corpusFiles(t)) {
		t.Errorf("reparsed %d messages, want %d", n, len(corpusFiles(t)))
	}
	after, err := st.Application(ctx, "RSE-2026-0002")
	if err != nil {
		t.Fatal(err)
	}
	if after.Company != "Scierie Pradal (corrigé)" {
		t.Errorf("corrected company = %q after reparse", after.Company)
	}
	if after.Commune != before.Commune || after.Commune == "" {
		t.Errorf("commune = %q after reparse, want %q back", after.Commune, before.Commune)
	}
	// The SIRET came from the follow-up (08): still there.
	if after.Siret != before.Siret || after.Siret == "" {
		t.Errorf("siret = %q after reparse, want %q", after.Siret, before.Siret)
	}
	if after.Status != before.Status {
		t.Errorf("status %s -> %s after reparse", before.Status, after.Status)
	}
	if q := outboxRows(); q != queuedBefore {
		t.Errorf("reparse queued mail: %d outbox rows, %d before", q, queuedBefore)
	}

	// One application only.
	if n, err := p.Reparse(ctx, "RSE-2026-0002"); err != nil || n != 2 {
		t.Errorf("reparse one application: %d messages, %v; want 2 (the application and its follow-up)", n, err)
	}
}
