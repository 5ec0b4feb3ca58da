package intake

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/store"
)

// Reparse runs parsing and extraction again on stored raw mail, after a
// parser improvement: of every message when ref is "", else of the
// messages of that application. Applications are rebuilt from their
// messages in arrival order; coordinators' corrections are kept, threads
// and statuses a coordinator set are not touched, and no mail is queued.
// Messages are read on every core and their new analyses written a batch
// per transaction; Config.Progress hears of each batch. It returns the
// number of messages reparsed.
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	done, loadErr := p.analyseStored(ctx, ids)

	results := map[int64]store.Applicant{}
	apps := map[int64][]threadMessage{}
	var batch []*store.Message
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := p.st.InTx(ctx, func(tx *store.Tx) error {
			for _, m := range batch {
				if err := tx.UpdateMessageAnalysis(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reparse: %w", err)
		}
		n += len(batch)
		batch = batch[:0]
		if p.cfg.Progress != nil {
			p.cfg.Progress(n, len(ids))
		}
		return nil
	}
	for l := range done {
		if l.err != nil {
			return 0, fmt.Errorf("reparse message %d: %w", l.m.ID, l.err)
		}
		m, an := l.m, l.an
		reanalysed(m, &an)
		batch = append(batch, m)
		if len(batch) >= 200 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
		results[m.ID] = an.Result.Applicant
		if m.ApplicationID != 0 {
			apps[m.ApplicationID] = append(apps[m.ApplicationID], threadMessage{m.ID, m.DuplicateOf, m.FromEmail})
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := loadErr(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("reparse: %w", err)
	}
	appIDs := make([]int64, 0, len(apps))
	for id := range apps {
		appIDs = append(appIDs, id)
	}
	slices.Sort(appIDs)
	for batch := range slices.Chunk(appIDs, 200) {
		err := p.st.InTx(ctx, func(tx *store.Tx) error {
			for _, id := range batch {
				msgs := apps[id]
				slices.SortFunc(msgs, func(a, b threadMessage) int { return cmp.Compare(a.id, b.id) })
				if err := p.rebuild(ctx, tx, id, msgs, results); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("reparse: %w", err)
		}
	}
	return len(ids), nil
}

// reread is one stored message, read and analysed again.
type reread struct {
	m   *store.Message
	raw []byte
	an  Analysis
	err error
}

// analyseStored reads the messages ids and analyses them again, until ctx
// is cancelled; the channel closes when all are done or loading failed,
// and loadErr then says which.
func (p *Pipeline) analyseStored(ctx context.Context, ids []int64) (_ <-chan *reread, loadErr func() error) {
	// One loader (the store has one connection), readers on every core,
	// the caller writing.
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *reread, workers)
	done := make(chan *reread, workers)
	var lerr error
	go func() {
		defer close(jobs)
		for _, id := range ids {
			m, err := p.st.MessageWithRaw(ctx, id, p.cfg.Files)
			if err != nil {
				lerr = fmt.Errorf("reparse: %w", err)
				return
			}
			raw := m.Raw
			m.Raw = nil
			select {
			case jobs <- &reread{m: m, raw: raw}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for l := range jobs {
				// Attachments are already on disk and recorded: hash, don't store.
				l.an, l.err = p.analyze(l.raw, nil)
				l.raw = nil
				select {
				case done <- l:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return done, func() error { return lerr }
}

// reanalysed sets the stored message m from its new analysis an.
func reanalysed(m *store.Message, an *Analysis) {
	report, _ := an.storedReportJSON()
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
}

// threadMessage is what rebuild needs of one message of an application.
type threadMessage struct {
	id, duplicateOf int64
	fromEmail       string
}

// rebuild recomputes an application's facts from its messages (msgs, in
// arrival order).
func (p *Pipeline) rebuild(ctx context.Context, tx *store.Tx, appID int64, msgs []threadMessage,
	results map[int64]store.Applicant) error {
	app, err := tx.ApplicationByID(ctx, appID)
	if err != nil {
		return err
	}
	var fresh store.Applicant
	for _, m := range msgs {
		add, ok := results[m.id]
		if !ok || m.duplicateOf != 0 {
			continue
		}
		if m.id != app.FirstMessageID {
			// As at intake: only the applicant's own mail fills it.
			if !fromApplicant(app, m.fromEmail, add.Email) {
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
}
