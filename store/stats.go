package store

import (
	"context"
	"fmt"
	"time"
)

// Stats is what `stats` reports.
type Stats struct {
	Messages             int              `json:"messages"`
	MessagesByKind       map[string]int   `json:"messages_by_kind"`
	Duplicates           int              `json:"duplicates"`
	NeedsReview          int              `json:"needs_review"`
	Applications         int              `json:"applications"`
	ApplicationsByStatus map[string]int   `json:"applications_by_status"`
	Outbox               map[string]int   `json:"outbox"`
	Checkpoints          []CheckpointStat `json:"checkpoints"`
}

// CheckpointStat is one mailbox checkpoint as reported.
type CheckpointStat struct {
	Server      string    `json:"server"`
	Username    string    `json:"username"`
	Mailbox     string    `json:"mailbox"`
	UIDValidity uint32    `json:"uidvalidity"`
	LastUID     uint32    `json:"last_uid"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Stats counts what the store holds. Messages counts every stored row,
// second deliveries included (Duplicates says how many those are).
func (s *Store) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{MessagesByKind: map[string]int{}, ApplicationsByStatus: map[string]int{},
		Outbox:      map[string]int{OutboxPending: 0, OutboxSent: 0, OutboxFailed: 0, OutboxCancelled: 0},
		Checkpoints: []CheckpointStat{}}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*),
		count(*) FILTER (WHERE duplicate_of IS NOT NULL), count(*) FILTER (WHERE needs_review = 1) FROM messages`).
		Scan(&st.Messages, &st.Duplicates, &st.NeedsReview); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	if err := s.countInto(ctx, st.MessagesByKind, `SELECT kind, count(*) FROM messages GROUP BY kind`); err != nil {
		return nil, err
	}
	if err := s.countInto(ctx, st.ApplicationsByStatus, `SELECT status, count(*) FROM applications GROUP BY status`); err != nil {
		return nil, err
	}
	for _, n := range st.ApplicationsByStatus {
		st.Applications += n
	}
	if err := s.countInto(ctx, st.Outbox, `SELECT status, count(*) FROM outbox GROUP BY status`); err != nil {
		return nil, err
	}
	cps, err := s.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	for _, cp := range cps {
		st.Checkpoints = append(st.Checkpoints, CheckpointStat{Server: cp.Server, Username: cp.Username,
			Mailbox: cp.Mailbox, UIDValidity: cp.UIDValidity, LastUID: cp.LastUID, UpdatedAt: cp.UpdatedAt})
	}
	return st, nil
}

func (s *Store) countInto(ctx context.Context, m map[string]int, query string) error {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		m[k] = n
	}
	return rows.Err()
}
