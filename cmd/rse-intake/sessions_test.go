package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// sessionServers starts the in-process IMAP server holding the shared
// corpus and an SMTP sink, and writes a configuration with sessionTOML.
func sessionServers(t *testing.T, sessionTOML string) *mailServers {
	t.Helper()
	mem := imaptest.StartMemServer(t, "rse", "secret")
	_, raws := corpusRaws(t)
	for _, raw := range raws {
		if err := mem.Append("INBOX", raw); err != nil {
			t.Fatal(err)
		}
	}
	sink := smtpsink.Start(t)
	shost, sport, _ := net.SplitHostPort(sink.Addr())
	cfg := writeConfig(t, fmt.Sprintf(`[program]
address = "rse.innovation.manageriale@gmail.com"
coordinators = ["coordination@rse-lozere.fr"]
[imap]
host = %q
port = %d
security = "none"
username = "rse"
password = "secret"
[smtp]
host = %q
port = %s
security = "none"
%s`, mem.Host(), mem.Port(), shost, sport, sessionTOML))
	return &mailServers{config: cfg, sink: sink}
}

type listed struct {
	Reference string   `json:"reference"`
	Status    string   `json:"status"`
	Email     *string  `json:"email"`
	Missing   []string `json:"missing"`
}

func listApps(t *testing.T, config string, args ...string) []listed {
	t.Helper()
	var apps []listed
	out := mustRun(t, append([]string{"--config", config, "list", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &apps); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	return apps
}

// calendarParts walks a delivered message and returns its text/calendar
// parts with their method parameter.
func calendarParts(t *testing.T, data []byte) (inline []string, attached int) {
	t.Helper()
	e, err := message.Read(bytes.NewReader(data))
	if err != nil && !message.IsUnknownCharset(err) {
		t.Fatal(err)
	}
	var walk func(e *message.Entity)
	walk = func(e *message.Entity) {
		if mr := e.MultipartReader(); mr != nil {
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil && !message.IsUnknownCharset(err) {
					t.Fatal(err)
				}
				walk(p)
			}
		}
		ct, params, _ := e.Header.ContentType()
		disp, _, _ := e.Header.ContentDisposition()
		b, _ := io.ReadAll(e.Body)
		switch {
		case disp == "attachment" && strings.HasSuffix(params["name"], ".ics"):
			attached++
		case ct == "text/calendar" && params["method"] == "PUBLISH":
			inline = append(inline, string(b))
		}
	}
	walk(e)
	return inline, attached
}

// TestRemindSelectedDeliversOneInvitationEach is issue 10's acceptance:
// one session three days ahead for the selected, the corpus taken in,
// three applications selected: remind --now then send --once delivers
// one mail to each of the three, with one VEVENT at the session's local
// time; running both again delivers nothing.
func TestRemindSelectedDeliversOneInvitationEach(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().In(paris).Add(72 * time.Hour).Truncate(time.Minute)
	srv := sessionServers(t, fmt.Sprintf(`
[[session]]
id = "lancement-2026"
title = "Soirée de lancement"
kind = "launch"
start = %q
end = %q
location = "Maison de l'entreprise, Mende"
audience = "selected"
remind = ["168h", "24h"]
`, start.Format("2006-01-02 15:04"), start.Add(2*time.Hour).Format("2006-01-02 15:04")))
	mustRun(t, "--config", srv.config, "poll", "--once")
	mustRun(t, "--config", srv.config, "send", "--once")
	srv.sink.Clear()

	// Nobody selected yet: nothing due.
	if out := mustRun(t, "--config", srv.config, "remind", "--now"); !strings.Contains(out, "queued 0 session mails") {
		t.Errorf("remind before any selection: %s", out)
	}
	want := map[string]bool{}
	for _, a := range listApps(t, srv.config, "--status", "complete") {
		if len(want) == 3 {
			break
		}
		mustRun(t, "--config", srv.config, "review", a.Reference, "--status", "shortlisted")
		mustRun(t, "--config", srv.config, "review", a.Reference, "--status", "selected")
		want[strings.ToLower(*a.Email)] = true
	}
	if len(want) != 3 {
		t.Fatalf("the corpus has %d complete applications with an address, want 3 at least", len(want))
	}
	dry := mustRun(t, "--config", srv.config, "remind", "--now", "--dry-run")
	if !strings.Contains(dry, "would queue 3 session mails") {
		t.Errorf("dry run: %s", dry)
	}
	mustRun(t, "--config", srv.config, "remind", "--now")
	mustRun(t, "--config", srv.config, "send", "--once")
	msgs := srv.sink.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d mails delivered, want 3", len(msgs))
	}
	dtstart := "DTSTART;TZID=Europe/Paris:" + start.Format("20060102T150405")
	for _, m := range msgs {
		if len(m.To) != 1 || !want[strings.ToLower(m.To[0])] {
			t.Errorf("reminder to %v, not one of the selected", m.To)
			continue
		}
		delete(want, strings.ToLower(m.To[0]))
		inline, attached := calendarParts(t, m.Data)
		if len(inline) != 1 || attached != 1 {
			t.Errorf("mail to %v: %d text/calendar parts and %d .ics files, want 1 and 1", m.To, len(inline), attached)
			continue
		}
		if n := strings.Count(inline[0], "BEGIN:VEVENT"); n != 1 || !strings.Contains(inline[0], dtstart+"\r\n") {
			t.Errorf("mail to %v: %d VEVENT, want 1 starting %s:\n%s", m.To, n, dtstart, inline[0])
		}
	}

	mustRun(t, "--config", srv.config, "remind", "--now")
	mustRun(t, "--config", srv.config, "send", "--once")
	if n := srv.sink.Len(); n != 3 {
		t.Errorf("second remind and send: %d mails in all, want still 3", n)
	}

	var sessions []struct {
		ID         string `json:"id"`
		Recipients int    `json:"recipients"`
		DueNow     bool   `json:"due_now"`
		NextDue    string `json:"next_due"`
		Sent       []struct {
			Status string `json:"status"`
			Offset string `json:"offset"`
		} `json:"sent"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", srv.config, "sessions", "--json")), &sessions); err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 || sessions[0].Recipients != 3 || len(sessions[0].Sent) != 3 || sessions[0].DueNow {
		t.Fatalf("sessions --json: %+v", sessions)
	}
	for _, s := range sessions[0].Sent {
		if s.Status != "sent" || s.Offset != "168h0m0s" {
			t.Errorf("sent: %+v", s)
		}
	}
	next, err := time.Parse(time.RFC3339, sessions[0].NextDue)
	if err != nil || !next.Equal(start.Add(-24*time.Hour)) {
		t.Errorf("next_due %q, want %s", sessions[0].NextDue, start.Add(-24*time.Hour))
	}
	if out := mustRun(t, "--config", srv.config, "sessions"); !strings.Contains(out, "lancement-2026") || !strings.Contains(out, "3 sent") {
		t.Errorf("sessions:\n%s", out)
	}
}

// TestDigestDryRunNamesEveryApplicationAndWaitingMail: after the corpus is
// taken in, digest --now --dry-run names every application with its
// missing pieces and every mail waiting for a person; the digest then
// goes to the coordinator, and the next one reports nothing twice.
func TestDigestDryRunNamesEveryApplicationAndWaitingMail(t *testing.T) {
	srv := sessionServers(t, "")
	mustRun(t, "--config", srv.config, "poll", "--once")
	out := mustRun(t, "--config", srv.config, "digest", "--now", "--dry-run")
	apps := listApps(t, srv.config)
	if len(apps) < 18 {
		t.Fatalf("%d applications taken in", len(apps))
	}
	for _, a := range apps {
		line := lineWith(out, a.Reference+" : ")
		if line == "" {
			t.Errorf("digest does not name %s", a.Reference)
			continue
		}
		detail := lineAfter(out, line)
		if len(a.Missing) == 0 && !strings.Contains(detail, "dossier complet") {
			t.Errorf("%s is complete, digest says %q", a.Reference, detail)
		}
		for _, m := range a.Missing {
			// In the shortlist's words: "SIRET", "Téléphone".
			name := shortlist.MissingLabels([]store.Missing{{Field: m}}, "fr")[0]
			if !strings.Contains(detail, name) {
				t.Errorf("%s lacks %s, digest says %q", a.Reference, name, detail)
			}
		}
	}
	// Mail waiting for a person: the question before applying (30). Not
	// the notification from a noreply address (13), the coordinator's own
	// mail (14), out-of-office replies, bounces, newsletters or spam.
	for _, who := range []string{"franck.teissier@hotmail.fr"} {
		if !strings.Contains(out, who) {
			t.Errorf("digest does not name the mail from %s waiting for an answer:\n%s", who, out)
		}
	}
	for _, who := range []string{"noreply@formations-occitanie.fr", "coordination@rse-lozere.fr, «", "mailer-daemon",
		"newsletter@", "rendement-garanti", "laurent.vergnet@free.fr", "m.chaptal@chaptal-btp.fr"} {
		if strings.Contains(strings.ToLower(out), strings.ToLower(who)) {
			t.Errorf("digest names %s as waiting for an answer", who)
		}
	}
	if !strings.Contains(out, "CANDIDATURES PAR STATUT") {
		t.Errorf("no counts by status:\n%s", out)
	}

	mustRun(t, "--config", srv.config, "send", "--once")
	srv.sink.Clear()
	if out := mustRun(t, "--config", srv.config, "digest", "--now"); !strings.Contains(out, "queued the digest") {
		t.Fatalf("digest --now: %s", out)
	}
	mustRun(t, "--config", srv.config, "send", "--once")
	if msgs := srv.sink.Messages(); len(msgs) != 1 || msgs[0].To[0] != "coordination@rse-lozere.fr" {
		t.Fatalf("digest delivery: %d mails", len(msgs))
	}
	if out := mustRun(t, "--config", srv.config, "digest", "--now"); !strings.Contains(out, "nothing new") {
		t.Errorf("second digest --now: %s", out)
	}
	if out := mustRun(t, "--config", srv.config, "digest", "--now", "--dry-run"); strings.Contains(out, apps[0].Reference+" : ") {
		t.Errorf("the next digest reports %s again:\n%s", apps[0].Reference, out)
	}
}

func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func lineAfter(text, line string) string {
	ls := strings.Split(text, "\n")
	for i, l := range ls {
		if l == line && i+1 < len(ls) {
			return ls[i+1]
		}
	}
	return ""
}

func TestSessionConfigErrorsNameTheSession(t *testing.T) {
	base := "[[session]]\nid = \"s1\"\ntitle = \"T\"\nkind = \"collective\"\nstart = \"2026-12-03 18:30\"\nend = \"2026-12-03 20:30\"\naudience = \"selected\"\n"
	cases := []struct{ body, want string }{
		{base + "colour = \"red\"\n", `[[session]] "s1": unknown key "colour"`},
		{strings.Replace(base, "20:30", "17:00", 1), `[[session]] "s1": end 2026-12-03 17:00 is not after start`},
		{strings.Replace(base, "2026-12-03 18:30", "3 décembre 18h30", 1), `[[session]] "s1": start: "3 décembre 18h30" is not a time`},
		{strings.Replace(base, "\"selected\"", "\"everyone\"", 1), `[[session]] "s1": audience: "everyone"`},
		{strings.Replace(base, "\"selected\"", "[\"RSE-2026-0007\", \"not an address\"]", 1), `[[session]] "s1": audience: "not an address"`},
		{strings.Replace(base, "collective", "party", 1), `[[session]] "s1": kind "party"`},
		{strings.Replace(base, "\"selected\"", "[\"selected\", \"applicants\"]", 1), `[[session]] "s1": audience: "selected" and "applicants"`},
		{base + "remind = [\"a week\"]\n", `[[session]] "s1": remind "a week"`},
		{base + "remind = [\"-24h\"]\n", `[[session]] "s1": remind "-24h": must be a positive duration`},
		{base + base, `[[session]] "s1": the id is used by two sessions`},
		{"[schedule]\ndigest = \"every morning\"\n", "[schedule] digest"},
	}
	for _, c := range cases {
		path := writeConfig(t, c.body)
		code, _, stderr := runCLI(t, "--config", path, "sessions")
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q:\nexit %d, %s\nwant exit 2 and %q", c.body, code, stderr, c.want)
		}
	}
}

func TestRemindRefusesAnUnknownReferenceNamingTheSession(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rse-intake.toml")
	body := "[program]\naddress = \"rse@example.org\"\n[store]\npath = \"s.db\"\n" +
		"[[session]]\nid = \"consultants\"\ntitle = \"T\"\nkind = \"individual\"\nstart = \"2030-12-03T18:30:00+01:00\"\n" +
		"end = \"2030-12-03T19:30:00+01:00\"\naudience = [\"RSE-2026-0042\", \"consultant@example.org\"]\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	// Create the store (stats opens it; no mail needed).
	if err := os.WriteFile(filepath.Join(dir, "s.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "--config", path, "remind", "--now")
	if code != 2 || !strings.Contains(stderr, `[[session]] "consultants": audience: unknown reference RSE-2026-0042`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestScheduledJobsForTheDaemon: the daemon gets the reminders and digest
// jobs with their [schedule] specs; "off" leaves one out; each runs.
func TestScheduledJobsForTheDaemon(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		schedule string
		want     string
	}{
		{"", "reminders 0 9 * * *|digest 0 8 * * 1-5|"},
		{"[schedule]\nreminders = \"30 7 * * *\"\ndigest = \"off\"\n", "reminders 30 7 * * *|"},
	} {
		path := writeConfig(t, "[program]\naddress = \"rse@example.org\"\ncoordinators = [\"c@example.org\"]\n"+
			"[store]\npath = \"s.db\"\n"+tc.schedule+
			"[[session]]\nid = \"s1\"\ntitle = \"T\"\nkind = \"collective\"\nstart = \"2030-12-03 18:30\"\nend = \"2030-12-03 20:30\"\naudience = \"selected\"\n")
		cfg, err := loadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := openStore(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		jobs, err := cfg.scheduledJobs(st, &env{log: discardLogger()})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, j := range jobs {
			got += j.Name + " " + j.Spec + "|"
			if err := j.Run(ctx); err != nil {
				t.Errorf("job %s: %v", j.Name, err)
			}
		}
		if got != tc.want {
			t.Errorf("jobs %q, want %q", got, tc.want)
		}
		if sess, err := st.Session(ctx, "s1"); err != nil || sess.Sequence != 0 {
			t.Errorf("the reminders job did not record the session: %+v %v", sess, err)
		}
		st.Close()
	}
}
