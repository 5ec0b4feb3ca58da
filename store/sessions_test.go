package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSessionSequenceRisesOnlyWhenTimeOrPlaceChanges(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	start := time.Date(2026, 12, 3, 17, 30, 0, 0, time.UTC)
	s := SessionState{ID: "s1", Start: start, End: start.Add(2 * time.Hour), Location: "Mende"}
	steps := []struct {
		change  func(*SessionState)
		seq     int
		changed bool
	}{
		{func(*SessionState) {}, 0, false},
		{func(*SessionState) {}, 0, false},
		{func(s *SessionState) { s.Start = s.Start.Add(time.Hour) }, 1, true},
		{func(s *SessionState) { s.Location = "Florac" }, 2, true},
		{func(s *SessionState) { s.Start = s.Start.In(time.FixedZone("CET", 3600)) }, 2, false}, // same instant
		{func(s *SessionState) { s.Cancelled = true }, 3, true},
	}
	for i, step := range steps {
		step.change(&s)
		var cur SessionState
		var changed bool
		err := st.InTx(ctx, func(tx *Tx) error {
			var err error
			cur, changed, err = tx.SyncSession(ctx, s)
			return err
		})
		if err != nil || cur.Sequence != step.seq || changed != step.changed {
			t.Errorf("step %d: sequence %d changed %v (%v), want %d %v", i, cur.Sequence, changed, err, step.seq, step.changed)
		}
	}
	got, err := st.Session(ctx, "s1")
	if err != nil || got.Sequence != 3 || !got.Cancelled || got.Location != "Florac" {
		t.Errorf("stored: %+v %v", got, err)
	}
	if _, err := st.Session(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
}

func TestSessionMailOncePerRecipientAndOffset(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	queue := func(recipient, offset, msgID string) error {
		return st.InTx(ctx, func(tx *Tx) error {
			if _, _, err := tx.SyncSession(ctx, SessionState{ID: "s1", Start: time.Now(), End: time.Now().Add(time.Hour)}); err != nil {
				return err
			}
			return tx.QueueSessionMail(ctx, &SessionMail{SessionID: "s1", Recipient: recipient, Offset: offset},
				&OutboxMail{Kind: MailReminder, Recipient: recipient, Subject: "s", HeaderMsgID: msgID, BodyText: "t", BodyHTML: "h",
					DedupeKey: "reminder:" + msgID})
		})
	}
	if err := queue("a@example.net", "24h0m0s", "<1@x>"); err != nil {
		t.Fatal(err)
	}
	// Same recipient (any case) and offset, even under another dedupe key:
	// refused, and nothing reaches the outbox.
	if err := queue("A@Example.net", "24h0m0s", "<2@x>"); !errors.Is(err, ErrAlreadyQueued) {
		t.Errorf("second reminder: %v, want ErrAlreadyQueued", err)
	}
	if err := queue("a@example.net", "168h0m0s", "<3@x>"); err != nil {
		t.Error(err)
	}
	sms, err := st.SessionMails(ctx, "s1")
	if err != nil || len(sms) != 2 || sms[0].OutboxID == 0 || sms[0].Status != OutboxPending {
		t.Fatalf("session mails: %+v %v", sms, err)
	}
	ms, _ := st.OutboxList(ctx, "")
	if len(ms) != 2 {
		t.Errorf("outbox holds %d mails, want 2", len(ms))
	}
}
