package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrDigestMoved is returned by QueueDigest when another digest was
// queued since the period was read: the caller starts again.
var ErrDigestMoved = errors.New("another digest was queued meanwhile")

// LastDigestEnd returns where the last queued digest's period ended; zero
// when no digest was ever queued.
func (s *Store) LastDigestEnd(ctx context.Context) (time.Time, error) {
	return lastDigestEnd(ctx, s.db)
}

func lastDigestEnd(ctx context.Context, q querier) (time.Time, error) {
	var end sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT max(period_end) FROM digests`).Scan(&end); err != nil {
		return time.Time{}, fmt.Errorf("last digest: %w", err)
	}
	if !end.Valid {
		return time.Time{}, nil
	}
	return parseTS(end.String), nil
}

// QueueDigest queues the digest mails of the period (start, end] and
// records the period, in one transaction: the next digest starts at end.
// start must be the end of the last digest (zero for the first), else
// ErrDigestMoved.
func (s *Store) QueueDigest(ctx context.Context, start, end time.Time, mails []*OutboxMail) error {
	return s.InTx(ctx, func(tx *Tx) error {
		last, err := lastDigestEnd(ctx, tx.tx)
		if err != nil {
			return err
		}
		if !last.Equal(start) {
			return fmt.Errorf("queue digest from %s: %w", ts(start), ErrDigestMoved)
		}
		for _, m := range mails {
			if err := tx.QueueMail(ctx, m); err != nil {
				return err
			}
		}
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO digests (period_start, period_end, queued_at, mails)
			VALUES (?, ?, ?, ?)`, ts(start), ts(end), ts(tx.now), len(mails)); err != nil {
			return fmt.Errorf("record digest: %w", err)
		}
		return nil
	})
}

// ApplicationsStored lists the applications whose first message was
// stored in (from, to], in arrival order. The storage time is used, not
// the Date header, so that a mail dated last week but taken in today is
// reported today.
func (s *Store) ApplicationsStored(ctx context.Context, from, to time.Time) ([]*Application, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+applicationCols+` FROM applications
		WHERE first_message_id IN (SELECT id FROM messages WHERE stored_at > ? AND stored_at <= ?)
		ORDER BY id`, ts(from), ts(to))
	return collect(rows, err, "applications stored in the period", scanApplication)
}

// MessagesStored lists the messages stored in (from, to], second
// deliveries left out, in arrival order.
func (s *Store) MessagesStored(ctx context.Context, from, to time.Time) ([]*Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+messageCols+` FROM messages
		WHERE stored_at > ? AND stored_at <= ? AND duplicate_of IS NULL ORDER BY id`, ts(from), ts(to))
	return collect(rows, err, "messages stored in the period", scanMessage)
}

// QuietApplication is a file waiting for pieces and when it last had news.
type QuietApplication struct {
	*Application
	LastNews time.Time // its newest message, else when it was received
}

// QuietApplications lists the applications still waiting for pieces
// (received or incomplete) whose newest message is older than before.
func (s *Store) QuietApplications(ctx context.Context, before time.Time) ([]QuietApplication, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+applicationCols+`, last_news FROM (SELECT *,
		coalesce((SELECT max(stored_at) FROM messages m WHERE m.application_id = a.id), received_at) AS last_news
		FROM applications a WHERE status IN ('received', 'incomplete')) WHERE last_news < ? ORDER BY id`, ts(before))
	return collect(rows, err, "quiet applications", func(r scanner) (QuietApplication, error) {
		var last string
		a, err := scanApplication(&extraScan{r: r, extra: []any{&last}})
		if err != nil {
			return QuietApplication{}, err
		}
		return QuietApplication{Application: a, LastNews: parseTS(last)}, nil
	})
}

// extraScan appends destinations for columns after an entity's own.
type extraScan struct {
	r     scanner
	extra []any
}

func (e *extraScan) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

// FailedMails lists the outbox mails given up in (from, to], newest
// first, at most limit: a digest reports each failure once.
func (s *Store) FailedMails(ctx context.Context, from, to time.Time, limit int) ([]*OutboxMail, error) {
	return listOutbox(ctx, s.db, "failed mails", `WHERE o.status = 'failed' AND o.failed_at > ? AND o.failed_at <= ?
		ORDER BY o.id DESC LIMIT ?`, ts(from), ts(to), limit)
}
