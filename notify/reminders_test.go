package notify

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

func subjectOf(t testing.TB, r *received) string {
	t.Helper()
	s, err := r.header.Subject()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// launch is the session the tests remind people of: Thursday 3 December
// 2026, 18:30 to 20:30 in Paris.
func launch(t testing.TB, remind ...time.Duration) Session {
	loc := paris(t)
	if remind == nil {
		remind = []time.Duration{168 * time.Hour, 24 * time.Hour}
	}
	return Session{ID: "lancement-2026", Title: "Soirée de lancement", Kind: SessionLaunch,
		Start: time.Date(2026, 12, 3, 18, 30, 0, 0, loc), End: time.Date(2026, 12, 3, 20, 30, 0, 0, loc),
		Location: "Mende", Audience: Audience{Group: AudienceSelected}, Remind: remind}
}

// selectApp stores an application already selected for address.
func selectApp(t *testing.T, st *store.Store, first, email string) *store.Application {
	t.Helper()
	app, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: first, LastName: "Test", Email: email}, nil, nil)
	setStatus(t, st, app, store.StatusSelected)
	return app
}

// launchWithAnne is the common start of a reminders test: a clock, a
// store, a composer, the launch session and Anne, selected.
func launchWithAnne(t *testing.T) (*clock, *store.Store, *Composer, Session) {
	t.Helper()
	clk := newClock()
	st := openStore(t, clk)
	s := launch(t)
	selectApp(t, st, "anne", "anne@example.net")
	return clk, st, newComposer(t, nil), s
}

func remind(t testing.TB, st *store.Store, c *Composer, sessions ...Session) []QueuedReminder {
	t.Helper()
	qs, err := QueueReminders(context.Background(), st, c, sessions, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// offsetsOf lists, per recipient, the offsets queued for the session.
func offsetsOf(t testing.TB, st *store.Store, session string) map[string][]string {
	t.Helper()
	sms, err := st.SessionMails(context.Background(), session)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range sms {
		out[m.Recipient] = append(out[m.Recipient], m.Offset)
	}
	return out
}

func TestReminderQueuedOnceAcrossRestartsAndConcurrentRuns(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "r.db")
	open := func() *store.Store {
		st, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		st.SetClock(clk.Now)
		return st
	}
	st := open()
	c := newComposer(t, nil)
	s := launch(t)
	for _, n := range []string{"anne", "luc", "zoe"} {
		selectApp(t, st, n, n+"@example.net")
	}
	// Three days before: the 168h reminder is past, the 24h one not yet:
	// one reminder each now.
	clk.Set(s.Start.Add(-72 * time.Hour))
	if qs := remind(t, st, c, s); len(qs) != 3 {
		t.Fatalf("first run queued %d, want 3", len(qs))
	}
	st.Close()

	// The process restarts in the middle of the reminder window: two runs
	// at once, each with its own connection, queue nothing more.
	a, b := open(), open()
	defer a.Close()
	defer b.Close()
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, stx := range []*store.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qs, err := QueueReminders(ctx, stx, newComposer(t, nil), []Session{s}, false, nil)
			if err != nil {
				t.Error(err)
			}
			counts[i] = len(qs)
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != 0 {
		t.Errorf("runs after the restart queued %v", counts)
	}
	// The day before, the 24h reminder goes, once, even if run twice.
	clk.Set(s.Start.Add(-23 * time.Hour))
	if qs := remind(t, a, c, s); len(qs) != 3 {
		t.Errorf("24h run queued %d, want 3", len(qs))
	}
	if qs := remind(t, b, c, s); len(qs) != 0 {
		t.Errorf("second 24h run queued %d, want 0", len(qs))
	}
	for who, offs := range offsetsOf(t, a, s.ID) {
		if strings.Join(offs, ",") != "168h0m0s,24h0m0s" {
			t.Errorf("%s: %v", who, offs)
		}
	}
	n, err := a.OutboxList(ctx, store.OutboxPending)
	if err != nil || len(n) != 6 {
		t.Errorf("outbox holds %d pending mails (%v), want 6", len(n), err)
	}
}

func TestLateJoinerGetsOnlyWhatIsStillDue(t *testing.T) {
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	s := launch(t, 168*time.Hour, 72*time.Hour, 24*time.Hour)
	selectApp(t, st, "early", "early@example.net")
	clk.Set(s.Start.Add(-7*24*time.Hour + time.Hour))
	remind(t, st, c, s)

	// Selected two days before: the 168h reminder is long past and the 72h
	// one just past. One mail now (the latest due), never the 168h one.
	late, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Late", Email: "late@example.net"}, nil, nil)
	clk.Set(s.Start.Add(-48 * time.Hour))
	setStatus(t, st, late, store.StatusSelected)
	remind(t, st, c, s)
	clk.Set(s.Start.Add(-20 * time.Hour))
	remind(t, st, c, s)
	got := offsetsOf(t, st, s.ID)
	if w := "168h0m0s,72h0m0s,24h0m0s"; strings.Join(got["early@example.net"], ",") != w {
		t.Errorf("early: %v, want %s", got["early@example.net"], w)
	}
	if w := "72h0m0s,24h0m0s"; strings.Join(got["late@example.net"], ",") != w {
		t.Errorf("late joiner: %v, want %s", got["late@example.net"], w)
	}
}

func TestNothingRanForDaysOnlyTheLatestReminderGoesAndNeverAfterTheStart(t *testing.T) {
	clk, st, c, s := launchWithAnne(t)
	// Down for a week: both reminders are past, the session is 2 h away.
	clk.Set(s.Start.Add(-2 * time.Hour))
	qs := remind(t, st, c, s)
	if len(qs) != 1 || qs[0].Offset != "24h0m0s" {
		t.Fatalf("after downtime: %+v, want the 24h reminder only", qs)
	}
	selectApp(t, st, "luc", "luc@example.net")
	clk.Set(s.Start)
	if qs := remind(t, st, c, s); len(qs) != 0 {
		t.Errorf("at the start: queued %d", len(qs))
	}
	clk.Set(s.Start.Add(time.Minute))
	if qs := remind(t, st, c, s); len(qs) != 0 {
		t.Errorf("after the start: queued %d", len(qs))
	}
}

func TestMovedSessionUpdatesThoseRemindedAndCancelledOneCancels(t *testing.T) {
	ctx := context.Background()
	clk, st, c, s := launchWithAnne(t)
	clk.Set(s.Start.Add(-100 * time.Hour))
	remind(t, st, c, s)
	clk.Advance(time.Hour)
	if qs := remind(t, st, c, s); len(qs) != 0 {
		t.Fatalf("unchanged session queued %d", len(qs))
	}
	// Moved one hour later and to another place.
	s.Start, s.End, s.Location = s.Start.Add(time.Hour), s.End.Add(time.Hour), "Florac"
	qs := remind(t, st, c, s)
	if len(qs) != 1 || qs[0].What != SessionMailUpdate || qs[0].Offset != "update:1" {
		t.Fatalf("after the move: %+v, want one update", qs)
	}
	cal := parseICS(t, qs[0].Mail.Parts[0].Content)
	e := cal.kids("VEVENT")[0]
	if e.one(t, "SEQUENCE").value != "1" || e.one(t, "DTSTART").value != "20261203T193000" ||
		unescapeText(t, e.one(t, "LOCATION").value) != "Florac" || e.one(t, "UID").value != "lancement-2026.rse.innovation.manageriale@gmail.com" {
		t.Errorf("update event: %+v", e.props)
	}
	if !strings.Contains(qs[0].Mail.Subject, "Changement") || !strings.Contains(qs[0].Mail.BodyText, "de 19 h 30 à 21 h 30") {
		t.Errorf("update mail: %q\n%s", qs[0].Mail.Subject, qs[0].Mail.BodyText)
	}
	if qs := remind(t, st, c, s); len(qs) != 0 {
		t.Errorf("second run after the move queued %d", len(qs))
	}
	state, err := st.Session(ctx, s.ID)
	if err != nil || state.Sequence != 1 {
		t.Fatalf("stored session: %+v, %v", state, err)
	}

	s.Cancelled = true
	qs = remind(t, st, c, s)
	if len(qs) != 1 || qs[0].What != SessionMailCancel {
		t.Fatalf("after the cancellation: %+v", qs)
	}
	m := qs[0].Mail
	if m.Parts[0].ContentType != "text/calendar; method=CANCEL" || !strings.HasPrefix(m.Subject, "Annulation") {
		t.Errorf("cancellation mail: %q %q", m.Parts[0].ContentType, m.Subject)
	}
	cal = parseICS(t, m.Parts[0].Content)
	if cal.one(t, "METHOD").value != "CANCEL" || cal.kids("VEVENT")[0].one(t, "SEQUENCE").value != "2" {
		t.Errorf("cancel calendar: %+v", cal.props)
	}
	if qs := remind(t, st, c, s); len(qs) != 0 {
		t.Errorf("second run after the cancellation queued %d", len(qs))
	}
}

func TestAudienceListOfReferencesAndAddresses(t *testing.T) {
	clk := newClock()
	st := openStore(t, clk)
	app, _, _ := seedApplication(t, st, nil, store.Applicant{FirstName: "Anne", LastName: "Roux", Email: "Anne@Example.net"}, nil, nil)
	s := launch(t)
	s.Audience = Audience{References: []string{app.Reference}, Addresses: []string{"consultant@example.org", "anne@example.net"}}
	rs, err := ResolveAudience(context.Background(), st, &s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Email+"|"+r.Name)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "anne@example.net|Anne Roux,consultant@example.org|" {
		t.Errorf("recipients %v", got)
	}
	// A group and named people together: the selected and a consultant.
	sel := selectApp(t, st, "Luc", "luc@example.net")
	s.Audience = Audience{Group: AudienceSelected, Addresses: []string{"consultant@example.org", "luc@example.net"}}
	if rs, err = ResolveAudience(context.Background(), st, &s); err != nil || len(rs) != 2 ||
		rs[0].Application == nil || rs[0].Application.ID != sel.ID || rs[1].Email != "consultant@example.org" {
		t.Errorf("selected and a consultant: %+v %v", rs, err)
	}
	s.Audience.References = []string{"RSE-2026-0999"}
	_, err = ResolveAudience(context.Background(), st, &s)
	var ue *UnknownReferenceError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "lancement-2026") || !strings.Contains(err.Error(), "RSE-2026-0999") {
		t.Errorf("unknown reference: %v", err)
	}
}

// TestReminderDeliveredWithInvitationDespiteARecentAcknowledgement: the
// applicant was acknowledged minutes ago (the 24 h limit of
// acknowledgements would hold a second one), the reminder still goes,
// within max_per_hour, with its calendar as an alternative and as a file.
func TestReminderDeliveredWithInvitationDespiteARecentAcknowledgement(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.Start(t)
	s := launch(t)
	clk.Set(s.Start.Add(-72 * time.Hour))
	app, _, _ := seedApplication(t, st, c, elodie(), nil, nil) // queues its acknowledgement
	setStatus(t, st, app, store.StatusSelected)
	if qs := remind(t, st, c, s); len(qs) != 1 {
		t.Fatalf("queued %d reminders", len(qs))
	}
	sender := newSender(t, st, sink, clk, func(cfg *SenderConfig) { cfg.MaxPerHour = 1 })
	res, err := sender.SendDue(ctx)
	if err != nil || res.Sent != 1 || res.Held != 1 {
		t.Fatalf("first send: %+v %v, want 1 sent and 1 held by max_per_hour", res, err)
	}
	clk.Advance(61 * time.Minute)
	if res, err := sender.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("second send: %+v %v", res, err)
	}
	msgs := sink.Messages()
	r := parseReceived(t, msgs[1].Data)
	if !strings.HasPrefix(subjectOf(t, r), "Rappel : Soirée de lancement, jeudi 3 décembre 2026 à 18 h 30") {
		t.Errorf("subject %q", r.header.Get("Subject"))
	}
	var inline, attached int
	for _, p := range r.parts {
		switch {
		case p.contentType == "text/calendar" && p.parent == "multipart/alternative" && p.params["method"] == "PUBLISH":
			inline++
			cal := parseICS(t, p.body)
			if n := len(cal.kids("VEVENT")); n != 1 {
				t.Errorf("%d VEVENT", n)
			}
		case p.disposition == "attachment" && strings.HasSuffix(p.params["name"], ".ics"):
			attached++
		}
	}
	if inline != 1 || attached != 1 {
		t.Errorf("calendar parts: %d inline, %d attached, want 1 and 1:\n%s", inline, attached, r.raw)
	}
	text := r.part(t, "text/plain").body
	if !strings.Contains(text, "Date : jeudi 3 décembre 2026, de 18 h 30 à 20 h 30") || !strings.Contains(text, "Lieu : Mende") {
		t.Errorf("reminder text:\n%s", text)
	}
}

func TestDatesAsPeopleWriteThem(t *testing.T) {
	loc := paris(t)
	fr := newComposer(t, nil).lang("fr").labels
	en := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = "en" }).lang("en").labels
	start, end := time.Date(2026, 12, 3, 18, 30, 0, 0, loc), time.Date(2026, 12, 3, 20, 30, 0, 0, loc)
	cases := []struct{ got, want string }{
		{formatDateTime("fr", fr, start), "jeudi 3 décembre 2026 à 18 h 30"},
		{formatSpan("fr", fr, start, end), "de 18 h 30 à 20 h 30"},
		{formatDateTime("fr", fr, time.Date(2027, 1, 1, 9, 0, 0, 0, loc)), "vendredi 1er janvier 2027 à 9 h"},
		{formatSpan("fr", fr, start, end.Add(14*time.Hour)), "du jeudi 3 décembre 2026 à 18 h 30 au vendredi 4 décembre 2026 à 10 h 30"},
		{formatDateTime("en", en, start), "Thursday 3 December 2026 at 6:30 pm"},
		{formatSpan("en", en, start, end), "from 6:30 pm to 8:30 pm"},
		{formatClock("en", time.Date(2026, 1, 1, 0, 0, 0, 0, loc)), "12 am"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestReminderInEnglish(t *testing.T) {
	c := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = "en" })
	s := launch(t)
	m, err := c.SessionMail(&s, 0, Recipient{Email: "a@example.net", Name: "Anne <Roux>"}, SessionMailReminder, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Reminder: Soirée de lancement, Thursday 3 December 2026 at 6:30 pm" ||
		!strings.Contains(m.BodyText, "Date: Thursday 3 December 2026, from 6:30 pm to 8:30 pm") {
		t.Errorf("english reminder: %q\n%s", m.Subject, m.BodyText)
	}
	if !strings.Contains(m.BodyHTML, "Anne &lt;Roux&gt;") {
		t.Error("name not escaped in the HTML part")
	}
}

// TestScheduledRunSendsWhatFallsDueBeforeTheNextRun: run daily at 9:00,
// the 24h reminder of a Thursday 18:30 session goes on Wednesday at 9:00
// (its time, Wednesday 18:30, comes before the next run), not on
// Thursday morning; on demand, on Wednesday at 9:00, it is not due yet.
func TestScheduledRunSendsWhatFallsDueBeforeTheNextRun(t *testing.T) {
	clk, st, c, s := launchWithAnne(t)
	wednesday9 := time.Date(2026, 12, 2, 9, 0, 0, 0, s.Start.Location())
	clk.Set(s.Start.Add(-100 * time.Hour))
	remind(t, st, c, s) // the 168h one
	clk.Set(wednesday9)
	qs, err := QueueReminders(context.Background(), st, c, []Session{s}, true, nil)
	if err != nil || len(qs) != 0 {
		t.Fatalf("on demand on Wednesday at 9:00: %d queued (%v), want none yet", len(qs), err)
	}
	next, err := NextRun("0 9 * * *", s.Start.Location(), clk.Now())
	if err != nil || !next.Equal(wednesday9.AddDate(0, 0, 1)) {
		t.Fatalf("NextRun = %s %v", next, err)
	}
	qs, err = QueueRemindersBefore(context.Background(), st, c, []Session{s}, next, false, nil)
	if err != nil || len(qs) != 1 || qs[0].Offset != "24h0m0s" {
		t.Fatalf("scheduled run on Wednesday at 9:00: %+v %v, want the 24h reminder", qs, err)
	}
	// A run after the start never sends, whatever the next run.
	clk.Set(s.Start.Add(time.Minute))
	if qs, _ := QueueRemindersBefore(context.Background(), st, c, []Session{s}, s.Start.Add(24*time.Hour), false, nil); len(qs) != 0 {
		t.Errorf("after the start: %d queued", len(qs))
	}
}

// A session moved after its reminders went owes the reminders of the new
// date, but not in the run that sends the update, which already tells
// the new time.
func TestMovedSessionRemindsAgainBeforeTheNewDate(t *testing.T) {
	clk, st, c, s := launchWithAnne(t)
	clk.Set(s.Start.Add(-20 * time.Hour))
	if qs := remind(t, st, c, s); len(qs) != 1 || qs[0].Offset != "24h0m0s" {
		t.Fatalf("the day before: %+v", qs)
	}
	// Put off by ten days: an update now, and nothing else in that run
	// although the new date's 168h reminder time has come too.
	s.Start, s.End = s.Start.Add(10*24*time.Hour), s.End.Add(10*24*time.Hour)
	if qs := remind(t, st, c, s); len(qs) != 1 || qs[0].What != SessionMailUpdate {
		t.Fatalf("after the move: %+v, want the update alone", qs)
	}
	clk.Set(s.Start.Add(-160 * time.Hour))
	if qs := remind(t, st, c, s); len(qs) != 1 || qs[0].Offset != "168h0m0s@1" {
		t.Fatalf("a week before the new date: %+v, want its 168h reminder", qs)
	}
	clk.Set(s.Start.Add(-20 * time.Hour))
	qs := remind(t, st, c, s)
	if len(qs) != 1 || qs[0].What != SessionMailReminder || qs[0].Offset != "24h0m0s@1" {
		t.Fatalf("the day before the new date: %+v, want its 24h reminder", qs)
	}
	e := parseICS(t, qs[0].Mail.Parts[0].Content).kids("VEVENT")[0]
	if e.one(t, "SEQUENCE").value != "1" || e.one(t, "DTSTART").value != "20261213T183000" {
		t.Errorf("reminder of the new date: %+v", e.props)
	}
	if qs := remind(t, st, c, s); len(qs) != 0 {
		t.Errorf("second run: %+v", qs)
	}
	want := []string{"24h0m0s", "update:1", "168h0m0s@1", "24h0m0s@1"}
	if got := offsetsOf(t, st, s.ID)["anne@example.net"]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("recorded %v, want %v", got, want)
	}
}

// A change of time or place goes to those reminded who are still of the
// audience, not to one declined since; a cancellation goes to everyone
// reminded.
func TestMovedSessionUpdatesOnlyThoseStillExpected(t *testing.T) {
	clk, st, c, s := launchWithAnne(t)
	luc := selectApp(t, st, "luc", "luc@example.net")
	clk.Set(s.Start.Add(-100 * time.Hour))
	if qs := remind(t, st, c, s); len(qs) != 2 {
		t.Fatalf("first run: %+v", qs)
	}
	setStatus(t, st, luc, store.StatusDeclined)
	s.Location = "Florac"
	qs := remind(t, st, c, s)
	if len(qs) != 1 || qs[0].What != SessionMailUpdate || qs[0].Recipient != "anne@example.net" {
		t.Fatalf("after the move: %+v, want an update to anne only", qs)
	}
	s.Cancelled = true
	qs = remind(t, st, c, s)
	var to []string
	for _, q := range qs {
		if q.What != SessionMailCancel {
			t.Errorf("after the cancellation: %+v", q)
		}
		to = append(to, q.Recipient)
	}
	sort.Strings(to)
	if strings.Join(to, ",") != "anne@example.net,luc@example.net" {
		t.Errorf("cancellation to %v, want both reminded", to)
	}
}

// A scheduled run that sends an update does not also send the reminder
// falling due before the next run: that one goes at the next run.
func TestScheduledRunSendsTheUpdateAloneThenTheReminder(t *testing.T) {
	ctx := context.Background()
	clk, st, c, s := launchWithAnne(t)
	clk.Set(s.Start.Add(-100 * time.Hour))
	remind(t, st, c, s)
	// Moved earlier: the new 24h reminder falls before the next daily run.
	s.Start, s.End = s.Start.Add(-60*time.Hour), s.End.Add(-60*time.Hour)
	next := clk.Now().Add(24 * time.Hour)
	qs, err := QueueRemindersBefore(ctx, st, c, []Session{s}, next, false, nil)
	if err != nil || len(qs) != 1 || qs[0].What != SessionMailUpdate {
		t.Fatalf("run after the move: %+v %v, want the update alone", qs, err)
	}
	clk.Set(next)
	qs, err = QueueRemindersBefore(ctx, st, c, []Session{s}, next.Add(24*time.Hour), false, nil)
	if err != nil || len(qs) != 1 || qs[0].Offset != "24h0m0s@1" {
		t.Fatalf("next run: %+v %v, want the 24h reminder of the new date", qs, err)
	}
}
