package mailparse

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttachedMessageReadAsAForward: a message forwarded as an attachment
// (an accountant forwarding a client's application from Outlook) is kept
// as its .eml, and read as well: its text follows the note as an inline
// forward, with the header lines a reader needs, and its CV is one of the
// message's attachments, with the .eml as its container.
func TestAttachedMessageReadAsAForward(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "forward-as-attachment.eml"))
	if err != nil {
		t.Fatal(err)
	}
	sink := &keptSink{}
	m, err := Parse(bytes.NewReader(raw), Options{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Errors) != 0 {
		t.Errorf("Errors = %q, want none", m.Errors)
	}
	note, fwd, ok := strings.Cut(m.Text, "---------- Forwarded message ---------\n")
	if !ok || !strings.Contains(note, "Je vous transfère la candidature") || strings.Contains(note, "Jeanne") {
		t.Fatalf("Text = %q, want the note, then the forward", m.Text)
	}
	for _, want := range []string{"From: Jeanne Vidal <jeanne.vidal@atelier-vidal.example>\n",
		"Date: Mon, 23 Nov 2026 18:02:11 +0100\n", "Subject: Candidature au programme RSE\n",
		"To: <rse.innovation.manageriale@gmail.com>\n\nBonjour,\n", "SIRET : 732 829 320 00074"} {
		if !strings.Contains(fwd, want) {
			t.Errorf("forward lacks %q:\n%s", want, fwd)
		}
	}
	const eml = "Candidature au programme RSE.eml"
	var got []string
	for _, a := range m.Attachments {
		got = append(got, a.Filename+" in "+a.Container+" ("+a.ContentType+")")
	}
	want := []string{eml + " in  (message/rfc822)", "CV-Jeanne-Vidal.pdf in " + eml + " (application/pdf)"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("attachments:\n got %q\nwant %q", got, want)
	}
	if len(sink.data) != 2 || !bytes.HasPrefix(sink.data[1], []byte("%PDF-")) {
		t.Errorf("the sink got %d files, want the .eml and the decoded CV", len(sink.data))
	}
}

// TestAttachedMessageWithinTheMailsLimits: the files of an attached
// message count with the mail's own against Limits, and a message of a
// digest is not read as a forward.
func TestAttachedMessageWithinTheMailsLimits(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "forward-as-attachment.eml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(bytes.NewReader(raw), Options{Sink: &keptSink{}, Limits: Limits{MaxAttachments: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "message/rfc822" || !strings.Contains(m.Text, "Jeanne Vidal") {
		t.Errorf("with one attachment allowed: %+v, text %q; want the .eml recorded and read, its CV not", m.Attachments, m.Text)
	}
	if !strings.Contains(strings.Join(m.Errors, "\n"), "1 attachment") {
		t.Errorf("Errors = %q, want the CV counted past the limit", m.Errors)
	}

	inner := raw[bytes.Index(raw, []byte("From: Jeanne")):bytes.LastIndex(raw, []byte("\r\n--outer-b--"))]
	digest := "From: liste@exemple.fr\r\nSubject: Digest\r\nMIME-Version: 1.0\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n" +
		"--d\r\n\r\n" + string(inner) + "\r\n--d--\r\n"
	m, err = Parse(strings.NewReader(digest), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "Forwarded message") {
		t.Errorf("a digest's message read as a forward: %q", m.Text)
	}
}
