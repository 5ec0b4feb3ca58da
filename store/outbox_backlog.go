package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Backlog is what waits in the outbox: what the daemon's health report
// and its sender loop need.
type Backlog struct {
	Pending       int       // mails not yet sent, due or not
	OldestPending time.Time // queued time of the oldest pending mail; zero when none
	NextDue       time.Time // earliest next attempt of a pending mail; zero when none
}

// OutboxBacklog reads the pending part of the outbox.
func (s *Store) OutboxBacklog(ctx context.Context) (Backlog, error) {
	var b Backlog
	var oldest, next sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), min(created_at), min(next_attempt_at)
		FROM outbox WHERE status = 'pending'`).Scan(&b.Pending, &oldest, &next); err != nil {
		return b, fmt.Errorf("outbox backlog: %w", err)
	}
	if oldest.Valid {
		b.OldestPending = parseTS(oldest.String)
	}
	if next.Valid {
		b.NextDue = parseTS(next.String)
	}
	return b, nil
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store ping: %w", err)
	}
	return nil
}
