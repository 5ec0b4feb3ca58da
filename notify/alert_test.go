package notify

import (
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

func newAlerts(t *testing.T, st *store.Store, clk *clock, lang string) *Alerts {
	t.Helper()
	c := newComposer(t, func(cfg *ComposerConfig) { cfg.Language = lang })
	a, err := NewAlerts(st, c, AlertConfig{Admin: []string{testCoord, "ops@example.org"}, After: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	a.Now = clk.Now
	return a
}

func alertMails(t *testing.T, st *store.Store) []*store.OutboxMail {
	t.Helper()
	ms, err := st.OutboxList(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []*store.OutboxMail
	for _, m := range ms {
		if m.Kind == store.MailAlert {
			out = append(out, m)
		}
	}
	return out
}

// TestAlertLifecycle: an IMAP outage is mailed once it has lasted
// alert_after, again after six hours, and its end once; each mail goes to
// every operator, coordinators included, and is really delivered.
func TestAlertLifecycle(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	st := openStore(t, clk)
	a := newAlerts(t, st, clk, "fr")
	queued := 0
	a.Queued = func() { queued++ }
	down := errors.New("imap 127.0.0.1:993: connect: connection refused <script>")

	steps := []struct {
		advance time.Duration
		failing bool
		want    int // alert rows so far
	}{
		{0, true, 0},
		{10 * time.Minute, true, 0},
		{20 * time.Minute, true, 2}, // 30 min: one per operator
		{time.Minute, true, 2},
		{2 * time.Hour, true, 2},
		{4 * time.Hour, true, 4}, // six hours after the first alert
		{time.Minute, false, 6},  // back to normal
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		var err error
		if s.failing {
			err = a.Failing(ctx, ProblemIMAP, down)
		} else {
			err = a.Recovered(ctx, ProblemIMAP)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := len(alertMails(t, st)); got != s.want {
			t.Fatalf("step %d: %d alert mails, want %d", i, got, s.want)
		}
	}
	for _, m := range alertMails(t, st) {
		if strings.Contains(m.BodyHTML, "<script>") || !strings.Contains(m.BodyHTML, "&lt;script&gt;") {
			t.Errorf("the error text reached the HTML part unescaped")
		}
	}
	if queued != 3 {
		t.Errorf("sender woken %d times, want 3", queued)
	}
	if act := a.Active(); len(act) != 0 {
		t.Errorf("still active after recovery: %+v", act)
	}
	if err := a.Recovered(ctx, ProblemIMAP); err != nil || len(alertMails(t, st)) != 6 {
		t.Errorf("a second recovery mailed again (%v)", err)
	}

	sink := smtpsink.Start(t)
	s := newSender(t, st, sink, clk, nil)
	res, err := s.SendDue(ctx)
	if err != nil || res.Sent != 6 || res.Cancelled != 0 {
		t.Fatalf("send: %+v, %v (alerts to a coordinator must not be cancelled)", res, err)
	}
	var subjects []string
	for _, m := range sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		subjects = append(subjects, subj)
	}
	joined := strings.Join(subjects, "\n")
	if strings.Count(joined, "[rse-intake] Alerte : la relève du courrier (IMAP) échoue") != 4 ||
		strings.Count(joined, "[rse-intake] Rétabli : la relève du courrier (IMAP) échoue") != 2 {
		t.Errorf("subjects:\n%s", joined)
	}
}

// TestAlertSMTPToldWhenItWorksAgain: an SMTP outage cannot be mailed; it
// is logged and shown while it lasts, and mailed once with its end.
func TestAlertSMTPToldWhenItWorksAgain(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	st := openStore(t, clk)
	a := newAlerts(t, st, clk, "en")
	for range 5 {
		if err := a.Failing(ctx, ProblemSMTP, errors.New("connect to SMTP server: connection refused")); err != nil {
			t.Fatal(err)
		}
		clk.Advance(15 * time.Minute)
	}
	if n := len(alertMails(t, st)); n != 0 {
		t.Fatalf("%d mails queued while SMTP is down", n)
	}
	act := a.Active()
	if len(act) != 1 || act[0].Problem != ProblemSMTP || !act[0].Alerted {
		t.Errorf("active %+v", act)
	}
	if err := a.Recovered(ctx, ProblemSMTP); err != nil {
		t.Fatal(err)
	}
	ms := alertMails(t, st)
	if len(ms) != 2 || !strings.Contains(ms[0].Subject, "Resolved: sending mail (SMTP) fails") ||
		!strings.Contains(ms[0].BodyText, "1 h 15 min") || !strings.Contains(ms[0].BodyText, "connection refused") {
		t.Fatalf("mails %d, first %q\n%s", len(ms), ms[0].Subject, ms[0].BodyText)
	}
}

// TestAlertImmediateProblems: a refused password and a full disk need a
// person now, whatever alert_after says; a short blip that ends before
// alert_after is never mailed.
func TestAlertImmediateProblems(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	st := openStore(t, clk)
	a := newAlerts(t, st, clk, "fr")
	if err := a.Failing(ctx, ProblemIMAPAuth, errors.New("login: NO [AUTHENTICATIONFAILED]")); err != nil {
		t.Fatal(err)
	}
	if err := a.Failing(ctx, ProblemIMAP, errors.New("connection reset")); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if err := a.Recovered(ctx, ProblemIMAP); err != nil {
		t.Fatal(err)
	}
	if err := a.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	ms := alertMails(t, st)
	if len(ms) != 2 || !strings.Contains(ms[0].Subject, "refuse le mot de passe") ||
		!strings.Contains(ms[0].BodyText, "rse-intake check") {
		t.Fatalf("%d mails: %+v", len(ms), ms)
	}
}

// TestAlertNotRepeatedByARestartLoop: a daemon that crash-loops with a
// refused sign-in (mailed at once) starts with no memory of its alerts;
// the outbox keeps it from mailing the operators at every start. The
// alert comes again after six hours, its end is told once, and a new
// problem after that end is mailed.
func TestAlertNotRepeatedByARestartLoop(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	st := openStore(t, clk)
	refused := errors.New("login: NO [AUTHENTICATIONFAILED]")
	restart := func() *Alerts { return newAlerts(t, st, clk, "fr") }
	fail := func(a *Alerts) {
		t.Helper()
		if err := a.Failing(ctx, ProblemIMAPAuth, refused); err != nil {
			t.Fatal(err)
		}
	}
	want := func(n int) {
		t.Helper()
		if got := len(alertMails(t, st)); got != n {
			t.Fatalf("%d alert mails, want %d", got, n)
		}
	}
	fail(restart())
	want(2) // one per operator
	for range 50 {
		clk.Advance(10 * time.Second)
		fail(restart())
	}
	want(2)
	clk.Advance(DefaultAlertRepeat)
	a := restart()
	fail(a)
	want(4)
	clk.Advance(time.Minute)
	if err := a.Recovered(ctx, ProblemIMAPAuth); err != nil {
		t.Fatal(err)
	}
	want(6)
	clk.Advance(time.Minute)
	fail(restart())
	want(8)
}
