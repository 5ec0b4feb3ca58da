package main

import (
	"os"
	"strings"
	"testing"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
)

// What the abuse limits decide reaches the coordinator: show names a
// risky attachment and the reason a mail was not answered, and the
// configured authserv_id and limits are the ones intake applies.
func TestShowTellsCoordinatorsWhatLimitsDecided(t *testing.T) {
	imapSrv := imaptest.StartMemServer(t, "rse", "secret")
	sink := smtpsink.Start(t)
	conf := e2eConfig(t, imapSrv.Host(), imapSrv.Port(), "rse", "secret", sink)
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("[intake]\nauthserv_id = \"mx.google.com\"\nmax_attachments = 2\n")
	f.Close()
	raw := "Authentication-Results: mx.google.com; spf=fail smtp.mailfrom=anne@example.fr; dmarc=fail header.from=example.fr\r\n" +
		"From: Anne Roux <anne@example.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\nSubject: Candidature\r\n" +
		"Message-ID: <show@example.fr>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nBonjour, je candidate. Entreprise : Boulangerie Roux, Mende.\r\n"
	for _, name := range []string{"dossier.zip", "cv.pdf", "kbis.pdf"} {
		raw += "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"" + name +
			"\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBAo=\r\n"
	}
	raw += "--b--\r\n"
	if err := imapSrv.Append("INBOX", []byte(raw)); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--config", conf, "poll", "--once")
	out := mustRun(t, "--config", conf, "show", "RSE-2026-0001")
	for _, want := range []string{"dossier.zip (application/octet-stream, 5 bytes) RISKY", "! sender failed authentication at mx.google.com",
		"! attachment limit reached: 2 attachments recorded, 1 more not kept"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if stdout := mustRun(t, "--config", conf, "send", "--once"); !strings.Contains(stdout, "sent 0") || sink.Len() != 0 {
		t.Errorf("a sender that failed DMARC was answered: %s", stdout)
	}
}
