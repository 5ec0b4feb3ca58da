package intake

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

// budgetIngester counts the bytes of mail handed to Prepare and not yet
// committed, and keeps the highest count.
type budgetIngester struct {
	Ingester
	budget    int
	mu        sync.Mutex
	held, max int
	// bigWith is what was held, counting it, when a message larger than
	// the budget was read.
	bigWith []int
}

func (b *budgetIngester) Prepare(src Source, raw []byte) (*Prepared, error) {
	b.mu.Lock()
	b.held += len(raw)
	if len(raw) > b.budget {
		b.bigWith = append(b.bigWith, b.held)
	} else {
		b.max = max(b.max, b.held)
	}
	b.mu.Unlock()
	return b.Ingester.Prepare(src, raw)
}

func (b *budgetIngester) Commit(ctx context.Context, batch []*Prepared) ([]Outcome, error) {
	outs, err := b.Ingester.Commit(ctx, batch)
	b.mu.Lock()
	for _, r := range batch {
		b.held -= r.Size()
	}
	b.mu.Unlock()
	return outs, err
}

// TestFetchedMailInFlightIsBounded: while the writer is behind, the
// fetcher stops once the mail fetched and not yet committed reaches the
// budget; a message larger than the whole budget still goes, alone.
func TestFetchedMailInFlightIsBounded(t *testing.T) {
	const size, budget = 60 << 10, 200 << 10
	var raws [][]byte
	for i := range 40 {
		n := size
		if i == 17 {
			n = 3 * budget
		}
		raws = append(raws, []byte(fmt.Sprintf("From: a%d@example.fr\r\nTo: rse@example.fr\r\nSubject: lettre %d\r\n"+
			"Message-ID: <inflight-%d@example.fr>\r\n\r\n%s\r\n", i, i, i, strings.Repeat("Une ligne de texte.\r\n", n/21))))
	}
	srv := imaptest.StartMemServer(t, memUser, memPass)
	for _, raw := range raws {
		if err := srv.Append("INBOX", raw); err != nil {
			t.Fatal(err)
		}
	}
	st, pl := newIMAPPipeline(t)
	ing := &budgetIngester{Ingester: pl, budget: budget}
	opts := memOptions(srv, "flag")
	opts.BatchSize = 40 // the writer gathers many before committing
	opts.inFlight = budget
	stats, err := NewPoller(st, ing, opts).PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Stored != len(raws) || stats.Marked != len(raws) {
		t.Fatalf("stats %+v, want %d stored and marked", stats, len(raws))
	}
	if ing.max > budget {
		t.Errorf("%d bytes in flight at most, over the budget of %d", ing.max, budget)
	}
	if ing.max < 2*size {
		t.Errorf("%d bytes in flight at most: the readers never ran ahead of the writer", ing.max)
	}
	if len(ing.bigWith) != 1 || ing.bigWith[0] != len(raws[17]) {
		t.Errorf("the message larger than the budget was read with %v bytes held, want it alone (%d)",
			ing.bigWith, len(raws[17]))
	}
	assertExactlyOnce(t, st, srv.Account(), "INBOX")
}
