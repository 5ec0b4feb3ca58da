package store

import (
	"context"
	"testing"
	"time"
)

// OpenApplicationFrom answers as before once the writer asked for its
// batch (KnowOpenApplications): nil for a mailbox known to have no open
// application, and the application the transaction writes for it later,
// or moves back to an open status, once written.
func TestOpenApplicationFromAfterKnowOpenApplications(t *testing.T) {
	ctx := context.Background()
	st := openTest(t)
	since := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	var stored *Application
	err := st.InTx(ctx, func(tx *Tx) error {
		msg := &Message{SHA256: "s", Raw: []byte("x"), Kind: "application"}
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		stored = &Application{Status: StatusReceived, FirstMessageID: msg.ID, Applicant: Applicant{Email: "Old@Example.net"}}
		return tx.CreateApplication(ctx, stored, "RSE", 2026)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *Tx) error {
		if err := tx.KnowOpenApplications(ctx, []string{"old@example.net", "new@example.net", "other+x@example.net", ""}); err != nil {
			return err
		}
		if a, err := tx.OpenApplicationFrom(ctx, "old+rse@example.net", since); err != nil || a == nil || a.ID != stored.ID {
			t.Errorf("stored open application: got %+v, %v", a, err)
		}
		for _, addr := range []string{"new@example.net", "other@example.net"} {
			if a, err := tx.OpenApplicationFrom(ctx, addr, since); err != nil || a != nil {
				t.Errorf("%s: got %+v, %v, want none", addr, a, err)
			}
		}
		app := &Application{Status: StatusIncomplete, FirstMessageID: stored.FirstMessageID,
			Applicant: Applicant{Email: "NEW@example.net"}}
		if err := tx.CreateApplication(ctx, app, "RSE", 2026); err != nil {
			return err
		}
		if a, err := tx.OpenApplicationFrom(ctx, "new@example.net", since); err != nil || a == nil || a.ID != app.ID {
			t.Errorf("application created in the transaction: got %+v, %v", a, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A mailbox whose only application is complete: known to have none
	// open, until an update reopens it.
	err = st.InTx(ctx, func(tx *Tx) error {
		stored.Status = StatusComplete
		if err := tx.UpdateApplication(ctx, stored); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InTx(ctx, func(tx *Tx) error {
		if err := tx.KnowOpenApplications(ctx, []string{"old@example.net"}); err != nil {
			return err
		}
		if a, err := tx.OpenApplicationFrom(ctx, "old@example.net", since); err != nil || a != nil {
			t.Errorf("complete application: got %+v, %v, want none", a, err)
		}
		stored.Status = StatusIncomplete
		if err := tx.UpdateApplication(ctx, stored); err != nil {
			return err
		}
		if a, err := tx.OpenApplicationFrom(ctx, "old@example.net", since); err != nil || a == nil || a.ID != stored.ID {
			t.Errorf("reopened application: got %+v, %v", a, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
