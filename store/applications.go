package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// Application statuses.
const (
	StatusReceived    = "received"
	StatusIncomplete  = "incomplete"
	StatusComplete    = "complete"
	StatusShortlisted = "shortlisted"
	StatusSelected    = "selected"
	StatusWaitlisted  = "waitlisted"
	StatusDeclined    = "declined"
	StatusWithdrawn   = "withdrawn"
	StatusNeedsReview = "needs_review"
)

// Statuses lists every application status in workflow order.
var Statuses = []string{StatusReceived, StatusIncomplete, StatusComplete, StatusShortlisted,
	StatusSelected, StatusWaitlisted, StatusDeclined, StatusWithdrawn, StatusNeedsReview}

// Missing is one piece an application lacks, with why when it is present
// but unusable (an invalid SIRET).
type Missing struct {
	Field  string `json:"field"`
	Reason string `json:"reason,omitempty"`
}

// Application is one candidature, built from one or more messages.
type Application struct {
	ID                  int64
	Reference           string
	Year, Seq           int
	Status              string
	FirstMessageID      int64
	ReceivedAt          time.Time
	UpdatedAt           time.Time
	Applicant                     // extracted, then filled by follow-ups and corrected by coordinators
	Corrected           []string  // fields a coordinator set: later mail never overwrites them
	Missing             []Missing // what completeness found lacking
	Score               *int
	PossibleDuplicateOf string // reference of an earlier application that looks the same
	DecisionNotified    string // last decision status the applicant was mailed about
	Notes               string
}

// CorrectedSet returns Corrected as a set.
func (a *Application) CorrectedSet() map[string]bool {
	m := make(map[string]bool, len(a.Corrected))
	for _, f := range a.Corrected {
		m[f] = true
	}
	return m
}

// Complete reports whether nothing is missing.
func (a *Application) Complete() bool { return len(a.Missing) == 0 }

const applicationCols = `id, reference, year, seq, status, first_message_id, received_at, updated_at,
	coalesce(first_name, ''), coalesce(last_name, ''), coalesce(email, ''), coalesce(phone, ''),
	coalesce(company, ''), coalesce(role, ''), coalesce(siret, ''), siret_valid, coalesce(siren, ''),
	coalesce(postal_code, ''), coalesce(commune, ''), coalesce(departement, ''), headcount,
	coalesce(sector, ''), coalesce(motivation, ''), coalesce(forwarded_by, ''), corrected, missing, score,
	coalesce(possible_duplicate_of, ''), coalesce(decision_notified, ''), coalesce(notes, ''), evidence`

func scanApplication(r scanner) (*Application, error) {
	var a Application
	var received, updated, corrected, missing, evidence string
	var siretValid sql.NullBool
	var headcount, score sql.NullInt64
	if err := r.Scan(&a.ID, &a.Reference, &a.Year, &a.Seq, &a.Status, &a.FirstMessageID, &received, &updated,
		&a.FirstName, &a.LastName, &a.Email, &a.Phone, &a.Company, &a.Role, &a.Siret, &siretValid, &a.Siren,
		&a.PostalCode, &a.Commune, &a.Departement, &headcount, &a.Sector, &a.Motivation, &a.ForwardedBy,
		&corrected, &missing, &score, &a.PossibleDuplicateOf, &a.DecisionNotified, &a.Notes, &evidence); err != nil {
		return nil, err
	}
	a.ReceivedAt, a.UpdatedAt = parseTS(received), parseTS(updated)
	if siretValid.Valid {
		v := siretValid.Bool
		a.SiretValid = &v
	}
	if headcount.Valid {
		v := int(headcount.Int64)
		a.Headcount = &v
	}
	if score.Valid {
		v := int(score.Int64)
		a.Score = &v
	}
	if err := json.Unmarshal([]byte(corrected), &a.Corrected); err != nil {
		return nil, fmt.Errorf("application %s corrected: %w", a.Reference, err)
	}
	if err := json.Unmarshal([]byte(missing), &a.Missing); err != nil {
		return nil, fmt.Errorf("application %s missing: %w", a.Reference, err)
	}
	if err := json.Unmarshal([]byte(evidence), &a.Evidence); err != nil {
		return nil, fmt.Errorf("application %s evidence: %w", a.Reference, err)
	}
	if len(a.Evidence) == 0 {
		a.Evidence = nil
	}
	return &a, nil
}

// CreateApplication stores a new application and gives it the next
// reference of its year: PREFIX-YYYY-NNNN.
func (tx *Tx) CreateApplication(ctx context.Context, a *Application, prefix string, year int) error {
	cleanApplicant(&a.Applicant)
	return tx.CreateCleanApplication(ctx, a, prefix, year, nil)
}

// CreateCleanApplication is CreateApplication for an application whose
// applicant CleanApplicant has cleaned, unchanged since: the writer reads
// the cleaned fields first (see intake's createApplication), and a long
// motivation was cleaned twice. evidence, when not nil, is a.Evidence as
// applicant.AppendEvidence(nil, a.Evidence, nil) encodes it, stored as
// given: the writer has it in the message's report already.
func (tx *Tx) CreateCleanApplication(ctx context.Context, a *Application, prefix string, year int, evidence []byte) error {
	if err := tx.nextReference(ctx, a, prefix, year); err != nil {
		return err
	}
	args, err := applicationArgs(a, evidence)
	if err != nil {
		return err
	}
	query := applicationInsert + applicationRest
	if len(a.Corrected) == 0 && a.Score == nil && a.PossibleDuplicateOf == "" && a.DecisionNotified == "" && a.Notes == "" {
		query, args = applicationInsert+applicationNewRest, args[:len(args)-applicationLater]
	}
	return tx.insertApplication(ctx, a, query, args)
}

// applicationInsert and one of its two ends store an application:
// applicationRest binds the last applicationLater columns,
// applicationNewRest writes them as a new application has them (nothing
// corrected, scored, found alike, decided or noted). SQLite takes the
// connection's lock and the driver copies each argument it binds, one by
// one.
const (
	applicationInsert = `INSERT INTO applications (reference, year, seq, status, first_message_id,
		received_at, updated_at, first_name, last_name, email, phone, company, role, siret, siret_valid, siren,
		postal_code, commune, departement, headcount, sector, motivation, forwarded_by, missing, name_key,
		mailbox_key, evidence, corrected, score, possible_duplicate_of, decision_notified, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), `
	applicationRest    = `?, ?, ?, ?, ?)`
	applicationNewRest = `'[]', NULL, NULL, NULL, NULL)`
	applicationLater   = 5
)

// nextReference gives a the next reference of year, and its dates.
func (tx *Tx) nextReference(ctx context.Context, a *Application, prefix string, year int) error {
	if seq, ok := tx.nextSeq[year]; ok {
		a.Seq = seq
	} else if err := tx.tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM applications WHERE year = ?`,
		year).Scan(&a.Seq); err != nil {
		return fmt.Errorf("next reference: %w", err)
	}
	a.Year = year
	a.Reference = fmt.Sprintf("%s-%d-%04d", prefix, year, a.Seq)
	if a.ReceivedAt.IsZero() {
		a.ReceivedAt = tx.now
	}
	a.UpdatedAt = tx.now
	return nil
}

// insertApplication runs query, an INSERT taking the reference, year,
// seq, status, first message and dates, then args.
func (tx *Tx) insertApplication(ctx context.Context, a *Application, query string, args []any) error {
	res, err := tx.tx.ExecContext(ctx, query,
		append([]any{a.Reference, int64(a.Year), int64(a.Seq), a.Status, a.FirstMessageID, tx.ts(a.ReceivedAt), tx.ts(a.UpdatedAt)},
			args...)...)
	if err != nil {
		return fmt.Errorf("create application %s: %w", a.Reference, err)
	}
	a.ID, _ = res.LastInsertId()
	tx.wroteApplication(a.Email)
	if tx.nextSeq == nil {
		tx.nextSeq = map[int]int{}
	}
	tx.nextSeq[a.Year] = a.Seq + 1
	return nil
}

// applicationArgs are a's fields as written, its applicant already
// cleaned; evidence is its evidence encoded (see CreateCleanApplication),
// nil to encode it here. The evidence is given as bytes, which the
// statements store as text (CAST, see InsertMessage's parsed). The last
// applicationLater are those a new application has at constant values.
func applicationArgs(a *Application, evidence []byte) ([]any, error) {
	corrected, err := jsonList(a.Corrected)
	if err != nil {
		return nil, fmt.Errorf("application %s: %w", a.Reference, err)
	}
	miss, err := jsonList(a.Missing)
	if err != nil {
		return nil, fmt.Errorf("application %s: %w", a.Reference, err)
	}
	ev := evidence
	if ev == nil {
		ev = applicant.AppendEvidence(nil, a.Evidence, nil)
	}
	var siretValid, headcount, score any
	if a.SiretValid != nil {
		siretValid = *a.SiretValid
	}
	// int64, not int: database/sql converts any other integer type by
	// reflection, boxing it again.
	if a.Headcount != nil {
		headcount = int64(*a.Headcount)
	}
	if a.Score != nil {
		score = int64(*a.Score)
	}
	return []any{nullStr(a.FirstName), nullStr(a.LastName), nullStr(a.Email), nullStr(a.Phone),
		nullStr(a.Company), nullStr(a.Role), nullStr(a.Siret), siretValid, nullStr(a.Siren),
		nullStr(a.PostalCode), nullStr(a.Commune), nullStr(a.Departement), headcount, nullStr(a.Sector),
		nullStr(a.Motivation), nullStr(a.ForwardedBy), miss, nullStr(NameKey(&a.Applicant)),
		nullStr(AddressKey(a.Email)), ev, corrected, score,
		nullStr(a.PossibleDuplicateOf), nullStr(a.DecisionNotified), nullStr(a.Notes)}, nil
}

// UpdateApplication writes every field of a back (status changes should go
// through the workflow so that they are audited).
func (tx *Tx) UpdateApplication(ctx context.Context, a *Application) error {
	return tx.updateApplication(ctx, a, updateApplicationSet+` WHERE id = ?`)
}

// updateApplicationSet sets the status, updated_at and applicationArgs'
// columns, in their order.
const updateApplicationSet = `UPDATE applications SET status = ?, updated_at = ?,
	first_name = ?, last_name = ?, email = ?, phone = ?, company = ?, role = ?, siret = ?, siret_valid = ?,
	siren = ?, postal_code = ?, commune = ?, departement = ?, headcount = ?, sector = ?, motivation = ?,
	forwarded_by = ?, missing = ?, name_key = ?, mailbox_key = ?, evidence = CAST(? AS TEXT), corrected = ?,
	score = ?, possible_duplicate_of = ?, decision_notified = ?, notes = ?`

// updateApplication runs query, an UPDATE taking the status, updated_at,
// applicationArgs, then extra, then the id.
func (tx *Tx) updateApplication(ctx context.Context, a *Application, query string, extra ...any) error {
	a.UpdatedAt = tx.now
	cleanApplicant(&a.Applicant)
	args, err := applicationArgs(a, nil)
	if err != nil {
		return err
	}
	all := make([]any, 0, 2+len(args)+len(extra)+1)
	all = append(append(append(append(all, a.Status, tx.ts(a.UpdatedAt)), args...), extra...), a.ID)
	if _, err := tx.tx.ExecContext(ctx, query, all...); err != nil {
		return fmt.Errorf("update application %s: %w", a.Reference, err)
	}
	tx.wroteApplication(a.Email)
	return nil
}

// Application returns the application with reference ref (any case).
func (s *Store) Application(ctx context.Context, ref string) (*Application, error) {
	return applicationBy(ctx, s.db, "reference = ?", strings.ToUpper(strings.TrimSpace(ref)))
}

// ApplicationByReference is Application inside a transaction.
func (tx *Tx) ApplicationByReference(ctx context.Context, ref string) (*Application, error) {
	return applicationBy(ctx, tx.tx, "reference = ?", strings.ToUpper(strings.TrimSpace(ref)))
}

// ApplicationByID returns one application by id inside a transaction.
func (tx *Tx) ApplicationByID(ctx context.Context, id int64) (*Application, error) {
	return applicationBy(ctx, tx.tx, "id = ?", id)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func applicationBy(ctx context.Context, q querier, where string, arg any) (*Application, error) {
	a, err := scanApplication(q.QueryRowContext(ctx, `SELECT `+applicationCols+` FROM applications WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("application %v: %w", arg, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("application %v: %w", arg, err)
	}
	return a, nil
}

// Applications lists applications in arrival order, only those in one of
// statuses when any is given.
func (s *Store) Applications(ctx context.Context, statuses ...string) ([]*Application, error) {
	return listApplications(ctx, s.db, statuses)
}

// Applications is Store.Applications inside a transaction.
func (tx *Tx) Applications(ctx context.Context, statuses ...string) ([]*Application, error) {
	return listApplications(ctx, tx.tx, statuses)
}

func listApplications(ctx context.Context, q querier, statuses []string) ([]*Application, error) {
	query := `SELECT ` + applicationCols + ` FROM applications`
	var args []any
	if len(statuses) > 0 {
		query += ` WHERE status IN (?` + strings.Repeat(",?", len(statuses)-1) + `)`
		for _, s := range statuses {
			args = append(args, s)
		}
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY received_at, id`, args...)
	return collect(rows, err, "list applications", scanApplication)
}

// KnowOpenApplications asks once, for a batch of messages about to be
// stored, which of the mailboxes of addrs (any spelling, see AddressKey)
// have no open application (received or incomplete) at all:
// OpenApplicationFrom then answers nil for them without a query, until
// the transaction writes an application of that mailbox.
func (tx *Tx) KnowOpenApplications(ctx context.Context, addrs []string) error {
	if tx.noOpen == nil {
		tx.noOpen = map[string]bool{}
	}
	args := make([]any, 0, len(addrs))
	asked := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		key := AddressKey(a)
		if key == "" || asked[key] || tx.noOpen[key] {
			continue
		}
		asked[key] = true
		args = append(args, key)
	}
	if len(args) == 0 {
		return nil
	}
	args = padArgs(args)
	rows, err := tx.tx.QueryContext(ctx, `SELECT DISTINCT mailbox_key FROM applications
		WHERE mailbox_key IN (?`+strings.Repeat(",?", len(args)-1)+`) AND status IN ('received', 'incomplete')`, args...)
	if err != nil {
		return fmt.Errorf("open applications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return fmt.Errorf("open applications: %w", err)
		}
		delete(asked, key)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("open applications: %w", err)
	}
	for key := range asked {
		tx.noOpen[key] = true
	}
	return nil
}

// wroteApplication notes that the transaction wrote an application of
// email's mailbox (see KnowOpenApplications).
func (tx *Tx) wroteApplication(email string) {
	if tx.noOpen != nil {
		delete(tx.noOpen, AddressKey(email))
	}
}

// OpenApplicationFrom returns the newest application from email's
// mailbox (any spelling, see AddressKey), received since, that is still
// waiting for pieces (received or incomplete); nil when there is none.
func (tx *Tx) OpenApplicationFrom(ctx context.Context, email string, since time.Time) (*Application, error) {
	key := AddressKey(email)
	if tx.noOpen[key] {
		return nil, nil
	}
	// The writer asks this for most messages it stores, and most find
	// none: only the id is looked for, since the driver allocates the name
	// of each column a query has, row or no row.
	var id int64
	err := tx.tx.QueryRowContext(ctx, `SELECT id FROM applications
		WHERE mailbox_key = ? AND received_at >= ? AND status IN ('received', 'incomplete')
		ORDER BY id DESC LIMIT 1`, key, ts(since)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open application from %s: %w", email, err)
	}
	return tx.ApplicationByID(ctx, id)
}

// FindLookalike returns the reference of the earliest other application
// with the same SIRET, phone, or normalised name and company (see
// NameKey), for a coordinator to decide on; "" when none. Only the
// reference is read: the writer asks this for every new application.
func (tx *Tx) FindLookalike(ctx context.Context, a *Application) (string, error) {
	key := NameKey(&a.Applicant)
	if a.Siret == "" && a.Phone == "" && key == "" {
		return "", nil
	}
	var ref string
	// The earliest as min(id), not ORDER BY id LIMIT 1: SQLite would sort
	// what the three indexes find in a temporary b-tree, opened and freed
	// for every new application.
	err := tx.tx.QueryRowContext(ctx, `SELECT reference FROM applications WHERE id = (SELECT min(id) FROM applications
		WHERE id <> ? AND status <> 'needs_review'
		  AND (siret = ? OR phone = ? OR name_key = ?))`, a.ID, nullStr(a.Siret), nullStr(a.Phone), nullStr(key)).Scan(&ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find look-alike of %s: %w", a.Reference, err)
	}
	return ref, nil
}
