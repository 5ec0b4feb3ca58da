package intake

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/store"
)

// Tests against a real Dovecot 2.3 (skipped when not installed, unless
// RSE_REQUIRE_DOVECOT=1).

// uniqueCorpus returns n messages cycling through the corpus, each with
// its own Message-ID.
func uniqueCorpus(t testing.TB, n int) [][]byte {
	corpus := imapCorpus(t)
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = imaptest.SetMessageID(corpus[i%len(corpus)], fmt.Sprintf("seed-%05d@imaptest.invalid", i))
	}
	return raws
}

func TestPollDovecot(t *testing.T) {
	corpus := imapCorpus(t)
	for _, tc := range []struct{ processed, security string }{
		{"flag", "none"},
		{"move:Traités", "none"},
		{"flag", "tls"},
		{"keep", "starttls"},
	} {
		t.Run(tc.processed+"/"+tc.security, func(t *testing.T) {
			d := imaptest.StartDovecot(t)
			if err := d.Append(corpus...); err != nil {
				t.Fatal(err)
			}
			st, pl := newIMAPPipeline(t)
			o := dovecotOptions(d, tc.processed)
			o.Security = tc.security
			o.Logger = testLogger(t)
			if tc.security != "none" {
				o.TLSConfig = d.ClientTLSConfig()
			}
			if tc.security == "tls" {
				o.Port = d.TLSPort()
			}
			p := NewPoller(st, pl, o)
			stats, err := p.PollOnce(t.Context())
			if err != nil {
				t.Fatalf("%v\n%s", err, d.Log())
			}
			if stats.Fetched != len(corpus) || stats.Stored != len(corpus) || stats.MarkFailures != 0 {
				t.Errorf("first poll: %+v", stats)
			}
			again, err := p.PollOnce(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if again.Fetched != 0 || again.Stored != 0 {
				t.Errorf("second poll: %+v", again)
			}
			checkMarks(t, d.Account(), tc.processed, len(corpus))
			mbs := []string{"INBOX"}
			if tc.processed == "move:Traités" {
				mbs = append(mbs, "Traités")
			}
			assertExactlyOnce(t, st, d.Account(), mbs...)
			if n := pendingMarks(t, st); n != 0 {
				t.Errorf("%d pending marks", n)
			}
		})
	}
}

func TestPollDovecotThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 1000
	d := imaptest.StartDovecot(t)
	if err := d.SeedMaildir(uniqueCorpus(t, n)); err != nil {
		t.Fatal(err)
	}
	st, pl := newIMAPPipeline(t)
	p := NewPoller(st, pl, dovecotOptions(d, "flag"))
	start := time.Now()
	stats, err := p.PollOnce(t.Context())
	if err != nil {
		t.Fatalf("%v\n%s", err, d.Log())
	}
	t.Logf("first poll: %d messages in %s", stats.Stored, time.Since(start))
	if stats.Stored != n || stats.Marked != n || stats.Checkpoint != n {
		t.Errorf("first poll: %+v", stats)
	}
	start = time.Now()
	again, err := p.PollOnce(t.Context())
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second poll: %s", took)
	if again.Fetched != 0 || again.Stored != 0 {
		t.Errorf("second poll: %+v", again)
	}
	// A generous bound: it catches a poll that reads the mailbox again
	// (seconds for 1,000 mails), not a slow machine. The empty poll's
	// real cost is measured by rse-bench.
	if took > 10*time.Second {
		t.Errorf("second poll over a read mailbox took %s", took)
	}
	assertExactlyOnce(t, st, d.Account(), "INBOX")
	checkMarks(t, d.Account(), "flag", n)
}

// TestPollDovecotUIDValidity: the server renumbers the mailbox under a new
// UIDVALIDITY; the poller reads it again from UID 1 and stores nothing
// twice; mail arriving after is stored as usual.
func TestPollDovecotUIDValidity(t *testing.T) {
	corpus := imapCorpus(t)
	d := imaptest.StartDovecot(t)
	if err := d.Append(corpus...); err != nil {
		t.Fatal(err)
	}
	st, pl := newIMAPPipeline(t)
	o := dovecotOptions(d, "flag")
	o.Logger = testLogger(t)
	p := NewPoller(st, pl, o)
	first, err := p.PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	uv, err := d.ResetUIDValidity()
	if err != nil {
		t.Fatal(err)
	}
	if uv == first.UIDValidity {
		t.Fatalf("UIDVALIDITY unchanged: %d", uv)
	}
	stats, err := p.PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !stats.Rescan || stats.Fetched != len(corpus) || stats.Stored != 0 || stats.Relocated == 0 {
		t.Errorf("rescan poll: %+v", stats)
	}
	if n := messageRows(t, st); n != len(corpus) {
		// Corpus 20 is a second delivery of 01 (same Message-ID and body):
		// both copies must be relocated, not one relocated and one stored.
		t.Errorf("%d messages stored after the rescan, want %d", n, len(corpus))
	}
	extra := imaptest.SetMessageID(corpus[0], "after-rescan@imaptest.invalid")
	if err := d.Append(extra); err != nil {
		t.Fatal(err)
	}
	stats, err = p.PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rescan != true || stats.Fetched != 1 || stats.Stored != 1 {
		t.Errorf("poll after the rescan: %+v", stats)
	}
	assertExactlyOnce(t, st, d.Account(), "INBOX")
	cps, err := st.Checkpoints(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 2 {
		t.Errorf("checkpoints %+v, want one per UIDVALIDITY", cps)
	}
}

func TestPollDovecotInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 150
	d := imaptest.StartDovecot(t)
	if err := d.SeedMaildir(uniqueCorpus(t, n)); err != nil {
		t.Fatal(err)
	}
	st, pl := newIMAPPipeline(t)
	o := dovecotOptions(d, "move:Traités")
	o.BatchSize = 16
	o.Logger = testLogger(t)
	interruptedPolls(t, st, pl, o, 15, 7)
	if p := pendingMarks(t, st); p != 0 {
		t.Errorf("%d messages left unmoved", p)
	}
	checkMarks(t, d.Account(), o.Processed, n)
	assertExactlyOnce(t, st, d.Account(), "INBOX", "Traités")
}

// BenchmarkPollDovecot: one poll of 1,000 messages of about 3 KB (the
// corpus, each with its own Message-ID) from Dovecot into a fresh store,
// marking them with the keyword. "pipeline" is the real intake; "raw"
// stores the bytes and the checkpoint only, which is the poller's own
// cost (IMAP and one SQLite commit per message).
func BenchmarkPollDovecot(b *testing.B) {
	const n = 1000
	raws := uniqueCorpus(b, n)
	var size int64
	for _, r := range raws {
		size += int64(len(r))
	}
	for _, mode := range []string{"pipeline", "raw"} {
		b.Run(mode, func(b *testing.B) {
			var total time.Duration
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				d := imaptest.StartDovecot(b)
				if err := d.SeedMaildir(raws); err != nil {
					b.Fatal(err)
				}
				// Let Dovecot index the Maildir before timing.
				if c, err := d.Count("INBOX"); err != nil || c != n {
					b.Fatalf("seeded %d: %v", c, err)
				}
				st, pl := newIMAPPipeline(b)
				var ing Ingester = pl
				if mode == "raw" {
					ing = rawIngester{st}
				}
				p := NewPoller(st, ing, dovecotOptions(d, "flag"))
				runtime.GC()
				stop := samplePeakHeap(&peak)
				b.StartTimer()
				start := time.Now()
				stats, err := p.PollOnce(context.Background())
				total += time.Since(start)
				b.StopTimer()
				stop()
				if err != nil || stats.Fetched != n {
					b.Fatalf("fetched %d: %v", stats.Fetched, err)
				}
				st.Close()
				d.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/total.Seconds(), "messages/s")
			b.ReportMetric(float64(size*int64(b.N))/total.Seconds()/1e6, "MB/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(0, "ns/op") // one op is a whole poll: messages/s says more
		})
	}
}

// rawIngester stores the raw message and the checkpoint, nothing else.
type rawIngester struct{ st *store.Store }

func (r rawIngester) Prepare(src Source, raw []byte) (*Prepared, error) {
	return &Prepared{src: src, raw: raw, sha: shaHex(raw)}, nil
}

func (r rawIngester) Commit(ctx context.Context, batch []*Prepared) ([]Outcome, error) {
	outs := make([]Outcome, len(batch))
	err := r.st.InTx(ctx, func(tx *store.Tx) error {
		for i, p := range batch {
			m := &store.Message{MailboxID: p.src.MailboxID, UID: p.src.UID, SHA256: p.sha, BodySHA256: p.sha,
				Raw: p.raw, Kind: "other"}
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			if err := tx.AdvanceCheckpoint(ctx, p.src.MailboxID, p.src.UID); err != nil {
				return err
			}
			outs[i] = Outcome{MessageID: m.ID, Kind: m.Kind}
		}
		return nil
	})
	return outs, err
}

// samplePeakHeap records the largest HeapInuse seen every 10 ms into peak
// until stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// TestWatchDovecot: with Dovecot's IDLE, a delivered message is stored
// within a couple of seconds (Dovecot notifies about 0.5 s after).
func TestWatchDovecot(t *testing.T) {
	corpus := imapCorpus(t)
	d := imaptest.StartDovecot(t)
	st, pl := newIMAPPipeline(t)
	o := dovecotOptions(d, "flag")
	o.PollInterval = time.Hour // only IDLE can make it poll again
	o.Logger = testLogger(t)
	polls := make(chan PollStats, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- NewPoller(st, pl, o).Watch(ctx, func(s PollStats) { polls <- s }) }()
	<-polls // the first, empty poll: now idling
	for i, raw := range corpus[:3] {
		start := time.Now()
		if err := d.Append(raw); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(5 * time.Second)
		for messageRows(t, st) < i+1 {
			select {
			case <-polls:
			case <-deadline:
				t.Fatalf("message %d not stored within 5 s", i+1)
			}
		}
		t.Logf("message %d stored %s after delivery", i+1, time.Since(start))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch: %v", err)
	}
	checkMarks(t, d.Account(), "flag", 3)
}
