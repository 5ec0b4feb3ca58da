package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrOutboxState is returned by Retry and Cancel when the mail is in a
// status the operation does not apply to (a sent mail cannot be retried).
var ErrOutboxState = errors.New("not possible in this status")

const outboxCols = `o.id, o.kind, coalesce(o.application_id, 0), coalesce(a.reference, ''), coalesce(o.message_id, 0),
	coalesce(o.dedupe_key, ''), o.recipient, coalesce(o.recipient_name, ''), o.subject, o.header_msgid,
	coalesce(o.in_reply_to, ''), coalesce(o.refs, ''), o.body_text, o.body_html, o.attachments, o.status,
	o.attempts, o.next_attempt_at, coalesce(o.last_error, ''), o.created_at, o.sent_at`

const outboxFrom = ` FROM outbox o LEFT JOIN applications a ON a.id = o.application_id`

func scanOutbox(r scanner) (*OutboxMail, error) {
	var m OutboxMail
	var parts, next, created string
	var sent sql.NullString
	if err := r.Scan(&m.ID, &m.Kind, &m.ApplicationID, &m.Reference, &m.MessageID, &m.DedupeKey, &m.Recipient,
		&m.RecipientName, &m.Subject, &m.HeaderMsgID, &m.InReplyTo, &m.References, &m.BodyText, &m.BodyHTML,
		&parts, &m.Status, &m.Attempts, &next, &m.LastError, &created, &sent); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(parts), &m.Parts); err != nil {
		return nil, fmt.Errorf("outbox mail %d parts: %w", m.ID, err)
	}
	m.NextAttemptAt, m.CreatedAt = parseTS(next), parseTS(created)
	if sent.Valid {
		t := parseTS(sent.String)
		m.SentAt = &t
	}
	return &m, nil
}

func listOutbox(ctx context.Context, q querier, what, where string, args ...any) ([]*OutboxMail, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+outboxCols+outboxFrom+` `+where, args...)
	return collect(rows, err, what, scanOutbox)
}

// DueMails returns at most limit pending mails whose next attempt is due
// at now, oldest due first.
func (s *Store) DueMails(ctx context.Context, now time.Time, limit int) ([]*OutboxMail, error) {
	return listOutbox(ctx, s.db, "due mails", `WHERE o.status = 'pending' AND o.next_attempt_at <= ?
		ORDER BY o.next_attempt_at, o.id LIMIT ?`, ts(now), limit)
}

// OutboxMail returns one outbox row by id.
func (s *Store) OutboxMail(ctx context.Context, id int64) (*OutboxMail, error) {
	ms, err := listOutbox(ctx, s.db, fmt.Sprintf("outbox mail %d", id), `WHERE o.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("outbox mail %d: %w", id, ErrNotFound)
	}
	return ms[0], nil
}

// OutboxList lists outbox rows, newest first, only those with status when
// it is not empty. Reference is filled from the application.
func (s *Store) OutboxList(ctx context.Context, status string) ([]*OutboxMail, error) {
	if status == "" {
		return listOutbox(ctx, s.db, "list outbox", `ORDER BY o.id DESC`)
	}
	return listOutbox(ctx, s.db, "list outbox", `WHERE o.status = ? ORDER BY o.id DESC`, status)
}

// OutboxCounts counts outbox rows by status; every status is present.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{OutboxPending: 0, OutboxSent: 0, OutboxFailed: 0, OutboxCancelled: 0}
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count outbox: %w", err)
		}
		counts[st] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	return counts, nil
}

// SendLimits are the sending caps a reservation enforces.
type SendLimits struct {
	PerHour int // mails per rolling hour, all recipients; 0: no limit
	// PerDomainPerHour caps the mails per rolling hour to one recipient
	// domain, public mail services excepted (see PublicProvider); 0: no limit.
	PerDomainPerHour int
}

// Reservation is what ReserveMails took and left.
type Reservation struct {
	IDs        []int64 // reserved, in the order given: send these
	UsedHour   int     // slots already taken in the last hour before this reservation
	HeldHour   int     // due but left pending by the hourly cap
	HeldDomain int     // due but left pending by the per-domain cap
}

// slotsUsed counts the mails that took a sending slot since since: sent,
// or reserved by a sender (possibly another process, right now). A mail
// tried and failed counts too: the server saw it.
const slotsUsed = `FROM outbox WHERE status IN ('sent', 'pending', 'failed') AND (reserved_at >= ? OR sent_at >= ?)`

// ReserveMails takes, among ids (due mails, oldest first), those still
// pending and due at now, within lim, and hides them from other senders
// until until. The count of slots used and the reservation are one
// immediate transaction: every sender (a "send --once" beside the daemon,
// or two) serialises here, so the caps hold whatever runs. A sender that
// dies holding a reservation only delays those mails until it expires;
// their slots stay counted for the hour.
func (s *Store) ReserveMails(ctx context.Context, ids []int64, now, until time.Time, lim SendLimits) (Reservation, error) {
	var r Reservation
	err := s.InTx(ctx, func(tx *Tx) error {
		r = Reservation{}
		cutoff := ts(now.Add(-time.Hour))
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) `+slotsUsed, cutoff, cutoff).Scan(&r.UsedHour); err != nil {
			return fmt.Errorf("count sending slots: %w", err)
		}
		perDomain := map[string]int{}
		if lim.PerDomainPerHour > 0 {
			rows, err := tx.tx.QueryContext(ctx, `SELECT coalesce(recipient_key, lower(recipient)), count(*) `+
				slotsUsed+` GROUP BY 1`, cutoff, cutoff)
			if err != nil {
				return fmt.Errorf("count sending slots by domain: %w", err)
			}
			for rows.Next() {
				var key string
				var n int
				if err := rows.Scan(&key, &n); err != nil {
					rows.Close()
					return fmt.Errorf("count sending slots by domain: %w", err)
				}
				perDomain[AddressDomain(key)] += n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("count sending slots by domain: %w", err)
			}
		}
		used := r.UsedHour
		for _, id := range ids {
			var key string
			err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(recipient_key, lower(recipient)) FROM outbox
				WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?`, id, ts(now)).Scan(&key)
			if errors.Is(err, sql.ErrNoRows) {
				continue // taken by another sender, or cancelled meanwhile
			}
			if err != nil {
				return fmt.Errorf("reserve outbox mail %d: %w", id, err)
			}
			if lim.PerHour > 0 && used >= lim.PerHour {
				r.HeldHour++
				continue
			}
			domain := AddressDomain(key)
			if lim.PerDomainPerHour > 0 && !PublicProvider(domain) && perDomain[domain] >= lim.PerDomainPerHour {
				r.HeldDomain++
				continue
			}
			if _, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, reserved_at = ?
				WHERE id = ?`, ts(until), ts(now), id); err != nil {
				return fmt.Errorf("reserve outbox mail %d: %w", id, err)
			}
			used++
			perDomain[domain]++
			r.IDs = append(r.IDs, id)
		}
		return nil
	})
	if err != nil {
		return Reservation{}, err
	}
	return r, nil
}

// ReleaseMails makes reserved but untried pending mails due again at at,
// and gives their sending slots back.
func (s *Store) ReleaseMails(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{ts(at)}
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, reserved_at = NULL
		WHERE status = 'pending' AND id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, args...); err != nil {
		return fmt.Errorf("release %d outbox mails: %w", len(ids), err)
	}
	return nil
}

// MarkSent records that the server accepted the mail's DATA at at.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return s.markOutbox(ctx, id, "mark sent", `UPDATE outbox SET status = 'sent', sent_at = ?,
		attempts = attempts + 1, last_error = NULL WHERE id = ?`, ts(at), id)
}

// MarkRetry records a temporary failure: attempts is the new attempt
// count, next when to try again.
//
// Like MarkFailed, it changes only a mail still pending: one a coordinator
// (or a newer decision) cancelled while it was being tried stays cancelled.
func (s *Store) MarkRetry(ctx context.Context, id int64, attempts int, next time.Time, errText string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?
		WHERE id = ? AND status = 'pending'`, attempts, ts(next), nullStr(errText), id); err != nil {
		return fmt.Errorf("mark retry outbox mail %d: %w", id, err)
	}
	return nil
}

// MarkFailed records a permanent failure (or the end of retries).
func (s *Store) MarkFailed(ctx context.Context, id int64, attempts int, errText string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = ?, last_error = ?, failed_at = ?
		WHERE id = ? AND status = 'pending'`, attempts, nullStr(errText), ts(s.now()), id); err != nil {
		return fmt.Errorf("mark failed outbox mail %d: %w", id, err)
	}
	return nil
}

// MarkCancelled cancels a mail that must not be sent, saying why.
func (s *Store) MarkCancelled(ctx context.Context, id int64, reason string) error {
	return s.markOutbox(ctx, id, "mark cancelled", `UPDATE outbox SET status = 'cancelled', last_error = ?
		WHERE id = ?`, nullStr(reason), id)
}

func (s *Store) markOutbox(ctx context.Context, id int64, what, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s outbox mail %d: %w", what, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s outbox mail %d: %w", what, id, ErrNotFound)
	}
	return nil
}

// Retry makes a failed or cancelled mail pending again, due now, keeping
// its attempt count. A sent mail is never sent again, and a pending one
// is left alone (a sender may be delivering it right now): ErrOutboxState.
func (s *Store) Retry(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		st, err := tx.outboxStatus(ctx, id)
		if err != nil {
			return err
		}
		if st == OutboxSent || st == OutboxPending {
			return fmt.Errorf("retry outbox mail %d: it is %s: %w", id, st, ErrOutboxState)
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', next_attempt_at = ?
			WHERE id = ?`, ts(tx.now), id); err != nil {
			return fmt.Errorf("retry outbox mail %d: %w", id, err)
		}
		return nil
	})
}

// Cancel cancels a pending or failed mail; sent and already cancelled
// mails give ErrOutboxState.
func (s *Store) Cancel(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		st, err := tx.outboxStatus(ctx, id)
		if err != nil {
			return err
		}
		if st != OutboxPending && st != OutboxFailed {
			return fmt.Errorf("cancel outbox mail %d: it is %s: %w", id, st, ErrOutboxState)
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE outbox SET status = 'cancelled',
			last_error = coalesce(last_error || '; ', '') || 'cancelled by a coordinator' WHERE id = ?`, id); err != nil {
			return fmt.Errorf("cancel outbox mail %d: %w", id, err)
		}
		return nil
	})
}

func (tx *Tx) outboxStatus(ctx context.Context, id int64) (string, error) {
	var st string
	err := tx.tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = ?`, id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("outbox mail %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("outbox mail %d: %w", id, err)
	}
	return st, nil
}
