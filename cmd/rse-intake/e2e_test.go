package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

// mailServers are the IMAP server and SMTP sink an end-to-end test runs
// the real commands against.
type mailServers struct {
	config string
	sink   *smtpsink.Sink
	append func(raws ...[]byte) error
}

func dovecotServers(t *testing.T) *mailServers {
	t.Helper()
	d := imaptest.StartDovecot(t)
	sink := smtpsink.Start(t)
	return &mailServers{
		config: e2eConfig(t, d.Host(), d.Port(), d.User(), d.Pass(), sink),
		sink:   sink,
		append: d.Append,
	}
}

func e2eConfig(t *testing.T, imapHost string, imapPort int, user, pass string, sink *smtpsink.Sink) string {
	t.Helper()
	shost, sport, _ := net.SplitHostPort(sink.Addr())
	return writeConfig(t, fmt.Sprintf(`[program]
address = "rse.innovation.manageriale@gmail.com"
coordinators = ["coordination@rse-lozere.fr"]
[imap]
host = %q
port = %d
security = "none"
username = %q
password = %q
[smtp]
host = %q
port = %s
security = "none"
`, imapHost, imapPort, user, pass, shost, sport))
}

func corpusRaws(t *testing.T) (names []string, raws [][]byte) {
	t.Helper()
	files, err := filepath.Glob("../../intake/testdata/corpus/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(f))
		raws = append(raws, raw)
	}
	return names, raws
}

type corpusTruth struct {
	Kind              string  `json:"kind"`
	ShouldAcknowledge bool    `json:"should_acknowledge"`
	MessageID         *string `json:"message_id"`
	Email             *string `json:"email"`
	Completes         *string `json:"completes"`
}

func readTruth(t *testing.T, name string) corpusTruth {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../intake/testdata/corpus", strings.TrimSuffix(name, ".eml")+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var tr corpusTruth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, stderr)
	}
	return out
}

// TestAcknowledgeCorpusThroughDovecot is issue 4's acceptance: the shared
// corpus in a real Dovecot, poll --once then send --once: one
// acknowledgement per application, one confirmation per file completed by
// a follow-up, nothing else, and nothing more on a second round.
func TestAcknowledgeCorpusThroughDovecot(t *testing.T) {
	srv := dovecotServers(t)
	names, raws := corpusRaws(t)
	if err := srv.append(raws...); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--config", srv.config, "poll", "--once")
	mustRun(t, "--config", srv.config, "send", "--once")

	wantAcks := map[string]string{} // applicant address -> Message-ID answered
	for _, n := range names {
		tr := readTruth(t, n)
		if tr.Kind == "application" && tr.ShouldAcknowledge {
			key := "" // 19 has no Message-ID: its acknowledgement has no In-Reply-To
			if tr.MessageID != nil {
				key = *tr.MessageID
			}
			wantAcks[key] = strings.ToLower(*tr.Email)
		}
	}
	acks, completes := 0, 0
	for _, m := range srv.sink.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		h := msg.Header
		if h.Get("Auto-Submitted") != "auto-replied" || h.Get("X-Auto-Response-Suppress") != "All" {
			t.Errorf("mail to %v lacks the automatic-mail headers", m.To)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") {
			t.Errorf("mail to %v is %s, want multipart/alternative", m.To, h.Get("Content-Type"))
		}
		irt := h.Get("In-Reply-To")
		switch subject := decodeHeader(t, h.Get("Subject")); {
		case strings.HasPrefix(subject, "Votre candidature RSE-2026-"):
			acks++
			to, ok := wantAcks[irt]
			if !ok {
				t.Errorf("acknowledgement in reply to %s, which is not an application", irt)
				continue
			}
			if len(m.To) != 1 || !strings.EqualFold(m.To[0], to) {
				t.Errorf("acknowledgement of %s sent to %v, want %s", irt, m.To, to)
			}
			delete(wantAcks, irt)
		case strings.Contains(subject, "complet"):
			completes++
		default:
			t.Errorf("unexpected mail %q to %v", subject, m.To)
		}
	}
	if len(wantAcks) != 0 {
		t.Errorf("applications not acknowledged: %v", wantAcks)
	}
	// One confirmation per file a follow-up completed: those whose history
	// shows the intake moving them from incomplete to complete.
	var apps []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "--config", srv.config, "list", "--json")), &apps); err != nil {
		t.Fatal(err)
	}
	completed := 0
	for _, a := range apps {
		var hist []map[string]any
		if err := json.Unmarshal([]byte(mustRun(t, "--config", srv.config, "history", a["reference"].(string), "--json")), &hist); err != nil {
			t.Fatal(err)
		}
		for _, h := range hist {
			if h["by"] == "rse-intake" && h["from"] == "incomplete" && h["to"] == "complete" {
				completed++
			}
		}
	}
	if acks != 18 || completed == 0 || completes != completed {
		t.Errorf("%d acknowledgements and %d completion confirmations; want 18 and %d (files completed)", acks, completes, completed)
	}

	before := srv.sink.Len()
	mustRun(t, "--config", srv.config, "poll", "--once")
	mustRun(t, "--config", srv.config, "send", "--once")
	if after := srv.sink.Len(); after != before {
		t.Errorf("second poll and send sent %d more mails", after-before)
	}
	var stats struct {
		Messages int `json:"messages"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", srv.config, "stats", "--json")), &stats); err != nil {
		t.Fatal(err)
	}
	if stats.Messages != len(raws) {
		t.Errorf("stats: %d messages, want %d", stats.Messages, len(raws))
	}
}

// TestAutoResponderLoop: every applicant's mailbox answers every mail it
// gets with an out-of-office, one with the RFC 3834 header and one with
// only a French subject. Each applicant still gets exactly one
// acknowledgement, and no answer goes to an answer.
func TestAutoResponderLoop(t *testing.T) {
	srv := dovecotServers(t)
	apps := []string{
		"From: Anne Roux <anne.roux@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature RSE\r\nMessage-ID: <app-1@example.fr>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n\r\nBonjour,\r\nJe souhaite candidater.\r\nNom : Roux\r\nPrénom : Anne\r\nEntreprise : Boulangerie Roux\r\nSIRET : 73282932000074\r\nCommune : Mende\r\nCode postal : 48000\r\nTéléphone : 06 11 22 33 44\r\n",
		"From: Luc Bel <luc.bel@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature\r\nMessage-ID: <app-2@example.fr>\r\nDate: Mon, 23 Nov 2026 09:05:00 +0100\r\n\r\nBonjour, je candidate pour ma SARL Bel Menuiserie à Florac, 48400, nous sommes 4 salariés.\r\nLuc Bel, gérant, 06 55 44 33 22\r\n",
	}
	var raws [][]byte
	for _, a := range apps {
		raws = append(raws, []byte(a))
	}
	if err := srv.append(raws...); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		mustRun(t, "--config", srv.config, "poll", "--once")
		mustRun(t, "--config", srv.config, "send", "--once")
		// The applicants' mailboxes answer what they got this round.
		var replies [][]byte
		for i, m := range srv.sink.Messages() {
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			id := msg.Header.Get("Message-Id")
			var extra, subject string
			if i%2 == 0 {
				extra, subject = "Auto-Submitted: auto-replied\r\n", "Automatic reply: "+msg.Header.Get("Subject")
			} else {
				subject = "Absent du bureau"
			}
			replies = append(replies, []byte(fmt.Sprintf("From: %s\r\nTo: rse.innovation.manageriale@gmail.com\r\n%sSubject: %s\r\n"+
				"Message-ID: <ooo-%d-%d@example.fr>\r\nIn-Reply-To: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\n"+
				"Je suis absent jusqu'au 30 novembre. En cas d'urgence : 06 99 88 77 66.\r\n",
				m.To[0], extra, subject, round, i, id)))
		}
		if err := srv.append(replies...); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, "--config", srv.config, "poll", "--once")
	mustRun(t, "--config", srv.config, "send", "--once")
	per := map[string]int{}
	for _, m := range srv.sink.Messages() {
		per[strings.ToLower(m.To[0])]++
	}
	if len(per) != 2 || per["anne.roux@example.fr"] != 1 || per["luc.bel@example.fr"] != 1 {
		t.Errorf("mails per recipient = %v, want exactly one acknowledgement each", per)
	}
}

func decodeHeader(t *testing.T, s string) string {
	t.Helper()
	dec, err := (&mimeDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return dec
}

var mimeDecoder = mime.WordDecoder{}
