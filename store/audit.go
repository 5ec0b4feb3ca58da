package store

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one change of an application.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"by"`
	Action string    `json:"action"` // status | score | set | merge | duplicate
	Field  string    `json:"field,omitempty"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// Audit records a change of an application.
func (tx *Tx) Audit(ctx context.Context, applicationID int64, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = tx.now
	}
	args := []any{applicationID, tx.ts(e.At), e.Actor, e.Action, nullStr(e.Field), nullStr(e.From), nullStr(e.To),
		nullStr(e.Note)}
	if tx.deferred {
		tx.audits = append(tx.audits, args...)
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, auditInsert+auditRow, args...); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

const (
	auditInsert = `INSERT INTO audit (application_id, at, actor, action, field, from_value, to_value, note) VALUES `
	auditRow    = `(?, ?, ?, ?, ?, ?, ?, ?)`
)

// History returns the changes of an application, oldest first.
func (s *Store) History(ctx context.Context, applicationID int64) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor, action, coalesce(field, ''), coalesce(from_value, ''),
		coalesce(to_value, ''), coalesce(note, '') FROM audit WHERE application_id = ? ORDER BY id`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var es []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Field, &e.From, &e.To, &e.Note); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		e.At = parseTS(at)
		es = append(es, e)
	}
	return es, rows.Err()
}
