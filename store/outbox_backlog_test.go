package store_test

import (
	"context"
	"testing"
	"time"
)

func TestOutboxBacklogFollowsRetriesAndSends(t *testing.T) {
	ctx := context.Background()
	st, now, _, mails := outboxFixture(t, 3)
	b, err := st.OutboxBacklog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Pending != 3 || !b.OldestPending.Equal(*now) || !b.NextDue.Equal(*now) {
		t.Errorf("fresh backlog %+v", b)
	}
	if err := st.MarkSent(ctx, mails[0].ID, *now); err != nil {
		t.Fatal(err)
	}
	later := now.Add(5 * time.Minute)
	for _, m := range mails[1:] {
		if err := st.MarkRetry(ctx, m.ID, 1, later, "421 busy"); err != nil {
			t.Fatal(err)
		}
	}
	b, err = st.OutboxBacklog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b.Pending != 2 || !b.OldestPending.Equal(*now) || !b.NextDue.Equal(later) {
		t.Errorf("backlog after a send and two retries %+v, want 2 pending due at %s", b, later)
	}
	for _, m := range mails[1:] {
		if err := st.MarkSent(ctx, m.ID, later); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ = st.OutboxBacklog(ctx); b.Pending != 0 || !b.OldestPending.IsZero() || !b.NextDue.IsZero() {
		t.Errorf("empty backlog %+v", b)
	}
	if err := st.Ping(ctx); err != nil {
		t.Error(err)
	}
}
