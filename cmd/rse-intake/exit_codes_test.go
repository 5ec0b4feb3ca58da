package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

// send --once exits 1 and says how many mails are left when the server
// refused them (temporarily or for good); the read-only commands work on
// a database they may not write and leave it as it was.
func TestSendRefusalsAndReadOnlyCommands(t *testing.T) {
	imapSrv := imaptest.StartMemServer(t, "rse", "secret")
	sink := smtpsink.Start(t)
	conf := e2eConfig(t, imapSrv.Host(), imapSrv.Port(), "rse", "secret", sink)
	raw, err := os.ReadFile("../../intake/testdata/corpus/01-champs-etiquetes-utf8-qp.eml")
	if err != nil {
		t.Fatal(err)
	}
	if err := imapSrv.Append("INBOX", raw); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--config", conf, "poll", "--once")

	sink.RejectMail(&smtp.SMTPError{Code: 451, Message: "try again later"})
	code, stdout, stderr := runCLI(t, "--config", conf, "send", "--once")
	if code != 1 || !strings.Contains(stdout, "retry later 1") || !strings.Contains(stderr, "1 mails not delivered") {
		t.Errorf("temporary refusal: exit %d\n%s%s", code, stdout, stderr)
	}

	// A read-only database: list, stats, show and export still work and
	// change nothing.
	db := filepath.Join(filepath.Dir(conf), "rse-intake.db")
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(db, 0o400); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(db, 0o600) })
	for _, args := range [][]string{{"list"}, {"stats"}, {"export", "--format", "json"}, {"outbox"}, {"show", "RSE-2026-0001"}} {
		if code, _, stderr := runCLI(t, append([]string{"--config", conf}, args...)...); code != 0 {
			t.Errorf("%v on a read-only database: exit %d: %s", args, code, stderr)
		}
	}
	after, err := os.ReadFile(db)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("a read-only command changed the database (%v)", err)
	}
}
