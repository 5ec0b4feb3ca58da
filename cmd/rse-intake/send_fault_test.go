package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
)

// TestSendConnectionCut puts a TCP proxy between the sender and a real
// SMTP server that cuts each connection somewhere: anywhere in the
// conversation, just before the end of a mail's DATA reaches the server,
// or just after it (the server took the mail, the client never heard it).
// After the faults stop, every acknowledgement has been delivered, and a
// mail arrived twice only for a cut that fell after the server had its
// DATA and before its answer came back: duplicates are counted and bounded
// by those cuts. It runs with RSE_FAULT_TESTS=1 (.ci/run sets it).
func TestSendConnectionCut(t *testing.T) {
	if os.Getenv("RSE_FAULT_TESTS") != "1" {
		t.Skip("fault tests run with RSE_FAULT_TESTS=1")
	}
	ctx := t.Context()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "rse.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const program = "rse.innovation.manageriale@gmail.com"
	composer, err := notify.NewComposer(notify.ComposerConfig{ProgramName: "J'initie, je m'engage RSE", ProgramAddress: program})
	if err != nil {
		t.Fatal(err)
	}
	pl := intake.NewPipeline(st, intake.Config{Program: extract.Program{Address: program, ReferencePrefix: "RSE"},
		Files: store.Files{Dir: filepath.Join(dir, "files")}, Composer: composer})
	const n = 60
	for i := range n {
		raw := fmt.Sprintf("From: Candidate %[1]d <candidate%[1]d@example.fr>\r\nTo: %[2]s\r\n"+
			"Subject: Candidature RSE\r\nMessage-ID: <cand-%[1]d@example.fr>\r\nDate: Mon, 2 Mar 2026 09:00:00 +0100\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour,\r\nJe souhaite candidater au programme.\r\n"+
			"Entreprise : Boulangerie %[1]d\r\nCommune : Mende (48000)\r\n\r\nCordialement,\r\nCandidate %[1]d\r\n", i, program)
		if _, err := pl.Ingest(ctx, intake.Source{}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	queued := outboxByStatus(t, st, store.OutboxPending)
	if len(queued) != n {
		t.Fatalf("%d acknowledgements queued, want %d", len(queued), n)
	}

	sink := smtpsink.Start(t)
	proxy, err := imaptest.NewProxy(sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	const endOfData = "\r\n.\r\n"
	rng := rand.New(rand.NewPCG(11, 13))
	proxy.SetRule(func() imaptest.Cut {
		switch rng.IntN(3) {
		case 0: // anywhere: greeting, EHLO, MAIL, RCPT, DATA, a reply
			return imaptest.Cut{AfterServerBytes: 1 + rng.Int64N(4000), OnClientText: endOfData}
		case 1: // the end of the mail never reaches the server
			return imaptest.Cut{OnClientText: endOfData, CutOnText: true, ServerBytesAfter: -1}
		default: // the server has the mail; its answer is cut
			return imaptest.Cut{OnClientText: endOfData, CutOnText: true, ServerBytesAfter: rng.Int64N(5)}
		}
	})
	now := time.Now()
	sender, err := notify.NewSender(st, notify.SenderConfig{
		SMTP:           notify.SMTPConfig{Host: "127.0.0.1", Port: proxy.Port(), Security: "none", From: program, Timeout: 5 * time.Second},
		ProgramName:    "J'initie, je m'engage RSE",
		ProgramAddress: program,
		MaxPerHour:     10 * n,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each round moves the clock past any retry delay (6 h at most), and
	// all of them stay within the 72 h a mail is retried for.
	sender.Now = func() time.Time { return now }
	for round := range 7 {
		res, err := sender.SendDue(ctx)
		t.Logf("round %d: %+v, %v", round, res, err)
		now = now.Add(6*time.Hour + 40*time.Minute)
	}
	cuts := proxy.Cuts()
	inDoubt := 0
	for _, c := range cuts {
		if c.InDoubt {
			inDoubt++
		}
	}
	proxy.SetRule(nil)
	for range 2 {
		if _, err := sender.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(6*time.Hour + 40*time.Minute)
	}
	if left := outboxByStatus(t, st, store.OutboxPending); len(left) != 0 {
		t.Errorf("%d mails still pending", len(left))
	}
	if failed := outboxByStatus(t, st, store.OutboxFailed); len(failed) != 0 {
		t.Errorf("%d mails failed: %s", len(failed), failed[0].LastError)
	}
	delivered := map[string]int{}
	for _, m := range sink.Messages() {
		delivered[headerValue(string(m.Data), "Message-Id")]++
	}
	duplicates := 0
	for _, m := range queued {
		switch c := delivered[m.HeaderMsgID]; {
		case c == 0:
			t.Errorf("acknowledgement %s to %s never delivered", m.HeaderMsgID, m.Recipient)
		case c > 1:
			duplicates += c - 1
		}
	}
	t.Logf("%d cuts, %d of them after the server had a mail's DATA and before its answer; %d duplicates",
		len(cuts), inDoubt, duplicates)
	if len(cuts) < 10 {
		t.Errorf("only %d cuts: the test proves little", len(cuts))
	}
	if duplicates > inDoubt {
		t.Errorf("%d duplicates, more than the %d cuts that could cause one", duplicates, inDoubt)
	}
}

func outboxByStatus(t *testing.T, st *store.Store, status string) []*store.OutboxMail {
	t.Helper()
	ms, err := st.OutboxList(context.Background(), status)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// headerValue returns the value of the first header field name (any
// case) of a raw message.
func headerValue(raw, name string) string {
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
