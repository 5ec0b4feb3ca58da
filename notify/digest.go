package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// DigestConfig says what the coordinators' digest holds and who gets it.
type DigestConfig struct {
	Coordinators []string // one digest each
	// Eligibility says whether an application meets the selection rules
	// and why not (the rules live with the configuration).
	Eligibility func(*store.Application) (bool, []string)
	Sessions    []Session
	// SendEmpty sends a digest even when nothing is new or failing
	// ([notify] empty_digest).
	SendEmpty bool
	// QuietAfter is how long a file waiting for pieces may go without
	// news before the digest lists it (7 days when 0).
	QuietAfter time.Duration
	// Ahead is how far ahead sessions are listed (14 days when 0).
	Ahead time.Duration
	// Location is the programme's time zone, for the dates shown (UTC
	// when nil).
	Location *time.Location
	// Files is where large raw mail is kept and how to read a mail's text
	// (Files.Text): whether a follow-up asks a question is read in it.
	Files store.Files
}

// Digest is the content of one digest, for the period (Start, End].
type Digest struct {
	Start, End time.Time // Start is zero for the first digest: everything before End
	New        []DigestApplication
	Waiting    []DigestMessage
	Quiet      []DigestApplication
	Counts     map[string]int // applications by status
	Failures   []*store.OutboxMail
	Sessions   []DigestSession
	Mails      []*store.OutboxMail // one per coordinator
	loc        *time.Location      // where dates are shown
}

// Empty reports a digest with nothing new and nothing failing.
func (d *Digest) Empty() bool { return len(d.New) == 0 && len(d.Waiting) == 0 && len(d.Failures) == 0 }

// DigestApplication is one application as the digest shows it.
type DigestApplication struct {
	Reference string
	Name      string
	Company   string
	Commune   string
	Status    string
	Missing   []store.Missing // what the file lacks, with why when given but unusable
	Eligible  bool
	Reasons   []string // why not eligible
	LastNews  time.Time
}

// Why a message waits for a person.
const (
	WaitQuestion   = "question"    // a question or a message from someone who has not applied
	WaitFollowUp   = "follow_up"   // a follow-up that asks something
	WaitUnreadable = "unreadable"  // stored for review
	WaitThirdParty = "third_party" // about an application, from someone other than the applicant
)

// DigestMessage is one stored mail a person must answer.
type DigestMessage struct {
	Why       string
	From      string
	Subject   string
	StoredAt  time.Time
	Reference string
	MessageID int64
}

// DigestSession is a session coming up and how many reminders went.
type DigestSession struct {
	Title     string
	Start     time.Time
	Location  string
	Reminded  int // people sent a reminder
	Pending   int // reminders queued, not sent yet
	Cancelled bool
}

// noReply matches sender addresses nobody reads.
var noReply = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(no-?reply|ne-?pas-?repondre|do-?not-?reply|notifications?|mailer-daemon|postmaster)[@+.-]`)
})

// BuildDigest gathers the digest of everything stored since the last
// digest was queued, and renders one mail per coordinator.
func BuildDigest(ctx context.Context, st *store.Store, c *Composer, cfg DigestConfig) (*Digest, error) {
	start, err := st.LastDigestEnd(ctx)
	if err != nil {
		return nil, err
	}
	// The period ends at the time read inside a write transaction: any
	// intake transaction that began earlier has committed by then, so no
	// message stored before the end can still be invisible to the reads
	// below and then fall before the next digest's start.
	var now time.Time
	if err := st.InTx(ctx, func(tx *store.Tx) error { now = tx.Now(); return nil }); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	d := &Digest{Start: start, End: now.In(loc), loc: loc}
	quietAfter, ahead := cfg.QuietAfter, cfg.Ahead
	if quietAfter == 0 {
		quietAfter = 7 * 24 * time.Hour
	}
	if ahead == 0 {
		ahead = 14 * 24 * time.Hour
	}
	all, err := st.Applications(ctx)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	byID := make(map[int64]*store.Application, len(all))
	for _, a := range all {
		byID[a.ID] = a
	}
	apps, err := st.ApplicationsStored(ctx, start, now)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	for _, a := range apps {
		d.New = append(d.New, digestApplication(a, cfg.Eligibility))
	}
	msgs, err := st.MessagesStored(ctx, start, now)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	ours := map[string]bool{store.AddressKey(c.cfg.ProgramAddress): true, store.AddressKey(c.cfg.From): true}
	for _, a := range cfg.Coordinators {
		ours[store.AddressKey(a)] = true
	}
	text := func(m *store.Message) (string, error) { return messageText(ctx, st, cfg.Files, m) }
	if d.Waiting, err = waitingMessages(msgs, byID, ours, text); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	quiet, err := st.QuietApplications(ctx, now.Add(-quietAfter))
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	for _, q := range quiet {
		da := digestApplication(q.Application, cfg.Eligibility)
		da.LastNews = q.LastNews
		d.Quiet = append(d.Quiet, da)
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	d.Counts = stats.ApplicationsByStatus
	if d.Failures, err = st.FailedMails(ctx, start, now, 50); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	if d.Sessions, err = comingSessions(ctx, st, cfg.Sessions, now, ahead); err != nil {
		return nil, err
	}
	if d.Empty() && !cfg.SendEmpty {
		return d, nil
	}
	for _, to := range cfg.Coordinators {
		m, err := c.digestMail(d, to)
		if err != nil {
			return nil, err
		}
		d.Mails = append(d.Mails, m)
	}
	return d, nil
}

// waitingMessages are the messages of msgs that wait for a person, as
// the digest lists them.
func waitingMessages(msgs []*store.Message, byID map[int64]*store.Application, ours map[string]bool,
	text func(*store.Message) (string, error)) ([]DigestMessage, error) {
	var waiting []DigestMessage
	for _, m := range msgs {
		why, err := waitsForPerson(m, byID, ours, text)
		if err != nil {
			return nil, err
		}
		if why != "" {
			// A sender's subject and name reach the coordinators' inbox
			// here: links in them are shown inert, as in every automatic
			// mail; the address stays as it is, for the coordinator to answer.
			dm := DigestMessage{Why: why, From: oneLine(m.FromEmail), Subject: inert(oneLine(m.Subject)), StoredAt: m.StoredAt, MessageID: m.ID}
			if m.FromName != "" {
				dm.From = echo(m.FromName) + " <" + dm.From + ">"
			}
			if a := byID[m.ApplicationID]; a != nil {
				dm.Reference = a.Reference
			}
			waiting = append(waiting, dm)
		}
	}
	return waiting, nil
}

// comingSessions are the sessions starting within ahead of now, with
// how many of their mails are sent and pending.
func comingSessions(ctx context.Context, st *store.Store, sessions []Session, now time.Time, ahead time.Duration) ([]DigestSession, error) {
	var coming []DigestSession
	for i := range sessions {
		s := &sessions[i]
		if s.Start.Before(now) || !s.Start.Before(now.Add(ahead)) {
			continue
		}
		ds := DigestSession{Title: s.Title, Start: s.Start, Location: s.Location, Cancelled: s.Cancelled}
		sms, err := st.SessionMails(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("digest: %w", err)
		}
		sent, pending := map[string]bool{}, map[string]bool{}
		for _, m := range sms {
			switch m.Status {
			case store.OutboxSent:
				sent[m.Recipient] = true
			case store.OutboxPending:
				pending[m.Recipient] = true
			}
		}
		ds.Reminded, ds.Pending = len(sent), len(pending)
		coming = append(coming, ds)
	}
	return coming, nil
}

// QueueDigest builds the digest and, unless dryRun, queues its mails and
// records its period in one transaction. A digest with nothing new and
// nothing failing is not queued unless cfg.SendEmpty; its period is then
// not recorded, so the next digest covers it.
func QueueDigest(ctx context.Context, st *store.Store, c *Composer, cfg DigestConfig, dryRun bool) (*Digest, error) {
	if len(cfg.Coordinators) == 0 {
		return nil, errors.New("digest: no coordinators to send it to ([program] coordinators)")
	}
	d, err := BuildDigest(ctx, st, c, cfg)
	if err != nil || dryRun || len(d.Mails) == 0 {
		return d, err
	}
	if err := st.QueueDigest(ctx, d.Start, d.End, d.Mails); err != nil {
		return d, fmt.Errorf("queue digest: %w", err)
	}
	return d, nil
}

// waitsForPerson says why a stored message needs a person's answer, ""
// when it does not.
func waitsForPerson(m *store.Message, apps map[int64]*store.Application, ours map[string]bool,
	text func(*store.Message) (string, error)) (string, error) {
	from := strings.ToLower(m.FromEmail)
	switch {
	case m.NeedsReview:
		return WaitUnreadable, nil
	case ours[store.AddressKey(from)]:
		return "", nil
	case m.Kind == "other":
		if from == "" || noReply().MatchString(from) {
			return "", nil
		}
		return WaitQuestion, nil
	case m.Kind == "follow_up":
		a := apps[m.ApplicationID]
		if a != nil && from != "" && !sameMailbox(from, a.Email) && !sameMailbox(from, a.ForwardedBy) {
			return WaitThirdParty, nil
		}
		t, err := text(m)
		if err != nil {
			return "", err
		}
		if strings.Contains(ownText(t), "?") {
			return WaitFollowUp, nil
		}
	}
	return "", nil
}

// sameMailbox reports whether two addresses reach one inbox, by the
// rule intake matches an applicant's mail with (store.AddressKey).
func sameMailbox(a, b string) bool { return b != "" && store.AddressKey(a) == store.AddressKey(b) }

// messageText is the text of stored message m: from its report in a
// store that kept it there, else read again from its raw mail.
func messageText(ctx context.Context, st *store.Store, files store.Files, m *store.Message) (string, error) {
	if t := parsedText(m.Parsed); t != "" || files.Text == nil {
		return t, nil
	}
	raw, err := st.MessageRaw(ctx, m.ID, files)
	if err != nil {
		return "", err
	}
	return files.Text(raw), nil
}

func parsedText(raw json.RawMessage) string {
	var p struct {
		Text *string `json:"text"`
	}
	if json.Unmarshal(raw, &p) != nil || p.Text == nil {
		return ""
	}
	return *p.Text
}

// quoteIntro matches the line a mail client writes above a quoted mail.
// It is compiled on first use, as are hostRe and quotedReply: their
// compilation (0.1 to 0.6 ms each) would otherwise delay every command's
// start, an empty poll's included.
var quoteIntro = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^\s*(le .{4,120}a [ée]crit\s*:|on .{4,120}wrote\s*:|-{3,}\s*(message d'origine|original message|forwarded message|message transf[ée]r[ée])|(de|from)\s*:\s*\S)`)
})

// ownText is what the author wrote: the text above the quoted mail,
// quoted lines left out.
func ownText(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if quoteIntro().MatchString(l) {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

func digestApplication(a *store.Application, eligibility func(*store.Application) (bool, []string)) DigestApplication {
	ap := cleanApplicant(a.Applicant)
	da := DigestApplication{Reference: a.Reference, Name: fullName(&ap), Company: ap.Company,
		Commune: strings.TrimSpace(ap.PostalCode + " " + ap.Commune), Status: a.Status, Eligible: true}
	da.Missing = a.Missing
	if eligibility != nil {
		da.Eligible, da.Reasons = eligibility(a)
	}
	return da
}

// ---- rendering ----

// digestView is what the digest templates see; html/template escapes
// every value, and every value from a mail went through oneLine.
type digestView struct {
	Subject        string
	Program        string
	ProgramAddress string
	Reference      string // the layout's heading: "Point du 3 décembre 2026"
	Period         string
	New            []digestAppView
	Waiting        []digestMsgView
	Quiet          []digestAppView
	Counts         []digestCount
	Failures       []digestFailView
	Sessions       []digestSessView
	NewCount       int
	WaitingCount   int
}

type digestAppView struct {
	Reference, Name, Company, Commune, Status, Missing, Eligible, LastNews string
	Complete, IsEligible                                                   bool
}

type digestMsgView struct{ Why, From, Subject, When, Reference string }

type digestCount struct {
	Status string
	N      int
}

type digestFailView struct{ Kind, Recipient, Subject, Error string }

type digestSessView struct {
	Title, When, Location string
	Reminded, Pending     int
	Cancelled             bool
}

func (c *Composer) digestView(lang string, d *Digest) *digestView {
	labels := c.lang(lang).labels
	loc := d.loc
	if loc == nil {
		loc = time.UTC
	}
	v := &digestView{Program: c.cfg.ProgramName, ProgramAddress: c.cfg.ProgramAddress,
		NewCount: len(d.New), WaitingCount: len(d.Waiting)}
	v.Reference = label(labels, "digest.heading", "Point du") + " " + formatLongDate(labels, d.End)
	if d.Start.IsZero() {
		v.Period = label(labels, "digest.until", "jusqu'au") + " " + formatDateTime(lang, labels, d.End)
	} else {
		v.Period = label(labels, "span.from_day", "du") + " " + formatDateTime(lang, labels, d.Start.In(loc)) + " " +
			label(labels, "span.to_day", "au") + " " + formatDateTime(lang, labels, d.End)
	}
	appView := func(a DigestApplication) digestAppView {
		// Missing pieces and statuses in the shortlist's words, so the
		// digest and the export a committee holds say the same thing.
		missing := shortlist.MissingLabels(a.Missing, lang)
		for i := range missing {
			missing[i] = oneLine(missing[i])
		}
		av := digestAppView{Reference: a.Reference, Name: a.Name, Company: a.Company, Commune: a.Commune,
			Status: shortlist.StatusLabel(a.Status, lang), Complete: len(a.Missing) == 0, IsEligible: a.Eligible,
			Missing: strings.Join(missing, ", ")}
		if a.Eligible {
			av.Eligible = label(labels, "digest.eligible", "oui")
		} else {
			av.Eligible = label(labels, "digest.not_eligible", "non")
			if len(a.Reasons) > 0 {
				sep := " ; " // French puts a space before a semicolon
				if lang == "en" {
					sep = "; "
				}
				av.Eligible += " (" + strings.Join(a.Reasons, sep) + ")"
			}
		}
		if !a.LastNews.IsZero() {
			av.LastNews = formatLongDate(labels, a.LastNews.In(loc))
		}
		return av
	}
	for _, a := range d.New {
		v.New = append(v.New, appView(a))
	}
	for _, a := range d.Quiet {
		v.Quiet = append(v.Quiet, appView(a))
	}
	for _, m := range d.Waiting {
		v.Waiting = append(v.Waiting, digestMsgView{Why: label(labels, "wait."+m.Why, m.Why), From: m.From,
			Subject: m.Subject, When: formatDateTime(lang, labels, m.StoredAt.In(loc)), Reference: m.Reference})
	}
	for _, s := range store.Statuses {
		if n := d.Counts[s]; n > 0 {
			v.Counts = append(v.Counts, digestCount{Status: shortlist.StatusLabel(s, lang), N: n})
		}
	}
	for _, f := range d.Failures {
		v.Failures = append(v.Failures, digestFailView{Kind: label(labels, "digest.mail."+f.Kind, f.Kind), Recipient: oneLine(f.Recipient),
			Subject: oneLine(f.Subject), Error: oneLine(f.LastError)})
	}
	for _, s := range d.Sessions {
		v.Sessions = append(v.Sessions, digestSessView{Title: oneLine(s.Title), When: formatDateTime(lang, labels, s.Start.In(loc)),
			Location: oneLine(s.Location), Reminded: s.Reminded, Pending: s.Pending, Cancelled: s.Cancelled})
	}
	return v
}

func (c *Composer) digestMail(d *Digest, to string) (*store.OutboxMail, error) {
	v := c.digestView(c.cfg.Language, d)
	r, err := c.renderAny(c.cfg.Language, tmplDigest, v, &v.Subject)
	if err != nil {
		return nil, fmt.Errorf("compose digest: %w", err)
	}
	msgID, err := c.newMessageID()
	if err != nil {
		return nil, err
	}
	return &store.OutboxMail{Kind: store.MailDigest, Recipient: strings.ToLower(to),
		DedupeKey: "digest:" + d.End.UTC().Format(time.RFC3339Nano) + ":" + strings.ToLower(to),
		Subject:   r.subject, BodyText: r.text, BodyHTML: r.html, HeaderMsgID: msgID}, nil
}

// RenderDigestText renders the text part of a digest, for dry runs.
func (c *Composer) RenderDigestText(d *Digest) (string, error) {
	v := c.digestView(c.cfg.Language, d)
	r, err := c.renderAny(c.cfg.Language, tmplDigest, v, &v.Subject)
	if err != nil {
		return "", err
	}
	return r.subject + "\n\n" + r.text, nil
}

func sampleDigestView(c *Composer, lang string, s *Session) *digestView {
	d := &Digest{Start: s.Start.Add(-24 * time.Hour), End: s.Start.Add(-12 * time.Hour),
		New: []DigestApplication{
			{Reference: "RSE-2026-0001", Name: "Élodie <b>Rouvière</b>", Company: "Atelier & fils", Commune: "48000 Mende",
				Status: store.StatusComplete, Eligible: true},
			{Reference: "RSE-2026-0002", Status: store.StatusIncomplete, Missing: []store.Missing{{Field: "siret", Reason: "invalide"}},
				Reasons: []string{"hors département"}},
		},
		Waiting:  []DigestMessage{{Why: WaitQuestion, From: "x@example.org", Subject: "Question ?", StoredAt: s.Start}},
		Quiet:    []DigestApplication{{Reference: "RSE-2026-0003", LastNews: s.Start}},
		Counts:   map[string]int{store.StatusComplete: 1},
		Failures: []*store.OutboxMail{{Kind: store.MailAck, Recipient: "y@example.org", Subject: "s", LastError: "550"}},
		Sessions: []DigestSession{{Title: s.Title, Start: s.Start, Location: s.Location, Reminded: 2}},
	}
	return c.digestView(lang, d)
}
