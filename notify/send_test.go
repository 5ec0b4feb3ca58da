package notify

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

func TestDeliveredAcknowledgement(t *testing.T) {
	ctx := context.Background()
	clk, st, c, sink, s := senderSetup(t)

	a := elodie()
	a.Phone = ""
	_, msg, queued := seedApplication(t, st, c, a,
		[]store.Missing{{Field: "siret", Reason: "invalid"}, {Field: "phone"}, {Field: "attachment:cv"}},
		[]store.Attachment{{Filename: "CV Élodie.pdf", ContentType: "application/pdf", Size: 31 << 20,
			Refused: "fichier trop volumineux (31 Mo ; 10 Mo au plus)"}})

	res, err := s.SendDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res != (Result{Sent: 1}) {
		t.Fatalf("result %+v", res)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages received", len(msgs))
	}
	got := msgs[0]
	if got.From != testAddress || len(got.To) != 1 || got.To[0] != "elodie.rouviere@example.net" {
		t.Errorf("envelope %q -> %q", got.From, got.To)
	}
	r := parseReceived(t, got.Data)
	h := r.header
	for k, want := range map[string]string{
		"Auto-Submitted":           "auto-replied",
		"X-Auto-Response-Suppress": "All",
		"In-Reply-To":              msg.MessageID,
		"References":               msg.MessageID,
		"Message-Id":               queued.HeaderMsgID,
	} {
		if v := h.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	if !strings.HasSuffix(h.Get("Message-Id"), "@gmail.com>") {
		t.Errorf("Message-ID %q not on the program's domain", h.Get("Message-Id"))
	}
	if _, err := h.Date(); err != nil || h.Get("Date") == "" {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	subj, _ := h.Subject()
	if subj != "Votre candidature "+ackRef(queued)+" – "+testProgram {
		t.Errorf("subject %q", subj)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != testProgram || from[0].Address != testAddress {
		t.Errorf("From %v: %v", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Élodie Rouvière" || to[0].Address != "elodie.rouviere@example.net" {
		t.Errorf("To %v: %v", to, err)
	}
	replyTo, err := h.AddressList("Reply-To")
	if err != nil || len(replyTo) != 1 || replyTo[0].Address != testAddress {
		t.Errorf("Reply-To %v: %v", replyTo, err)
	}
	// Accented names travel RFC 2047-encoded, never as raw 8-bit.
	for _, k := range []string{"To", "From", "Subject"} {
		raw := h.Header.Get(k)
		if !strings.Contains(strings.ToLower(raw), "=?utf-8?") {
			t.Errorf("%s not RFC 2047 encoded: %q", k, raw)
		}
	}
	headerBlock, _, _ := strings.Cut(r.raw, "\r\n\r\n")
	for _, b := range []byte(headerBlock) {
		if b >= 0x80 {
			t.Fatalf("8-bit byte in the header block:\n%s", headerBlock)
		}
	}
	if r.top != "multipart/alternative" {
		t.Errorf("top Content-Type %q, want multipart/alternative", r.top)
	}
	text, html := r.part(t, "text/plain"), r.part(t, "text/html")
	if text.parent != "multipart/alternative" || html.parent != "multipart/alternative" {
		t.Errorf("parts not alternatives: %q %q", text.parent, html.parent)
	}
	for _, want := range []string{"Bonjour Élodie Rouvière,", "le numéro SIRET (14 chiffres) : le numéro donné n'est pas valide",
		"votre numéro de téléphone", "votre CV (pièce jointe)", "« CV Élodie.pdf »", "fichier trop volumineux",
		"lien de téléchargement", ackRef(queued)} {
		if !strings.Contains(text.body, want) {
			t.Errorf("text part lacks %q:\n%s", want, text.body)
		}
	}
	if !strings.Contains(html.body, "votre numéro de téléphone") || !strings.Contains(html.body, "<!DOCTYPE html>") {
		t.Errorf("html part:\n%s", html.body)
	}

	row := mustOutbox(t, st, queued.ID)
	if row.Status != store.OutboxSent || row.Attempts != 1 || row.SentAt == nil || !row.SentAt.Equal(clk.Now()) {
		t.Errorf("row after sending: %+v", row)
	}

	// Idempotence: nothing is due any more.
	res, err = s.SendDue(ctx)
	if err != nil || res != (Result{}) || sink.Len() != 1 {
		t.Errorf("second SendDue: %+v, %v, %d received", res, err, sink.Len())
	}
}

// ackRef is the reference of a queued acknowledgement, from its dedupe key.
func ackRef(m *store.OutboxMail) string { return strings.TrimPrefix(m.DedupeKey, "ack:") }

func TestExtraPartsAndAuth(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.StartWithOptions(t, smtpsink.Options{Username: "rse", Password: "s3cret"})
	s := newSender(t, st, sink, clk, func(cfg *SenderConfig) {
		cfg.SMTP.Host, cfg.SMTP.Username, cfg.SMTP.Password = "127.0.0.1", "rse", "s3cret"
	})
	app, _, _ := seedApplication(t, st, c, elodie(), nil, nil)
	err := st.InTx(ctx, func(tx *store.Tx) error {
		app.Status = store.StatusSelected
		m, err := c.Decision(app)
		if err != nil {
			return err
		}
		m.Parts = []store.MailPart{{Filename: "seance.ics", ContentType: "text/calendar",
			Content: "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"}}
		return tx.QueueMail(ctx, m)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SendDue(ctx)
	if err != nil || res.Sent != 2 {
		t.Fatalf("SendDue: %+v, %v", res, err)
	}
	r := parseReceived(t, sink.Messages()[1].Data)
	if r.top != "multipart/mixed" {
		t.Errorf("top %q, want multipart/mixed", r.top)
	}
	ics := r.part(t, "text/calendar")
	if ics.disposition != "attachment" || !strings.Contains(ics.body, "BEGIN:VCALENDAR") {
		t.Errorf("calendar part: %+v", ics)
	}
	if p := r.part(t, "text/plain"); p.parent != "multipart/alternative" {
		t.Errorf("text part inside %q", p.parent)
	}

	// Wrong password: the session fails, the mail is kept for later.
	s2 := newSender(t, st, sink, clk, func(cfg *SenderConfig) {
		cfg.SMTP.Host, cfg.SMTP.Username, cfg.SMTP.Password = "127.0.0.1", "rse", "wrong"
	})
	seedApplication(t, st, c, store.Applicant{Email: "b@example.net"}, nil, nil)
	res, err = s2.SendDue(ctx)
	var te *TemporaryError
	if !errors.As(err, &te) || te.Code != 535 || res.Retried != 1 {
		t.Errorf("bad credentials: %+v, %v", res, err)
	}
}

func TestSMTPDownThenBack(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.Start(t)
	addr := sink.Addr()
	s := newSender(t, st, sink, clk, nil)
	var ids []int64
	for i := range 3 {
		_, _, m := seedApplication(t, st, c, store.Applicant{FirstName: "N" + string(rune('a'+i)),
			Email: "app" + string(rune('a'+i)) + "@example.net"}, nil, nil)
		ids = append(ids, m.ID)
	}

	// 1. Connection refused.
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := s.SendDue(ctx)
	if !IsTemporary(err) || IsPermanent(err) || res != (Result{Retried: 3}) {
		t.Fatalf("server down: %+v, %v", res, err)
	}
	for _, id := range ids {
		row := mustOutbox(t, st, id)
		if row.Status != store.OutboxPending || row.Attempts != 1 || !row.NextAttemptAt.Equal(clk.Now().Add(time.Minute)) ||
			row.LastError == "" {
			t.Errorf("after refusal: %+v", row)
		}
	}
	// Not due yet: nothing tried.
	clk.Advance(30 * time.Second)
	if res, err := s.SendDue(ctx); err != nil || res != (Result{}) {
		t.Errorf("before the retry time: %+v, %v", res, err)
	}

	// 2. Back, but answering 421 to every session.
	sink, err = smtpsink.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	sink.RejectSessions(&smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Too busy, come back later"})
	clk.Advance(time.Minute)
	res, err = s.SendDue(ctx)
	var te *TemporaryError
	if !errors.As(err, &te) || te.Code != 421 || res != (Result{Retried: 3}) {
		t.Fatalf("421: %+v, %v", res, err)
	}
	row := mustOutbox(t, st, ids[0])
	if row.Attempts != 2 || !row.NextAttemptAt.Equal(clk.Now().Add(5*time.Minute)) || !strings.Contains(row.LastError, "421") {
		t.Errorf("after 421: %+v", row)
	}
	if sink.Sessions() != 0 || sink.Len() != 0 {
		t.Errorf("%d sessions, %d messages during 421", sink.Sessions(), sink.Len())
	}

	// 3. Accepting again: each mail delivered exactly once, one connection.
	sink.RejectSessions(nil)
	clk.Advance(5 * time.Minute)
	res, err = s.SendDue(ctx)
	if err != nil || res != (Result{Sent: 3}) {
		t.Fatalf("back: %+v, %v", res, err)
	}
	if res, err := s.SendDue(ctx); err != nil || res != (Result{}) {
		t.Errorf("after delivery: %+v, %v", res, err)
	}
	seen := map[string]int{}
	for _, m := range sink.Messages() {
		seen[parseReceived(t, m.Data).header.Get("Message-Id")]++
	}
	for _, id := range ids {
		row := mustOutbox(t, st, id)
		if row.Status != store.OutboxSent || row.Attempts != 3 || seen[row.HeaderMsgID] != 1 {
			t.Errorf("row %d: %s, %d attempts, received %d times", id, row.Status, row.Attempts, seen[row.HeaderMsgID])
		}
	}
	if sink.Sessions() != 1 {
		t.Errorf("%d SMTP sessions for one batch, want 1", sink.Sessions())
	}

	// 4. A 550 is final, with the server's words; a 451 is retried.
	_, _, gone := seedApplication(t, st, c, store.Applicant{Email: "gone@example.net"}, nil, nil)
	_, _, busy := seedApplication(t, st, c, store.Applicant{Email: "busy@example.net"}, nil, nil)
	sink.RejectRcpt("gone@example.net", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such user here"})
	sink.RejectRcpt("busy@example.net", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 1},
		Message: "Mailbox busy"})
	res, err = s.SendDue(ctx)
	if err != nil || res != (Result{Failed: 1, Retried: 1}) {
		t.Fatalf("550/451: %+v, %v", res, err)
	}
	row = mustOutbox(t, st, gone.ID)
	if row.Status != store.OutboxFailed || row.Attempts != 1 || !strings.Contains(row.LastError, "550 5.1.1 No such user here") {
		t.Errorf("after 550: %+v", row)
	}
	row = mustOutbox(t, st, busy.ID)
	if row.Status != store.OutboxPending || !strings.Contains(row.LastError, "451") {
		t.Errorf("after 451: %+v", row)
	}
	// A 5xx at the end of DATA is final too.
	sink.RejectRcpt("busy@example.net", nil)
	sink.RejectData(&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Message refused as spam"})
	clk.Advance(time.Minute)
	res, err = s.SendDue(ctx)
	if err != nil || res != (Result{Failed: 1}) {
		t.Fatalf("554 at DATA: %+v, %v", res, err)
	}
	if row := mustOutbox(t, st, busy.ID); !strings.Contains(row.LastError, "Message refused as spam") {
		t.Errorf("after 554: %+v", row)
	}
}

// A connection closed by the server between two batches is reopened.
func TestReconnectAfterServerRestart(t *testing.T) {
	ctx := context.Background()
	_, st, c, sink, s := senderSetup(t)
	seedApplication(t, st, c, store.Applicant{Email: "a@example.net"}, nil, nil)
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	addr := sink.Addr()
	sink.Close()
	sink2, err := smtpsink.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sink2.Close()
	seedApplication(t, st, c, store.Applicant{Email: "b@example.net"}, nil, nil)
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 || sink2.Len() != 1 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestBackoffScheduleThenGiveUp(t *testing.T) {
	ctx := context.Background()
	clk, st, c, sink, s := senderSetup(t)
	_, _, m := seedApplication(t, st, c, store.Applicant{Email: "a@example.net"}, nil, nil)
	created := clk.Now()
	sink.RejectMail(&smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Out of storage"})
	var waits []time.Duration
	for i := 0; i < 40; i++ {
		before := clk.Now()
		res, err := s.SendDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		row := mustOutbox(t, st, m.ID)
		if row.Status == store.OutboxFailed {
			if res.Failed != 1 || clk.Now().Sub(created) < MaxRetryAge || !strings.Contains(row.LastError, "452") {
				t.Errorf("gave up: %+v after %s: %q", res, clk.Now().Sub(created), row.LastError)
			}
			break
		}
		if res.Retried != 1 {
			t.Fatalf("attempt %d: %+v", i+1, res)
		}
		waits = append(waits, row.NextAttemptAt.Sub(before))
		clk.Set(row.NextAttemptAt)
	}
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 6 * time.Hour}
	for i, w := range want {
		if i >= len(waits) || waits[i] != w {
			t.Fatalf("waits %v, want them to start with %v", waits, want)
		}
	}
	if row := mustOutbox(t, st, m.ID); row.Status != store.OutboxFailed {
		t.Fatalf("never gave up: %+v (waits %v)", row, waits)
	}
	// The last wait is cut at 72 h after creation.
	var total time.Duration
	for _, w := range waits {
		total += w
	}
	if total != MaxRetryAge {
		t.Errorf("retried for %s, want %s", total, MaxRetryAge)
	}
}

func TestJitter(t *testing.T) {
	s := &Sender{Jitter: func() float64 { return 0 }}
	if d := s.backoff(1); d != 54*time.Second {
		t.Errorf("low jitter %s", d)
	}
	s.Jitter = func() float64 { return 0.999999 }
	if d := s.backoff(9); d < 6*time.Hour || d > 6*time.Hour*11/10 {
		t.Errorf("high jitter %s", d)
	}
}

// A crash after the server accepted a mail but before it was marked sent
// sends it once more, with the same Message-ID.
func TestCrashBeforeMarkResendsSameMessageID(t *testing.T) {
	ctx := context.Background()
	clk, st, c, sink, s := senderSetup(t)
	_, _, m := seedApplication(t, st, c, elodie(), nil, nil)
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// What the store looks like when the process died right after DATA.
	if _, err := st.DB().ExecContext(ctx, `UPDATE outbox SET status = 'pending', sent_at = NULL, attempts = 0 WHERE id = ?`,
		m.ID); err != nil {
		t.Fatal(err)
	}
	// The claim taken before sending hides the row for claimLease.
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	clk.Advance(claimLease)
	if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	msgs := sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d received", len(msgs))
	}
	id1 := parseReceived(t, msgs[0].Data).header.Get("Message-Id")
	id2 := parseReceived(t, msgs[1].Data).header.Get("Message-Id")
	if id1 != m.HeaderMsgID || id2 != id1 {
		t.Errorf("Message-IDs %q and %q, row %q", id1, id2, m.HeaderMsgID)
	}
	d1 := parseReceived(t, msgs[0].Data).header.Get("Date")
	d2 := parseReceived(t, msgs[1].Data).header.Get("Date")
	if d1 != d2 {
		t.Errorf("Date changed on resend: %q, %q", d1, d2)
	}
}

func TestHourlyCap(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.Start(t)
	s := newSender(t, st, sink, clk, func(cfg *SenderConfig) { cfg.MaxPerHour = 3 })
	var ids []int64
	for i := range 5 {
		_, _, m := seedApplication(t, st, c, store.Applicant{Email: "cap" + string(rune('a'+i)) + "@example.net"}, nil, nil)
		ids = append(ids, m.ID)
	}
	res, err := s.SendDue(ctx)
	if err != nil || res != (Result{Sent: 3, Held: 2}) {
		t.Fatalf("first hour: %+v, %v", res, err)
	}
	for _, id := range ids[3:] {
		if row := mustOutbox(t, st, id); row.Status != store.OutboxPending || row.Attempts != 0 || row.LastError != "" {
			t.Errorf("held row: %+v", row)
		}
	}
	clk.Advance(30 * time.Minute)
	if res, err := s.SendDue(ctx); err != nil || res != (Result{Held: 2}) {
		t.Errorf("same hour: %+v, %v", res, err)
	}
	clk.Advance(31 * time.Minute)
	if res, err := s.SendDue(ctx); err != nil || res != (Result{Sent: 2}) {
		t.Errorf("next hour: %+v, %v", res, err)
	}
	if sink.Len() != 5 {
		t.Errorf("%d received", sink.Len())
	}
}

func TestNeverToProgramOrCoordinator(t *testing.T) {
	ctx := context.Background()
	_, st, c, sink, s := senderSetup(t)
	var ids []int64
	for _, addr := range []string{"RSE.Innovation.Manageriale+test@googlemail.com", "Coordination@Example.org",
		"ok@example.net"} {
		_, _, m := seedApplication(t, st, c, store.Applicant{Email: addr}, nil, nil)
		ids = append(ids, m.ID)
	}
	res, err := s.SendDue(ctx)
	if err != nil || res != (Result{Sent: 1, Cancelled: 2}) {
		t.Fatalf("%+v, %v", res, err)
	}
	for _, id := range ids[:2] {
		if row := mustOutbox(t, st, id); row.Status != store.OutboxCancelled || !strings.Contains(row.LastError, "coordinator") {
			t.Errorf("row %+v", row)
		}
	}
	if msgs := sink.Messages(); len(msgs) != 1 || msgs[0].To[0] != "ok@example.net" {
		t.Errorf("received %v", msgs)
	}
}

func TestSenderConfig(t *testing.T) {
	st := openStore(t, nil)
	base := SenderConfig{SMTP: SMTPConfig{Host: "smtp.example.org", Security: SecurityStartTLS, From: testAddress},
		ProgramName: testProgram, ProgramAddress: testAddress}
	for name, mod := range map[string]func(*SenderConfig){
		"none off loopback": func(c *SenderConfig) { c.SMTP.Security = SecurityNone },
		"none on a LAN IP":  func(c *SenderConfig) { c.SMTP.Security, c.SMTP.Host = SecurityNone, "192.168.1.2" },
		"unknown security":  func(c *SenderConfig) { c.SMTP.Security = "ssl" },
		"no host":           func(c *SenderConfig) { c.SMTP.Host = "" },
		"bad from":          func(c *SenderConfig) { c.SMTP.From = "nobody" },
		"bad coordinator":   func(c *SenderConfig) { c.Coordinators = []string{"x"} },
	} {
		cfg := base
		mod(&cfg)
		if _, err := NewSender(st, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "[::1]"} {
		cfg := base
		cfg.SMTP.Security, cfg.SMTP.Host = SecurityNone, h
		if _, err := NewSender(st, cfg); err != nil {
			t.Errorf("none on %s: %v", h, err)
		}
	}
	s, err := NewSender(st, base)
	if err != nil || s.cfg.SMTP.Port != 587 || s.cfg.MaxPerHour != DefaultMaxPerHour {
		t.Errorf("defaults: %+v %v", s, err)
	}
}

// selfSigned returns a server certificate for 127.0.0.1 and a client
// configuration trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func TestTLSModes(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	for _, tc := range []struct {
		security string
		opts     smtpsink.Options
	}{
		{SecurityTLS, smtpsink.Options{TLS: serverTLS, Username: "u", Password: "p"}},
		{SecurityStartTLS, smtpsink.Options{StartTLS: serverTLS, Username: "u", Password: "p"}},
	} {
		t.Run(tc.security, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			st := openStore(t, clk)
			c := newComposer(t, nil)
			sink := smtpsink.StartWithOptions(t, tc.opts)
			s := newSender(t, st, sink, clk, func(cfg *SenderConfig) {
				cfg.SMTP.Security, cfg.SMTP.TLSConfig = tc.security, clientTLS
				cfg.SMTP.Username, cfg.SMTP.Password = "u", "p"
			})
			seedApplication(t, st, c, elodie(), nil, nil)
			if res, err := s.SendDue(ctx); err != nil || res.Sent != 1 || sink.Len() != 1 {
				t.Fatalf("%+v, %v", res, err)
			}
			// An untrusted certificate is refused: nothing sent, retried later.
			s2 := newSender(t, st, sink, clk, func(cfg *SenderConfig) { cfg.SMTP.Security = tc.security })
			seedApplication(t, st, c, store.Applicant{Email: "x@example.net"}, nil, nil)
			if res, err := s2.SendDue(ctx); !IsTemporary(err) || res.Retried != 1 || sink.Len() != 1 {
				t.Fatalf("untrusted: %+v, %v", res, err)
			}
		})
	}
	// STARTTLS required but not offered: refused before any password is sent.
	ctx := context.Background()
	clk := newClock()
	st := openStore(t, clk)
	sink := smtpsink.Start(t)
	s := newSender(t, st, sink, clk, func(cfg *SenderConfig) { cfg.SMTP.Security = SecurityStartTLS })
	seedApplication(t, st, newComposer(t, nil), elodie(), nil, nil)
	if res, err := s.SendDue(ctx); !IsTemporary(err) || res.Retried != 1 || sink.Len() != 0 {
		t.Fatalf("no STARTTLS: %+v, %v", res, err)
	}
}

func TestCancelledContextLeavesMailsDue(t *testing.T) {
	clk, st, c, _, s := senderSetup(t)
	_, _, m := seedApplication(t, st, c, elodie(), nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.SendDue(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	row := mustOutbox(t, st, m.ID)
	if row.Status != store.OutboxPending || row.Attempts != 0 || row.NextAttemptAt.After(clk.Now()) {
		t.Errorf("row %+v", row)
	}
}

// The server drops the connection in the middle of a batch: the next
// mail reconnects, and every mail arrives once.
func TestReconnectMidBatch(t *testing.T) {
	ctx := context.Background()
	clk, st, c, sink, s := senderSetup(t)
	for i := range 3 {
		seedApplication(t, st, c, store.Applicant{Email: "mid" + string(rune('a'+i)) + "@example.net"}, nil, nil)
	}
	calls := 0
	s.Now = func() time.Time {
		calls++
		if calls == 2 { // recording the first mail: it was accepted
			sink.DropConnections()
		}
		return clk.Now()
	}
	res, err := s.SendDue(ctx)
	if err != nil || res != (Result{Sent: 3}) {
		t.Fatalf("%+v, %v", res, err)
	}
	if sink.Len() != 3 || sink.Sessions() != 2 {
		t.Errorf("%d messages in %d sessions, want 3 in 2", sink.Len(), sink.Sessions())
	}
}

func BenchmarkSendAcks(b *testing.B) {
	ctx := context.Background()
	clk := newClock()
	st := openStore(b, clk)
	c := newComposer(b, nil)
	sink := smtpsink.Start(b)
	s := newSender(b, st, sink, clk, func(cfg *SenderConfig) {
		cfg.MaxPerHour = 1 << 30
		cfg.MaxPerDomainPerHour = -1 // every ack goes to example.net
		cfg.BatchSize = 1 << 30
	})
	b.StopTimer()
	a := elodie()
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for i := 0; i < b.N; i++ {
			msg := &store.Message{MessageID: "<bench-" + strconv.Itoa(i) + "@example.net>", SHA256: strconv.Itoa(i),
				BodySHA256: strconv.Itoa(i), Raw: []byte("x"), Kind: "application", ShouldAcknowledge: true}
			if err := tx.InsertMessage(ctx, msg); err != nil {
				return err
			}
			app := &store.Application{Status: store.StatusIncomplete, FirstMessageID: msg.ID, Applicant: a,
				Missing: []store.Missing{{Field: "phone"}, {Field: "attachment:cv"}}}
			if err := tx.CreateApplication(ctx, app, "RSE", 2026); err != nil {
				return err
			}
			m, err := c.Acknowledgement(app, nil, msg)
			if err != nil {
				return err
			}
			if err := tx.QueueMail(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.StartTimer()
	start := time.Now()
	res, err := s.SendDue(ctx)
	elapsed := time.Since(start)
	b.StopTimer()
	if err != nil || res.Sent != b.N || sink.Len() != b.N {
		b.Fatalf("%+v, %v, %d received", res, err, sink.Len())
	}
	if sink.Sessions() != 1 {
		b.Fatalf("%d SMTP sessions", sink.Sessions())
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "acks/s")
}

// A server that accepts the connection but never answers does not hold
// the batch: the command times out and the mails are retried later.
func TestSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	clk := newClock()
	st := openStore(t, clk)
	seedApplication(t, st, newComposer(t, nil), elodie(), nil, nil)
	port := ln.Addr().(*net.TCPAddr).Port
	s, err := NewSender(st, SenderConfig{SMTP: SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone,
		From: testAddress, Timeout: 300 * time.Millisecond}, ProgramName: testProgram, ProgramAddress: testAddress})
	if err != nil {
		t.Fatal(err)
	}
	s.Now = clk.Now
	start := time.Now()
	res, err := s.SendDue(context.Background())
	if !IsTemporary(err) || res.Retried != 1 {
		t.Fatalf("%+v, %v", res, err)
	}
	if d := time.Since(start); d > 10*time.Second { // far under the 30 s default, generous on a loaded machine
		t.Errorf("took %s", d)
	}
}

// TestStopDuringStalledDataGivesUpWithinGrace: the sender is told to stop
// while a server that has taken a mail's DATA never answers it. The mail
// in hand gets inFlightGrace, not the minute of the SMTP timeout, so a
// daemon stopped there still exits within its 10 s; the mail is kept for
// a later retry, neither lost nor marked sent.
func TestStopDuringStalledDataGivesUpWithinGrace(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dataEnd := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 stalling ESMTP\r\n")
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch up := strings.ToUpper(line); {
			case inData && line == ".\r\n":
				close(dataEnd)
				io.Copy(io.Discard, r) // silent until the client gives up
				return
			case inData:
			case strings.HasPrefix(up, "EHLO"):
				fmt.Fprint(c, "250-stalling\r\n250 8BITMIME\r\n")
			case strings.HasPrefix(up, "DATA"):
				inData = true
				fmt.Fprint(c, "354 go on\r\n")
			default:
				fmt.Fprint(c, "250 ok\r\n")
			}
		}
	}()
	clk := newClock()
	st := openStore(t, clk)
	seedApplication(t, st, newComposer(t, nil), elodie(), nil, nil)
	s, err := NewSender(st, SenderConfig{SMTP: SMTPConfig{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port,
		Security: SecurityNone, From: testAddress, Timeout: time.Minute},
		ProgramName: testProgram, ProgramAddress: testAddress})
	if err != nil {
		t.Fatal(err)
	}
	s.Now = clk.Now
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-dataEnd
		cancel()
	}()
	start := time.Now()
	res, _ := s.SendDue(ctx)
	// Generous against a loaded machine, far below the minute of Timeout.
	if d := time.Since(start); d > inFlightGrace+20*time.Second {
		t.Fatalf("SendDue took %s after the stop", d)
	}
	if res.Sent != 0 || res.Retried != 1 {
		t.Fatalf("%+v: the mail in doubt must be retried, not counted sent", res)
	}
}
