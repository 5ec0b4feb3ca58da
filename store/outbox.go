package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outbox statuses.
const (
	OutboxPending   = "pending"
	OutboxSent      = "sent"
	OutboxFailed    = "failed"
	OutboxCancelled = "cancelled"
)

// Outbox mail kinds.
const (
	MailAck      = "ack"      // acknowledgement of an application
	MailComplete = "complete" // the file became complete after a follow-up
	MailDecision = "decision" // selected, waitlisted or declined
	MailAlert    = "alert"    // to the operators: the daemon is sick, or well again
)

// MailPart is an extra MIME part of an outgoing mail (a calendar invite).
type MailPart struct {
	Filename    string `json:"filename"` // "" for an alternative form of the body (text/calendar)
	ContentType string `json:"content_type"`
	Content     string `json:"content"`
}

// OutboxMail is one automatic mail, rendered when queued.
type OutboxMail struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind"`
	ApplicationID int64      `json:"-"`
	Reference     string     `json:"reference,omitempty"` // of the application, filled by reads
	MessageID     int64      `json:"-"`                   // stored message this answers
	DedupeKey     string     `json:"-"`
	Recipient     string     `json:"recipient"`
	RecipientName string     `json:"recipient_name,omitempty"`
	Subject       string     `json:"subject"`
	HeaderMsgID   string     `json:"message_id"` // Message-ID header, brackets kept
	InReplyTo     string     `json:"in_reply_to,omitempty"`
	References    string     `json:"references,omitempty"`
	BodyText      string     `json:"-"`
	BodyHTML      string     `json:"-"`
	Parts         []MailPart `json:"-"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// ErrAlreadyQueued is returned by QueueMail when a mail with the same
// dedupe key is already in the outbox.
var ErrAlreadyQueued = errors.New("already queued")

// QueueMail adds a pending mail, due now, in the caller's transaction.
func (tx *Tx) QueueMail(ctx context.Context, m *OutboxMail) error {
	args, err := tx.outboxArgs(m)
	if err != nil {
		return err
	}
	res, err := tx.tx.ExecContext(ctx, outboxInsert+outboxRow+` ON CONFLICT (dedupe_key) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("queue %s mail to %s: %w", m.Kind, m.Recipient, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("queue %s mail %s: %w", m.Kind, m.DedupeKey, ErrAlreadyQueued)
	}
	m.ID, _ = res.LastInsertId()
	tx.NoteQueued(m.Recipient)
	return nil
}

const (
	outboxInsert = `INSERT INTO outbox (kind, application_id, message_id, dedupe_key, recipient,
		recipient_key, recipient_name, subject, header_msgid, in_reply_to, refs, body_text, body_html, attachments,
		status, attempts, next_attempt_at, created_at) VALUES `
	outboxRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`
)

// outboxArgs readies m, pending and due now, to be queued, and returns
// its outboxRow values.
func (tx *Tx) outboxArgs(m *OutboxMail) ([]any, error) {
	pj, err := jsonList(m.Parts)
	if err != nil {
		return nil, fmt.Errorf("queue mail: %w", err)
	}
	m.Status = OutboxPending
	m.CreatedAt = tx.now
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = tx.now
	}
	m.Recipient = strings.ToLower(m.Recipient)
	return []any{m.Kind, nullID(m.ApplicationID), nullID(m.MessageID), nullStr(m.DedupeKey), m.Recipient,
		AddressKey(m.Recipient), nullStr(m.RecipientName), m.Subject, m.HeaderMsgID, nullStr(m.InReplyTo),
		nullStr(m.References), m.BodyText, m.BodyHTML, pj, m.Status, tx.ts(m.NextAttemptAt), tx.ts(m.CreatedAt)}, nil
}

// NoteQueued has LastAutoMailTo answer, for recipient's mailbox, as if a
// mail to it had been queued now: QueueMail does, and a writer that
// queues its mails later (QueueMails) says so at the time it would have.
func (tx *Tx) NoteQueued(recipient string) {
	key, now := AddressKey(recipient), tx.ts(tx.now)
	if at, ok := tx.lastMails[key]; ok {
		tx.lastMails[key] = max(at, now)
		return
	}
	if tx.queuedLater == nil {
		tx.queuedLater = map[string]string{}
	}
	tx.queuedLater[key] = now
}

// QueueMails queues mails, in order, as QueueMail each would (the
// callers have said so with NoteQueued), in few statements; it reports
// whether every one was queued: false when one was already (same dedupe
// key), after which the transaction, which queued some of them, is to be
// rolled back.
func (tx *Tx) QueueMails(ctx context.Context, mails []*OutboxMail) (bool, error) {
	for len(mails) > 0 {
		n := 1
		for n*2 <= min(len(mails), maxRowsPerInsert) {
			n *= 2
		}
		args := make([]any, 0, 17*n)
		for _, m := range mails[:n] {
			a, err := tx.outboxArgs(m)
			if err != nil {
				return false, err
			}
			args = append(args, a...)
		}
		res, err := tx.tx.ExecContext(ctx, outboxInsert+outboxRow+strings.Repeat(", "+outboxRow, n-1)+
			` ON CONFLICT (dedupe_key) DO NOTHING`, args...)
		if err != nil {
			return false, fmt.Errorf("queue mails: %w", err)
		}
		if queued, _ := res.RowsAffected(); queued != int64(n) {
			return false, nil
		}
		mails = mails[n:]
	}
	return true, nil
}

// LastAutoMailTo returns when the newest automatic mail to recipient's
// mailbox (any spelling of it, see AddressKey) was queued, not counting
// cancelled ones; zero when never.
func (tx *Tx) LastAutoMailTo(ctx context.Context, recipient string) (time.Time, error) {
	if at, ok := tx.lastMails[AddressKey(recipient)]; ok {
		if at == "" {
			return time.Time{}, nil
		}
		return parseTS(at), nil
	}
	var last sql.NullString
	if err := tx.tx.QueryRowContext(ctx, `SELECT max(created_at) FROM outbox
		WHERE recipient_key = ? AND status <> 'cancelled'`, AddressKey(recipient)).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("last mail to %s: %w", recipient, err)
	}
	if later, ok := tx.queuedLater[AddressKey(recipient)]; ok {
		last = sql.NullString{String: max(last.String, later), Valid: true}
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	return parseTS(last.String), nil
}

// KnowLastAutoMails asks once, for a batch of messages about to be
// stored, what LastAutoMailTo would answer for each of addrs, rather
// than once per answer: LastAutoMailTo then answers from what was found,
// and from the mails the transaction queues after (QueueMail). Only for
// a writer that changes no queued mail otherwise.
func (tx *Tx) KnowLastAutoMails(ctx context.Context, addrs []string) error {
	if tx.lastMails == nil {
		tx.lastMails = map[string]string{}
	}
	var args []any
	for _, a := range addrs {
		key := AddressKey(a)
		if _, ok := tx.lastMails[key]; ok || key == "" {
			continue
		}
		tx.lastMails[key] = ""
		args = append(args, key)
	}
	if len(args) == 0 {
		return nil
	}
	args = padArgs(args)
	rows, err := tx.tx.QueryContext(ctx, `SELECT recipient_key, max(created_at) FROM outbox
		WHERE recipient_key IN (?`+strings.Repeat(",?", len(args)-1)+`) AND status <> 'cancelled'
		GROUP BY recipient_key`, args...)
	if err != nil {
		return fmt.Errorf("last mails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var last sql.NullString
		if err := rows.Scan(&key, &last); err != nil {
			return fmt.Errorf("last mails: %w", err)
		}
		if _, ok := tx.lastMails[key]; ok {
			tx.lastMails[key] = last.String
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("last mails: %w", err)
	}
	return nil
}

// HasMail reports whether a mail with this dedupe key was ever queued.
func (tx *Tx) HasMail(ctx context.Context, dedupeKey string) (bool, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE dedupe_key = ?`, dedupeKey).Scan(&n); err != nil {
		return false, fmt.Errorf("outbox lookup %s: %w", dedupeKey, err)
	}
	return n > 0, nil
}

// CountMails counts the mails of one kind ever queued for an application.
func (tx *Tx) CountMails(ctx context.Context, applicationID int64, kind string) (int, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE application_id = ? AND kind = ?`,
		applicationID, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s mails: %w", kind, err)
	}
	return n, nil
}

// CancelPendingMails cancels the mails of one kind still waiting for an
// application (a decision changed before the earlier one was sent).
func (tx *Tx) CancelPendingMails(ctx context.Context, applicationID int64, kind, reason string) (int, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled', last_error = ?
		WHERE application_id = ? AND kind = ? AND status = 'pending'`, reason, applicationID, kind)
	if err != nil {
		return 0, fmt.Errorf("cancel pending %s mails: %w", kind, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// LastMailKeyed returns the dedupe key and queue time of the newest mail
// of kind whose dedupe key starts with prefix; zero values when none. The
// alerts read it at start so that a daemon restarted in a loop does not
// mail the same problem again at every start.
func (tx *Tx) LastMailKeyed(ctx context.Context, kind, prefix string) (string, time.Time, error) {
	var key, created sql.NullString
	err := tx.tx.QueryRowContext(ctx, `SELECT dedupe_key, created_at FROM outbox
		WHERE kind = ? AND substr(dedupe_key, 1, length(?)) = ? ORDER BY created_at DESC, id DESC LIMIT 1`,
		kind, prefix, prefix).Scan(&key, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("last %s mail %s: %w", kind, prefix, err)
	}
	return key.String, parseTS(created.String), nil
}
