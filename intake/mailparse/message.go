// Package mailparse reads one RFC 5322 message as it really arrives in a
// mailbox (any client, any charset, sometimes damaged) and turns it into a
// Message: decoded headers, a text body, and attachments streamed to a Sink.
//
// It never gives up on a message a sender could have broken: defects are
// listed in Message.Errors and the best readable content is returned. Only
// an I/O failure of the reader or of the sink is returned as an error.
package mailparse

import (
	"io"
	"net/textproto"
	"time"
)

// Message is what one e-mail says, decoded.
type Message struct {
	MessageID  string   // as written, angle brackets included; "" when absent
	InReplyTo  string   // first msg-id of In-Reply-To, brackets included; "" when absent
	References []string // msg-ids of References, brackets included
	Subject    string   // RFC 2047 decoded; raw 8-bit salvaged
	Date       time.Time
	HasDate    bool // false when there is no parseable Date header

	FromEmail string // lowercase addr-spec of From
	FromName  string // display name, decoded
	To        []Address
	Cc        []Address
	ReplyTo   []Address

	// Header holds every top-level header field, canonical keys, values
	// RFC 2047 decoded. Classification reads Auto-Submitted, Precedence,
	// List-Id, Return-Path and friends from here.
	Header textproto.MIMEHeader

	// ContentType is the top-level media type, lowercase, without parameters
	// (e.g. "multipart/report"); ReportType is the report-type parameter
	// when ContentType is multipart/report.
	ContentType string
	ReportType  string

	Text         string // the plain text body (first text/plain part), decoded to UTF-8
	HTML         string // the first text/html part, decoded to UTF-8
	TextFromHTML bool   // Text was derived from HTML because there was no text part

	Attachments []Attachment
	Errors      []string // every defect found, in plain English, e.g. "unknown charset \"x-unknown\": decoded as UTF-8"
}

// Address is one mailbox of an address list.
type Address struct {
	Name  string
	Email string // lowercase
}

// Attachment is a leaf part carrying a filename (or a non-text part that
// is not inline), in document order, or a file unpacked from such a part
// (see Container).
type Attachment struct {
	Filename    string // decoded (RFC 2231 / RFC 2047) and sanitised
	ContentType string // lowercase, no parameters
	Size        int64  // decoded size in bytes (counted even when too large)
	SHA256      string // hex of the decoded content
	TooLarge    bool   // above Options.MaxAttachmentSize: hashed and counted, not stored
	OverLimit   bool   // past a per-message limit (Limits.MaxFiles or MaxAttachmentBytes): hashed and counted, not stored
	Inline      bool   // inline part referenced by cid: (signature logo); not an applicant attachment
	ContentID   string
	// Container is the Filename of the TNEF container (winmail.dat) the
	// file was unpacked from, or of the attached message (.eml) it was
	// attached to, "" for a part of the mail itself. Such files are
	// listed right after their container, which is recorded as well.
	Container string
	// Base64 is where the part's base64 text lies in the message read,
	// when it is canonical (see Base64Span), also for a file of an
	// attached message that came as it is (not transfer-encoded); nil
	// otherwise, and for files unpacked from a TNEF container.
	Base64 *Base64Span
}

// Base64Span is where an attachment's base64 lies in the bytes Parse
// read, when it is canonical: lines of only alphabet characters, all but
// the last of Line characters (a multiple of 4, at least 72), the last
// one no longer and not empty, every line (the last too) ended the same
// way, padding only at the end and as encoding puts it, the unused bits
// of the last group zero, and only blank lines around it in the part.
// Such text is exactly what encoding the decoded
// bytes (Size, SHA256) in lines of Line characters gives back: a store
// may keep the message with a reference to the file in its place, and
// rebuild it without having compared the two.
type Base64Span struct {
	Start, End int64 // the text, the last line's ending included
	Line       int   // characters per line
	CRLF       bool  // lines end with CRLF, else LF
}

// Sink receives the decoded bytes of one attachment. It must consume r to
// EOF (or fail) and return the number of bytes and their sha256 in hex.
// Parse hashes them anyway: r also has a method
// ReadSHA256() (n int64, sum []byte), the count and sha256 of what was
// read from it so far, which a Sink can use rather than hash them again.
// A Sink that stores files must make them durable before the caller
// commits the message that refers to them.
type Sink interface {
	Put(r io.Reader, a *Attachment) (size int64, sha256hex string, err error)
}

// Options tune Parse. The zero value is usable.
type Options struct {
	// MaxAttachmentSize above which an attachment is only hashed and
	// counted. Zero means 20 MB.
	MaxAttachmentSize int64
	// Sink stores attachments; nil hashes and discards them.
	Sink Sink
	// Limits bound what one message may cost (see Limits).
	Limits Limits
}
