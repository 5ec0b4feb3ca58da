package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

// outboxFixture opens a store on a fixed clock with one application and
// n queued mails.
func outboxFixture(t *testing.T, n int) (*store.Store, *time.Time, *store.Application, []*store.OutboxMail) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	app := &store.Application{Status: store.StatusReceived, Applicant: store.Applicant{Email: "a@example.net"}}
	var mails []*store.OutboxMail
	err = st.InTx(ctx, func(tx *store.Tx) error {
		msg := &store.Message{SHA256: "s", BodySHA256: "b", Raw: []byte("x"), Kind: "application"}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		app.FirstMessageID = msg.ID
		if err := tx.CreateApplication(ctx, app, "RSE", 2026); err != nil {
			return err
		}
		for i := range n {
			m := &store.OutboxMail{Kind: store.MailAck, ApplicationID: app.ID, MessageID: msg.ID,
				DedupeKey: fmt.Sprintf("k%d", i), Recipient: "A@Example.net", Subject: "s",
				HeaderMsgID: fmt.Sprintf("<%d@x>", i), BodyText: "t", BodyHTML: "h",
				Parts: []store.MailPart{{Filename: "a.ics", ContentType: "text/calendar", Content: "BEGIN"}}}
			if err := tx.QueueMail(ctx, m); err != nil {
				return err
			}
			mails = append(mails, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, &now, app, mails
}

func TestOutboxDeliveryLifecycle(t *testing.T) {
	ctx := context.Background()
	st, now, app, mails := outboxFixture(t, 4)
	due, err := st.DueMails(ctx, *now, 10)
	if err != nil || len(due) != 4 {
		t.Fatalf("due: %d, %v", len(due), err)
	}
	d := due[0]
	if d.Reference != app.Reference || d.Recipient != "a@example.net" || len(d.Parts) != 1 ||
		d.Parts[0].Content != "BEGIN" || !d.CreatedAt.Equal(*now) || d.MessageID == 0 || d.ApplicationID != app.ID {
		t.Errorf("due row %+v", d)
	}
	if due, _ := st.DueMails(ctx, *now, 2); len(due) != 2 {
		t.Errorf("limit ignored: %d", len(due))
	}

	// Reservations: a second sender gets nothing.
	ids := []int64{mails[0].ID, mails[1].ID, mails[2].ID}
	claimed, err := st.ReserveMails(ctx, ids, *now, now.Add(10*time.Minute), store.SendLimits{PerHour: 10})
	if err != nil || len(claimed.IDs) != 3 || claimed.UsedHour != 0 {
		t.Fatalf("reserve: %+v, %v", claimed, err)
	}
	if again, _ := st.ReserveMails(ctx, ids, *now, now.Add(10*time.Minute), store.SendLimits{}); len(again.IDs) != 0 {
		t.Errorf("reserved twice: %+v", again)
	}
	if due, _ := st.DueMails(ctx, *now, 10); len(due) != 1 {
		t.Errorf("claimed rows still due: %d", len(due))
	}
	if err := st.ReleaseMails(ctx, []int64{mails[2].ID}, *now); err != nil {
		t.Fatal(err)
	}

	// Outcomes.
	if err := st.MarkSent(ctx, mails[0].ID, *now); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkRetry(ctx, mails[1].ID, 1, now.Add(time.Minute), "421 busy"); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkFailed(ctx, mails[2].ID, 1, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkCancelled(ctx, mails[3].ID, "to a coordinator"); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSent(ctx, 999, *now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("mark unknown: %v", err)
	}
	counts, err := st.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"pending": 1, "sent": 1, "failed": 1, "cancelled": 1}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("counts %v", counts)
	}
	sent, _ := st.OutboxMail(ctx, mails[0].ID)
	if sent.Status != store.OutboxSent || sent.Attempts != 1 || sent.SentAt == nil || sent.LastError != "" {
		t.Errorf("sent %+v", sent)
	}
	retry, _ := st.OutboxMail(ctx, mails[1].ID)
	if retry.Status != store.OutboxPending || retry.Attempts != 1 || retry.LastError != "421 busy" ||
		!retry.NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Errorf("retry %+v", retry)
	}
	// The sent mail and the one tried again later used their slots; the
	// released one gave its slot back before it failed.
	if r, _ := st.ReserveMails(ctx, nil, *now, *now, store.SendLimits{}); r.UsedHour != 2 {
		t.Errorf("slots used in the hour: %d", r.UsedHour)
	}
	if r, _ := st.ReserveMails(ctx, nil, now.Add(61*time.Minute), *now, store.SendLimits{}); r.UsedHour != 0 {
		t.Errorf("slots used an hour later: %d", r.UsedHour)
	}
	if l, _ := st.OutboxList(ctx, store.OutboxFailed); len(l) != 1 || l[0].ID != mails[2].ID || l[0].Reference != app.Reference {
		t.Errorf("failed list %+v", l)
	}
	if l, _ := st.OutboxList(ctx, ""); len(l) != 4 || l[0].ID != mails[3].ID {
		t.Errorf("full list (newest first): %d", len(l))
	}

	// Coordinator actions.
	if err := st.Retry(ctx, mails[0].ID); !errors.Is(err, store.ErrOutboxState) {
		t.Errorf("retry a sent mail: %v", err)
	}
	if err := st.Cancel(ctx, mails[0].ID); !errors.Is(err, store.ErrOutboxState) {
		t.Errorf("cancel a sent mail: %v", err)
	}
	if err := st.Retry(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("retry unknown: %v", err)
	}
	*now = now.Add(time.Hour)
	for _, id := range []int64{mails[2].ID, mails[3].ID} {
		if err := st.Retry(ctx, id); err != nil {
			t.Fatal(err)
		}
		m, _ := st.OutboxMail(ctx, id)
		if m.Status != store.OutboxPending || !m.NextAttemptAt.Equal(*now) {
			t.Errorf("retried %+v", m)
		}
	}
	if m, _ := st.OutboxMail(ctx, mails[2].ID); m.Attempts != 1 {
		t.Errorf("retry lost the attempt count: %d", m.Attempts)
	}
	if err := st.Cancel(ctx, mails[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := st.Cancel(ctx, mails[2].ID); !errors.Is(err, store.ErrOutboxState) {
		t.Errorf("cancel twice: %v", err)
	}
	if m, _ := st.OutboxMail(ctx, mails[2].ID); m.Status != store.OutboxCancelled || m.LastError == "" {
		t.Errorf("cancelled %+v", m)
	}
	if _, err := st.OutboxMail(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown mail: %v", err)
	}
}

// TestCancelledWhileSending: a mail cancelled while a sender was trying it
// stays cancelled whatever that attempt's outcome.
func TestCancelledWhileSending(t *testing.T) {
	ctx := context.Background()
	st, now, _, mails := outboxFixture(t, 2)
	for i, mark := range []func(id int64) error{
		func(id int64) error { return st.MarkRetry(ctx, id, 1, now.Add(time.Minute), "421 try later") },
		func(id int64) error { return st.MarkFailed(ctx, id, 1, "550 no such user") },
	} {
		id := mails[i].ID
		if err := st.Cancel(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := mark(id); err != nil {
			t.Fatal(err)
		}
		m, err := st.OutboxMail(ctx, id)
		if err != nil || m.Status != store.OutboxCancelled {
			t.Errorf("mail %d: status %q after the attempt's outcome, want cancelled (%v)", id, m.Status, err)
		}
	}
	if due, _ := st.DueMails(ctx, now.Add(time.Hour), 10); len(due) != 0 {
		t.Errorf("%d cancelled mails due again", len(due))
	}
}
