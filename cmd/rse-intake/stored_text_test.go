package main

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

// TestShownTextIsReadAgainFromTheRawMail: the store keeps a message's
// text only in its raw mail, and show --json gives every message the same
// text as parse --json gives its file.
func TestShownTextIsReadAgainFromTheRawMail(t *testing.T) {
	conf, _ := memCorpusServers(t)
	mustRun(t, "--config", conf, "poll", "--once")

	db, err := sql.Open("sqlite", "file:"+filepath.Join(filepath.Dir(conf), "rse-intake.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored, withText int
	if err := db.QueryRow(`SELECT count(*), count(json_extract(parsed, '$.text')) FROM messages`).Scan(&stored, &withText); err != nil {
		t.Fatal(err)
	}
	if stored == 0 || withText != 0 {
		t.Fatalf("%d stored messages, %d keep their text in their report: want some, none", stored, withText)
	}

	files, _ := filepath.Glob("../../intake/testdata/corpus/*.eml")
	want := map[string]*string{} // text by Message-ID, as parse reads it
	dec := json.NewDecoder(strings.NewReader(mustRun(t, append([]string{"parse", "--json"}, files...)...)))
	for dec.More() {
		var r struct {
			MessageID string  `json:"message_id"`
			Text      *string `json:"text"`
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		want[r.MessageID] = r.Text
	}
	var apps []struct {
		Reference string `json:"reference"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", conf, "list", "--json")), &apps); err != nil {
		t.Fatal(err)
	}
	shown, texts := 0, 0
	for _, a := range apps {
		var app struct {
			Messages []struct {
				MessageID string  `json:"message_id"`
				Text      *string `json:"text"`
			} `json:"messages"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--config", conf, "show", a.Reference, "--json")), &app); err != nil {
			t.Fatal(err)
		}
		for _, m := range app.Messages {
			w, ok := want[m.MessageID]
			if !ok {
				t.Fatalf("%s: message %s is not in the corpus", a.Reference, m.MessageID)
			}
			if (m.Text == nil) != (w == nil) || deref(m.Text) != deref(w) {
				t.Errorf("%s, message %s: show gives text %q, parse %q", a.Reference, m.MessageID, deref(m.Text), deref(w))
			}
			shown++
			if m.Text != nil {
				texts++
			}
		}
	}
	if shown < 15 || texts < 15 {
		t.Fatalf("only %d messages shown, %d with a text: the test would prove little", shown, texts)
	}
}

// TestPersonFindsAnAddressInAnEncodedBody: a mail that mentions a person
// only in a base64 body (a town hall forwarding their request) is part of
// what person shows and forget erases, although its raw bytes never spell
// the address and the store keeps no decoded text.
func TestPersonFindsAnAddressInAnEncodedBody(t *testing.T) {
	const who = "jeanne.vidal@exemple.fr"
	body := "Bonjour,\r\n\r\nNous vous transmettons la demande de Mme Vidal (" + who +
		"), artisane à Marvejols, qui souhaite des informations sur le programme.\r\n\r\nLe secrétariat de mairie\r\n"
	raw := []byte("From: Mairie de Marvejols <secretariat@mairie-marvejols.example>\r\n" +
		"To: rse.innovation.manageriale@gmail.com\r\nSubject: Demande transmise\r\n" +
		"Date: Tue, 01 Dec 2026 10:00:00 +0100\r\nMessage-ID: <transmis-1@mairie-marvejols.example>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		imaptest.Base64Lines([]byte(body)))
	if bytes.Contains(bytes.ToLower(raw), []byte(who)) {
		t.Fatal("the raw mail spells the address: the test would prove nothing")
	}
	if _, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw[bytes.Index(raw, []byte("\r\n\r\n"))+4:]), "\r\n", "")); err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	srv := imaptest.StartMemServer(t, "rse.innovation.manageriale@gmail.com", "mot-de-passe")
	if err := srv.Append("INBOX", raw); err != nil {
		t.Fatal(err)
	}
	conf := e2eConfig(t, srv.Host(), srv.Port(), "rse.innovation.manageriale@gmail.com", "mot-de-passe", smtpsink.Start(t))
	mustRun(t, "--config", conf, "poll", "--once")

	var held struct {
		Messages []struct {
			Text *string `json:"text"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "--config", conf, "person", who, "--json")), &held); err != nil {
		t.Fatal(err)
	}
	if len(held.Messages) != 1 || !strings.Contains(deref(held.Messages[0].Text), who) {
		t.Fatalf("person %s: %+v, want the town hall's mail with its text", who, held.Messages)
	}
	if out := mustRun(t, "--config", conf, "forget", who, "--yes"); !strings.Contains(out, "1 message") {
		t.Errorf("forget %s:\n%s", who, out)
	}
	if out := mustRun(t, "--config", conf, "person", who); !strings.Contains(out, "Nothing is held about "+who) {
		t.Errorf("person after forget: %s", out)
	}
}
