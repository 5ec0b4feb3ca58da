package notify

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"net/mail"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

// Problems the daemon reports to its operators.
const (
	ProblemIMAP     = "imap"      // polling fails (server down, network)
	ProblemIMAPAuth = "imap_auth" // the IMAP server refuses the sign-in
	ProblemSMTP     = "smtp"      // sending fails
	ProblemDisk     = "disk"      // the disk holding the store is nearly full
)

// DefaultAlertRepeat is how often an alert is mailed again while its
// problem lasts.
const DefaultAlertRepeat = 6 * time.Hour

const tmplAlert = "alert"

// AlertConfig says who gets alerts and when.
type AlertConfig struct {
	Admin []string // recipients ([notify] admin)
	// After is how long a problem must last before it is mailed
	// ([notify] alert_after). A refused sign-in and a full disk need a
	// person whatever their length: they are mailed at once.
	After    time.Duration
	Repeat   time.Duration  // DefaultAlertRepeat when 0
	Location *time.Location // of the dates in the mails; UTC when nil
	Logger   *slog.Logger
}

// Alerts turns what the daemon observes (a problem failing, then well
// again) into mails to the operators: one when a problem has lasted
// After, again every Repeat while it lasts, and one "back to normal" when
// it ends. The mails go through the outbox, so an IMAP problem is told
// over SMTP. An SMTP problem cannot be mailed while it lasts: it is
// logged at error level (and shown by Active) and mailed, with its end,
// when sending works again.
type Alerts struct {
	st    *store.Store
	c     *Composer
	cfg   AlertConfig
	host  string
	tmpl  *kindTemplates
	log   *slog.Logger
	mu    sync.Mutex
	probs map[string]*problem

	// Now is the clock (time.Now by default).
	Now func() time.Time
	// Queued, if set, is called after an alert mail is queued (the
	// daemon wakes its sender with it).
	Queued func()
}

type problem struct {
	since   time.Time // first failure since the problem was last well
	detail  string    // the latest error
	alerted time.Time // last alert (mail queued, or logged for SMTP); zero when none
	sent    int       // alerts so far
}

// ActiveProblem is a problem going on, as /healthz shows it.
type ActiveProblem struct {
	Problem string    `json:"problem"`
	Since   time.Time `json:"since"`
	Error   string    `json:"error"`
	Alerted bool      `json:"alerted"`
}

// NewAlerts parses the alert templates of c (so that a broken one stops
// the start) and returns the alerts of st.
func NewAlerts(st *store.Store, c *Composer, cfg AlertConfig) (*Alerts, error) {
	if len(cfg.Admin) == 0 {
		return nil, errors.New("alerts: no recipient ([notify] admin or [program] coordinators)")
	}
	for _, a := range cfg.Admin {
		if _, err := mail.ParseAddress(a); err != nil {
			return nil, fmt.Errorf("alerts: recipient %q: %w", a, err)
		}
	}
	if cfg.Repeat <= 0 {
		cfg.Repeat = DefaultAlertRepeat
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	a := &Alerts{st: st, c: c, cfg: cfg, log: cfg.Logger, probs: map[string]*problem{}, Now: time.Now}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.host, _ = os.Hostname()
	if a.host == "" {
		a.host = "localhost"
	}
	var err error
	if a.tmpl, err = c.loadAlertTemplates(c.cfg.Language); err != nil {
		return nil, err
	}
	// Render once per case, as NewComposer does for its templates.
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []string{ProblemIMAP, ProblemIMAPAuth, ProblemSMTP, ProblemDisk} {
		for _, resolved := range []bool{false, true} {
			if _, err := a.render(p, &problem{since: now, detail: "<error>"}, now.Add(time.Hour), resolved); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

func (c *Composer) loadAlertTemplates(lang string) (*kindTemplates, error) {
	kt, err := c.loadTextTemplates(lang, tmplAlert)
	if err != nil {
		return nil, err
	}
	name := lang + "/" + tmplAlert + ".html"
	src, err := c.readTemplate(name)
	if err != nil {
		return nil, err
	}
	if kt.html, err = htmltemplate.New(name).Option("missingkey=error").Parse(string(src)); err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return kt, nil
}

// Failing records that problem failed with err now. It mails (or, for
// SMTP, logs) an alert when the problem has lasted long enough and none
// was sent within Repeat.
func (a *Alerts) Failing(ctx context.Context, name string, err error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.Now()
	p := a.probs[name]
	if p == nil {
		p = &problem{since: now}
		a.probs[name] = p
	}
	p.detail = oneLine(err.Error())
	return a.evaluate(ctx, name, p, now)
}

// Tick re-evaluates every problem going on: one that lasts without new
// failures being reported (a server that hangs) is still alerted on.
func (a *Alerts) Tick(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.Now()
	var errs []error
	for _, name := range sortedProblems(a.probs) {
		errs = append(errs, a.evaluate(ctx, name, a.probs[name], now))
	}
	return errors.Join(errs...)
}

func (a *Alerts) evaluate(ctx context.Context, name string, p *problem, now time.Time) error {
	wait := a.cfg.After
	if name == ProblemIMAPAuth || name == ProblemDisk {
		wait = 0
	}
	if now.Sub(p.since) < wait || (!p.alerted.IsZero() && now.Sub(p.alerted) < a.cfg.Repeat) {
		return nil
	}
	if p.alerted.IsZero() {
		// A daemon restarted in a loop forgets its problems: the outbox
		// remembers the last alert mailed, and a problem alerted within
		// Repeat and not yet told resolved is not mailed again.
		last, err := a.lastAlert(ctx, name)
		if err != nil {
			return err
		}
		if !last.IsZero() && now.Sub(last) < a.cfg.Repeat {
			p.alerted = last
			return nil
		}
	}
	p.alerted = now
	p.sent++
	a.log.Error("alert", slog.String("problem", name), slog.Time("since", p.since),
		slog.String("error", p.detail), slog.Int("times", p.sent))
	if name == ProblemSMTP {
		return nil // told when SMTP works again, see Recovered
	}
	return a.queue(ctx, name, p, now, false, fmt.Sprintf("alert:%s:%d:%d", name, p.since.UnixNano(), p.sent))
}

// lastAlert is when problem was last mailed as failing, zero when never
// or when a "back to normal" mail followed.
func (a *Alerts) lastAlert(ctx context.Context, name string) (time.Time, error) {
	var key string
	var at time.Time
	err := a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		key, at, err = tx.LastMailKeyed(ctx, store.MailAlert, "alert:"+name+":")
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("alert %s: %w", name, err)
	}
	// Keys are alert:<problem>:<since>:<n or ok>:<recipient>.
	if f := strings.SplitN(key, ":", 5); len(f) < 4 || f[3] == "ok" {
		return time.Time{}, nil
	}
	return at, nil
}

// Recovered records that problem works again. When it had been alerted
// on, the operators get one "back to normal" mail.
func (a *Alerts) Recovered(ctx context.Context, name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.probs[name]
	if p == nil {
		return nil
	}
	delete(a.probs, name)
	if p.alerted.IsZero() {
		return nil
	}
	now := a.Now()
	a.log.Info("alert_resolved", slog.String("problem", name), slog.Time("since", p.since),
		slog.Duration("lasted", now.Sub(p.since).Round(time.Second)))
	return a.queue(ctx, name, p, now, true, fmt.Sprintf("alert:%s:%d:ok", name, p.since.UnixNano()))
}

// Active lists the problems going on, oldest first.
func (a *Alerts) Active() []ActiveProblem {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := []ActiveProblem{}
	for _, name := range sortedProblems(a.probs) {
		p := a.probs[name]
		out = append(out, ActiveProblem{Problem: name, Since: p.since, Error: p.detail, Alerted: !p.alerted.IsZero()})
	}
	return out
}

func sortedProblems(m map[string]*problem) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.SortFunc(names, func(x, y string) int { return m[x].since.Compare(m[y].since) })
	return names
}

// alertView is what the alert templates see.
type alertView struct {
	Subject  string
	Program  string
	Host     string
	Problem  string
	What     string // the problem in words (labels.txt alert.PROBLEM)
	Resolved bool
	Since    string
	Until    string
	Duration string // since Since, or Since to Until once resolved
	Repeat   string
	Detail   string
}

func (a *Alerts) render(name string, p *problem, now time.Time, resolved bool) (*rendered, error) {
	lang := a.c.cfg.Language
	layout := "02/01/2006 15:04 MST"
	if lang == "en" {
		layout = "2006-01-02 15:04 MST"
	}
	v := &alertView{Program: a.c.cfg.ProgramName, Host: a.host, Problem: name, Resolved: resolved,
		What:  label(a.c.lang(lang).labels, "alert."+name, name),
		Since: p.since.In(a.cfg.Location).Format(layout), Until: now.In(a.cfg.Location).Format(layout),
		Duration: shortDuration(now.Sub(p.since)), Repeat: shortDuration(a.cfg.Repeat), Detail: p.detail}
	return a.tmpl.render(lang, tmplAlert, v, &v.Subject)
}

// queue puts one alert mail per operator in the outbox.
func (a *Alerts) queue(ctx context.Context, name string, p *problem, now time.Time, resolved bool, dedupe string) error {
	r, err := a.render(name, p, now, resolved)
	if err != nil {
		return fmt.Errorf("alert %s: %w", name, err)
	}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		for _, to := range a.cfg.Admin {
			id, err := a.c.newMessageID()
			if err != nil {
				return err
			}
			m := &store.OutboxMail{Kind: store.MailAlert, DedupeKey: dedupe + ":" + strings.ToLower(to), Recipient: to,
				Subject: r.subject, BodyText: r.text, BodyHTML: r.html, HeaderMsgID: id}
			if err := tx.QueueMail(ctx, m); err != nil && !errors.Is(err, store.ErrAlreadyQueued) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("alert %s: %w", name, err)
	}
	if a.Queued != nil {
		a.Queued()
	}
	return nil
}

// shortDuration writes d for people: "40 s", "12 min", "3 h 05 min", "3 d".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %02d min", h, m)
	}
	return fmt.Sprintf("%d d", int(d.Hours())/24)
}

// toOperators reports the outbox kinds addressed to the program's own
// people, which the sender must not refuse as it refuses automatic
// replies to coordinators.
func toOperators(kind string) bool { return kind == store.MailAlert }
