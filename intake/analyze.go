package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
)

// Analysis is what one message, read alone, shows: the parsed mail, its
// understanding, and whether it could be read at all.
type Analysis struct {
	Mail       *mailparse.Message
	Result     extract.Result
	Unreadable bool // nothing usable: stored raw, marked needs_review
}

// Analyze parses and understands one raw message. A message a sender
// broke never makes it fail: defects are listed in Mail.Errors, and a
// message with nothing readable is flagged Unreadable. Only a failure of
// the attachment sink (disk) is returned as an error.
func Analyze(raw []byte, program extract.Program, opts mailparse.Options) (a Analysis, err error) {
	defer func() {
		// The parser is hardened and fuzzed, but intake must go on even if
		// a sender finds a message it cannot handle: keep it for review.
		if r := recover(); r != nil {
			a = Analysis{
				Mail:       &mailparse.Message{Errors: []string{fmt.Sprintf("parser failure: %v", r)}},
				Result:     extract.Result{Kind: extract.KindOther},
				Unreadable: true,
			}
			a.Mail.Errors = append(a.Mail.Errors, string(firstLine(debug.Stack())))
			err = nil
		}
	}()
	m, err := mailparse.Parse(bytes.NewReader(raw), opts)
	if err != nil {
		return Analysis{}, fmt.Errorf("parse message: %w", err)
	}
	a.Mail = m
	if unreadable(m) {
		a.Unreadable = true
		a.Result = extract.Result{Kind: extract.KindOther}
		a.Mail.Errors = append(a.Mail.Errors, "message cannot be read: no sender, no subject and no Message-ID")
		return a, nil
	}
	a.Result = extract.Analyze(m, program)
	return a, nil
}

// unreadable reports bytes that are not recognisably an e-mail: no
// sender, no subject and no Message-ID. Whatever text was salvaged is kept
// in the report for the coordinator who reviews it.
func unreadable(m *mailparse.Message) bool {
	return m.FromEmail == "" && m.Subject == "" && m.MessageID == ""
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// Report renders an analysis as the JSON object of `parse --json`, also
// kept with each stored message. Absent values are null.
func (a Analysis) Report() map[string]any {
	m := a.Mail
	out := map[string]any{
		"kind":               a.Result.Kind,
		"should_acknowledge": a.Result.ShouldAcknowledge,
		"message_id":         nullable(m.MessageID),
		"in_reply_to":        nullable(m.InReplyTo),
		"references":         nonNilStrings(m.References),
		"subject":            nullable(m.Subject),
		"date":               nil,
		"from_email":         nullable(m.FromEmail),
		"from_name":          nullable(m.FromName),
		"text":               nullable(m.Text),
		"errors":             nonNilStrings(m.Errors),
		"reference":          nullable(a.Result.Reference),
		"completes":          nil,
	}
	if a.Result.Kind == extract.KindFollowUp {
		// What one message shows of the application it continues: the root
		// of its thread. Intake, which has the store, decides for good.
		if len(m.References) > 0 {
			out["completes"] = m.References[0]
		} else {
			out["completes"] = nullable(m.InReplyTo)
		}
	}
	if m.HasDate {
		out["date"] = m.Date.Format(time.RFC3339)
	}
	atts := make([]map[string]any, 0, len(m.Attachments))
	for _, at := range m.Attachments {
		// Files unpacked from a winmail.dat are kept with the application
		// but are not parts of the mail: the report lists the container.
		if at.Inline || at.Container != "" {
			continue
		}
		o := map[string]any{"filename": at.Filename, "content_type": at.ContentType, "size": at.Size, "sha256": at.SHA256}
		if at.TooLarge {
			o["too_large"] = true
		}
		atts = append(atts, o)
	}
	out["attachments"] = atts
	ap := a.Result.Applicant
	ap.AddJSON(out)
	if ap.ForwardedBy == "" {
		delete(out, "forwarded_by")
	}
	if a.Unreadable {
		out["needs_review"] = true
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// fileSink streams attachments to the content-addressed store on disk,
// leaving the folders to sync to dirs (see store.Files.WriteDeferred).
type fileSink struct {
	files store.Files
	dirs  *store.Dirs
}

func (s fileSink) Put(r io.Reader, a *mailparse.Attachment) (int64, string, error) {
	if refusal(a.Filename, a.ContentType) != "" {
		return 0, "", nil // never written: the parser still hashes and counts it
	}
	return s.files.WriteDeferred(r, s.dirs)
}

// forbiddenExtensions are programs, scripts and documents with macros: an
// application never needs one, and a coordinator must never be led to
// open one.
var forbiddenExtensions = map[string]bool{"exe": true, "bat": true, "cmd": true, "com": true, "scr": true,
	"pif": true, "js": true, "jse": true, "vbs": true, "vbe": true, "wsf": true, "msi": true, "msp": true,
	"jar": true, "ps1": true, "dll": true, "hta": true, "lnk": true, "reg": true, "cpl": true, "iso": true,
	"sh": true, "msc": true, "wsh": true, "docm": true, "xlsm": true, "pptm": true, "dotm": true, "xlam": true}

// refusal says, in French for the applicant, why an attachment is not
// kept; "" when it is.
func refusal(filename, contentType string) string {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(filename), "."))
	if forbiddenExtensions[ext] || contentType == "application/x-msdownload" || contentType == "application/x-msdos-program" {
		return fmt.Sprintf("type de fichier non accepté (.%s) : envoyez un PDF ou un document bureautique", ext)
	}
	return ""
}

// hashes returns the sha256 of raw and of its body (the bytes after the
// header block), which stays the same when a second delivery of the same
// mail carries other trace headers.
func hashes(raw []byte) (sha, bodySHA string) {
	h := sha256.Sum256(raw)
	body := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i+2:]
	}
	b := sha256.Sum256(body)
	return hex.EncodeToString(h[:]), hex.EncodeToString(b[:])
}
