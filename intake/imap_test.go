package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/store"
)

const (
	memUser = "rse.innovation.manageriale@gmail.com"
	memPass = "mot-de-passe"
)

// imapCorpus returns the corpus messages, in file order.
func imapCorpus(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	sort.Strings(files)
	raws := make([][]byte, len(files))
	for i, f := range files {
		if raws[i], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	return raws
}

// newIMAPPipeline opens a fresh store and the real pipeline over it.
func newIMAPPipeline(t testing.TB) (*store.Store, *Pipeline) {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := NewPipeline(st, Config{
		Program: extract.Program{
			Address:         "rse.innovation.manageriale@gmail.com",
			Coordinators:    []string{"coordination@rse-lozere.fr"},
			ReferencePrefix: "RSE",
		},
		Files:    store.Files{Dir: st.Path() + ".files"},
		Location: time.UTC,
	})
	return st, p
}

func memOptions(srv *imaptest.MemServer, processed string) IMAPOptions {
	return IMAPOptions{
		Host: srv.Host(), Port: srv.Port(), Security: "none",
		Username: memUser, Password: memPass,
		Processed: processed, BatchSize: 7, // batches that do not divide the corpus
		CommandTimeout: 10 * time.Second,
	}
}

func dovecotOptions(d *imaptest.Dovecot, processed string) IMAPOptions {
	return IMAPOptions{
		Host: d.Host(), Port: d.Port(), Security: "none",
		Username: d.User(), Password: d.Pass(),
		Processed: processed, CommandTimeout: 20 * time.Second,
	}
}

// testLogger shows the poller's log with the test's output (-v or on
// failure).
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func shaHex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// assertExactlyOnce checks that the store holds every message now on the
// server (in mailboxes) exactly once, byte for byte, and nothing else.
func assertExactlyOnce(t testing.TB, st *store.Store, acct imaptest.Account, mailboxes ...string) {
	t.Helper()
	ctx := context.Background()
	want := map[string]int{}
	total := 0
	for _, mb := range mailboxes {
		raws, err := acct.Raws(ctx, mb)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range raws {
			want[shaHex(r)]++
			total++
		}
	}
	// Each message as read back, from its row or its file: a large mail's
	// file is named by its skeleton's hash, not by the mail's.
	ids, err := st.MessageIDs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	files := store.Files{Dir: st.Path() + ".files"} // where these tests' pipelines keep files, as the CLI does
	got := map[string]int{}
	stored := len(ids)
	for _, id := range ids {
		raw, err := st.MessageRaw(ctx, id, files)
		if err != nil {
			t.Fatal(err)
		}
		got[shaHex(raw)]++
	}
	if stored != total {
		t.Errorf("store holds %d messages, server %d", stored, total)
	}
	for sha, n := range want {
		if got[sha] != n {
			t.Errorf("message %s…: %d on the server, %d stored", sha[:12], n, got[sha])
		}
	}
	for sha, n := range got {
		if want[sha] == 0 {
			t.Errorf("message %s… stored %d times, not on the server", sha[:12], n)
		}
	}
	var dups int
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM messages
		WHERE mailbox_id IS NOT NULL GROUP BY mailbox_id, uid HAVING count(*) > 1)`).Scan(&dups); err != nil {
		t.Fatal(err)
	}
	if dups != 0 {
		t.Errorf("%d (mailbox, uid) stored twice", dups)
	}
}

func pendingMarks(t testing.TB, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM server_pending`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func messageRows(t testing.TB, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkMarks checks what processed did on the server: flag adds the
// keyword, move empties INBOX into the folder, keep changes nothing; and
// nothing is ever marked \Seen.
func checkMarks(t testing.TB, acct imaptest.Account, processed string, n int) {
	t.Helper()
	ctx := context.Background()
	inbox, err := acct.Messages(ctx, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	all := inbox
	switch {
	case processed == "keep" || processed == "flag":
		if len(inbox) != n {
			t.Errorf("INBOX holds %d messages, want %d", len(inbox), n)
		}
	case strings.HasPrefix(processed, "move:"):
		if len(inbox) != 0 {
			t.Errorf("INBOX still holds %d messages after move", len(inbox))
		}
		moved, err := acct.Messages(ctx, strings.TrimPrefix(processed, "move:"))
		if err != nil {
			t.Fatal(err)
		}
		if len(moved) != n {
			t.Errorf("%s holds %d messages, want %d", processed, len(moved), n)
		}
		all = moved
	}
	for _, m := range all {
		if m.HasFlag(string(imap.FlagSeen)) {
			t.Errorf("UID %d marked \\Seen: %v", m.UID, m.Flags)
		}
		flagged := m.HasFlag(ProcessedKeyword)
		if want := processed == "flag"; flagged != want {
			t.Errorf("UID %d flags %v: %s wanted: %v", m.UID, m.Flags, ProcessedKeyword, want)
		}
	}
}

func TestPollMemServer(t *testing.T) {
	corpus := imapCorpus(t)
	for _, processed := range []string{"keep", "flag", "move:Traités"} {
		t.Run(processed, func(t *testing.T) {
			ctx := t.Context()
			srv := imaptest.StartMemServer(t, memUser, memPass)
			for _, raw := range corpus {
				if err := srv.Append("INBOX", raw); err != nil {
					t.Fatal(err)
				}
			}
			st, pl := newIMAPPipeline(t)
			p := NewPoller(st, pl, memOptions(srv, processed))
			stats, err := p.PollOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if stats.Fetched != len(corpus) || stats.Stored != len(corpus) || stats.Checkpoint != uint32(len(corpus)) {
				t.Errorf("first poll: %+v, want %d fetched and stored", stats, len(corpus))
			}
			wantMarked := len(corpus)
			if processed == "keep" {
				wantMarked = 0
			}
			if stats.Marked != wantMarked || stats.MarkFailures != 0 {
				t.Errorf("first poll marked %d (failures %d), want %d", stats.Marked, stats.MarkFailures, wantMarked)
			}
			if n := pendingMarks(t, st); n != 0 {
				t.Errorf("%d messages not done on the server", n)
			}
			checkMarks(t, srv.Account(), processed, len(corpus))

			again, err := p.PollOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if again.Fetched != 0 || again.Stored != 0 || again.Marked != 0 {
				t.Errorf("second poll: %+v, want nothing", again)
			}
			mbs := []string{"INBOX"}
			if f, ok := strings.CutPrefix(processed, "move:"); ok {
				mbs = append(mbs, f)
			}
			assertExactlyOnce(t, st, srv.Account(), mbs...)
		})
	}
}

// TestPollMoveFallback reads from servers without MOVE (and one without
// UIDPLUS either): COPY, \Deleted, expunge.
func TestPollMoveFallback(t *testing.T) {
	corpus := imapCorpus(t)[:10]
	for name, caps := range map[string]imap.CapSet{
		"uidplus":    {imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapIdle: {}},
		"no-uidplus": {imap.CapIMAP4rev1: {}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := imaptest.StartMemServerWith(t, memUser, memPass, imaptest.MemServerOptions{Caps: caps})
			var moves atomic.Int32
			srv.SetFault(func(op imaptest.Op, _ string) error {
				if op == imaptest.OpMove {
					moves.Add(1)
				}
				return nil
			})
			for _, raw := range corpus {
				srv.Append("INBOX", raw)
			}
			st, pl := newIMAPPipeline(t)
			stats, err := NewPoller(st, pl, memOptions(srv, "move:Archives/RSE")).PollOnce(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if stats.Stored != len(corpus) || stats.Marked != len(corpus) {
				t.Errorf("stats %+v", stats)
			}
			if moves.Load() != 0 {
				t.Errorf("MOVE sent to a server that does not offer it")
			}
			checkMarks(t, srv.Account(), "move:Archives/RSE", len(corpus))
			assertExactlyOnce(t, st, srv.Account(), "INBOX", "Archives/RSE")
		})
	}
}

func TestPollSecurity(t *testing.T) {
	corpus := imapCorpus(t)[:3]
	for _, sec := range []string{"tls", "starttls"} {
		t.Run(sec, func(t *testing.T) {
			srv := imaptest.StartMemServerWith(t, memUser, memPass, imaptest.MemServerOptions{Security: sec})
			for _, raw := range corpus {
				srv.Append("INBOX", raw)
			}
			st, pl := newIMAPPipeline(t)
			o := memOptions(srv, "flag")
			o.Security = sec
			// Without the test certificate, verification must fail.
			if _, err := NewPoller(st, pl, o).PollOnce(t.Context()); err == nil ||
				!strings.Contains(err.Error(), "certificate") {
				t.Errorf("untrusted certificate: err = %v", err)
			}
			o.TLSConfig = srv.ClientTLSConfig()
			stats, err := NewPoller(st, pl, o).PollOnce(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if stats.Stored != len(corpus) {
				t.Errorf("stats %+v", stats)
			}
		})
	}
}

func TestPollErrors(t *testing.T) {
	srv := imaptest.StartMemServer(t, memUser, memPass)
	st, pl := newIMAPPipeline(t)
	down := memOptions(srv, "flag")
	ln := imaptest.StartMemServer(t, "x", "y") // a port sure to be closed once stopped
	down.Port = ln.Port()
	ln.Close()

	badPass := memOptions(srv, "flag")
	badPass.Password = "faux"
	noBox := memOptions(srv, "flag")
	noBox.Mailbox = "Candidatures"
	for name, tc := range map[string]struct {
		o    IMAPOptions
		want string
	}{
		"server down":    {down, fmt.Sprintf("imap 127.0.0.1:%d: connect: ", down.Port)},
		"wrong password": {badPass, srv.Addr() + ": login: "},
		"no mailbox":     {noBox, srv.Addr() + ": select Candidatures: "},
		"bad security":   {IMAPOptions{Host: "imap.example.org", Username: "u", Security: "ssl"}, `security "ssl"`},
		"clear text":     {IMAPOptions{Host: "imap.example.org", Username: "u", Security: "none"}, "loopback"},
		"bad processed":  {IMAPOptions{Host: "h", Username: "u", Processed: "delete"}, `processed "delete"`},
		"move to self":   {IMAPOptions{Host: "h", Username: "u", Processed: "move:inbox"}, "moves to the mailbox being read"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewPoller(st, pl, tc.o).PollOnce(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			if tc.o.Password != "" && err != nil && strings.Contains(err.Error(), tc.o.Password) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestPollNStarTrap: UID n:* matches the highest UID even when it is below
// n; a message arrived and expunged since the last poll must not make the
// poller read an old one again.
func TestPollNStarTrap(t *testing.T) {
	corpus := imapCorpus(t)
	srv := imaptest.StartMemServer(t, memUser, memPass)
	for _, raw := range corpus[:5] {
		srv.Append("INBOX", raw)
	}
	st, pl := newIMAPPipeline(t)
	p := NewPoller(st, pl, memOptions(srv, "keep"))
	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	srv.Append("INBOX", corpus[5])
	if err := srv.Account().Expunge(t.Context(), "INBOX", 6); err != nil {
		t.Fatal(err)
	}
	stats, err := p.PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Fetched != 0 || stats.Stored != 0 {
		t.Errorf("stats %+v: an old message read again", stats)
	}
	assertExactlyOnce(t, st, srv.Account(), "INBOX")
}

// TestPollUIDValidityChange: the mailbox comes back under a new
// UIDVALIDITY with the same messages; nothing is stored twice.
func TestPollUIDValidityChange(t *testing.T) {
	corpus := imapCorpus(t)
	srv := imaptest.StartMemServer(t, memUser, memPass)
	for _, raw := range corpus {
		srv.Append("INBOX", raw)
	}
	st, pl := newIMAPPipeline(t)
	p := NewPoller(st, pl, memOptions(srv, "flag"))
	if _, err := p.PollOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := srv.ResetUIDValidity("INBOX"); err != nil {
		t.Fatal(err)
	}
	stats, err := p.PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !stats.Rescan || stats.Fetched != len(corpus) || stats.Stored != 0 {
		// Corpus 20 is a second delivery of 01 (same Message-ID and body):
		// both copies must be relocated, not one relocated and one stored.
		t.Errorf("rescan: %+v, want %d fetched, none stored", stats, len(corpus))
	}
	checkMarks(t, srv.Account(), "flag", len(corpus))
	assertExactlyOnce(t, st, srv.Account(), "INBOX")
}

// TestPollMarkFailure: a server that refuses the flag or the move leaves
// the messages stored and not done; the next poll marks them.
func TestPollMarkFailure(t *testing.T) {
	corpus := imapCorpus(t)
	for _, tc := range []struct {
		processed string
		op        imaptest.Op
	}{
		{"flag", imaptest.OpStore},
		{"move:Traités", imaptest.OpCreate}, // the folder cannot be created
		{"move:Traités", imaptest.OpMove},
	} {
		t.Run(tc.processed+"/"+string(tc.op), func(t *testing.T) {
			srv := imaptest.StartMemServer(t, memUser, memPass)
			for _, raw := range corpus {
				srv.Append("INBOX", raw)
			}
			srv.SetFault(func(op imaptest.Op, _ string) error {
				if op == tc.op {
					return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNoPerm, Text: "refusé"}
				}
				return nil
			})
			st, pl := newIMAPPipeline(t)
			p := NewPoller(st, pl, memOptions(srv, tc.processed))
			stats, err := p.PollOnce(t.Context())
			if err != nil {
				t.Fatalf("a refused mark failed the poll: %v", err)
			}
			if stats.Stored != len(corpus) || stats.Marked != 0 || stats.MarkFailures != len(corpus) {
				t.Errorf("stats %+v", stats)
			}
			if n := pendingMarks(t, st); n != len(corpus) {
				t.Errorf("%d pending marks, want %d", n, len(corpus))
			}
			checkMarks(t, srv.Account(), "keep", len(corpus)) // untouched

			srv.SetFault(nil)
			stats, err = p.PollOnce(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if stats.Fetched != 0 || stats.Marked != len(corpus) || stats.MarkFailures != 0 {
				t.Errorf("retry stats %+v", stats)
			}
			if n := pendingMarks(t, st); n != 0 {
				t.Errorf("%d pending marks after retry", n)
			}
			checkMarks(t, srv.Account(), tc.processed, len(corpus))
		})
	}
}

// hookIngester calls before and after around each message committed,
// counting messages from 1: before ahead of the transaction that holds
// message n, after once it is committed.
type hookIngester struct {
	Ingester
	before func(n int)
	after  func(n int)
	n      int
}

func (h *hookIngester) Commit(ctx context.Context, batch []*Prepared) ([]Outcome, error) {
	if h.before != nil {
		for i := range batch {
			h.before(h.n + i + 1)
		}
	}
	outs, err := h.Ingester.Commit(ctx, batch)
	if err != nil {
		return outs, err
	}
	for range batch {
		h.n++
		if h.after != nil {
			h.after(h.n)
		}
	}
	return outs, err
}

// TestPollConnectionLostAfterCommit: the server goes away after the last
// message is committed, before it is moved. The poll fails; nothing is
// lost; the next poll moves what the first one stored.
func TestPollConnectionLostAfterCommit(t *testing.T) {
	corpus := imapCorpus(t)[:8]
	srv := imaptest.StartMemServer(t, memUser, memPass)
	for _, raw := range corpus {
		srv.Append("INBOX", raw)
	}
	st, pl := newIMAPPipeline(t)
	o := memOptions(srv, "move:Traités")
	o.BatchSize = 100
	ing := &hookIngester{Ingester: pl, after: func(n int) {
		if n == len(corpus) {
			srv.DropConnections()
		}
	}}
	_, err := NewPoller(st, ing, o).PollOnce(t.Context())
	if err == nil {
		t.Fatal("poll over a dropped connection succeeded")
	}
	t.Logf("first poll: %v", err)
	if n := messageRows(t, st); n != len(corpus) {
		t.Fatalf("%d stored, want %d", n, len(corpus))
	}
	// Batches committed before the last one may have been moved already.
	pending := pendingMarks(t, st)
	if pending == 0 {
		t.Errorf("no pending marks: the last batch was moved over a dropped connection")
	}
	stats, err := NewPoller(st, pl, o).PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Fetched != 0 || stats.Marked != pending {
		t.Errorf("stats %+v, want %d marked", stats, pending)
	}
	checkMarks(t, srv.Account(), "move:Traités", len(corpus))
	assertExactlyOnce(t, st, srv.Account(), "INBOX", "Traités")
}

// interruptedPolls runs PollOnce rounds times, each cancelled at a random
// point (before or after a message is committed, or after a random delay
// during network I/O), then once to the end.
func interruptedPolls(t *testing.T, st *store.Store, pl *Pipeline, o IMAPOptions, rounds int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 42))
	var mu sync.Mutex
	interrupted := 0
	for round := range rounds {
		ctx, cancel := context.WithCancel(t.Context())
		at := 1 + rng.IntN(12)
		ing := &hookIngester{Ingester: pl}
		switch round % 3 {
		case 0: // before the message's transaction: it must not be stored
			ing.before = func(n int) {
				if n == at {
					cancel()
				}
			}
		case 1: // right after a commit: the next one must not be read
			ing.after = func(n int) {
				if n == at {
					cancel()
				}
			}
		case 2: // anywhere: dial, login, fetch, inside a transaction, marking
			// Within 10 ms: a poll takes in about ten messages a
			// millisecond here, and a longer delay let a round drain the
			// mailbox, leaving the rounds after it nothing to interrupt.
			d := time.Duration(rng.IntN(10000)) * time.Microsecond
			time.AfterFunc(d, cancel)
		}
		stats, err := NewPoller(st, ing, o).PollOnce(ctx)
		cancel()
		if err != nil {
			mu.Lock()
			interrupted++
			mu.Unlock()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("round %d: want a cancellation error, got %v", round, err)
			}
		}
		t.Logf("round %d: stored %d, checkpoint %d, err %v", round, stats.Stored, stats.Checkpoint, err)
	}
	if interrupted < rounds/2 {
		t.Errorf("only %d of %d polls were interrupted: the test proves little", interrupted, rounds)
	}
	stats, err := NewPoller(st, pl, o).PollOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("final: %+v", stats)
}

func TestPollInterrupted(t *testing.T) {
	corpus := imapCorpus(t)
	srv := imaptest.StartMemServer(t, memUser, memPass)
	n := 0
	// Enough mail that the interrupted rounds never drain the mailbox.
	for range 12 {
		for _, raw := range corpus {
			n++
			srv.Append("INBOX", imaptest.SetMessageID(raw, fmt.Sprintf("crash-%d@test.invalid", n)))
		}
	}
	st, pl := newIMAPPipeline(t)
	o := memOptions(srv, "move:Traités")
	o.Logger = testLogger(t)
	interruptedPolls(t, st, pl, o, 15, 1)
	if p := pendingMarks(t, st); p != 0 {
		t.Errorf("%d messages left unmoved", p)
	}
	checkMarks(t, srv.Account(), o.Processed, n)
	assertExactlyOnce(t, st, srv.Account(), "INBOX", "Traités")
}

// TestWatchIdle: a message appended while the watcher idles is stored
// within seconds; a dropped connection is reconnected; cancelling ends
// Watch with nil.
func TestWatchIdle(t *testing.T) {
	corpus := imapCorpus(t)
	srv := imaptest.StartMemServer(t, memUser, memPass)
	srv.Append("INBOX", corpus[0])
	st, pl := newIMAPPipeline(t)
	o := memOptions(srv, "flag")
	o.PollInterval = time.Hour // only IDLE can make it poll again
	o.Logger = testLogger(t)
	polls := make(chan PollStats, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- NewPoller(st, pl, o).Watch(ctx, func(s PollStats) { polls <- s }) }()

	waitStored := func(want int) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case <-polls:
				if messageRows(t, st) == want {
					return
				}
			case <-deadline:
				t.Fatalf("%d messages stored after 5 s, want %d", messageRows(t, st), want)
			}
		}
	}
	waitStored(1)
	start := time.Now()
	srv.Append("INBOX", corpus[1])
	waitStored(2)
	t.Logf("new mail stored %s after it arrived", time.Since(start))

	srv.DropConnections() // Watch reconnects (after 1 s)
	srv.Append("INBOX", corpus[2])
	waitStored(3)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
	checkMarks(t, srv.Account(), "flag", 3)
}

// TestWatchNoIdle: without IDLE, Watch polls every PollInterval.
func TestWatchNoIdle(t *testing.T) {
	corpus := imapCorpus(t)
	srv := imaptest.StartMemServerWith(t, memUser, memPass, imaptest.MemServerOptions{
		Caps: imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapMove: {}},
	})
	st, pl := newIMAPPipeline(t)
	o := memOptions(srv, "move:Traités")
	o.PollInterval = 100 * time.Millisecond
	o.Logger = testLogger(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	var polls atomic.Int32
	go func() { done <- NewPoller(st, pl, o).Watch(ctx, func(PollStats) { polls.Add(1) }) }()
	srv.Append("INBOX", corpus[0])
	deadline := time.Now().Add(5 * time.Second)
	for messageRows(t, st) < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	srv.Append("INBOX", corpus[1])
	for messageRows(t, st) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch: %v", err)
	}
	if n := messageRows(t, st); n != 2 {
		t.Errorf("%d stored, want 2 (polls: %d)", n, polls.Load())
	}
}

// TestPollStalledServer: a server that accepts the connection and then
// says nothing is given up after CommandTimeout, and a cancelled context
// ends the wait at once.
func TestPollStalledServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, silent
		}
	}()
	st, pl := newIMAPPipeline(t)
	port := ln.Addr().(*net.TCPAddr).Port
	o := IMAPOptions{Host: "127.0.0.1", Port: port, Security: "none", Username: "u", Password: "p",
		CommandTimeout: 300 * time.Millisecond}
	start := time.Now()
	_, err = NewPoller(st, pl, o).PollOnce(t.Context())
	if err == nil || !strings.Contains(err.Error(), "greeting") || !errors.Is(err, errTimeout) {
		t.Errorf("silent server: err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("gave up after %s", d)
	}

	o.CommandTimeout = time.Minute
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = NewPoller(st, pl, o).PollOnce(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled: err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %s", d)
	}
}

func TestIMAPOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		o  IMAPOptions
		ok bool
	}{
		{IMAPOptions{Host: "imap.gmail.com", Username: "u"}, true},
		{IMAPOptions{Host: "127.0.0.1", Username: "u", Security: "none"}, true},
		{IMAPOptions{Host: "::1", Username: "u", Security: "none", Processed: "move:Traités"}, true},
		{IMAPOptions{Host: "localhost", Username: "u", Security: "none", Processed: "keep"}, true},
		{IMAPOptions{Username: "u"}, false},
		{IMAPOptions{Host: "h"}, false},
		{IMAPOptions{Host: "h", Username: "u", Port: 70000}, false},
		{IMAPOptions{Host: "h", Username: "u", Processed: "move:"}, false},
		{IMAPOptions{Host: "10.0.0.1", Username: "u", Security: "none"}, false},
	} {
		if err := tc.o.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: err = %v", tc.o, err)
		}
	}
	if got := (IMAPOptions{Host: "imap.gmail.com"}).Addr(); got != "imap.gmail.com:993" {
		t.Errorf("default addr %s", got)
	}
	if got := (IMAPOptions{Host: "::1", Security: "none"}).Addr(); got != "[::1]:143" {
		t.Errorf("default addr %s", got)
	}
}

// TestEmptyPollAsksStatusNotSelect: a one-shot poll that finds nothing new
// learns it from STATUS and never selects the mailbox (selecting a large
// Maildir is most of an empty poll's cost); new mail still needs SELECT.
func TestEmptyPollAsksStatusNotSelect(t *testing.T) {
	ctx := t.Context()
	srv := imaptest.StartMemServer(t, memUser, memPass)
	corpus := imapCorpus(t)
	if err := srv.Append("INBOX", corpus[0]); err != nil {
		t.Fatal(err)
	}
	// Through a proxy (the checkpoint is kept per host:port), which cuts
	// the connection at the first SELECT once its rule is set.
	proxy, err := imaptest.NewProxy(net.JoinHostPort(srv.Host(), strconv.Itoa(srv.Port())))
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	o := memOptions(srv, "flag")
	o.Port = proxy.Port()
	st, pl := newIMAPPipeline(t)
	p := NewPoller(st, pl, o)
	if stats, err := p.PollOnce(ctx); err != nil || stats.Stored != 1 {
		t.Fatalf("first poll: %+v, %v", stats, err)
	}
	proxy.SetRule(func() imaptest.Cut {
		return imaptest.Cut{OnClientText: " SELECT ", CutOnText: true, ServerBytesAfter: -1}
	})
	stats, err := p.PollOnce(ctx)
	if err != nil || stats.Fetched != 0 || stats.Checkpoint != 1 {
		t.Fatalf("empty poll: %+v, %v", stats, err)
	}
	if cuts := proxy.Cuts(); len(cuts) != 0 {
		t.Fatalf("the empty poll selected the mailbox: %v", cuts)
	}
	if err := srv.Append("INBOX", corpus[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PollOnce(ctx); err == nil || len(proxy.Cuts()) != 1 {
		t.Fatalf("new mail taken without SELECT? err %v, cuts %v", err, proxy.Cuts())
	}
}
