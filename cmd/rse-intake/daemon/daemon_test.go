package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

const program = "rse.innovation.manageriale@gmail.com"

func application(id string) []byte {
	return []byte("From: Anne Roux <anne." + id + "@example.fr>\r\nTo: " + program + "\r\nSubject: Candidature RSE\r\n" +
		"Message-ID: <" + id + "@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n\r\n" +
		"Bonjour,\r\nJe souhaite candidater.\r\nNom : Roux\r\nPrénom : Anne\r\nEntreprise : Boulangerie " + id + "\r\n" +
		"Commune : Mende\r\nCode postal : 48000\r\n")
}

type fixture struct {
	d    *Daemon
	p    *intake.Poller
	mem  *imaptest.MemServer
	sink *smtpsink.Sink
	st   *store.Store
}

func newFixture(t testing.TB, log *slog.Logger) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(t.Context(), filepath.Join(dir, "rse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := notify.NewComposer(notify.ComposerConfig{ProgramName: "RSE", ProgramAddress: program})
	if err != nil {
		t.Fatal(err)
	}
	mem := imaptest.StartMemServer(t, "rse", "pass-word")
	sink := smtpsink.Start(t)
	sender, err := notify.NewSender(st, notify.SenderConfig{SMTP: notify.SMTPConfig{Host: sink.Host(), Port: sink.Port(),
		Security: notify.SecurityNone, From: program}, ProgramName: "RSE", ProgramAddress: program, Logger: log,
		// No sending caps: BenchmarkArrivalToAck answers more mail to
		// example.fr in a second than the default 20 an hour to a domain.
		MaxPerHour: 1 << 30, MaxPerDomainPerHour: -1})
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := notify.NewAlerts(st, c, notify.AlertConfig{Admin: []string{"ops@example.org"}, After: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	d := New(Config{Store: st, StorePath: filepath.Join(dir, "rse.db"), PollInterval: 200 * time.Millisecond,
		AlertAfter: 100 * time.Millisecond, Alerts: alerts, Version: "test", Logger: log})
	d.SetIngester(intake.NewPipeline(st, intake.Config{
		Program:  extract.Program{Address: program, ReferencePrefix: "RSE"},
		Files:    store.Files{Dir: filepath.Join(dir, "files")},
		Location: time.UTC, Composer: c, Logger: log,
	}))
	d.SetSender(sender)
	p := intake.NewPoller(st, d.Ingester(), intake.IMAPOptions{Host: mem.Host(), Port: mem.Port(), Security: "none",
		Username: "rse", Password: "pass-word", PollInterval: time.Second, MaxBackoff: time.Second,
		OnWatchError: d.IMAPFailed, Logger: log})
	return &fixture{d: d, p: p, mem: mem, sink: sink, st: st}
}

func (f *fixture) report(t testing.TB) (int, Report) {
	t.Helper()
	rec := httptest.NewRecorder()
	f.d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var rep Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatalf("/healthz: %v\n%s", err, rec.Body)
	}
	return rec.Code, rep
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 5 s", what)
		}
	}
}

// TestDaemonAcknowledgesAndStops: a message arriving while the daemon
// idles is acknowledged at once; an SMTP server that refuses sessions
// makes /healthz say the outbox is stuck; cancelling the context stops
// every loop promptly; so does an IMAP server that went away (the intake
// then fails for longer than three poll intervals).
func TestDaemonAcknowledgesAndStops(t *testing.T) {
	f := newFixture(t, slog.New(slog.NewTextHandler(t.Output(), nil)))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.d.Run(ctx, f.p, nil) }()
	waitFor(t, "first poll", func() bool { code, rep := f.report(t); return code == 200 && rep.IMAP.LastSuccess != nil })

	start := time.Now()
	if err := f.mem.Append("INBOX", application("one")); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
	defer wcancel()
	if _, err := f.sink.Wait(wctx, 1); err != nil {
		t.Fatal(err)
	}
	t.Logf("arrival to acknowledgement on the in-process servers: %s", time.Since(start))

	f.sink.RejectSessions(&smtp.SMTPError{Code: 421, Message: "closing"})
	if err := f.mem.Append("INBOX", application("two")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "503", func() bool { code, _ := f.report(t); return code == http.StatusServiceUnavailable })
	_, rep := f.report(t)
	if rep.OutboxBacklog != 1 || rep.SMTP.FailingSince == nil || len(rep.Problems) != 1 ||
		!strings.Contains(rep.Problems[0], "outbox stuck") {
		t.Errorf("report while SMTP refuses: %+v", rep)
	}

	// The IMAP server goes away: after three poll intervals, 503.
	f.mem.Close()
	waitFor(t, "intake failing", func() bool {
		_, rep := f.report(t)
		return slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.HasPrefix(p, "intake failing since") })
	})
	if _, rep := f.report(t); rep.IMAP.FailingSince == nil || rep.IMAP.LastError == "" || len(rep.Alerts) != 2 {
		t.Errorf("report while IMAP is down: %+v", rep)
	}

	stop := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still going 5 s after cancel")
	}
	t.Logf("stopped in %s", time.Since(stop))
}

func TestNearlyFull(t *testing.T) {
	for _, c := range []struct {
		free, total uint64
		want        bool
	}{
		{80 << 30, 250 << 30, false},
		{10 << 30, 250 << 30, true}, // 4 %
		{100 << 20, 1 << 30, true},  // under 256 MiB
		{600 << 20, 1 << 30, false},
	} {
		if got := nearlyFull(c.free, c.total); got != c.want {
			t.Errorf("nearlyFull(%d, %d) = %v", c.free, c.total, got)
		}
	}
}

// BenchmarkArrivalToAck measures, on the in-process IMAP server (which
// pushes EXISTS at once, unlike Dovecot's half-second notify delay), the
// time from an APPEND to the acknowledgement accepted by the SMTP server:
// the daemon's own share of the latency.
func BenchmarkArrivalToAck(b *testing.B) {
	f := newFixture(b, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.d.Run(ctx, f.p, nil) }()
	for {
		if _, rep := f.report(b); rep.IMAP.LastSuccess != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; b.Loop(); i++ {
		if err := f.mem.Append("INBOX", application(fmt.Sprintf("bench%d", i))); err != nil {
			b.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
		if _, err := f.sink.Wait(wctx, i+1); err != nil {
			b.Fatal(err)
		}
		wcancel()
	}
	cancel()
	<-done
}

// TestRunLeavesNoGoroutineBehind: once Run has returned, every loop it
// started (intake with its IDLE, the sender, the watcher, the HTTP
// server) is gone, so a stopped daemon holds nothing that could still
// touch the store it is about to close.
func TestRunLeavesNoGoroutineBehind(t *testing.T) {
	f := newFixture(t, slog.New(slog.DiscardHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.d.Run(ctx, f.p, ln) }()
	waitFor(t, "first poll", func() bool { code, rep := f.report(t); return code == 200 && rep.IMAP.LastSuccess != nil })
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Connections' goroutines on the test servers' side end a moment
	// after the daemon closed them: wait, generously, for the count.
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			var b strings.Builder
			pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Fatalf("%d goroutines after Run, %d before:\n%s", runtime.NumGoroutine(), before, b.String())
		}
	}
}
