package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

// Tests of `run` as it runs in production: the binary, built once per
// test, against a real Dovecot and an SMTP server, stopped by signals.

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rse-intake")
	args := slices.Concat([]string{"build"}, buildFlags, []string{"-o", bin, "github.com/rse-lozere/rse-intake/cmd/rse-intake"})
	build := exec.CommandContext(t.Context(), "go", args...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cmd/rse-intake: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// daemonRun is one `rse-intake run` process.
type daemonRun struct {
	cmd    *exec.Cmd
	out    *syncBuffer // stdout and stderr
	exited chan struct{}
	err    error
}

func startRun(t *testing.T, bin, conf string, args ...string) *daemonRun {
	t.Helper()
	r := &daemonRun{out: &syncBuffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(bin, append([]string{"--config", conf, "run"}, args...)...)
	r.cmd.Env = append(os.Environ(), "RSE_INTAKE_CONFIG=")
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.exited
	})
	return r
}

// stop sends SIGTERM and returns the exit code and how long it took.
func (r *daemonRun) stop(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(15 * time.Second):
		t.Fatalf("run still going 15 s after SIGTERM\n%s", r.out)
	}
	return r.cmd.ProcessState.ExitCode(), time.Since(start)
}

// waitLog waits for text to show in the process's output.
func (r *daemonRun) waitLog(t *testing.T, text string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(r.out.String(), text) {
		select {
		case <-r.exited:
			t.Fatalf("run exited (%v) before logging %q\n%s", r.err, text, r.out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s\n%s", text, within, r.out)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// runConfig is the end-to-end configuration with the daemon's settings.
func runConfig(t *testing.T, d *imaptest.Dovecot, sink *smtpsink.Sink, httpAddr, extra string) string {
	t.Helper()
	conf := e2eConfig(t, d.Host(), d.Port(), d.User(), d.Pass(), sink)
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	b = fmt.Appendf(b, "\n[schedule]\npoll = \"2s\"\n[http]\nlisten = %q\n%s", httpAddr, extra)
	if err := os.WriteFile(conf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return conf
}

// healthz fetches /healthz: its status code and document.
func healthz(t *testing.T, addr string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("/healthz: %v", err)
	}
	return resp.StatusCode, doc
}

func waitHealth(t *testing.T, addr string, code int, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, doc := healthz(t, addr)
		if got == code {
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz stayed %d (want %d) for %s: %v", got, code, within, doc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// application is a plain application mail, its own sender and Message-ID;
// each sender at its own domain, as the per-domain sending limit wants.
// Each candidate writes from their own company's domain: more than
// [notify] max_per_domain_per_hour mails an hour to one domain wait.
func application(i int) []byte {
	return fmt.Appendf(nil, "From: Candidate %[1]d <candidate%[1]d@atelier%[1]d.example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n"+
		"Subject: Candidature RSE\r\nMessage-ID: <run-%[1]d@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour,\r\nJe souhaite candidater au programme.\r\n"+
		"Nom : Martin%[1]d\r\nPrénom : Claire\r\nEntreprise : Atelier numéro %[1]d\r\nCommune : Mende\r\n"+
		"Code postal : 48000\r\nTéléphone : 06 12 34 56 %02[1]d\r\n", i)
}

// acksByMessage maps the Message-ID each acknowledgement answers to when
// the SMTP server accepted it.
func acksByMessage(t *testing.T, sink *smtpsink.Sink) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, m := range sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		if irt := msg.Header.Get("In-Reply-To"); irt != "" {
			out[irt] = m.At
		}
	}
	return out
}

// mailsTo returns the decoded subjects of the mails to addr.
func mailsTo(t *testing.T, sink *smtpsink.Sink, addr string) []string {
	t.Helper()
	var subjects []string
	for _, m := range sink.Messages() {
		if len(m.To) != 1 || !strings.EqualFold(m.To[0], addr) {
			continue
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		s, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			s = msg.Header.Get("Subject")
		}
		subjects = append(subjects, s)
	}
	return subjects
}

func metrics(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not valid Prometheus text: %v\n%s", err, body)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += fmt.Sprintf("{%s=%s}", l.GetName(), l.GetValue())
			}
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[key+"_count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// TestRunDovecot is the daemon's acceptance against Dovecot: each of 20
// applications appended to the INBOX is acknowledged at the SMTP server
// within 5 s; /healthz and /metrics answer; a second run and a poll --once
// are refused while it holds the store; SIGHUP with a broken file keeps
// the running configuration, with a good one takes it (the next
// acknowledgement uses its templates); SIGTERM stops it
// with exit 0 within 10 s; and no output ever shows the password.
func TestRunDovecot(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	d := imaptest.StartDovecot(t)
	sink := smtpsink.Start(t)
	bin := buildBinary(t)
	httpAddr := freeAddr(t)
	conf := runConfig(t, d, sink, httpAddr, "")
	r := startRun(t, bin, conf)
	waitHealth(t, httpAddr, http.StatusOK, 10*time.Second)
	r.waitLog(t, "imap_poll_done", 10*time.Second)

	const n = 20
	appended := map[string]time.Time{}
	for i := range n {
		appended[fmt.Sprintf("<run-%d@example.fr>", i)] = time.Now()
		if err := d.Append(application(i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := sink.Wait(ctx, n); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	acks := acksByMessage(t, sink)
	var lat []time.Duration
	for id, at := range appended {
		got, ok := acks[id]
		if !ok {
			t.Errorf("no acknowledgement of %s", id)
			continue
		}
		l := got.Sub(at)
		lat = append(lat, l)
		if l > 5*time.Second {
			t.Errorf("acknowledgement of %s after %s, want under 5 s", id, l)
		}
	}
	slices.Sort(lat)
	if len(lat) == n {
		t.Logf("arrival to acknowledgement over %d messages: p50 %s, p90 %s, max %s",
			n, lat[n/2], lat[n*9/10], lat[n-1])
	}

	code, doc := healthz(t, httpAddr)
	if code != http.StatusOK || doc["status"] != "ok" || doc["store_ok"] != true || doc["version"] == "" {
		t.Errorf("/healthz %d %v", code, doc)
	}
	if imap, _ := doc["imap"].(map[string]any); imap == nil || imap["last_success"] == nil {
		t.Errorf("/healthz has no last IMAP success: %v", doc)
	}
	if b, _ := json.Marshal(doc); strings.Contains(string(b), d.Pass()) {
		t.Error("/healthz shows the password")
	}
	// The SMTP server has the last mail an instant before the daemon
	// records it as sent: look again for a moment.
	want := map[string]float64{
		"rse_intake_messages_taken_in_total{kind=application}": n,
		"rse_intake_outbox_sent_total":                         n,
		"rse_intake_applications{status=incomplete}":           n,
		"rse_intake_outbox_mails{status=sent}":                 n,
	}
	var m map[string]float64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		m = metrics(t, httpAddr)
		same := true
		for key, v := range want {
			same = same && m[key] == v
		}
		if same || time.Now().After(deadline) {
			break
		}
	}
	for key, v := range want {
		if m[key] != v {
			t.Errorf("metric %s = %v, want %v", key, m[key], v)
		}
	}
	for _, key := range []string{"rse_intake_poll_duration_seconds_count", "rse_intake_send_duration_seconds_count",
		"rse_intake_last_imap_success_timestamp_seconds", "rse_intake_last_smtp_success_timestamp_seconds"} {
		if m[key] <= 0 {
			t.Errorf("metric %s = %v, want > 0", key, m[key])
		}
	}
	if _, ok := m["rse_intake_imap_reconnects_total"]; !ok {
		t.Error("no rse_intake_imap_reconnects_total")
	}

	// One daemon per store.
	held := fmt.Sprintf("held by pid %d since ", r.cmd.Process.Pid)
	for _, args := range [][]string{{"run"}, {"poll", "--once"}, {"send", "--once"}} {
		out, err := exec.Command(bin, append([]string{"--config", conf}, args...)...).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), held) {
			t.Errorf("%v while run holds the store: %v\n%s", args, err, out)
		}
	}
	// Reading needs no lock.
	if out, err := exec.Command(bin, "--config", conf, "stats").CombinedOutput(); err != nil {
		t.Errorf("stats while running: %v\n%s", err, out)
	}

	// SIGHUP: a broken file is refused and the old configuration kept;
	// a good one is taken.
	good, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, append(slices.Clone(good), "\n[notify]\nmax_per_hour = \"many\"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	r.cmd.Process.Signal(syscall.SIGHUP)
	r.waitLog(t, "config_reload_failed", 5*time.Second)
	// The good file now overrides the acknowledgement's subject.
	tpl := filepath.Join(t.TempDir(), "tpl")
	if err := os.MkdirAll(filepath.Join(tpl, "fr"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tpl, "fr", "ack.subject.txt"), []byte("Bien reçu : {{.Reference}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, fmt.Appendf(slices.Clone(good), "\n[notify]\ntemplates_dir = %q\n", tpl), 0o600); err != nil {
		t.Fatal(err)
	}
	r.cmd.Process.Signal(syscall.SIGHUP)
	r.waitLog(t, "config_reloaded", 5*time.Second)
	if err := d.Append(application(n)); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel2()
	if _, err := sink.Wait(ctx2, n+1); err != nil {
		t.Fatalf("after reload: %v\n%s", err, r.out)
	}
	if subjects := mailsTo(t, sink, "candidate20@atelier20.example.fr"); len(subjects) != 1 || subjects[0] != "Bien reçu : RSE-2026-0021" {
		t.Errorf("acknowledgement after the reload: %q, want the reloaded template's subject", subjects)

	}

	code, took := r.stop(t)
	if code != 0 || took > 10*time.Second {
		t.Errorf("SIGTERM: exit %d after %s, want 0 within 10 s\n%s", code, took, r.out)
	}
	t.Logf("SIGTERM to exit: %s", took)
	if os.Getenv("SHOWLOG") != "" {
		t.Log(r.out.String())
	}
	out := r.out.String()
	for _, want := range []string{"message_taken_in", "mail_sent", "reference=RSE-2026-", "daemon_stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if strings.Contains(out, d.Pass()) {
		t.Errorf("the password shows in the output of run")
	}
	// The lock is free again.
	if out, err := exec.Command(bin, "--config", conf, "poll", "--once").CombinedOutput(); err != nil {
		t.Errorf("poll --once after run stopped: %v\n%s", err, out)
	}
}

// TestRunDovecotOutage: Dovecot stops for 30 s. /healthz turns 503, the
// operators get one alert mail (alert_after is 10 s) over SMTP; mail
// delivered meanwhile is taken in once Dovecot is back, nothing is lost,
// and one "back to normal" mail follows. Half a minute of waiting: it
// runs where Dovecot is required (CI).
func TestRunDovecotOutage(t *testing.T) {
	if os.Getenv("RSE_REQUIRE_DOVECOT") != "1" || testing.Short() {
		t.Skip("a 30 s outage: set RSE_REQUIRE_DOVECOT=1 to run it")
	}
	d := imaptest.StartDovecot(t)
	sink := smtpsink.Start(t)
	bin := buildBinary(t)
	httpAddr := freeAddr(t)
	const ops = "ops@example.org"
	conf := runConfig(t, d, sink, httpAddr, fmt.Sprintf("[notify]\nadmin = [%q]\nalert_after = \"10s\"\n", ops))
	r := startRun(t, bin, conf)
	waitHealth(t, httpAddr, http.StatusOK, 10*time.Second)
	if err := d.Append(application(0), application(1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if _, err := sink.Wait(ctx, 2); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}

	if err := d.StopAll(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	// Delivered while the server is down: written straight to the Maildir.
	if err := d.SeedMaildir([][]byte{application(2), application(3), application(4)}); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SHOWLOG") != "" {
		defer func() { t.Log(r.out.String()) }()
	}
	doc := waitHealth(t, httpAddr, http.StatusServiceUnavailable, 15*time.Second)
	t.Logf("/healthz 503 after %s: %v", time.Since(down).Round(time.Second), doc["problems"])
	if m := metrics(t, httpAddr); m["rse_intake_problem_active{alerted=0}{problem=imap}"]+
		m["rse_intake_problem_active{alerted=1}{problem=imap}"] != 1 {
		t.Errorf("/metrics shows no IMAP problem while /healthz does: %v", m)
	}
	if _, err := sink.Wait(ctx, 3); err != nil {
		t.Fatalf("no alert mail: %v\n%s", err, r.out)
	}
	t.Logf("alert mail after %s", time.Since(down).Round(time.Second))
	time.Sleep(30*time.Second - time.Since(down))
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	// Three acknowledgements and the end of the alert.
	if _, err := sink.Wait(ctx, 7); err != nil {
		t.Fatalf("after the outage: %v\n%s", err, r.out)
	}
	t.Logf("all caught up %s after Dovecot came back", time.Since(up).Round(100*time.Millisecond))
	waitHealth(t, httpAddr, http.StatusOK, 10*time.Second)

	got := mailsTo(t, sink, ops)
	alerts, resolved := 0, 0
	for _, s := range got {
		switch {
		case strings.HasPrefix(s, "[rse-intake] Alerte : la relève du courrier (IMAP) échoue"):
			alerts++
		case strings.HasPrefix(s, "[rse-intake] Rétabli : la relève du courrier (IMAP) échoue"):
			resolved++
		}
	}
	if alerts != 1 || resolved != 1 || len(got) != 2 {
		t.Errorf("mails to the operators: %q; want one alert and one back to normal", got)
	}
	acks := acksByMessage(t, sink)
	for i := range 5 {
		if _, ok := acks[fmt.Sprintf("<run-%d@example.fr>", i)]; !ok {
			t.Errorf("application %d not acknowledged", i)
		}
	}
	code, _ := r.stop(t)
	if code != 0 {
		t.Errorf("exit %d\n%s", code, r.out)
	}
	var stats struct {
		Messages int `json:"messages"`
	}
	out, err := exec.Command(bin, "--config", conf, "stats", "--json").Output()
	if err != nil || json.Unmarshal(out, &stats) != nil || stats.Messages != 5 {
		t.Errorf("stats: %s (%v), want 5 messages", out, err)
	}
	if strings.Contains(r.out.String(), d.Pass()) {
		t.Errorf("the password shows in the output of run")
	}
}

// TestCheckDovecot: check signs in to Dovecot and the SMTP server, shows
// the capabilities and the messages waiting, and sends nothing; with a
// wrong password it exits 1 and names the server that refused.
func TestCheckDovecot(t *testing.T) {
	d := imaptest.StartDovecot(t)
	sink := smtpsink.Start(t)
	conf := e2eConfig(t, d.Host(), d.Port(), d.User(), d.Pass(), sink)
	if err := d.Append(application(0), application(1), application(2)); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "--config", conf, "check")
	if code != 0 {
		t.Fatalf("check: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Logf("check:\n%s", out)
	for _, want := range []string{"IDLE yes", "MOVE yes", "UIDPLUS yes", "CONDSTORE yes",
		"INBOX: 3 messages, 3 waiting", "store " /* not created yet */, "smtp " + sink.Addr(), "all good"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, "--config", conf, "poll", "--once")
	if err := d.Append(application(3)); err != nil {
		t.Fatal(err)
	}
	_, out, _ = runCLI(t, "--config", conf, "check")
	if !strings.Contains(out, "INBOX: 4 messages, 1 waiting") || !strings.Contains(out, "schema version") {
		t.Errorf("after a poll:\n%s", out)
	}
	if sink.Len() != 0 {
		t.Errorf("check sent %d mails", sink.Len())
	}

	t.Setenv("RSE_IMAP_PASSWORD", "wrong-password")
	code, out, stderr = runCLI(t, "--config", conf, "check")
	want := fmt.Sprintf("imap %s refused the sign-in", d.Addr())
	if code != 1 || !strings.Contains(stderr, want) || strings.Contains(out+stderr, "wrong-password") {
		t.Errorf("wrong password: exit %d, want 1 and %q\n%s\n%s", code, want, out, stderr)
	}
	t.Logf("check with a wrong password:\n%s%s", out, stderr)
}

// TestRunRefusesWhatCannotWork: a configuration the daemon cannot run
// with is refused with exit 2, before any store is created or locked.
func TestRunRefusesWhatCannotWork(t *testing.T) {
	const base = "[program]\naddress = \"rse@example.org\"\ncoordinators = [\"c@example.org\"]\n" +
		"[imap]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\nusername = \"u\"\npassword = \"p\"\n" +
		"[smtp]\nhost = \"127.0.0.1\"\nsecurity = \"none\"\n"
	for _, c := range []struct{ name, body, want string }{
		{"no imap", "[program]\naddress = \"rse@example.org\"\n", "[imap] host and username are required"},
		{"bad poll", base + "[schedule]\npoll = \"often\"\n", "[schedule] poll \"often\""},
		{"too quick poll", base + "[schedule]\npoll = \"10ms\"\n", "at least 1s"},
		{"bad alert_after", base + "[notify]\nalert_after = \"soon\"\n", "[notify] alert_after"},
		{"bad admin", base + "[notify]\nadmin = [\"ops\"]\n", "[notify] admin: \"ops\""},
		{"bad listen", base + "[http]\nlisten = \"9464\"\n", "[http] listen \"9464\""},
		{"nobody to alert", strings.Replace(base, "coordinators = [\"c@example.org\"]\n", "", 1), "nobody would get the alert mails"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conf := writeConfig(t, c.body)
			code, _, stderr := runCLI(t, "--config", conf, "run")
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, %q; want 2 and %q", code, stderr, c.want)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(conf), "rse-intake.db")); err == nil {
				t.Error("a refused run created the store")
			}
		})
	}
}

func TestHTTPListenDefaultsToLoopback(t *testing.T) {
	conf := writeConfig(t, "[http]\nlisten = \":9464\"\n")
	cfg, err := loadConfig(conf)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "127.0.0.1:9464" {
		t.Errorf("listen %q, want 127.0.0.1:9464", cfg.HTTP.Listen)
	}
	if cfg.pollEvery != time.Minute || cfg.alertAfter != 30*time.Minute {
		t.Errorf("defaults: poll %s, alert_after %s", cfg.pollEvery, cfg.alertAfter)
	}
}

func TestLoggerFormatsAndLevels(t *testing.T) {
	var b bytes.Buffer
	log, err := newLogger(&b, "json", "warn", false)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("quiet")
	log.Warn("mail_failed", "reference", "RSE-2026-0001")
	var line map[string]any
	if err := json.Unmarshal(b.Bytes(), &line); err != nil || line["msg"] != "mail_failed" || line["reference"] != "RSE-2026-0001" {
		t.Errorf("json at warn: %q (%v)", b.String(), err)
	}
	b.Reset()
	if log, err = newLogger(&b, "text", "error", true); err != nil {
		t.Fatal(err)
	}
	log.Debug("imap_message_stored")
	if !strings.Contains(b.String(), "level=DEBUG msg=imap_message_stored") {
		t.Errorf("--verbose does not log debug: %q", b.String())
	}
	for _, bad := range [][2]string{{"xml", "info"}, {"text", "loud"}} {
		if _, err := newLogger(&b, bad[0], bad[1], false); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestCheckBlamesTheAddressNotTemplatesNobodyWrote: with no program
// address, check says to set it, and does not send the user to a
// templates folder they never configured.
func TestCheckBlamesTheAddressNotTemplatesNobodyWrote(t *testing.T) {
	conf := writeConfig(t, "[program]\nname = \"RSE\"\n[store]\npath = \"none.db\"\n")
	code, stdout, stderr := runCLI(t, "--config", conf, "check")
	out := stdout + stderr
	if code != 1 || !strings.Contains(out, "check [program] name, address") || strings.Contains(out, "templates_dir") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
