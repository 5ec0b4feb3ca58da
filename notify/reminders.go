package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rse-lozere/rse-intake/store"
)

// Session kinds.
const (
	SessionLaunch     = "launch"
	SessionCollective = "collective"
	SessionIndividual = "individual"
)

// Audience groups: every application in a status.
const (
	AudienceSelected    = "selected"
	AudienceShortlisted = "shortlisted"
	AudienceApplicants  = "applicants" // every open application
)

// openStatuses are the applications "applicants" reaches: not declined,
// withdrawn or unreadable.
var openStatuses = []string{store.StatusReceived, store.StatusIncomplete, store.StatusComplete,
	store.StatusShortlisted, store.StatusSelected, store.StatusWaitlisted}

// Audience says who a session is for: a group of applications by status,
// application references and plain addresses (the founding group, the
// consultants), or a group and named people together.
type Audience struct {
	Group      string   // AudienceSelected, AudienceShortlisted, AudienceApplicants; "" for none
	References []string // RSE-2026-0007
	Addresses  []string // lowercase
}

// Session is one configured meeting.
type Session struct {
	ID          string
	Title       string
	Kind        string
	Start, End  time.Time // in the programme's zone
	Location    string
	Description string
	Audience    Audience
	Remind      []time.Duration // before the start
	Cancelled   bool
}

// Recipient is one person a session mail goes to.
type Recipient struct {
	Email       string
	Name        string
	Application *store.Application // nil for a plain address
}

// UnknownReferenceError is an audience naming an application the store
// does not hold: a configuration error.
type UnknownReferenceError struct {
	Session, Reference string
}

func (e *UnknownReferenceError) Error() string {
	return fmt.Sprintf("[[session]] %q: audience: unknown reference %s", e.Session, e.Reference)
}

// ResolveAudience returns the recipients of a session, one per address,
// in a stable order. Applications without a usable address are left out.
func ResolveAudience(ctx context.Context, st *store.Store, s *Session) ([]Recipient, error) {
	var apps []*store.Application
	switch s.Audience.Group {
	case AudienceSelected:
		as, err := st.Applications(ctx, store.StatusSelected)
		if err != nil {
			return nil, err
		}
		apps = as
	case AudienceShortlisted:
		as, err := st.Applications(ctx, store.StatusShortlisted)
		if err != nil {
			return nil, err
		}
		apps = as
	case AudienceApplicants:
		as, err := st.Applications(ctx, openStatuses...)
		if err != nil {
			return nil, err
		}
		apps = as
	case "":
	default:
		return nil, fmt.Errorf("[[session]] %q: unknown audience %q", s.ID, s.Audience.Group)
	}
	for _, ref := range s.Audience.References {
		a, err := st.Application(ctx, ref)
		if errors.Is(err, store.ErrNotFound) {
			return nil, &UnknownReferenceError{Session: s.ID, Reference: ref}
		}
		if err != nil {
			return nil, err
		}
		apps = append(apps, a)
	}
	seen := map[string]bool{}
	var out []Recipient
	for _, a := range apps {
		addr, err := mail.ParseAddress(strings.TrimSpace(a.Email))
		if a.Email == "" || err != nil {
			continue
		}
		email := strings.ToLower(addr.Address)
		if seen[email] {
			continue
		}
		seen[email] = true
		ap := cleanApplicant(a.Applicant)
		out = append(out, Recipient{Email: email, Name: fullName(&ap), Application: a})
	}
	for _, email := range s.Audience.Addresses {
		if !seen[email] {
			seen[email] = true
			out = append(out, Recipient{Email: email})
		}
	}
	return out, nil
}

// Kinds of session mail, and the offsets recorded for updates and
// cancellations.
const (
	SessionMailReminder = "reminder"
	SessionMailUpdate   = "update"
	SessionMailCancel   = "cancel"
	offsetCancel        = "cancel"
	offsetUpdatePrefix  = "update:"
)

// QueuedReminder is one session mail queued (or, in a dry run, that
// would be queued).
type QueuedReminder struct {
	Session   string
	What      string // SessionMailReminder, SessionMailUpdate or SessionMailCancel
	Offset    string // "24h0m0s", "update:2", "cancel"
	Recipient string
	Reference string // of the recipient's application, "" for a plain address
	Mail      *store.OutboxMail
}

// DueOffset returns, of the offsets whose time has come by until (now
// for a run on demand, the next run for a scheduled one, so that no
// reminder goes later than its time), the one closest to the start. A
// reminder missed while nothing ran still goes (the session has not
// started), but only the latest one, so a person who joins late or a
// daemon that was down sends one mail, not a burst. Nothing is due once
// the session has started.
func DueOffset(s *Session, now, until time.Time) (time.Duration, bool) {
	if !now.Before(s.Start) {
		return 0, false
	}
	if until.Before(now) {
		until = now
	}
	var best time.Duration
	found := false
	for _, o := range s.Remind {
		if !until.Before(s.Start.Add(-o)) && (!found || o < best) {
			best, found = o, true
		}
	}
	return best, found
}

// NextReminder returns when the next reminder of the session falls due
// after now (zero when none is left).
func NextReminder(s *Session, now time.Time) time.Time {
	var next time.Time
	for _, o := range s.Remind {
		at := s.Start.Add(-o)
		if at.After(now) && at.Before(s.Start) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// QueueReminders queues what is due now for every session: the reminder
// whose time has come for each person of its audience, an update for
// those already reminded when the session's time or place changed, a
// cancellation when it was cancelled. Nothing is sent for a session that
// has started. Each (session, recipient, offset) is queued once, in the
// same transaction that records it, so re-runs and restarts never queue a
// reminder twice. With dryRun nothing is written and the mails that would
// be queued are returned.
//
// Reminders are not held back by the 24-hour limit of acknowledgements
// (they are not answers); the sender's max_per_hour still applies.
func QueueReminders(ctx context.Context, st *store.Store, c *Composer, sessions []Session, dryRun bool, log *slog.Logger) ([]QueuedReminder, error) {
	return QueueRemindersBefore(ctx, st, c, sessions, time.Time{}, dryRun, log)
}

// QueueRemindersBefore is QueueReminders for a scheduled run: reminders
// whose time falls before nextRun go now, a little early, rather than at
// the next run, late.
func QueueRemindersBefore(ctx context.Context, st *store.Store, c *Composer, sessions []Session, nextRun time.Time,
	dryRun bool, log *slog.Logger) ([]QueuedReminder, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var out []QueuedReminder
	for i := range sessions {
		q, err := queueSession(ctx, st, c, &sessions[i], nextRun, dryRun, log)
		out = append(out, q...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func queueSession(ctx context.Context, st *store.Store, c *Composer, s *Session, until time.Time, dryRun bool,
	log *slog.Logger) ([]QueuedReminder, error) {
	now := st.Now()
	// The audience is read first (and an unknown reference refused)
	// before anything is written.
	var recipients []Recipient
	if !s.Cancelled {
		var err error
		if recipients, err = ResolveAudience(ctx, st, s); err != nil {
			return nil, err
		}
	}
	want := store.SessionState{ID: s.ID, Start: s.Start, End: s.End, Location: s.Location, Cancelled: s.Cancelled}
	state, changed, err := syncSession(ctx, st, want, dryRun)
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", s.ID, err)
	}
	if !now.Before(s.Start) {
		return nil, nil // started or over: too late for anything
	}
	sent, err := st.SessionMails(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	had := map[string]bool{}       // recipient|offset already queued
	reminded := map[string]int64{} // recipient -> application, for updates and cancellations
	told := map[string]time.Time{} // recipient -> when last sent this version of the session
	var order []string
	for _, m := range sent {
		had[m.Recipient+"|"+m.Offset] = true
		if m.Sequence == state.Sequence && m.QueuedAt.After(told[m.Recipient]) {
			told[m.Recipient] = m.QueuedAt
		}
		if _, ok := reminded[m.Recipient]; !ok && m.Offset != offsetCancel {
			order = append(order, m.Recipient)
			reminded[m.Recipient] = m.ApplicationID
		}
	}
	byEmail := map[string]Recipient{}
	for _, r := range recipients {
		byEmail[r.Email] = r
	}
	var out []QueuedReminder
	queue := func(r Recipient, what, offset string) error {
		if had[r.Email+"|"+offset] {
			return nil
		}
		m, err := c.SessionMail(s, state.Sequence, r, what, now)
		if err != nil {
			return err
		}
		m.DedupeKey = "reminder:" + s.ID + ":" + r.Email + ":" + offset
		q := QueuedReminder{Session: s.ID, What: what, Offset: offset, Recipient: r.Email, Mail: m}
		if r.Application != nil {
			q.Reference = r.Application.Reference
			m.ApplicationID = r.Application.ID
			m.Reference = r.Application.Reference
		}
		if !dryRun {
			sm := &store.SessionMail{SessionID: s.ID, Recipient: r.Email, Offset: offset, Sequence: state.Sequence,
				ApplicationID: m.ApplicationID}
			err := st.InTx(ctx, func(tx *store.Tx) error { return tx.QueueSessionMail(ctx, sm, m) })
			if errors.Is(err, store.ErrAlreadyQueued) {
				return nil // another run queued it meanwhile
			}
			if err != nil {
				return fmt.Errorf("session %s: %w", s.ID, err)
			}
			log.Info("session_mail_queued", slog.String("session", s.ID), slog.String("what", what),
				slog.String("offset", offset), slog.Int64("outbox_id", m.ID))
		}
		had[r.Email+"|"+offset] = true
		told[r.Email] = now
		out = append(out, q)
		return nil
	}
	// Those already reminded learn of a cancellation or a change first.
	updatedNow := map[string]bool{}
	for _, email := range order {
		r, ok := byEmail[email]
		if !ok {
			r = formerRecipient(ctx, st, email, reminded[email])
		}
		switch {
		case s.Cancelled:
			if err := queue(r, SessionMailCancel, offsetCancel); err != nil {
				return out, err
			}
		case !ok:
			// No longer of the audience (declined, withdrawn, taken off
			// the list): no news of a session they are not expected at.
		case changed || hasOlderSequence(sent, email, state.Sequence):
			if err := queue(r, SessionMailUpdate, offsetUpdatePrefix+strconv.Itoa(state.Sequence)); err != nil {
				return out, err
			}
			updatedNow[email] = true
		}
	}
	if s.Cancelled {
		return out, nil
	}
	o, ok := DueOffset(s, now, until)
	if !ok {
		return out, nil
	}
	for _, r := range recipients {
		// Someone told of this version of the session after the
		// reminder's time (an update sent since) already knows; someone
		// sent the update in this very run gets the reminder at a later
		// run, not two mails at once.
		if t, ok := told[r.Email]; ok && (!s.Start.Add(-o).After(t) || updatedNow[r.Email]) {
			continue
		}
		if err := queue(r, SessionMailReminder, reminderOffset(o, state.Sequence)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// syncSession records want as the session's state (only compares it,
// on a dry run) and returns the state with whether it changed.
func syncSession(ctx context.Context, st *store.Store, want store.SessionState, dryRun bool) (store.SessionState, bool, error) {
	if dryRun {
		return previewSync(ctx, st, want)
	}
	var state store.SessionState
	var changed bool
	err := st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		state, changed, err = tx.SyncSession(ctx, want)
		return err
	})
	return state, changed, err
}

// formerRecipient is someone reminded who is no longer of the audience,
// named from their application (appID, 0 when none) when it can be read.
func formerRecipient(ctx context.Context, st *store.Store, email string, appID int64) Recipient {
	r := Recipient{Email: email}
	if appID != 0 {
		if a, err := applicationByID(ctx, st, appID); err == nil {
			ap := cleanApplicant(a.Applicant)
			r.Name, r.Application = fullName(&ap), a
		}
	}
	return r
}

// reminderOffset is what a reminder is recorded under: its offset, and
// after a change of time or place the session's sequence too, so that the
// reminders of the new date are owed again ("24h0m0s", "24h0m0s@1").
func reminderOffset(o time.Duration, sequence int) string {
	if sequence == 0 {
		return o.String()
	}
	return o.String() + "@" + strconv.Itoa(sequence)
}

// hasOlderSequence reports a recipient whose newest mail of the session
// showed an older version of it (a change recorded by a run that failed
// before the updates were queued).
func hasOlderSequence(sent []store.SessionMail, email string, seq int) bool {
	newest := -1
	for _, m := range sent {
		if m.Recipient == email && m.Sequence > newest {
			newest = m.Sequence
		}
	}
	return newest >= 0 && newest < seq
}

func applicationByID(ctx context.Context, st *store.Store, id int64) (*store.Application, error) {
	var a *store.Application
	err := st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		a, err = tx.ApplicationByID(ctx, id)
		return err
	})
	return a, err
}

// previewSync is SyncSession without writing, for dry runs.
func previewSync(ctx context.Context, st *store.Store, want store.SessionState) (store.SessionState, bool, error) {
	old, err := st.Session(ctx, want.ID)
	if errors.Is(err, store.ErrNotFound) {
		return want, false, nil
	}
	if err != nil {
		return want, false, err
	}
	if old.Start.Equal(want.Start) && old.End.Equal(want.End) && old.Location == want.Location && old.Cancelled == want.Cancelled {
		return *old, false, nil
	}
	want.Sequence = old.Sequence + 1
	return want, true, nil
}

// ---- rendering ----

// Template kinds of the sessions and the digest.
const (
	tmplReminder = "reminder"
	tmplDigest   = "digest"
)

var sessionTemplateKinds = []string{tmplReminder, tmplDigest}

// reminderView is what the reminder templates see.
type reminderView struct {
	Subject        string
	Program        string
	ProgramAddress string
	Reference      string // the recipient's application, the title for a plain address
	Name           string
	Title          string
	KindLabel      string // "soirée de lancement"
	When           string // "jeudi 3 décembre 2026 à 18 h 30"
	Date           string // "jeudi 3 décembre 2026"
	Span           string // "de 18 h 30 à 20 h 30"
	Location       string
	Description    string
	Update         bool
	Cancelled      bool
}

// SessionMail renders a reminder, an update (what is SessionMailUpdate)
// or a cancellation of session s for r, with its calendar invitation as
// a text/calendar part and a .ics attachment.
func (c *Composer) SessionMail(s *Session, sequence int, r Recipient, what string, now time.Time) (*store.OutboxMail, error) {
	lang := c.cfg.Language
	v := c.reminderView(lang, s, r)
	v.Update = what == SessionMailUpdate
	v.Cancelled = what == SessionMailCancel
	rd, err := c.renderAny(lang, tmplReminder, v, &v.Subject)
	if err != nil {
		return nil, fmt.Errorf("compose reminder of session %s: %w", s.ID, err)
	}
	msgID, err := c.newMessageID()
	if err != nil {
		return nil, err
	}
	method := MethodPublish
	if v.Cancelled {
		method = MethodCancel
	}
	ics := WriteICS(Event{
		UID: c.sessionUID(s.ID), Sequence: sequence, Start: s.Start, End: s.End,
		Summary: s.Title, Location: s.Location, Description: icsDescription(s, c.cfg.ProgramName),
		Organizer: c.cfg.ProgramAddress, OrganizerCN: c.cfg.ProgramName, Attendee: r.Email,
		Stamp: now, Cancelled: v.Cancelled,
	}, method)
	return &store.OutboxMail{
		Kind: store.MailReminder, Recipient: r.Email, RecipientName: r.Name,
		Subject: rd.subject, BodyText: rd.text, BodyHTML: rd.html, HeaderMsgID: msgID,
		Parts: []store.MailPart{
			// Inline, the part calendar clients act on; attached, the
			// file a person can open or forward.
			{ContentType: "text/calendar; method=" + method, Content: ics},
			{Filename: s.ID + ".ics", ContentType: "application/ics", Content: ics},
		},
	}, nil
}

// sessionUID names a session's event in every calendar, the same for
// every mail of the session. The programme's mailbox is in it, not only
// its domain: two programmes on gmail.com may both have a session
// "lancement-2026", and a consultant invited to both must get two events.
func (c *Composer) sessionUID(id string) string {
	return id + "." + c.cfg.ProgramAddress
}

func icsDescription(s *Session, program string) string {
	if s.Description != "" {
		return s.Description
	}
	return program
}

func (c *Composer) reminderView(lang string, s *Session, r Recipient) *reminderView {
	labels := c.lang(lang).labels
	v := &reminderView{
		Program: c.cfg.ProgramName, ProgramAddress: c.cfg.ProgramAddress,
		Name: echo(r.Name), Title: oneLine(s.Title), Location: oneLine(s.Location),
		Description: strings.TrimSpace(stripControls(s.Description)),
		KindLabel:   label(labels, "session."+s.Kind, s.Kind),
		When:        formatDateTime(lang, labels, s.Start),
		Date:        formatLongDate(labels, s.Start),
		Span:        formatSpan(lang, labels, s.Start, s.End),
	}
	v.Reference = v.Title // the layout's heading
	if r.Application != nil {
		v.Reference = r.Application.Reference
	}
	return v
}

// renderAny renders a template kind with any view (every mail's, the
// acknowledgements' as the sessions').
func (c *Composer) renderAny(lang, kind string, v any, subject *string) (*rendered, error) {
	kt := c.lang(lang).kinds[kind]
	if kt == nil {
		if c.loadErr != nil {
			return nil, c.loadErr
		}
		return nil, fmt.Errorf("template %s/%s: not loaded", lang, kind)
	}
	return kt.render(lang, kind, v, subject)
}

// renderBuffers are render's, grown once to the size of a mail's HTML
// part rather than from nothing for each of the writer's
// acknowledgements.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render runs the subject, text and HTML templates of kind with v;
// subject receives the rendered subject before the bodies are rendered
// (the layout shows it). The HTML template runs from its root: the
// language's layout, or the kind's own file when it has no layout. The
// first rendering of a kind runs in text/template, the next ones run the
// programs compiled after it where there are some.
func (kt *kindTemplates) render(lang, kind string, v any, subject *string) (*rendered, error) {
	progs := kt.progs.Load()
	if progs == nil || v == nil || progs.typ != reflect.TypeOf(v) || reflect.ValueOf(v).IsNil() {
		progs = &kindPrograms{} // none: text/template runs all three
	}
	b := renderBuffers.Get().(*bytes.Buffer)
	defer renderBuffers.Put(b)
	b.Reset()
	if progs.subject != nil {
		progs.subject.run(b, v)
	} else if err := kt.subject.Execute(b, v); err != nil {
		return nil, fmt.Errorf("template %s/%s.subject.txt: %w", lang, kind, err)
	}
	// A subject file ends with a line break, which would send oneLine
	// down its slow path (a copy rune by rune) for every mail; cut
	// first, it gives the same line (TestSubjectLineBreakCut).
	r := &rendered{subject: oneLine(string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))))}
	*subject = r.subject
	b.Reset()
	if progs.text != nil {
		progs.text.run(b, v)
	} else if err := kt.text.Execute(b, v); err != nil {
		return nil, fmt.Errorf("template %s/%s.txt: %w", lang, kind, err)
	}
	r.text = tidyText(b.Bytes())
	b.Reset()
	if progs.html != nil {
		progs.html.run(b, v)
	} else if err := kt.html.Execute(b, v); err != nil {
		name := lang + "/" + kind + ".html"
		if root := kt.html.Name(); root != name {
			name += " (in " + root + ")"
		}
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	r.html = b.String()
	if kt.progs.Load() == nil {
		kt.progs.CompareAndSwap(nil, kt.compile(reflect.TypeOf(v)))
	}
	return r, nil
}

// selfTestSessions renders the reminder and digest templates of the
// language loaded with sample data, so a broken one stops the start.
func (c *Composer) selfTestSessions() error {
	loc := time.FixedZone("CET", 3600)
	s := &Session{ID: "lancement", Title: "Soirée <de> lancement", Kind: SessionLaunch, Location: "Mende",
		Description: "Accueil à 18 h.", Start: time.Date(2026, 12, 3, 18, 30, 0, 0, loc), End: time.Date(2026, 12, 3, 20, 30, 0, 0, loc)}
	app := &store.Application{Reference: "RSE-2026-0001"}
	for lang := range c.langs {
		for _, what := range []string{SessionMailReminder, SessionMailUpdate, SessionMailCancel} {
			for _, r := range []Recipient{{Email: "a@example.org", Name: "Élodie Rouvière", Application: app}, {Email: "b@example.org"}} {
				v := c.reminderView(lang, s, r)
				v.Update, v.Cancelled = what == SessionMailUpdate, what == SessionMailCancel
				if _, err := c.renderAny(lang, tmplReminder, v, &v.Subject); err != nil {
					return err
				}
			}
		}
		for _, d := range []*digestView{sampleDigestView(c, lang, s), {Program: c.cfg.ProgramName, ProgramAddress: c.cfg.ProgramAddress}} {
			if _, err := c.renderAny(lang, tmplDigest, d, &d.Subject); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- dates as people write them ----

// weekdayName returns the name of t's weekday from the labels (Sunday
// first, as time.Weekday counts).
func weekdayName(labels map[string]string, t time.Time) string {
	names := strings.Split(labels["weekdays"], ",")
	if len(names) != 7 {
		return ""
	}
	return strings.TrimSpace(names[int(t.Weekday())])
}

// formatLongDate: "jeudi 3 décembre 2026", "Thursday 3 December 2026".
func formatLongDate(labels map[string]string, t time.Time) string {
	d := formatDate(t, labels["months"]) // "1er" in French
	if wd := weekdayName(labels, t); wd != "" {
		return wd + " " + d
	}
	return d
}

// formatClock: "18 h 30", "18 h" in French; "6:30 pm", "6 pm" in English.
func formatClock(lang string, t time.Time) string {
	if lang == "fr" {
		if t.Minute() == 0 {
			return fmt.Sprintf("%d h", t.Hour())
		}
		return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
	}
	h, ampm := t.Hour()%12, "am"
	if t.Hour() >= 12 {
		ampm = "pm"
	}
	if h == 0 {
		h = 12
	}
	if t.Minute() == 0 {
		return fmt.Sprintf("%d %s", h, ampm)
	}
	return fmt.Sprintf("%d:%02d %s", h, t.Minute(), ampm)
}

// formatDateTime: "jeudi 3 décembre 2026 à 18 h 30".
func formatDateTime(lang string, labels map[string]string, t time.Time) string {
	return formatLongDate(labels, t) + " " + label(labels, "at", "à") + " " + formatClock(lang, t)
}

// formatSpan: "de 18 h 30 à 20 h 30" the same day, else "du jeudi 3
// décembre 2026 à 18 h 30 au vendredi 4 décembre 2026 à 12 h".
func formatSpan(lang string, labels map[string]string, start, end time.Time) string {
	end = end.In(start.Location())
	if start.Year() == end.Year() && start.YearDay() == end.YearDay() {
		return label(labels, "span.from", "de") + " " + formatClock(lang, start) + " " +
			label(labels, "span.to", "à") + " " + formatClock(lang, end)
	}
	return label(labels, "span.from_day", "du") + " " + formatDateTime(lang, labels, start) + " " +
		label(labels, "span.to_day", "au") + " " + formatDateTime(lang, labels, end)
}
