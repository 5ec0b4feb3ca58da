package store

import (
	"context"
	"fmt"
	"time"
)

// Retention says how long personal data is kept after its last activity.
type Retention struct {
	// Default applies to every application not selected (declined,
	// withdrawn, never completed, waitlisted or left undecided) and to
	// mail that never became an application (bounces, newsletters, spam,
	// auto-replies, unreadable mail).
	Default time.Duration
	// Selected applies to selected participants (the programme's
	// follow-up period).
	Selected time.Duration
}

// Default retention periods: [store] retention and retention_selected.
const (
	DefaultRetention         = 365 * 24 * time.Hour
	DefaultRetentionSelected = 3 * 365 * 24 * time.Hour
)

// Purge erases what is older than the retention periods allow, counted
// from each record's last activity: for an application, its last change,
// mail or outgoing mail (a mail queued and never delivered counts from
// when it was queued); for other mail, when it was stored. A message not
// yet flagged or moved on the server is kept until it is. With dryRun, it
// only counts. The register of erasures keeps one line per application,
// with by as the actor.
func (s *Store) Purge(ctx context.Context, r Retention, files Files, by string, dryRun bool) (*Erasure, error) {
	if r.Default <= 0 || r.Selected <= 0 {
		return nil, fmt.Errorf("purge: retention periods must be positive")
	}
	var er *Erasure
	var shas []string
	err := s.InTx(ctx, func(tx *Tx) error {
		now := tx.now
		cutDefault, cutSelected := ts(now.Add(-r.Default)), ts(now.Add(-r.Selected))
		rows, err := tx.tx.QueryContext(ctx, `SELECT a.id FROM applications a
			WHERE max(a.updated_at, a.received_at,
			          coalesce((SELECT max(stored_at) FROM messages m WHERE m.application_id = a.id), ''),
			          coalesce((SELECT max(coalesce(sent_at, created_at)) FROM outbox o WHERE o.application_id = a.id), ''),
			          coalesce((SELECT max(at) FROM audit u WHERE u.application_id = a.id), ''))
			      < CASE a.status WHEN 'selected' THEN ? ELSE ? END
			ORDER BY a.id`, cutSelected, cutDefault)
		appIDs, err := collect(rows, err, "purge: old applications", scanID)
		if err != nil {
			return err
		}
		rows, err = tx.tx.QueryContext(ctx, `SELECT id FROM messages WHERE application_id IN (`+idList(appIDs)+`)
			UNION SELECT id FROM messages WHERE application_id IS NULL AND stored_at < ?
			  AND id NOT IN (SELECT message_id FROM server_pending)
			ORDER BY 1`, cutDefault)
		msgIDs, err := collect(rows, err, "purge: old messages", scanID)
		if err != nil {
			return err
		}
		// Mail about no application (digests, alerts) once delivered or
		// given up.
		rows, err = tx.tx.QueryContext(ctx, `SELECT id FROM outbox WHERE application_id IS NULL
			AND status <> 'pending' AND coalesce(sent_at, created_at) < ? ORDER BY id`, cutDefault)
		mailIDs, err := collect(rows, err, "purge: old mails", scanID)
		if err != nil {
			return err
		}
		if dryRun {
			er, err = tx.dryErasure(ctx, appIDs, msgIDs, mailIDs)
			return err
		}
		er, shas, err = tx.erase(ctx, appIDs, msgIDs, mailIDs)
		if err != nil {
			return fmt.Errorf("purge: %w", err)
		}
		return tx.register(ctx, er, "retention",
			fmt.Sprintf("at the end of the retention period (%s, selected %s)", days(r.Default), days(r.Selected)), by)
	})
	if err != nil || dryRun {
		return er, err
	}
	if err := s.removeFiles(ctx, files, shas, er); err != nil {
		return er, err
	}
	if er.Messages+er.Mails+len(er.Applications) > 0 {
		if err := s.Compact(ctx); err != nil {
			return er, err
		}
	}
	return er, nil
}

// PurgeJob returns Purge as a job for the daemon's scheduler (run it
// daily). It reports what it removed through report, when not nil.
func (s *Store) PurgeJob(r Retention, files Files, report func(*Erasure)) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		er, err := s.Purge(ctx, r, files, "retention", false)
		if err != nil {
			return err
		}
		if report != nil {
			report(er)
		}
		return nil
	}
}

func days(d time.Duration) string { return fmt.Sprintf("%dd", int(d.Hours()/24)) }

func scanID(r scanner) (int64, error) {
	var id int64
	return id, r.Scan(&id)
}

func scanString(r scanner) (string, error) {
	var s string
	return s, r.Scan(&s)
}

// idList renders our own integer ids for an IN (...) list; "NULL" when empty.
func idList(ids []int64) string {
	if len(ids) == 0 {
		return "NULL"
	}
	b := make([]byte, 0, 8*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", id)
	}
	return string(b)
}

// references returns the references of the applications ids, in order;
// never nil, so that an Erasure lists [] rather than null.
func (tx *Tx) references(ctx context.Context, ids []int64) ([]string, error) {
	refs := []string{}
	for _, id := range ids {
		var ref string
		if err := tx.tx.QueryRowContext(ctx, `SELECT reference FROM applications WHERE id = ?`, id).Scan(&ref); err != nil {
			return nil, fmt.Errorf("application %d: %w", id, err)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// dryErasure counts what erase would remove.
func (tx *Tx) dryErasure(ctx context.Context, appIDs, msgIDs, mailIDs []int64) (*Erasure, error) {
	refs, err := tx.references(ctx, appIDs)
	if err != nil {
		return nil, err
	}
	er := &Erasure{Applications: refs, Messages: len(msgIDs)}
	err = tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE id IN (`+idList(mailIDs)+`)
		OR message_id IN (`+idList(msgIDs)+`) OR application_id IN (`+idList(appIDs)+`)`).Scan(&er.Mails)
	if err != nil {
		return nil, fmt.Errorf("purge: count mails: %w", err)
	}
	err = tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE message_id IN (`+idList(msgIDs)+`)`).Scan(&er.Attachments)
	if err != nil {
		return nil, fmt.Errorf("purge: count attachments: %w", err)
	}
	return er, nil
}
