package mailparse

import (
	"bytes"
	"strings"
	"time"
)

// An attached message (message/rfc822: Outlook's and Apple Mail's
// "forward as attachment") is read as well as kept. Its text joins the
// message's text as an inline forward, the way mail clients show it, so
// that an application an assistant forwards as an attachment reads like
// one forwarded inline; its files are the message's attachments too, with
// the .eml as their Container, within the same per-message limits.

// maxAttachedDepth bounds attached messages inside attached messages.
const maxAttachedDepth = 3

// attachedMessage reports whether a part of media type ct is a message
// to read as a forward: not the messages of a digest (a list's digest
// would become a pile of forwards).
func attachedMessage(ct string, ctx entityCtx) bool {
	return (ct == "message/rfc822" || ct == "message/global") && ctx.parent != "multipart/digest"
}

// readAttached reads the message captured in c, recorded as the last
// attachment; base is where its bytes lie in the mail, -1 when they are
// not there as they are (see parser.rawBase).
func (p *parser) readAttached(c *captureBuffer, base int64) {
	if p.ioErr != nil || len(p.msg.Attachments) == 0 {
		return
	}
	container := p.msg.Attachments[len(p.msg.Attachments)-1].Filename
	switch {
	case c.over:
		p.defect("%s: attached message not read: larger than %d bytes", container, p.opts.MaxAttachmentSize)
		return
	case p.depth >= maxAttachedDepth:
		p.defect("%s: attached message not read: nested deeper than %d", container, maxAttachedDepth)
		return
	}
	sub := newParser(newLineReader(bytes.NewReader(c.b)), p.opts)
	sub.use, sub.depth = p.use, p.depth+1 // the mail's limits, one level down
	sub.rawBase = base
	sub.run()
	sub.release()
	p.use = sub.use
	if sub.ioErr != nil {
		p.ioErr = sub.ioErr
	}
	for _, a := range sub.msg.Attachments {
		if a.Container == "" {
			a.Container = container
		}
		p.msg.Attachments = append(p.msg.Attachments, a)
	}
	for _, e := range sub.msg.Errors {
		p.defect("%s: %s", container, e)
	}
	p.forwards = append(p.forwards, forwardBlock(sub.msg))
}

// forwardBlock renders an attached message as Gmail writes an inline
// forward: a separator, the header lines a reader needs, its text.
func forwardBlock(m *Message) string {
	var b strings.Builder
	b.WriteString("---------- Forwarded message ---------\n")
	if m.FromEmail != "" || m.FromName != "" {
		b.WriteString("From: " + formatAddress(Address{Name: m.FromName, Email: m.FromEmail}) + "\n")
	}
	if m.HasDate {
		b.WriteString("Date: " + m.Date.Format(time.RFC1123Z) + "\n")
	}
	if m.Subject != "" {
		b.WriteString("Subject: " + m.Subject + "\n")
	}
	if len(m.To) > 0 {
		to := make([]string, len(m.To))
		for i, a := range m.To {
			to[i] = formatAddress(a)
		}
		b.WriteString("To: " + strings.Join(to, ", ") + "\n")
	}
	b.WriteString("\n")
	b.WriteString(m.Text)
	return b.String()
}

// formatAddress writes an address as a header shows it.
func formatAddress(a Address) string {
	switch {
	case a.Name == "":
		return "<" + a.Email + ">"
	case a.Email == "":
		return a.Name
	}
	return a.Name + " <" + a.Email + ">"
}
