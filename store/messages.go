package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Message is one stored e-mail.
type Message struct {
	ID        int64
	MailboxID int64 // 0 when not read from a mailbox
	UID       uint32
	MessageID string // header value, brackets kept; "" when absent
	// SHA256 is the sha256 of the raw bytes, or, for a mail kept in
	// files as a skeleton (see WriteRaw), of that skeleton: the name of
	// its file either way.
	SHA256 string
	// BodySHA256 is BodySHA256(Raw), "" for mail stored without it: it is
	// computed when another mail with the same Message-ID arrives.
	BodySHA256 string
	Size       int64
	Raw        []byte // loaded only by MessageWithRaw and MessageRaw
	// RawInFiles: the raw bytes are the file named SHA256 in the
	// attachments folder, not in the database (large mail, see
	// migration 0009).
	RawInFiles        bool
	StoredAt          time.Time
	Date              time.Time // zero when absent
	FromEmail         string
	FromName          string
	Subject           string
	Kind              string
	ShouldAcknowledge bool
	NeedsReview       bool
	Errors            []string
	Parsed            json.RawMessage // what parsing and extraction found, for show
	DuplicateOf       int64
	ApplicationID     int64
	// ServerDone: the message waits for no flag or move on the server
	// (done, or not from a mailbox).
	ServerDone bool
}

const messageCols = `id, coalesce(mailbox_id, 0), coalesce(uid, 0), coalesce(message_id, ''), sha256, body_sha256,
	size, stored_at, coalesce(date, ''), coalesce(from_email, ''), coalesce(from_name, ''), coalesce(subject, ''),
	kind, should_acknowledge, needs_review, errors, parsed, coalesce(duplicate_of, 0),
	coalesce(application_id, 0),
	NOT EXISTS (SELECT 1 FROM server_pending p WHERE p.message_id = messages.id), raw_in_files`

type scanner interface{ Scan(dest ...any) error }

func scanMessage(r scanner) (*Message, error) {
	var m Message
	var uid int64
	var stored, date, errs, parsed string
	if err := r.Scan(&m.ID, &m.MailboxID, &uid, &m.MessageID, &m.SHA256, &m.BodySHA256, &m.Size,
		&stored, &date, &m.FromEmail, &m.FromName, &m.Subject, &m.Kind, &m.ShouldAcknowledge,
		&m.NeedsReview, &errs, &parsed, &m.DuplicateOf, &m.ApplicationID, &m.ServerDone, &m.RawInFiles); err != nil {
		return nil, err
	}
	m.UID = uint32(uid)
	m.StoredAt = parseTS(stored)
	if date != "" {
		m.Date = parseTS(date)
	}
	if err := json.Unmarshal([]byte(errs), &m.Errors); err != nil {
		return nil, fmt.Errorf("message %d errors: %w", m.ID, err)
	}
	m.Parsed = json.RawMessage(parsed)
	return &m, nil
}

// InsertMessage stores m (with m.Raw) and sets m.ID; a non-zero m.ID
// (see ReserveMessageID) is kept. With m.RawInFiles, the caller has made
// the raw bytes durable as the file m.SHA256 of the attachments folder,
// and only their size goes in the row: m.Size, or len(m.Raw) when m.Raw
// is given.
func (tx *Tx) InsertMessage(ctx context.Context, m *Message) error {
	errs, err := jsonList(m.Errors)
	if err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	// Bytes bound to CAST(? AS TEXT) are stored as the text they hold,
	// byte for byte, as their string would be: the driver copies them
	// into SQLite's memory either way, and string(m.Parsed) was a second
	// copy of every report (2 KB a message).
	var parsed any = []byte(m.Parsed)
	if len(m.Parsed) == 0 {
		parsed = "{}"
	}
	var date sql.NullString
	if !m.Date.IsZero() {
		date = sql.NullString{String: ts(m.Date), Valid: true}
	}
	m.StoredAt = tx.now
	m.clean()
	raw, size := m.Raw, int64(len(m.Raw))
	if m.RawInFiles {
		raw = []byte{}
		if m.Raw == nil {
			size = m.Size
		}
	}
	args := []any{nullID(m.ID), nullID(m.MailboxID), nullUID(m.MailboxID, m.UID), nullStr(m.MessageID), m.SHA256,
		size, raw, tx.ts(m.StoredAt), date, nullStr(m.FromEmail), nullStr(m.FromName),
		nullStr(m.Subject), m.Kind, m.ShouldAcknowledge, parsed, nullID(m.ApplicationID),
		m.BodySHA256, errs, nullID(m.DuplicateOf), m.NeedsReview, m.RawInFiles}
	query := messageInsert + messageRest
	if m.BodySHA256 == "" && errs == "[]" && m.DuplicateOf == 0 && !m.NeedsReview && !m.RawInFiles {
		query, args = messageInsert+messageUsualRest, args[:len(args)-messageLater]
	}
	res, err := tx.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	m.ID, _ = res.LastInsertId()
	tx.deliveries.stored(m)
	// An explicit id is a reserved one (max + 1), and SQLite gives the
	// others max + 1 too: the id just written is the highest.
	tx.lastMessageID = m.ID
	if m.MailboxID != 0 && !m.ServerDone {
		if tx.deferred {
			tx.pending = append(tx.pending, m.ID)
		} else if _, err := tx.tx.ExecContext(ctx, `INSERT INTO server_pending (message_id) VALUES (?)`, m.ID); err != nil {
			return fmt.Errorf("store message: %w", err)
		}
	}
	m.Size = size
	return nil
}

// messageInsert and one of its two ends store a message: messageRest
// binds the last messageLater columns, messageUsualRest writes them as most
// messages have them (no body hash yet, no defect, a first delivery,
// read, kept in the database). SQLite takes the connection's lock and
// the driver copies each argument it binds, one by one: a fifth fewer
// of them for most messages.
const (
	messageInsert = `INSERT INTO messages
		(id, mailbox_id, uid, message_id, sha256, size, raw, stored_at, date, from_email, from_name,
		 subject, kind, should_acknowledge, parsed, application_id,
		 body_sha256, errors, duplicate_of, needs_review, raw_in_files)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, `
	messageRest      = `?, ?, ?, ?, ?)`
	messageUsualRest = `'', '[]', NULL, 0, 0)`
	messageLater     = 5
)

// ReserveMessageID returns the id the next message inserted in this
// transaction takes, so that its application can be written first, and
// an existing message id the application may name as its first message
// until SetFirstMessage, so that no foreign key is left dangling (SQLite
// would then look for the missing parent's children in every table that
// refers to messages, at every insert, a scan through the raw bytes of
// every stored message). Only in an empty store, where there is nothing
// to scan, are the foreign keys checked at commit instead.
func (tx *Tx) ReserveMessageID(ctx context.Context) (id, placeholder int64, err error) {
	last := tx.lastMessageID
	if last == 0 {
		if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM messages`).Scan(&last); err != nil {
			return 0, 0, fmt.Errorf("reserve message id: %w", err)
		}
	}
	if last == 0 {
		if _, err := tx.tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return 0, 0, fmt.Errorf("reserve message id: %w", err)
		}
		return 1, 1, nil
	}
	return last + 1, last, nil
}

// SetFirstMessage names the message an application was created by (see
// ReserveMessageID).
func (tx *Tx) SetFirstMessage(ctx context.Context, applicationID, messageID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE applications SET first_message_id = ? WHERE id = ?`,
		messageID, applicationID); err != nil {
		return fmt.Errorf("application %d first message: %w", applicationID, err)
	}
	return nil
}

// UpdateMessageAnalysis rewrites what parsing and extraction found for a
// stored message (reparse), leaving its raw bytes and links alone.
func (tx *Tx) UpdateMessageAnalysis(ctx context.Context, m *Message) error {
	errs, err := jsonList(m.Errors)
	if err != nil {
		return fmt.Errorf("update message %d: %w", m.ID, err)
	}
	var date sql.NullString
	if !m.Date.IsZero() {
		date = sql.NullString{String: ts(m.Date), Valid: true}
	}
	m.clean()
	_, err = tx.tx.ExecContext(ctx, `UPDATE messages SET message_id = ?, date = ?, from_email = ?, from_name = ?,
		subject = ?, kind = ?, should_acknowledge = ?, needs_review = ?, errors = ?, parsed = ? WHERE id = ?`,
		nullStr(m.MessageID), date, nullStr(m.FromEmail), nullStr(m.FromName), nullStr(m.Subject), m.Kind,
		m.ShouldAcknowledge, m.NeedsReview, errs, string(m.Parsed), m.ID)
	if err != nil {
		return fmt.Errorf("update message %d: %w", m.ID, err)
	}
	return nil
}

// LinkMessage attaches a stored message to an application.
func (tx *Tx) LinkMessage(ctx context.Context, messageID, applicationID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE messages SET application_id = ? WHERE id = ?`,
		applicationID, messageID); err != nil {
		return fmt.Errorf("link message %d: %w", messageID, err)
	}
	return nil
}

// Delivery is a mail about to be stored, as FindDelivery compares it with
// the stored ones.
type Delivery struct {
	MessageID string // "" when absent
	SHA256    string // of the whole mail
	// Body gives the sha256 of the mail's body (see BodySHA256); it is
	// asked only when a stored message has the same Message-ID, which is
	// rare: most mail is stored without computing it.
	Body func() (string, error)
}

// FindDelivery returns the first stored message with the same Message-ID
// and the same body: a second delivery of the same mail. Messages without
// a Message-ID are matched on their whole raw sha256 instead. Only its
// ID, Kind and ApplicationID are read (see threadCols). files is the
// attachments folder, where large mail is kept: a stored message whose
// body hash was never computed has it computed from its raw bytes.
func (tx *Tx) FindDelivery(ctx context.Context, d Delivery, files Files) (*Message, error) {
	return tx.findDelivery(ctx, 0, d, files)
}

// FindDeliveryElsewhere is FindDelivery among the messages not already
// placed in mailboxID: after a UIDVALIDITY change, each copy of a mail
// delivered twice is matched to its own earlier row.
func (tx *Tx) FindDeliveryElsewhere(ctx context.Context, mailboxID int64, d Delivery, files Files) (*Message, error) {
	return tx.findDelivery(ctx, mailboxID, d, files)
}

func (tx *Tx) findDelivery(ctx context.Context, notIn int64, d Delivery, files Files) (*Message, error) {
	if k := tx.deliveries; notIn == 0 && k != nil {
		if d.MessageID == "" {
			if m, ok := k.sameRaw[d.SHA256]; ok {
				return copyOf(m), nil
			}
		} else if same, ok := k.sameID[d.MessageID]; ok {
			return tx.sameBody(ctx, same, d, files)
		}
	}
	if d.MessageID == "" {
		return tx.firstDelivery(ctx, notIn, `message_id IS NULL AND sha256 = ?`, d.SHA256)
	}
	q, args := `message_id = ?`, []any{d.MessageID}
	if notIn != 0 {
		q += ` AND (mailbox_id IS NULL OR mailbox_id <> ?)`
		args = append(args, notIn)
	}
	same, err := tx.delivered(ctx, q, args)
	if err != nil {
		return nil, err
	}
	return tx.sameBody(ctx, same, d, files)
}

// delivered is a stored message as FindDelivery compares it.
type delivered struct {
	m    Message // ID, Kind and ApplicationID (threadCols)
	id   string  // its Message-ID
	body string  // its body hash, "" until computed
}

// delivered reads the stored messages with a Message-ID that where
// selects, in arrival order.
func (tx *Tx) delivered(ctx context.Context, where string, args []any) ([]*delivered, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+threadCols+`, message_id, body_sha256 FROM messages WHERE `+
		where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find earlier delivery: %w", err)
	}
	var same []*delivered
	for rows.Next() {
		var d delivered
		if err := rows.Scan(&d.m.ID, &d.m.Kind, &d.m.ApplicationID, &d.id, &d.body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find earlier delivery: %w", err)
		}
		same = append(same, &d)
	}
	// The rows are read whole before any raw bytes are: one connection.
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("find earlier delivery: %w", err)
	}
	return same, nil
}

// sameBody returns the first of same (messages with d's Message-ID) whose
// body is d's, or nil. Only then are body hashes computed: d's, and those
// of stored messages kept without theirs (remembered for the next ask).
func (tx *Tx) sameBody(ctx context.Context, same []*delivered, d Delivery, files Files) (*Message, error) {
	if len(same) == 0 {
		return nil, nil
	}
	body, err := d.Body()
	if err != nil {
		return nil, fmt.Errorf("find earlier delivery: %w", err)
	}
	for _, s := range same {
		if s.body == "" {
			raw, err := tx.messageRaw(ctx, s.m.ID, files)
			if err != nil {
				return nil, fmt.Errorf("find earlier delivery: %w", err)
			}
			s.body = BodySHA256(raw)
		}
		if s.body == body {
			return copyOf(&s.m), nil
		}
	}
	return nil, nil
}

// copyOf returns a copy of m (nil for nil): callers may change what they
// are given, and the transaction keeps what it found.
func copyOf(m *Message) *Message {
	if m == nil {
		return nil
	}
	c := *m
	return &c
}

func (tx *Tx) firstDelivery(ctx context.Context, notIn int64, q string, arg any) (*Message, error) {
	args := []any{arg}
	if notIn != 0 {
		q += ` AND (mailbox_id IS NULL OR mailbox_id <> ?)`
		args = append(args, notIn)
	}
	m, err := scanThread(tx.tx.QueryRowContext(ctx, `SELECT `+threadCols+` FROM messages WHERE `+q+
		` ORDER BY id LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find earlier delivery: %w", err)
	}
	return m, nil
}

// BodySHA256 is the sha256, in hex, of what follows raw's header block:
// it stays the same when a second delivery of the same mail carries other
// trace headers.
func BodySHA256(raw []byte) string {
	body := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		body = raw[i+2:]
	}
	b := sha256.Sum256(body)
	return hex.EncodeToString(b[:])
}

// Relocate records that a stored message now lives at uid in mailboxID
// (after a UIDVALIDITY change), if no other stored message claimed that
// place. It reports whether it moved the message.
func (tx *Tx) Relocate(ctx context.Context, messageID, mailboxID int64, uid uint32) (bool, error) {
	res, err := tx.tx.ExecContext(ctx, `UPDATE messages SET mailbox_id = ?, uid = ?
		WHERE id = ? AND (mailbox_id IS NULL OR mailbox_id <> ?)`,
		mailboxID, int64(uid), messageID, mailboxID)
	if err != nil {
		return false, fmt.Errorf("relocate message %d: %w", messageID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	// At its new place, it is still to be flagged or moved.
	if _, err := tx.tx.ExecContext(ctx, `INSERT OR IGNORE INTO server_pending (message_id) VALUES (?)`, messageID); err != nil {
		return false, fmt.Errorf("relocate message %d: %w", messageID, err)
	}
	return true, nil
}

// MessageByHeaderIDs returns the stored messages whose Message-ID is one of
// ids (In-Reply-To and References of a reply), newest application first;
// only their ID, Kind and ApplicationID are read (see threadCols).
func (tx *Tx) MessageByHeaderIDs(ctx context.Context, ids []string) ([]*Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	args = padArgs(args)
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+threadCols+` FROM messages
		WHERE message_id IN (?`+strings.Repeat(",?", len(args)-1)+`) ORDER BY id DESC`, args...)
	return collect(rows, err, "find replied-to messages", scanThread)
}

// threadCols are what the writer needs of an earlier message to thread a
// new one to it: the driver allocates every column's name and value of
// each row it reads, and the writer asks for every message it stores.
const threadCols = `id, kind, coalesce(application_id, 0)`

func scanThread(r scanner) (*Message, error) {
	var m Message
	if err := r.Scan(&m.ID, &m.Kind, &m.ApplicationID); err != nil {
		return nil, err
	}
	return &m, nil
}

// Message returns one stored message without its raw bytes.
func (s *Store) Message(ctx context.Context, id int64) (*Message, error) {
	m, err := scanMessage(s.db.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("message %d: %w", id, err)
	}
	return m, nil
}

// MessageWithRaw returns one stored message with its raw bytes (in
// m.Raw), in one read: the columns after the raw bytes are read through
// them anyway. files is the attachments folder, where large mail is kept.
func (s *Store) MessageWithRaw(ctx context.Context, id int64, files Files) (*Message, error) {
	var raw []byte
	m, err := scanMessage(withRaw{s.db.QueryRowContext(ctx, `SELECT `+messageCols+`, raw FROM messages WHERE id = ?`, id), &raw})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("message %d: %w", id, err)
	}
	m.Raw = raw
	if m.RawInFiles {
		if m.Raw, err = files.ReadRaw(m.SHA256); err != nil {
			return nil, fmt.Errorf("message %d: %w", id, err)
		}
	}
	return m, nil
}

// withRaw scans the raw bytes after the columns scanMessage reads.
type withRaw struct {
	r   scanner
	raw *[]byte
}

func (w withRaw) Scan(dest ...any) error { return w.r.Scan(append(dest, w.raw)...) }

// MessageRaw returns the raw bytes of a stored message; files is the
// attachments folder, where large mail is kept.
func (s *Store) MessageRaw(ctx context.Context, id int64, files Files) ([]byte, error) {
	return messageRaw(ctx, s.db, id, files)
}

func (tx *Tx) messageRaw(ctx context.Context, id int64, files Files) ([]byte, error) {
	return messageRaw(ctx, tx.tx, id, files)
}

func messageRaw(ctx context.Context, q querier, id int64, files Files) ([]byte, error) {
	var raw []byte
	var inFiles bool
	var sha string
	if err := q.QueryRowContext(ctx, `SELECT raw, raw_in_files, sha256 FROM messages WHERE id = ?`, id).Scan(
		&raw, &inFiles, &sha); err != nil {
		return nil, fmt.Errorf("message %d raw: %w", id, err)
	}
	if inFiles {
		return files.ReadRaw(sha)
	}
	return raw, nil
}

// MessageIDs lists stored message ids in arrival order, optionally only
// those of one application.
func (s *Store) MessageIDs(ctx context.Context, applicationID int64) ([]int64, error) {
	q := `SELECT id FROM messages ORDER BY id`
	var args []any
	if applicationID != 0 {
		q = `SELECT id FROM messages WHERE application_id = ? ORDER BY id`
		args = append(args, applicationID)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ApplicationMessages returns the messages linked to an application, oldest first.
func (s *Store) ApplicationMessages(ctx context.Context, applicationID int64) ([]*Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageCols+` FROM messages
		WHERE application_id = ? ORDER BY id`, applicationID)
	return collect(rows, err, "application messages", scanMessage)
}

// pendingMarksQuery goes from the few pending rows to their messages by
// id (the UIDs are sorted after). CROSS JOIN keeps that order: left to
// choose, SQLite walks the mailbox's (mailbox_id, uid) index, every stored
// message of it, and an empty poll grew with the store (5 ms at 5,000).
const pendingMarksQuery = `SELECT m.uid FROM server_pending p CROSS JOIN messages m ON m.id = p.message_id
	WHERE m.mailbox_id = ? AND m.uid IS NOT NULL`

// PendingServerMarks lists the UIDs of stored messages of a mailbox that
// are not yet flagged or moved on the server.
func (s *Store) PendingServerMarks(ctx context.Context, mailboxID int64) ([]uint32, error) {
	rows, err := s.db.QueryContext(ctx, pendingMarksQuery, mailboxID)
	if err != nil {
		return nil, fmt.Errorf("pending server marks: %w", err)
	}
	defer rows.Close()
	var uids []uint32
	for rows.Next() {
		var uid int64
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("pending server marks: %w", err)
		}
		uids = append(uids, uint32(uid))
	}
	slices.Sort(uids)
	return uids, rows.Err()
}

// MarkServerDone records that the messages at uids were flagged or moved.
func (s *Store) MarkServerDone(ctx context.Context, mailboxID int64, uids []uint32) error {
	return s.InTx(ctx, func(tx *Tx) error {
		// Up to maxRowsPerInsert marks a statement, rather than one each:
		// the poller records a thousand at a time.
		for len(uids) > 0 {
			n := min(len(uids), maxRowsPerInsert)
			args := make([]any, 1, 1+n)
			args[0] = mailboxID
			for _, uid := range uids[:n] {
				args = append(args, int64(uid))
			}
			in := padArgs(args[1:])
			// The messages are found through their (mailbox_id, uid)
			// index, without reading their rows.
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM server_pending WHERE message_id IN
				(SELECT id FROM messages WHERE mailbox_id = ? AND uid IN (?`+strings.Repeat(",?", len(in)-1)+`))`,
				append(args[:1], in...)...); err != nil {
				return fmt.Errorf("mark server done: %w", err)
			}
			uids = uids[n:]
		}
		return nil
	})
}

// jsonList is l as json.Marshal encodes it, "[]" for nil: most lists the
// writer stores (a message's errors, an application's corrected fields)
// are empty, and need no encoder.
func jsonList[T any](l []T) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// nullID is id as a query argument, NULL when 0 (see nullStr).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullUID is uid as a query argument, NULL when not from a mailbox.
func nullUID(mailboxID int64, uid uint32) any {
	if mailboxID == 0 {
		return nil
	}
	return int64(uid)
}

// MessageAt reports whether a message is already stored at uid of mailboxID.
func (tx *Tx) MessageAt(ctx context.Context, mailboxID int64, uid uint32) (bool, error) {
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE mailbox_id = ? AND uid = ?`,
		mailboxID, int64(uid)).Scan(&n); err != nil {
		return false, fmt.Errorf("message at uid %d: %w", uid, err)
	}
	return n > 0, nil
}

// MessagesAt reports which of uids of mailboxID already hold a stored
// message: MessageAt for a whole batch in one query.
func (tx *Tx) MessagesAt(ctx context.Context, mailboxID int64, uids []uint32) (map[uint32]bool, error) {
	at := make(map[uint32]bool, len(uids))
	if len(uids) == 0 {
		return at, nil
	}
	in := make([]any, 0, len(uids))
	for _, uid := range uids {
		in = append(in, int64(uid))
	}
	in = padArgs(in)
	rows, err := tx.tx.QueryContext(ctx, `SELECT uid FROM messages WHERE mailbox_id = ? AND uid IN (?`+
		strings.Repeat(",?", len(in)-1)+`)`, append([]any{mailboxID}, in...)...)
	if err != nil {
		return nil, fmt.Errorf("messages at uids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		if err := rows.Scan(&uid); err != nil {
			return nil, fmt.Errorf("messages at uids: %w", err)
		}
		at[uint32(uid)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("messages at uids: %w", err)
	}
	return at, nil
}

// Linked is a stored message as listed with its application.
type Linked struct {
	ID          int64  `json:"id"`
	MessageID   string `json:"message_id"`
	Kind        string `json:"kind"`
	DuplicateOf int64  `json:"duplicate_of,omitempty"`
}

// LinkedMessages returns, for every application, its messages in arrival
// order, in one query (list --json shows them for thousands at once).
func (s *Store) LinkedMessages(ctx context.Context) (map[int64][]Linked, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT application_id, id, coalesce(message_id, ''), kind,
		coalesce(duplicate_of, 0) FROM messages WHERE application_id IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("linked messages: %w", err)
	}
	defer rows.Close()
	out := map[int64][]Linked{}
	for rows.Next() {
		var app int64
		var l Linked
		if err := rows.Scan(&app, &l.ID, &l.MessageID, &l.Kind, &l.DuplicateOf); err != nil {
			return nil, fmt.Errorf("linked messages: %w", err)
		}
		out[app] = append(out[app], l)
	}
	return out, rows.Err()
}

// DeliveryKey is a message about to be stored, as KnowDeliveries looks it
// up: by Message-ID, or without one by its whole hash.
type DeliveryKey struct{ MessageID, SHA string }

// knownDeliveries is what FindDelivery finds for a batch, asked at once
// (KnowDeliveries) and kept up to date as the transaction stores messages.
type knownDeliveries struct {
	sameID  map[string][]*delivered // by Message-ID, in arrival order; empty: none
	sameRaw map[string]*Message     // mail without a Message-ID, by sha256; nil: none
}

// stored notes a message the transaction stored: a later delivery of it
// in the same batch finds it.
func (k *knownDeliveries) stored(m *Message) {
	if k == nil {
		return
	}
	if m.MessageID == "" {
		// The first delivery of a mail is the one FindDelivery finds.
		if known, ok := k.sameRaw[m.SHA256]; ok && known == nil {
			k.sameRaw[m.SHA256] = &Message{ID: m.ID, Kind: m.Kind, ApplicationID: m.ApplicationID}
		}
		return
	}
	if same, ok := k.sameID[m.MessageID]; ok {
		k.sameID[m.MessageID] = append(same, &delivered{
			m:  Message{ID: m.ID, Kind: m.Kind, ApplicationID: m.ApplicationID},
			id: m.MessageID, body: m.BodySHA256})
	}
}

// KnowDeliveries asks once, for a batch of messages about to be stored,
// what FindDelivery would compare each of keys with, rather than once per
// message: FindDelivery then answers from what was found, and from the
// messages the transaction stores after (InsertMessage). Only for a
// writer that moves no stored message (a rescan relocates them).
func (tx *Tx) KnowDeliveries(ctx context.Context, keys []DeliveryKey) error {
	k := tx.deliveries
	if k == nil {
		k = &knownDeliveries{sameID: map[string][]*delivered{}, sameRaw: map[string]*Message{}}
		tx.deliveries = k
	}
	var ids, shas []any
	for _, key := range keys {
		if key.MessageID == "" {
			if _, ok := k.sameRaw[key.SHA]; !ok {
				k.sameRaw[key.SHA] = nil
				shas = append(shas, key.SHA)
			}
		} else if _, ok := k.sameID[key.MessageID]; !ok {
			k.sameID[key.MessageID] = []*delivered{}
			ids = append(ids, key.MessageID)
		}
	}
	if len(ids) > 0 {
		args := padArgs(ids)
		same, err := tx.delivered(ctx, `message_id IN (?`+strings.Repeat(",?", len(args)-1)+`)`, args)
		if err != nil {
			return err
		}
		for _, d := range same {
			k.sameID[d.id] = append(k.sameID[d.id], d)
		}
	}
	if len(shas) > 0 {
		args := padArgs(shas)
		rows, err := tx.tx.QueryContext(ctx, `SELECT `+threadCols+`, sha256 FROM messages
			WHERE message_id IS NULL AND sha256 IN (?`+strings.Repeat(",?", len(args)-1)+`) ORDER BY id`, args...)
		if err != nil {
			return fmt.Errorf("find earlier deliveries: %w", err)
		}
		for rows.Next() {
			var m Message
			var sha string
			if err := rows.Scan(&m.ID, &m.Kind, &m.ApplicationID, &sha); err != nil {
				rows.Close()
				return fmt.Errorf("find earlier deliveries: %w", err)
			}
			if known, ok := k.sameRaw[sha]; ok && known == nil {
				k.sameRaw[sha] = &m
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("find earlier deliveries: %w", err)
		}
	}
	return nil
}

// padArgs returns the values of an IN list as many as a power of two,
// the last repeated: a few statements serve every batch and every
// message, rather than one per length filling the statements a store
// keeps (see Store.keep).
func padArgs(args []any) []any {
	n := 1
	for n < len(args) {
		n *= 2
	}
	for len(args) < n {
		args = append(args, args[len(args)-1])
	}
	return args
}
