package intake

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
)

// Reparse runs parsing and extraction again on stored raw mail, after a
// parser improvement: of every message when ref is "", else of the
// messages of that application. Applications are rebuilt from their
// messages in arrival order; coordinators' corrections are kept, threads
// and statuses a coordinator set are not touched, and no mail is queued.
// It returns the number of messages reparsed.
func (p *Pipeline) Reparse(ctx context.Context, ref string) (int, error) {
	var appID int64
	if ref != "" {
		a, err := p.st.Application(ctx, ref)
		if err != nil {
			return 0, fmt.Errorf("reparse: %w", err)
		}
		appID = a.ID
	}
	ids, err := p.st.MessageIDs(ctx, appID)
	if err != nil {
		return 0, fmt.Errorf("reparse: %w", err)
	}
	results := map[int64]Analysis{}
	apps := map[int64]bool{}
	for _, id := range ids {
		m, err := p.st.Message(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("reparse: %w", err)
		}
		raw, err := p.st.MessageRaw(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("reparse: %w", err)
		}
		// Attachments are already on disk and recorded: hash, don't store.
		an, err := Analyze(raw, p.cfg.Program, mailparse.Options{MaxAttachmentSize: p.cfg.MaxAttachmentSize})
		if err != nil {
			return 0, fmt.Errorf("reparse message %d: %w", id, err)
		}
		markTruncated(&an, raw)
		report, err := json.Marshal(an.Report())
		if err != nil {
			return 0, fmt.Errorf("reparse message %d: %w", id, err)
		}
		threaded := m.Kind == extract.KindFollowUp && m.ApplicationID != 0
		m.Kind, m.NeedsReview, m.Errors, m.Parsed = an.Result.Kind, an.Unreadable, an.Mail.Errors, report
		if threaded && an.Result.Kind == extract.KindApplication {
			// Threading decided it at intake, from the store: keep it.
			m.Kind = extract.KindFollowUp
		}
		m.MessageID, m.FromEmail, m.FromName, m.Subject = an.Mail.MessageID, an.Mail.FromEmail, an.Mail.FromName, an.Mail.Subject
		if an.Mail.HasDate {
			m.Date = an.Mail.Date
		}
		if m.DuplicateOf == 0 {
			m.ShouldAcknowledge = an.Result.ShouldAcknowledge
		}
		if err := p.st.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateMessageAnalysis(ctx, m) }); err != nil {
			return 0, fmt.Errorf("reparse: %w", err)
		}
		results[id] = an
		if m.ApplicationID != 0 {
			apps[m.ApplicationID] = true
		}
	}
	for id := range apps {
		if err := p.rebuild(ctx, id, results); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// rebuild recomputes an application's facts from its messages.
func (p *Pipeline) rebuild(ctx context.Context, appID int64, results map[int64]Analysis) error {
	msgs, err := p.st.ApplicationMessages(ctx, appID)
	if err != nil {
		return fmt.Errorf("reparse: %w", err)
	}
	return p.st.InTx(ctx, func(tx *store.Tx) error {
		app, err := tx.ApplicationByID(ctx, appID)
		if err != nil {
			return err
		}
		var fresh store.Applicant
		for _, m := range msgs {
			an, ok := results[m.ID]
			if !ok || m.DuplicateOf != 0 {
				continue
			}
			add := an.Result.Applicant
			if m.ID != app.FirstMessageID {
				// As at intake: only the applicant's own mail fills it.
				if !fromApplicant(app, m.FromEmail, add.Email) {
					continue
				}
				add.Email, add.ForwardedBy = "", ""
			}
			fresh.FillFrom(&add, nil)
		}
		old := app.Applicant
		corrected := app.CorrectedSet()
		// A corrected SIRET or postal code carries what is derived from it.
		if corrected["siret"] {
			corrected["siret_valid"], corrected["siren"] = true, true
		}
		if corrected["postal_code"] {
			corrected["departement"] = true
		}
		app.Applicant = fresh
		for f := range corrected {
			app.Applicant.Set(f, &old)
		}
		if app.Email == "" {
			app.Email = old.Email
		}
		atts, err := tx.Attachments(ctx, app.ID, 0)
		if err != nil {
			return err
		}
		if app.Status == store.StatusNeedsReview {
			app.Missing = Missing(&app.Applicant, atts, p.cfg.Required, p.cfg.RequiredAttachments)
		} else if err := p.evaluate(ctx, tx, app, atts); err != nil {
			return err
		}
		return tx.UpdateApplication(ctx, app)
	})
}
