package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

func setStatus(t *testing.T, st *store.Store, app *store.Application, status string) {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(tx *store.Tx) error {
		cur, err := tx.ApplicationByID(ctx, app.ID)
		if err != nil {
			return err
		}
		cur.Status = status
		return tx.UpdateApplication(ctx, cur)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueueDecisions(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sel, selMsg, _ := seedApplication(t, st, c, elodie(), nil, nil)
	wait, _, _ := seedApplication(t, st, c, store.Applicant{FirstName: "Marc", Email: "marc@example.net"}, nil, nil)
	dec, _, _ := seedApplication(t, st, c, store.Applicant{Email: "dec@example.net", Company: "SARL Dec"}, nil, nil)
	open, _, _ := seedApplication(t, st, c, store.Applicant{Email: "open@example.net"}, nil, nil)
	noAddr, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Sans"}, nil, nil)
	setStatus(t, st, sel, store.StatusSelected)
	setStatus(t, st, wait, store.StatusWaitlisted)
	setStatus(t, st, dec, store.StatusDeclined)
	setStatus(t, st, open, store.StatusShortlisted)

	before, _ := st.OutboxCounts(ctx)
	mails, err := QueueDecisions(ctx, st, c, true)
	if err != nil || len(mails) != 3 {
		t.Fatalf("dry run: %d mails, %v", len(mails), err)
	}
	if after, _ := st.OutboxCounts(ctx); after[store.OutboxPending] != before[store.OutboxPending] {
		t.Errorf("dry run queued mails: %v -> %v", before, after)
	}
	if a, _ := st.Application(ctx, sel.Reference); a.DecisionNotified != "" {
		t.Errorf("dry run set DecisionNotified %q", a.DecisionNotified)
	}

	setStatus(t, st, noAddr, store.StatusDeclined)
	mails, err = QueueDecisions(ctx, st, c, false)
	if err == nil || !strings.Contains(err.Error(), noAddr.Reference) {
		t.Errorf("application without address: %v", err)
	}
	if len(mails) != 3 {
		t.Fatalf("queued %d mails", len(mails))
	}
	byRef := map[string]*store.OutboxMail{}
	for _, m := range mails {
		byRef[m.Reference] = m
		if m.ID == 0 || m.Kind != store.MailDecision {
			t.Errorf("mail %+v", m)
		}
	}
	if m := byRef[sel.Reference]; m == nil || m.DedupeKey != "decision:"+sel.Reference+":1" ||
		m.InReplyTo != selMsg.MessageID || !strings.Contains(m.BodyText, "a été retenue") {
		t.Errorf("selected mail %+v", m)
	}
	if m := byRef[dec.Reference]; m == nil || !strings.Contains(m.BodyText, "SARL Dec") {
		t.Errorf("declined mail %+v", m)
	}
	for _, app := range []*store.Application{sel, wait, dec} {
		a, _ := st.Application(ctx, app.Reference)
		if a.DecisionNotified != a.Status {
			t.Errorf("%s: notified %q, status %q", a.Reference, a.DecisionNotified, a.Status)
		}
	}
	// Twice: nothing more.
	if mails, _ := QueueDecisions(ctx, st, c, false); len(mails) != 0 {
		t.Errorf("second run queued %d", len(mails))
	}
	// A changed decision is mailed again.
	setStatus(t, st, wait, store.StatusSelected)
	mails, _ = QueueDecisions(ctx, st, c, false)
	if len(mails) != 1 || mails[0].DedupeKey != "decision:"+wait.Reference+":2" {
		t.Errorf("changed decision: %+v", mails)
	}
	// The decision changed before the earlier mail was sent: that one is
	// cancelled, only the current decision stays pending.
	var pendingDecisions int
	if err := st.DB().QueryRow(`SELECT count(*) FROM outbox WHERE kind = 'decision' AND status = 'pending'
		AND application_id = ?`, wait.ID).Scan(&pendingDecisions); err != nil || pendingDecisions != 1 {
		t.Errorf("%s has %d pending decision mails (%v), want 1", wait.Reference, pendingDecisions, err)
	}
	// Changed back to a decision already mailed: mailed again, so the
	// applicant's last mail is the current decision.
	for i, to := range []string{store.StatusDeclined, store.StatusSelected} {
		setStatus(t, st, wait, to)
		mails, _ = QueueDecisions(ctx, st, c, false)
		if want := fmt.Sprintf("decision:%s:%d", wait.Reference, 3+i); len(mails) != 1 || mails[0].DedupeKey != want {
			t.Errorf("decision back to %s: %+v, want key %s", to, mails, want)
		}
	}

	// And they are delivered.
	sink := smtpsink.Start(t)
	s := newSender(t, st, sink, clk, nil)
	res, err := s.SendDue(ctx)
	if err != nil || res.Sent != 4+3 { // 4 acks (one without address never queued) + the 3 current decisions
		t.Errorf("%+v, %v", res, err)
	}
}
