package notify

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

// Two senders on the same database at once (a "send --once" started
// while another runs, or beside the daemon) share one hourly budget: the
// store counts and reserves slots in one transaction. Before, each read
// "0 sent this hour" and spent the whole cap.
func TestConcurrentSendersStayUnderHourlyCap(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "t.db")
	stores := make([]*store.Store, 2)
	for i := range stores {
		st, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		st.SetClock(clk.Now)
		stores[i] = st
	}
	c := newComposer(t, nil)
	for i := range 60 {
		seedApplication(t, stores[0], c, store.Applicant{Email: fmt.Sprintf("applicant%d@gmail.com", i)}, nil, nil)
	}
	sink := smtpsink.Start(t)
	const limit = 25
	var wg sync.WaitGroup
	results := make([]Result, 2)
	errs := make([]error, 2)
	for i, st := range stores {
		s := newSender(t, st, sink, clk, func(cfg *SenderConfig) { cfg.MaxPerHour = limit; cfg.BatchSize = 60 })
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.SendDue(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("sender %d: %v", i, err)
		}
	}
	if got := sink.Len(); got != limit || results[0].Sent+results[1].Sent != limit {
		t.Fatalf("%d mails received (%+v, %+v), want exactly the hourly cap %d", got, results[0], results[1], limit)
	}
	counts, err := stores[1].OutboxCounts(ctx)
	if err != nil || counts[store.OutboxPending] != 60-limit {
		t.Errorf("outbox %v, %v: the rest must wait", counts, err)
	}
}

// Made-up addresses at one company's domain (a catch-all) draw at most
// the per-domain cap in an hour; addresses at a public mail service are
// each one person and are not held back by it.
func TestPerDomainCap(t *testing.T) {
	ctx := context.Background()
	clk, st, c, sink, _ := senderSetup(t)
	s := newSender(t, st, sink, clk, func(cfg *SenderConfig) { cfg.MaxPerDomainPerHour = 2 })
	for i := range 5 {
		seedApplication(t, st, c, store.Applicant{Email: fmt.Sprintf("x%d@victime-sarl.fr", i)}, nil, nil)
		seedApplication(t, st, c, store.Applicant{Email: fmt.Sprintf("x%d@orange.fr", i)}, nil, nil)
	}
	res, err := s.SendDue(ctx)
	if err != nil || res != (Result{Sent: 7, Held: 3}) {
		t.Fatalf("%+v, %v; want 2 to the company domain and 5 to orange.fr", res, err)
	}
	clk.Advance(61 * time.Minute)
	if res, err := s.SendDue(ctx); err != nil || res != (Result{Sent: 2, Held: 1}) {
		t.Errorf("next hour: %+v, %v", res, err)
	}
}

// Every spelling of the program's or a coordinator's mailbox is refused.
func TestNeverToAnySpellingOfProgramOrCoordinator(t *testing.T) {
	ctx := context.Background()
	_, st, c, sink, s := senderSetup(t)
	for _, addr := range []string{"r.s.e.innovation.manageriale@gmail.com", "RSE.innovation.manageriale+x@GoogleMail.com",
		"coordination+rse@example.org"} {
		seedApplication(t, st, c, store.Applicant{Email: addr}, nil, nil)
	}
	res, err := s.SendDue(ctx)
	if err != nil || res != (Result{Cancelled: 3}) || sink.Len() != 0 {
		t.Fatalf("%+v, %v, %d received", res, err, sink.Len())
	}
}
