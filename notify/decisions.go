package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/rse-lozere/rse-intake/store"
)

// QueueDecisions queues a decision mail for every application whose status
// is selected, waitlisted or declined and differs from the decision the
// applicant was last told about (DecisionNotified). Each mail is queued in
// one transaction with the update of DecisionNotified, so running it twice
// queues nothing the second time. With dryRun it only renders and returns
// the mails. The mails are threaded under the application's first message.
//
// Each decision mail of an application gets its own dedupe key (its rank
// among them), so a decision changed back to one already mailed (selected,
// declined, then selected again) is mailed again: the applicant's last
// word is always the current decision.
//
// An application whose mail cannot be written (no e-mail address) is
// skipped; the others are queued and the error lists the skipped ones.
func QueueDecisions(ctx context.Context, st *store.Store, c *Composer, dryRun bool) ([]*store.OutboxMail, error) {
	apps, err := st.Applications(ctx, store.StatusSelected, store.StatusWaitlisted, store.StatusDeclined)
	if err != nil {
		return nil, fmt.Errorf("queue decisions: %w", err)
	}
	var out []*store.OutboxMail
	var skipped []error
	for _, app := range apps {
		if app.Status == app.DecisionNotified {
			continue
		}
		// Read before the transaction: the store has one connection.
		var first *store.Message
		if app.FirstMessageID != 0 {
			first, err = st.Message(ctx, app.FirstMessageID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return out, fmt.Errorf("queue decision for %s: %w", app.Reference, err)
			}
		}
		m, err := c.DecisionReplyingTo(app, first)
		if err != nil {
			// One application without a usable address must not hold
			// back the others' mails.
			skipped = append(skipped, err)
			continue
		}
		if dryRun {
			m.Reference = app.Reference
			out = append(out, m)
			continue
		}
		queued := false
		err = st.InTx(ctx, func(tx *store.Tx) error {
			cur, err := tx.ApplicationByID(ctx, app.ID)
			if err != nil {
				return err
			}
			if cur.Status != app.Status || cur.DecisionNotified == cur.Status {
				return nil // changed meanwhile: the next run sees the new state
			}
			// An earlier decision not sent yet is replaced, never followed:
			// the applicant must not read "selected" then "declined".
			if _, err := tx.CancelPendingMails(ctx, app.ID, store.MailDecision,
				"replaced by a later decision before it was sent"); err != nil {
				return err
			}
			n, err := tx.CountMails(ctx, app.ID, store.MailDecision)
			if err != nil {
				return err
			}
			m.DedupeKey = fmt.Sprintf("decision:%s:%d", app.Reference, n+1)
			switch err := tx.QueueMail(ctx, m); {
			case errors.Is(err, store.ErrAlreadyQueued):
			case err != nil:
				return err
			default:
				queued = true
			}
			cur.DecisionNotified = cur.Status
			return tx.UpdateApplication(ctx, cur)
		})
		if err != nil {
			return out, fmt.Errorf("queue decision for %s: %w", app.Reference, err)
		}
		if queued {
			m.Reference = app.Reference
			out = append(out, m)
		}
	}
	if len(skipped) > 0 {
		return out, fmt.Errorf("queue decisions: %d skipped: %w", len(skipped), errors.Join(skipped...))
	}
	return out, nil
}
