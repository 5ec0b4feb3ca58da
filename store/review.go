package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// AutoActor is the audit actor of every change rse-intake makes by itself
// (completeness), as opposed to a coordinator's name.
const AutoActor = "rse-intake"

// autoStatuses are the statuses completeness drives. The intake moves an
// application between them by itself as pieces arrive; above them
// (shortlisted and later) only a coordinator decides.
var autoStatuses = []string{StatusReceived, StatusIncomplete, StatusComplete}

// transitions is the coordinator's workflow: from a status, the statuses a
// coordinator may move an application to. Choices, so that a reader can
// argue with them in one place:
//   - Only a complete application can be shortlisted: shortlisting is
//     comparing files, and an incomplete file cannot be compared. A coordinator
//     who knows a missing piece records it with SetField, completeness then
//     moves the application to complete, and it can be shortlisted.
//   - received/incomplete/complete are never set by hand on a readable
//     application: completeness owns them (SetStatusAuto). The one exception
//     is needs_review, mail the intake could not read: a coordinator who read
//     it says where it stands.
//   - declined is possible before shortlisting, so that an application out
//     of the perimeter (another département) can be answered without
//     pretending it was compared with the others.
//   - Mistakes are undone one step back: shortlisted -> complete,
//     selected -> waitlisted, declined -> shortlisted (an appeal); the
//     decision mail command only mails a decision that changed.
//   - withdrawn is reachable from every status (the applicant's choice) and
//     is final: a new application is a new mail.
var transitions = map[string][]string{
	StatusNeedsReview: {StatusReceived, StatusIncomplete, StatusComplete, StatusDeclined, StatusWithdrawn},
	StatusReceived:    {StatusDeclined, StatusWithdrawn},
	StatusIncomplete:  {StatusDeclined, StatusWithdrawn},
	StatusComplete:    {StatusShortlisted, StatusDeclined, StatusWithdrawn},
	StatusShortlisted: {StatusSelected, StatusWaitlisted, StatusDeclined, StatusComplete, StatusWithdrawn},
	StatusWaitlisted:  {StatusSelected, StatusDeclined, StatusWithdrawn},
	StatusSelected:    {StatusWaitlisted, StatusDeclined, StatusWithdrawn},
	StatusDeclined:    {StatusShortlisted, StatusWithdrawn},
	StatusWithdrawn:   {},
}

// Transitions returns the statuses a coordinator may move an application
// in status from to (a copy: callers may keep it).
func Transitions(from string) []string { return slices.Clone(transitions[from]) }

// IsAutoStatus reports whether completeness, not a coordinator, owns
// status: received, incomplete or complete.
func IsAutoStatus(status string) bool { return slices.Contains(autoStatuses, status) }

// TransitionError is a refused status change; Allowed lists what would
// have been accepted from From.
type TransitionError struct {
	Reference string
	From, To  string
	Allowed   []string
	Auto      bool // refused to the automatic workflow, not to a coordinator
}

func (e *TransitionError) Error() string {
	who := "a coordinator"
	if e.Auto {
		who = "completeness"
	}
	var b strings.Builder
	if e.Reference != "" {
		b.WriteString(e.Reference + ": ")
	}
	if !slices.Contains(Statuses, e.To) {
		fmt.Fprintf(&b, "unknown status %q (statuses: %s)", e.To, strings.Join(Statuses, ", "))
		return b.String()
	}
	fmt.Fprintf(&b, "%s cannot move an application from %q to %q", who, e.From, e.To)
	if len(e.Allowed) == 0 {
		fmt.Fprintf(&b, "; %q is final", e.From)
	} else {
		fmt.Fprintf(&b, "; allowed from %q: %s", e.From, strings.Join(e.Allowed, ", "))
	}
	return b.String()
}

// SetStatusAuto moves a between received, incomplete and complete as
// completeness dictates, and audits the change as rse-intake. Once a
// coordinator has taken the application beyond completeness (shortlisted,
// a decision, withdrawn) its status is no longer completeness's to change:
// the call leaves it as it is and returns nil, so that a late follow-up
// never undoes a decision (the caller still records the new pieces and
// Missing). Setting the status a already has is a no-op, unaudited.
//
// The status is read from the database, not trusted from a, because a may
// have been loaded before another change in the same transaction.
func (tx *Tx) SetStatusAuto(ctx context.Context, a *Application, to string, note string) error {
	var from string
	if err := tx.tx.QueryRowContext(ctx, `SELECT status FROM applications WHERE id = ?`, a.ID).Scan(&from); err != nil {
		return fmt.Errorf("status of application %s: %w", a.Reference, err)
	}
	change, err := autoChange(a, from, to)
	if err != nil || !change {
		return err
	}
	return tx.setStatus(ctx, a, from, to, AutoActor, note)
}

// SetStatusAutoUnwritten is SetStatusAuto for an application whose stored
// status is a.Status (created or read in this transaction, unchanged
// since) and which the caller writes next with UpdateApplication: the
// status is neither read nor written here, only the change audited. The
// writer saves a SELECT and an UPDATE of the row per message this way.
func (tx *Tx) SetStatusAutoUnwritten(ctx context.Context, a *Application, to string, note string) error {
	from := a.Status
	change, err := autoChange(a, from, to)
	if err != nil || !change {
		return err
	}
	a.Status, a.UpdatedAt = to, tx.now
	return tx.auditStatus(ctx, a, from, to, AutoActor, note)
}

// autoChange reports whether completeness may move a from its stored
// status from to to (see SetStatusAuto); when it may not, a.Status is
// set to from.
func autoChange(a *Application, from, to string) (bool, error) {
	if !IsAutoStatus(to) {
		return false, &TransitionError{Reference: a.Reference, From: from, To: to, Allowed: slices.Clone(autoStatuses), Auto: true}
	}
	// needs_review is left by completeness too: a reparse that now reads
	// the mail is as good as a coordinator saying where it stands.
	if (!IsAutoStatus(from) && from != StatusNeedsReview) || from == to {
		a.Status = from
		return false, nil
	}
	return true, nil
}

// setStatus writes a status change and its audit entry.
func (tx *Tx) setStatus(ctx context.Context, a *Application, from, to, by, note string) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE applications SET status = ?, updated_at = ? WHERE id = ?`,
		to, tx.ts(tx.now), a.ID); err != nil {
		return fmt.Errorf("set status of %s to %s: %w", a.Reference, to, err)
	}
	tx.noOpen = nil // its mailbox key is not at hand: KnowOpenApplications' answers are dropped
	a.Status, a.UpdatedAt = to, tx.now
	return tx.auditStatus(ctx, a, from, to, by, note)
}

func (tx *Tx) auditStatus(ctx context.Context, a *Application, from, to, by, note string) error {
	if err := tx.Audit(ctx, a.ID, AuditEntry{Actor: by, Action: "status", Field: "status", From: from, To: to,
		Note: note}); err != nil {
		return fmt.Errorf("status of %s: %w", a.Reference, err)
	}
	return nil
}

// Review is a coordinator's status decision on the application ref,
// checked against transitions; a refusal is a *TransitionError naming the
// allowed statuses. by is who decides, kept in the audit trail.
func (s *Store) Review(ctx context.Context, ref, to, note, by string) (*Application, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, fmt.Errorf("review %s: who decides is required for the audit trail", ref)
	}
	to = strings.ToLower(strings.TrimSpace(to))
	var a *Application
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if a, err = tx.ApplicationByReference(ctx, ref); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		allowed := transitions[a.Status]
		if !slices.Contains(allowed, to) {
			return &TransitionError{Reference: a.Reference, From: a.Status, To: to, Allowed: slices.Clone(allowed)}
		}
		// A decision mail not sent yet speaks of the old status: it must
		// never reach the applicant after the decision changed.
		if _, err := tx.CancelPendingMails(ctx, a.ID, MailDecision, "decision changed before it was sent"); err != nil {
			return err
		}
		return tx.setStatus(ctx, a, a.Status, to, by, strings.TrimSpace(note))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Score bounds: a coordinator's mark out of ten.
const (
	MinScore = 0
	MaxScore = 10
)

// SetScore records a coordinator's mark (0 to 10) on the application ref;
// the shortlist ranks higher marks first.
func (s *Store) SetScore(ctx context.Context, ref string, score int, by string) (*Application, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, fmt.Errorf("score %s: who scores is required for the audit trail", ref)
	}
	if score < MinScore || score > MaxScore {
		return nil, fmt.Errorf("score %s: %d is out of range (%d to %d)", ref, score, MinScore, MaxScore)
	}
	var a *Application
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if a, err = tx.ApplicationByReference(ctx, ref); err != nil {
			return fmt.Errorf("score: %w", err)
		}
		from := ""
		if a.Score != nil {
			from = strconv.Itoa(*a.Score)
		}
		a.Score = &score
		if err := tx.UpdateApplication(ctx, a); err != nil {
			return fmt.Errorf("score: %w", err)
		}
		return tx.Audit(ctx, a.ID, AuditEntry{Actor: by, Action: "score", Field: "score", From: from,
			To: strconv.Itoa(score)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SetNotes replaces the coordinators' notes on the application ref (shown
// in exports); an empty text clears them. The change is audited as "set"
// of the field "notes".
func (s *Store) SetNotes(ctx context.Context, ref, notes, by string) (*Application, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, fmt.Errorf("notes of %s: who writes is required for the audit trail", ref)
	}
	notes = strings.TrimSpace(notes)
	var a *Application
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if a, err = tx.ApplicationByReference(ctx, ref); err != nil {
			return fmt.Errorf("notes: %w", err)
		}
		from := a.Notes
		a.Notes = notes
		if err := tx.UpdateApplication(ctx, a); err != nil {
			return fmt.Errorf("notes: %w", err)
		}
		return tx.Audit(ctx, a.ID, AuditEntry{Actor: by, Action: "set", Field: "notes", From: from, To: notes})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SettableFields are the applicant fields a coordinator may correct.
// siret_valid and siren follow from siret, and forwarded_by records who
// sent the mail: none is a fact a coordinator types in.
var SettableFields = []string{
	"first_name", "last_name", "email", "phone", "company", "role", "siret",
	"postal_code", "commune", "departement", "headcount", "sector", "motivation",
}

// derivedFields are set together with the field they follow from, and
// marked corrected with it so that later mail cannot refill them apart.
var derivedFields = map[string][]string{
	"siret":       {"siret_valid", "siren"},
	"postal_code": {"departement"},
}

// FieldError is a correction refused because of what was typed (an
// unknown or derived field, a value that is not a SIRET…), as opposed to
// a failure of the store: the CLI reports it as a usage error.
type FieldError struct {
	Reference, Field string
	Err              error
}

func (e *FieldError) Error() string { return fmt.Sprintf("set %s %s: %v", e.Reference, e.Field, e.Err) }

func (e *FieldError) Unwrap() error { return e.Err }

// SetField corrects one applicant field of the application ref (see
// SetFieldThen).
func (s *Store) SetField(ctx context.Context, ref, field, value, by string) (*Application, error) {
	return s.SetFieldThen(ctx, ref, field, value, by, nil)
}

// SetFieldThen corrects one applicant field of the application ref: the
// value is checked and normalised (SIRET digits with its Luhn check and
// SIREN, a postal code with its département, a French phone in E.164), the
// field is marked corrected so that later mail never overwrites it, and
// each change is audited as "set" by by. An empty value clears the field.
//
// then, when not nil, runs in the same transaction after the change and
// before it is written: the place for the caller to recompute completeness
// (a.Missing, then tx.SetStatusAuto), which this package cannot do because
// the required fields are configuration. Whatever then changes in a is
// written too.
func (s *Store) SetFieldThen(ctx context.Context, ref, field, value, by string,
	then func(ctx context.Context, tx *Tx, a *Application) error) (*Application, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return nil, fmt.Errorf("set %s %s: who corrects is required for the audit trail", ref, field)
	}
	if !slices.Contains(SettableFields, field) {
		return nil, &FieldError{Reference: ref, Field: field, Err: fmt.Errorf("cannot be set (fields: %s)",
			strings.Join(SettableFields, ", "))}
	}
	var a *Application
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		if a, err = tx.ApplicationByReference(ctx, ref); err != nil {
			return fmt.Errorf("set %s: %w", field, err)
		}
		changed := append([]string{field}, derivedFields[field]...)
		before := make(map[string]string, len(changed))
		for _, f := range changed {
			before[f], _ = a.Field(f)
		}
		if err := a.Applicant.Correct(field, value); err != nil {
			return &FieldError{Reference: a.Reference, Field: field, Err: err}
		}
		for _, f := range changed {
			if !slices.Contains(a.Corrected, f) {
				a.Corrected = append(a.Corrected, f)
			}
		}
		if then != nil {
			if err := then(ctx, tx, a); err != nil {
				return fmt.Errorf("set %s %s: %w", a.Reference, field, err)
			}
		}
		if err := tx.UpdateApplication(ctx, a); err != nil {
			return fmt.Errorf("set %s: %w", field, err)
		}
		for _, f := range changed {
			after, _ := a.Field(f)
			if f != field && after == before[f] {
				continue // a derived field that did not move is no news
			}
			note := ""
			if f != field {
				note = "from " + field
			}
			if err := tx.Audit(ctx, a.ID, AuditEntry{Actor: by, Action: "set", Field: f, From: before[f],
				To: after, Note: note}); err != nil {
				return fmt.Errorf("set %s: %w", field, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
