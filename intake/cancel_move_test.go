package intake

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

// TestCancelledPollFinishesItsMove: a poll cancelled while its MOVE is on
// the server waits for the answer before it hangs up. A server goes on
// with a command it has read after the client is gone; the next
// connection, finding the messages still in the inbox, would move them a
// second time (seen with Dovecot: duplicates in the move folder). The
// next poll then finds nothing left to move, and every message is in the
// folder once.
func TestCancelledPollFinishesItsMove(t *testing.T) {
	srv := imaptest.StartMemServer(t, memUser, memPass)
	corpus := imapCorpus(t)
	for _, raw := range corpus[:10] {
		if err := srv.Append("INBOX", raw); err != nil {
			t.Fatal(err)
		}
	}
	proxy, err := imaptest.NewProxy(net.JoinHostPort(srv.Host(), strconv.Itoa(srv.Port())))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	o := memOptions(srv, "move:Traités")
	o.Port = proxy.Port()
	o.Logger = testLogger(t)
	st, pl := newIMAPPipeline(t)

	const hold = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var cancelled time.Time
	proxy.SetRule(func() imaptest.Cut {
		return imaptest.Cut{OnClientText: " MOVE ", HoldAnswer: hold, OnText: func() {
			if cancelled.IsZero() {
				cancelled = time.Now()
				cancel()
			}
		}}
	})
	_, err = NewPoller(st, pl, o).PollOnce(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("poll cancelled during its MOVE: %v, want the cancellation", err)
	}
	if cancelled.IsZero() {
		t.Fatal("no MOVE was sent: the test proves nothing")
	}
	if waited := time.Since(cancelled); waited < hold {
		t.Errorf("the poll returned %v after its cancellation, before the MOVE's answer (held %v)", waited, hold)
	}
	if n := proxy.HangUpsInDoubt(); n != 0 {
		t.Errorf("%d connections hung up while their MOVE was on the server", n)
	}

	proxy.SetRule(nil)
	if _, err := NewPoller(st, pl, o).PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p := pendingMarks(t, st); p != 0 {
		t.Errorf("%d messages left unmoved", p)
	}
	checkMarks(t, srv.Account(), o.Processed, 10)
	assertExactlyOnce(t, st, srv.Account(), "INBOX", "Traités")
}
