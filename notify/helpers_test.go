package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"

	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

const (
	testProgram = "J'initie, je m'engage RSE – Lozère"
	testAddress = "rse.innovation.manageriale@gmail.com"
	testCoord   = "coordination@example.org"
)

// clock is a settable clock shared by the store and the sender.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func openStore(t testing.TB, clk *clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if clk != nil {
		st.SetClock(clk.Now)
	}
	return st
}

func newComposer(t testing.TB, mod func(*ComposerConfig)) *Composer {
	t.Helper()
	cfg := ComposerConfig{ProgramName: testProgram, ProgramAddress: testAddress, From: testAddress,
		DecisionBy: time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewComposer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// senderSetup is what most sender tests start from: a clock, a store, the
// French composer, an SMTP sink and a sender to it.
func senderSetup(t testing.TB) (*clock, *store.Store, *Composer, *smtpsink.Sink, *Sender) {
	t.Helper()
	clk := newClock()
	st := openStore(t, clk)
	c := newComposer(t, nil)
	sink := smtpsink.Start(t)
	return clk, st, c, sink, newSender(t, st, sink, clk, nil)
}

func newSender(t testing.TB, st *store.Store, sink *smtpsink.Sink, clk *clock, mod func(*SenderConfig)) *Sender {
	t.Helper()
	cfg := SenderConfig{
		SMTP: SMTPConfig{Host: sink.Host(), Port: sink.Port(), Security: SecurityNone,
			From: testAddress, Timeout: 5 * time.Second},
		ProgramName: testProgram, ProgramAddress: testAddress, Coordinators: []string{testCoord},
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := NewSender(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if clk != nil {
		s.Now = clk.Now
	}
	s.Jitter = func() float64 { return 0.5 } // no jitter: exact schedule
	return s
}

var seq int

// seedApplication stores an application message, its application and,
// when c is not nil, its queued acknowledgement.
func seedApplication(t testing.TB, st *store.Store, c *Composer, a store.Applicant, missing []store.Missing,
	atts []store.Attachment) (*store.Application, *store.Message, *store.OutboxMail) {
	t.Helper()
	ctx := context.Background()
	seq++
	raw := fmt.Appendf(nil, "From: %s\r\nMessage-ID: <app-%d@mail.example.net>\r\nSubject: Candidature\r\n\r\nBonjour %d\r\n",
		a.Email, seq, seq)
	sum := sha256.Sum256(raw)
	msg := &store.Message{MessageID: fmt.Sprintf("<app-%d@mail.example.net>", seq), SHA256: hex.EncodeToString(sum[:]),
		BodySHA256: hex.EncodeToString(sum[:]), Raw: raw, FromEmail: a.Email, FromName: a.FirstName,
		Subject: "Candidature", Kind: "application", ShouldAcknowledge: true}
	app := &store.Application{Status: store.StatusReceived, Applicant: a, Missing: missing}
	if len(missing) > 0 {
		app.Status = store.StatusIncomplete
	}
	var out *store.OutboxMail
	err := st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMessage(ctx, msg); err != nil {
			return err
		}
		app.FirstMessageID = msg.ID
		if err := tx.CreateApplication(ctx, app, "RSE", 2026); err != nil {
			return err
		}
		if err := tx.LinkMessage(ctx, msg.ID, app.ID); err != nil {
			return err
		}
		for i := range atts {
			atts[i].MessageID, atts[i].ApplicationID, atts[i].Position = msg.ID, app.ID, i
			if atts[i].SHA256 == "" {
				atts[i].SHA256 = "00"
			}
			if err := tx.InsertAttachment(ctx, &atts[i]); err != nil {
				return err
			}
		}
		if c == nil {
			return nil
		}
		m, err := c.Acknowledgement(app, atts, msg)
		if err != nil {
			return err
		}
		out = m
		return tx.QueueMail(ctx, m)
	})
	if err != nil {
		t.Fatal(err)
	}
	return app, msg, out
}

func elodie() store.Applicant {
	valid := false
	return store.Applicant{FirstName: "Élodie", LastName: "Rouvière", Email: "Elodie.Rouviere@example.net",
		Company: "Les Ateliers du Causse", Siret: "12345678901234", SiretValid: &valid, PostalCode: "48000",
		Commune: "Mende", Role: "gérante"}
}

// received is a delivered message taken apart.
type received struct {
	raw    string
	header mail.Header
	top    string // Content-Type of the message
	parts  []part // leaves, in order
}

type part struct {
	contentType string
	params      map[string]string
	disposition string
	body        string
	parent      string // Content-Type of the enclosing multipart
}

func parseReceived(t testing.TB, data []byte) *received {
	t.Helper()
	e, err := message.Read(bytes.NewReader(data))
	if err != nil && !message.IsUnknownCharset(err) {
		t.Fatalf("parse received message: %v", err)
	}
	r := &received{raw: string(data), header: mail.Header{Header: e.Header}}
	r.top, _, _ = e.Header.ContentType()
	var walk func(e *message.Entity, parent string)
	walk = func(e *message.Entity, parent string) {
		ct, params, _ := e.Header.ContentType()
		if mr := e.MultipartReader(); mr != nil {
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return
				}
				if err != nil && !message.IsUnknownCharset(err) {
					t.Fatalf("parse received part: %v", err)
				}
				walk(p, ct)
			}
		}
		b, err := io.ReadAll(e.Body)
		if err != nil {
			t.Fatalf("read received part: %v", err)
		}
		disp, _, _ := e.Header.ContentDisposition()
		r.parts = append(r.parts, part{contentType: ct, params: params, disposition: disp, body: string(b), parent: parent})
	}
	walk(e, "")
	return r
}

func (r *received) part(t testing.TB, ct string) part {
	t.Helper()
	for _, p := range r.parts {
		if p.contentType == ct {
			return p
		}
	}
	t.Fatalf("no %s part in:\n%s", ct, r.raw)
	return part{}
}

func mustOutbox(t testing.TB, st *store.Store, id int64) *store.OutboxMail {
	t.Helper()
	m, err := st.OutboxMail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
