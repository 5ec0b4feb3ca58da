// Package intake takes mail in: it reads the program's mailbox over IMAP,
// parses and understands each message (sub-packages mailparse and
// extract), and stores it with its application, attachments, queued
// acknowledgement and mailbox checkpoint in one transaction. It never
// sends mail itself.
package intake

import "time"

// Source says where a message was read: which mailbox checkpoint (see
// store.Checkpoint) and which UID. A zero MailboxID means a message that
// did not come from a mailbox (a file, the demo).
type Source struct {
	MailboxID int64
	UID       uint32
	// Rescan is true after a UIDVALIDITY change: a message already stored
	// (same Message-ID and body) is relocated, not stored again.
	Rescan bool
	// Arrived is when the server received the message (IMAP
	// INTERNALDATE); zero when unknown.
	Arrived time.Time
	// Truncated is set when the message was over the size limit: only
	// its header block was kept (see IMAPOptions.MaxMessageSize).
	Truncated *Truncation
}

// Truncation describes a message too large to keep whole: its size and
// hashes are those of the whole message, as read from the server.
type Truncation struct {
	Size, Limit        int64
	SHA256, BodySHA256 string
}

// Outcome says what Ingest did with one message.
type Outcome struct {
	MessageID   int64  // stored message row; 0 when relocated after a rescan
	Kind        string // application, follow_up, auto_reply...
	Reference   string // application created or completed, if any
	Created     bool   // a new application was created
	Duplicate   bool   // second delivery of a stored message
	Relocated   bool   // already stored, found again after a UIDVALIDITY change
	NeedsReview bool   // could not be read: stored raw for a coordinator
	Queued      []string
}
