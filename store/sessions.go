package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outbox kinds of the sessions and the digest.
const (
	MailReminder = "reminder" // a session reminder, its update or its cancellation, with a calendar invitation
	MailDigest   = "digest"   // the coordinators' digest
)

// SessionState is what the store remembers of a configured session: the
// time and place the participants were last told about, and the calendar
// SEQUENCE, raised whenever one of them changes.
type SessionState struct {
	ID        string    `json:"id"`
	Sequence  int       `json:"sequence"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Location  string    `json:"location"`
	Cancelled bool      `json:"cancelled"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (s *SessionState) sameEvent(o *SessionState) bool {
	return s.Start.Equal(o.Start) && s.End.Equal(o.End) && s.Location == o.Location && s.Cancelled == o.Cancelled
}

// SyncSession records the session as the configuration describes it now
// and returns the stored state. A new session starts at sequence 0; a
// change of start, end, place or cancellation raises the sequence and
// reports changed, so that those already reminded can be told.
func (tx *Tx) SyncSession(ctx context.Context, s SessionState) (cur SessionState, changed bool, err error) {
	old, err := sessionState(ctx, tx.tx, s.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		s.Sequence, s.UpdatedAt = 0, tx.now
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO sessions (id, sequence, start_at, end_at, location, cancelled, updated_at)
			VALUES (?, 0, ?, ?, ?, ?, ?)`, s.ID, ts(s.Start), ts(s.End), s.Location, s.Cancelled, ts(tx.now))
		if err != nil {
			return s, false, fmt.Errorf("record session %s: %w", s.ID, err)
		}
		return s, false, nil
	case err != nil:
		return s, false, err
	}
	if old.sameEvent(&s) {
		return *old, false, nil
	}
	s.Sequence, s.UpdatedAt = old.Sequence+1, tx.now
	if _, err := tx.tx.ExecContext(ctx, `UPDATE sessions SET sequence = ?, start_at = ?, end_at = ?, location = ?,
		cancelled = ?, updated_at = ? WHERE id = ?`, s.Sequence, ts(s.Start), ts(s.End), s.Location, s.Cancelled,
		ts(tx.now), s.ID); err != nil {
		return s, false, fmt.Errorf("record session %s: %w", s.ID, err)
	}
	return s, true, nil
}

// Session returns the stored state of a session (ErrNotFound before its
// first reminder run).
func (s *Store) Session(ctx context.Context, id string) (*SessionState, error) {
	return sessionState(ctx, s.db, id)
}

func sessionState(ctx context.Context, q querier, id string) (*SessionState, error) {
	var st SessionState
	var start, end, updated string
	err := q.QueryRowContext(ctx, `SELECT id, sequence, start_at, end_at, location, cancelled, updated_at
		FROM sessions WHERE id = ?`, id).Scan(&st.ID, &st.Sequence, &start, &end, &st.Location, &st.Cancelled, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", id, err)
	}
	st.Start, st.End, st.UpdatedAt = parseTS(start), parseTS(end), parseTS(updated)
	return &st, nil
}

// SessionMail is one reminder, update or cancellation queued for a
// session, with the status of its outbox mail.
type SessionMail struct {
	SessionID     string    `json:"session"`
	Recipient     string    `json:"recipient"`
	Offset        string    `json:"offset"` // "24h0m0s", "update:2", "cancel"
	Sequence      int       `json:"sequence"`
	ApplicationID int64     `json:"-"`
	Reference     string    `json:"reference,omitempty"`
	OutboxID      int64     `json:"outbox_id"`
	Status        string    `json:"status"` // of the outbox mail
	QueuedAt      time.Time `json:"queued_at"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// QueueSessionMail queues m and records it as sm in the caller's
// transaction. A second mail for the same (session, recipient, offset)
// returns ErrAlreadyQueued and queues nothing, whatever its dedupe key:
// a reminder goes once, across restarts and re-runs.
func (tx *Tx) QueueSessionMail(ctx context.Context, sm *SessionMail, m *OutboxMail) error {
	sm.Recipient = strings.ToLower(sm.Recipient)
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO session_mails (session_id, recipient, offset, sequence,
		application_id, queued_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		sm.SessionID, sm.Recipient, sm.Offset, sm.Sequence, nullID(sm.ApplicationID), ts(tx.now))
	if err != nil {
		return fmt.Errorf("record %s mail of session %s to %s: %w", sm.Offset, sm.SessionID, sm.Recipient, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s mail of session %s to %s: %w", sm.Offset, sm.SessionID, sm.Recipient, ErrAlreadyQueued)
	}
	id, _ := res.LastInsertId()
	if err := tx.QueueMail(ctx, m); err != nil {
		return err
	}
	sm.OutboxID, sm.QueuedAt, sm.Status = m.ID, tx.now, m.Status
	if _, err := tx.tx.ExecContext(ctx, `UPDATE session_mails SET outbox_id = ? WHERE id = ?`, m.ID, id); err != nil {
		return fmt.Errorf("record %s mail of session %s: %w", sm.Offset, sm.SessionID, err)
	}
	return nil
}

// SessionMails lists what was queued for a session, oldest first.
func (s *Store) SessionMails(ctx context.Context, sessionID string) ([]SessionMail, error) {
	return sessionMails(ctx, s.db, sessionID)
}

// SessionMails is Store.SessionMails inside a transaction.
func (tx *Tx) SessionMails(ctx context.Context, sessionID string) ([]SessionMail, error) {
	return sessionMails(ctx, tx.tx, sessionID)
}

func sessionMails(ctx context.Context, q querier, sessionID string) ([]SessionMail, error) {
	rows, err := q.QueryContext(ctx, `SELECT sm.session_id, sm.recipient, sm.offset, sm.sequence,
		coalesce(sm.application_id, 0), coalesce(a.reference, ''), coalesce(sm.outbox_id, 0),
		coalesce(o.status, ''), sm.queued_at, coalesce(o.sent_at, '')
		FROM session_mails sm LEFT JOIN outbox o ON o.id = sm.outbox_id
		LEFT JOIN applications a ON a.id = sm.application_id
		WHERE sm.session_id = ? ORDER BY sm.id`, sessionID)
	return collect(rows, err, "mails of session "+sessionID, func(r scanner) (SessionMail, error) {
		var sm SessionMail
		var queued, sent string
		err := r.Scan(&sm.SessionID, &sm.Recipient, &sm.Offset, &sm.Sequence, &sm.ApplicationID, &sm.Reference,
			&sm.OutboxID, &sm.Status, &queued, &sent)
		sm.QueuedAt = parseTS(queued)
		if sent != "" {
			sm.SentAt = parseTS(sent)
		}
		return sm, err
	})
}
