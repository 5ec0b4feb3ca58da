package intake

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/store"
)

// TestPollTooLargeMessage: a message over MaxMessageSize is read as it
// streams in, kept as its header block with the whole message's hash,
// marked for review with the reason, never answered, and not fetched
// again; reparse keeps it so. A message under the limit beside it is
// taken in as usual.
func TestPollTooLargeMessage(t *testing.T) {
	huge := imaptest.SetMessageID(bigApplication(t, 3<<20), "huge@test.invalid")
	normal := imapCorpus(t)[0]
	srv := imaptest.StartMemServer(t, memUser, memPass)
	srv.Append("INBOX", huge)
	srv.Append("INBOX", normal)
	st, pl := newIMAPPipeline(t)
	o := memOptions(srv, "flag")
	o.MaxMessageSize = 1 << 20
	p := NewPoller(st, pl, o)
	stats, err := p.PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Stored != 2 || stats.NeedsReview != 1 || stats.Marked != 2 {
		t.Errorf("stats %+v", stats)
	}
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		var id int64
		if err := st.DB().QueryRow(`SELECT id FROM messages WHERE message_id = '<huge@test.invalid>'`).Scan(&id); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		m, err := st.Message(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := st.MessageRaw(ctx, id, pl.cfg.Files)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := bytes.Cut(huge, []byte("\r\n\r\n"))
		if !bytes.Contains(raw, head) || len(raw) > len(head)+200 {
			t.Errorf("%s: stored %d bytes, want the header block (%d)", when, len(raw), len(head))
		}
		if m.SHA256 != shaHex(huge) {
			t.Errorf("%s: sha256 is not the whole message's", when)
		}
		if !m.NeedsReview || m.ShouldAcknowledge || !strings.Contains(strings.Join(m.Errors, ";"), "too large") {
			t.Errorf("%s: needs_review %v, acknowledge %v, errors %q", when, m.NeedsReview, m.ShouldAcknowledge, m.Errors)
		}
		if m.FromEmail != "anne.roux@example.fr" {
			t.Errorf("%s: from %q", when, m.FromEmail)
		}
		app, err := st.Application(ctx, fmt.Sprintf("RSE-%d-0001", st.Now().Year()))
		if err != nil || app.Status != store.StatusNeedsReview {
			t.Errorf("%s: application %+v %v, want needs_review", when, app, err)
		}
	}
	check("poll")
	if queued := outboxRows(t, st); queued > 1 {
		t.Errorf("%d mails queued: the too large message was answered", queued)
	}
	again, err := p.PollOnce(t.Context())
	if err != nil || again.Fetched != 0 {
		t.Errorf("second poll: %+v %v", again, err)
	}
	if _, err := pl.Reparse(ctx, ""); err != nil {
		t.Fatal(err)
	}
	check("reparse")
}

func outboxRows(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
