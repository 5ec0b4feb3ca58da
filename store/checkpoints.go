package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MailboxKey names one mailbox on one server for one user.
type MailboxKey struct {
	Server   string // host:port
	Username string
	Mailbox  string
}

// Checkpoint is how far intake has read one mailbox under one UIDVALIDITY.
type Checkpoint struct {
	ID int64
	MailboxKey
	UIDValidity uint32
	LastUID     uint32
	UpdatedAt   time.Time
}

// Checkpoint returns the checkpoint of key under uidvalidity, creating it
// at UID 0 when new. rescan is true when the mailbox was read before under
// another UIDVALIDITY: its messages must then be matched against what is
// already stored rather than taken as new.
func (s *Store) Checkpoint(ctx context.Context, key MailboxKey, uidvalidity uint32) (cp Checkpoint, rescan bool, err error) {
	err = s.InTx(ctx, func(tx *Tx) error {
		row := tx.tx.QueryRowContext(ctx, `SELECT id, last_uid, updated_at FROM mailboxes
			WHERE server = ? AND username = ? AND mailbox = ? AND uidvalidity = ?`,
			key.Server, key.Username, key.Mailbox, int64(uidvalidity))
		var updated string
		var last int64
		err := row.Scan(&cp.ID, &last, &updated)
		switch {
		case err == nil:
			cp.LastUID = uint32(last)
			cp.UpdatedAt = parseTS(updated)
		case errors.Is(err, sql.ErrNoRows):
			now := ts(tx.now)
			// Two first polls may race: the second one takes the row the
			// first created.
			if _, err := tx.tx.ExecContext(ctx, `INSERT INTO mailboxes
				(server, username, mailbox, uidvalidity, last_uid, created_at, updated_at)
				VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING`,
				key.Server, key.Username, key.Mailbox, int64(uidvalidity), now, now); err != nil {
				return fmt.Errorf("create checkpoint: %w", err)
			}
			if err := tx.tx.QueryRowContext(ctx, `SELECT id, last_uid, updated_at FROM mailboxes
				WHERE server = ? AND username = ? AND mailbox = ? AND uidvalidity = ?`,
				key.Server, key.Username, key.Mailbox, int64(uidvalidity)).Scan(&cp.ID, &last, &updated); err != nil {
				return fmt.Errorf("create checkpoint: %w", err)
			}
			cp.LastUID, cp.UpdatedAt = uint32(last), parseTS(updated)
		default:
			return fmt.Errorf("read checkpoint: %w", err)
		}
		var others int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM mailboxes
			WHERE server = ? AND username = ? AND mailbox = ? AND uidvalidity <> ?`,
			key.Server, key.Username, key.Mailbox, int64(uidvalidity)).Scan(&others); err != nil {
			return fmt.Errorf("read earlier checkpoints: %w", err)
		}
		rescan = others > 0
		return nil
	})
	cp.MailboxKey = key
	cp.UIDValidity = uidvalidity
	return cp, rescan, err
}

// AdvanceCheckpoint moves the checkpoint to uid (never backwards). Call it
// in the transaction that stores the message with that uid.
func (tx *Tx) AdvanceCheckpoint(ctx context.Context, mailboxID int64, uid uint32) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE mailboxes SET last_uid = max(last_uid, ?), updated_at = ?
		WHERE id = ?`, int64(uid), ts(tx.now), mailboxID)
	if err != nil {
		return fmt.Errorf("advance checkpoint: %w", err)
	}
	return nil
}

// Checkpoints lists every mailbox checkpoint.
func (s *Store) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, server, username, mailbox, uidvalidity, last_uid, updated_at
		FROM mailboxes ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	defer rows.Close()
	var cps []Checkpoint
	for rows.Next() {
		var cp Checkpoint
		var uv, last int64
		var updated string
		if err := rows.Scan(&cp.ID, &cp.Server, &cp.Username, &cp.Mailbox, &uv, &last, &updated); err != nil {
			return nil, fmt.Errorf("list checkpoints: %w", err)
		}
		cp.UIDValidity, cp.LastUID, cp.UpdatedAt = uint32(uv), uint32(last), parseTS(updated)
		cps = append(cps, cp)
	}
	return cps, rows.Err()
}
