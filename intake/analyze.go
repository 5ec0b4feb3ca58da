package intake

import (
	"bytes"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
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
				Result:     extract.Result{Kind: extract.KindOther, KindRule: ruleUnreadable},
				Unreadable: true,
			}
			a.Mail.Errors = append(a.Mail.Errors, string(firstLine(debug.Stack())))
			err = nil
		}
	}()
	m, err := mailparse.ParseBytes(raw, opts)
	if err != nil {
		return Analysis{}, fmt.Errorf("parse message: %w", err)
	}
	a.Mail = m
	if unreadable(m) {
		a.Unreadable = true
		a.Result = extract.Result{Kind: extract.KindOther, KindRule: ruleUnreadable}
		a.Mail.Errors = append(a.Mail.Errors, "message cannot be read: no sender, no subject and no Message-ID")
		return a, nil
	}
	a.Result = extract.Analyze(m, program)
	return a, nil
}

// ruleUnreadable is the kind_rule of mail that could not be read at all.
const ruleUnreadable = "unreadable"

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

// Report is the JSON object of `parse --json`, also kept with each stored
// message (show prints it). Absent values are null.
type Report struct {
	File              string             `json:"file,omitempty"` // parse only
	Kind              string             `json:"kind"`
	KindRule          *string            `json:"kind_rule"`
	ShouldAcknowledge bool               `json:"should_acknowledge"`
	MessageID         *string            `json:"message_id"`
	InReplyTo         *string            `json:"in_reply_to"`
	References        []string           `json:"references"`
	Subject           *string            `json:"subject"`
	Date              *string            `json:"date"`
	FromEmail         *string            `json:"from_email"`
	FromName          *string            `json:"from_name"`
	Text              *string            `json:"text"`
	Errors            []string           `json:"errors"`
	Reference         *string            `json:"reference"`
	Completes         *string            `json:"completes"`
	Attachments       []ReportAttachment `json:"attachments"`
	applicant.JSON
	NeedsReview bool `json:"needs_review,omitempty"`
}

// ReportAttachment is one attachment of a Report.
type ReportAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	TooLarge    bool   `json:"too_large,omitempty"`
}

// StoredReport is the report kept with a message: Report without its
// text, which TextOf reads again from the raw mail when it is shown. The
// text held a second copy of the mail in the store (8 MB of every 1,000
// generated mails, beside 6.5 MB of raw mail in the rows), written twice
// by the write-ahead log. Intake stores it as storedReportJSON writes
// it, which must stay json.Marshal of this (TestStoredReportJSONIsJSONMarshal).
func (a Analysis) StoredReport() Report {
	r := a.Report()
	r.Text = nil
	return r
}

// TextOf is the text of a stored message's raw mail, as the report of
// its intake read it (a StoredReport leaves it out).
func TextOf(raw []byte, limits mailparse.Limits) (text string, err error) {
	defer func() {
		if r := recover(); r != nil { // as in Analyze: the mail was stored for review
			text, err = "", fmt.Errorf("read stored mail: parser failure: %v", r)
		}
	}()
	m, err := mailparse.ParseBytes(raw, mailparse.Options{Limits: limits})
	if err != nil {
		return "", fmt.Errorf("read stored mail: %w", err)
	}
	return m.Text, nil
}

// Report renders an analysis for `parse --json` and for the store.
func (a Analysis) Report() Report {
	m := a.Mail
	out := Report{
		Kind:              a.Result.Kind,
		KindRule:          nullable(a.Result.KindRule),
		ShouldAcknowledge: a.Result.ShouldAcknowledge,
		MessageID:         nullable(m.MessageID),
		InReplyTo:         nullable(m.InReplyTo),
		References:        nonNilStrings(m.References),
		Subject:           nullable(m.Subject),
		FromEmail:         nullable(m.FromEmail),
		FromName:          nullable(m.FromName),
		Text:              nullable(m.Text),
		Errors:            nonNilStrings(m.Errors),
		Reference:         nullable(a.Result.Reference),
		Attachments:       []ReportAttachment{},
		JSON:              a.Result.Applicant.JSON(),
		NeedsReview:       a.Unreadable,
	}
	out.Completes = nullable(a.completes())
	if m.HasDate {
		out.Date = nullable(m.Date.Format(time.RFC3339))
	}
	for _, at := range m.Attachments {
		if !reported(at) {
			continue
		}
		out.Attachments = append(out.Attachments, ReportAttachment{Filename: at.Filename, ContentType: at.ContentType,
			Size: at.Size, SHA256: at.SHA256, TooLarge: at.TooLarge})
	}
	return out
}

// completes is what a follow-up shows of the application it continues:
// the root of its thread ("" for other mail). Intake, which has the
// store, decides for good.
func (a Analysis) completes() string {
	if a.Result.Kind != extract.KindFollowUp {
		return ""
	}
	if m := a.Mail; len(m.References) > 0 {
		return m.References[0]
	}
	return a.Mail.InReplyTo
}

// reported tells an attachment the report lists: the parts of the mail.
// Files unpacked from a winmail.dat are kept with the application but
// are not parts of the mail (the report lists the container), nor are
// inline images.
func reported(at mailparse.Attachment) bool { return !at.Inline && at.Container == "" }

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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

// refusal says, in French for the applicant, why an attachment is not
// kept; "" when it is. The list is store.ForbiddenAttachment's.
func refusal(filename, contentType string) string {
	if ext, bad := store.ForbiddenAttachment(filename, contentType); bad {
		return fmt.Sprintf("type de fichier non accepté (.%s) : envoyez un PDF ou un document bureautique", ext)
	}
	return ""
}
