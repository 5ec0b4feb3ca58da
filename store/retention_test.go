package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

func TestPurgeAppliesRetention(t *testing.T) {
	ctx := context.Background()
	st, files, dbPath := privacyFixture(t)
	day := 24 * time.Hour
	r := store.Retention{Default: 365 * day, Selected: 3 * 365 * day}
	// The fixture was stored now; selecting Luc is his last activity.
	p, err := st.Person(ctx, luc.email, store.Files{})
	if err != nil {
		t.Fatal(err)
	}
	ref := p.Applications[0].Reference
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		return tx.SetStatusAuto(ctx, p.Applications[0], store.StatusComplete, "")
	}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{store.StatusShortlisted, store.StatusSelected} {
		if _, err := st.Review(ctx, ref, to, "", "claire"); err != nil {
			t.Fatal(err)
		}
	}
	// The acknowledgements are still pending: deliver them, as the sender would.
	for _, m := range append(p.Mails, mustPerson(t, st, anne.email).Mails...) {
		if m.Status == "pending" {
			if err := st.MarkSent(ctx, m.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	purge := func(at time.Time, dry bool) *store.Erasure {
		t.Helper()
		st.SetClock(func() time.Time { return at })
		er, err := st.Purge(ctx, r, files, "retention", dry)
		if err != nil {
			t.Fatal(err)
		}
		return er
	}
	now := time.Now()
	if er := purge(now.Add(300*day), false); len(er.Applications)+er.Messages+er.Mails != 0 {
		t.Errorf("purge before a year erased %+v", er)
	}
	dry := purge(now.Add(400*day), true)
	if fmt.Sprint(dry.Applications) != "[RSE-2026-0001]" || dry.Messages != 2 || dry.Mails != 2 {
		t.Errorf("dry run after 400 days = %+v, want Anne's application, her message and the bounce, her ack and the digest", dry)
	}
	if p := mustPerson(t, st, anne.email); p.Empty() {
		t.Fatal("the dry run erased")
	}
	er := purge(now.Add(400*day), false)
	if fmt.Sprint(er.Applications) != "[RSE-2026-0001]" || er.Messages != 2 || er.Files != 1 {
		t.Errorf("purge after 400 days = %+v", er)
	}
	if left := traces(t, dbPath, files.Dir, anne.email, anne.phone); len(left) > 0 {
		t.Errorf("after purge: %v", left)
	}
	if p := mustPerson(t, st, luc.email); len(p.Applications) != 1 {
		t.Errorf("the selected participant was purged after 400 days")
	}
	if er := purge(now.Add(3*365*day+2*day), false); fmt.Sprint(er.Applications) != "["+ref+"]" {
		t.Errorf("purge after three years = %+v, want the selected participant", er)
	}
	reg, err := st.Erasures(ctx)
	if err != nil || len(reg) != 2 || !strings.Contains(reg[0], "erased at the end of the retention period (365d, selected 1095d), by retention") {
		t.Errorf("register = %q, %v", reg, err)
	}
}

func mustPerson(t *testing.T, st *store.Store, email string) *store.Person {
	t.Helper()
	p, err := st.Person(context.Background(), email, store.Files{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
