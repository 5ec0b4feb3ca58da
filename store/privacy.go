package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Person is everything the store holds about one e-mail address: the
// answer to a right-of-access request, and what Forget removes.
type Person struct {
	Email        string
	Applications []*Application // whose applicant address is Email
	// Messages are the stored mails not part of one of Applications that
	// come from the address or mention it (a bounce, an auto-reply, a
	// forward nobody turned into an application).
	Messages []*Message
	// Mails are the outbox rows sent to the address, about its
	// applications or messages, or mentioning it (a digest).
	Mails []*OutboxMail
	// Kept lists what mentions the address but belongs to someone else's
	// application (a forward of two applications, say): Forget leaves it,
	// for a person to judge.
	Kept []string

	appIDs []int64
	msgIDs []int64 // every message to erase: those of Applications and Messages
}

// Empty reports whether nothing is held about the address.
func (p *Person) Empty() bool {
	return len(p.Applications) == 0 && len(p.Messages) == 0 && len(p.Mails) == 0
}

// Person gathers what the store holds about email.
func (s *Store) Person(ctx context.Context, email string, files Files) (*Person, error) {
	return findPerson(ctx, s.db, email, files)
}

// findPerson is Person within q; files is the attachments folder, where
// large mail is kept.
func findPerson(ctx context.Context, q querier, email string, files Files) (*Person, error) {
	key := AddressKey(email)
	if key == "" || !strings.Contains(key, "@") {
		return nil, fmt.Errorf("person: %q is not an e-mail address", email)
	}
	p := &Person{Email: key}
	apps, err := listApplications(ctx, q, nil)
	if err != nil {
		return nil, fmt.Errorf("person: %w", err)
	}
	refs := map[int64]string{}
	for _, a := range apps {
		refs[a.ID] = a.Reference
		if AddressKey(a.Email) == key {
			p.Applications = append(p.Applications, a)
			p.appIDs = append(p.appIDs, a.ID)
		}
	}
	addrNeedles, err := addressSpellings(ctx, q, key, p.Applications)
	if err != nil {
		return nil, err
	}
	if err := p.findMessages(ctx, q, refs, addrNeedles, files); err != nil {
		return nil, err
	}
	// In automatic mails (a coordinators' digest), the person is also
	// named by their name and phone as their own applications give them.
	needles := slices.Clone(addrNeedles)
	for _, a := range p.Applications {
		if a.FirstName != "" && a.LastName != "" {
			needles = append(needles, bytes.ToLower([]byte(a.FirstName+" "+a.LastName)))
		}
		if len(a.Phone) >= 8 {
			needles = append(needles, []byte(a.Phone))
		}
	}
	mails, err := listOutbox(ctx, q, "person: outbox", `ORDER BY o.id`)
	if err != nil {
		return nil, err
	}
	for _, m := range mails {
		text := bytes.ToLower([]byte(m.Recipient + "\n" + m.RecipientName + "\n" + m.Subject + "\n" +
			m.BodyText + "\n" + m.BodyHTML))
		if slices.Contains(p.appIDs, m.ApplicationID) || slices.Contains(p.msgIDs, m.MessageID) ||
			AddressKey(m.Recipient) == key || containsAny(text, needles) {
			p.Mails = append(p.Mails, m)
		}
	}
	return p, nil
}

// addressSpellings returns the spellings of the address key (one mailbox
// may be written several ways: case, +tag, Gmail dots) as they appear in
// apps and stored mail, lowercase, to find it quoted in mail that is not
// from it.
func addressSpellings(ctx context.Context, q querier, key string, apps []*Application) ([][]byte, error) {
	spellings := map[string]bool{key: true}
	for _, a := range apps {
		spellings[strings.ToLower(strings.TrimSpace(a.Email))] = true
	}
	froms, err := q.QueryContext(ctx, `SELECT DISTINCT lower(from_email) FROM messages WHERE from_email IS NOT NULL`)
	fromList, err := collect(froms, err, "person: senders", scanString)
	if err != nil {
		return nil, err
	}
	for _, f := range fromList {
		if AddressKey(f) == key {
			spellings[f] = true
		}
	}
	var addrNeedles [][]byte
	for sp := range spellings {
		addrNeedles = append(addrNeedles, []byte(sp))
	}
	return addrNeedles, nil
}

// findMessages adds to p the stored messages of its applications and
// the unlinked ones from or mentioning the address (addrNeedles), and
// notes in Kept those of other applications (refs: reference by id) that
// mention it. Raw mail is read row by row: an address can hide anywhere in
// it (Cc, a quoted reply, a forwarded block), so every message is looked at,
// its raw bytes and its decoded text (files.Text) alike.
func (p *Person) findMessages(ctx context.Context, q querier, refs map[int64]string, addrNeedles [][]byte,
	files Files) error {
	rows, err := q.QueryContext(ctx, `SELECT id, coalesce(application_id, 0), coalesce(from_email, ''), raw, parsed,
		raw_in_files, sha256 FROM messages ORDER BY id`)
	if err != nil {
		return fmt.Errorf("person: messages: %w", err)
	}
	var unlinked []int64
	for rows.Next() {
		var id, appID int64
		var from, sha string
		var raw, parsed []byte
		var inFiles bool
		if err := rows.Scan(&id, &appID, &from, &raw, &parsed, &inFiles, &sha); err != nil {
			rows.Close()
			return fmt.Errorf("person: messages: %w", err)
		}
		mine := slices.Contains(p.appIDs, appID)
		if mine {
			p.msgIDs = append(p.msgIDs, id)
			continue
		}
		if inFiles {
			if raw, err = files.ReadRaw(sha); err != nil {
				rows.Close()
				return fmt.Errorf("person: message %d: %w", id, err)
			}
		}
		about := AddressKey(from) == p.Email || containsAny(bytes.ToLower(raw), addrNeedles) ||
			containsAny(bytes.ToLower(parsed), addrNeedles) ||
			(files.Text != nil && containsAny(bytes.ToLower([]byte(files.Text(raw))), addrNeedles))
		switch {
		case !about:
		case appID == 0:
			unlinked = append(unlinked, id)
			p.msgIDs = append(p.msgIDs, id)
		default:
			p.Kept = append(p.Kept, fmt.Sprintf("message %d of application %s mentions %s", id, refs[appID], p.Email))
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("person: messages: %w", err)
	}
	rows.Close()
	for _, id := range unlinked {
		m, err := scanMessage(q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages WHERE id = ?`, id))
		if err != nil {
			return fmt.Errorf("person: message %d: %w", id, err)
		}
		p.Messages = append(p.Messages, m)
	}
	return nil
}

func containsAny(b []byte, needles [][]byte) bool {
	for _, n := range needles {
		if len(n) > 0 && bytes.Contains(b, n) {
			return true
		}
	}
	return false
}

// Erasure says what Forget or Purge removed (or, dry, would remove).
type Erasure struct {
	Applications []string `json:"applications"` // references
	Messages     int      `json:"messages"`     // stored mails, raw bytes included
	Mails        int      `json:"mails"`        // outbox rows
	Attachments  int      `json:"attachments"`  // attachment records
	Files        int      `json:"files"`        // attachment files deleted from disk
	SharedFiles  int      `json:"shared_files"` // files kept because another message has them
	Kept         []string `json:"kept,omitempty"`
}

// Forget erases what the store holds about email: its applications with
// their history, the raw mails, the attachment files no other message
// shares, and the outbox rows to or about the address. One line per
// application stays in the register of erasures, without personal data.
// Afterwards the database is compacted (see Compact) so that the erased
// bytes leave the file, not just the tables.
func (s *Store) Forget(ctx context.Context, email, by string, files Files) (*Erasure, error) {
	var er *Erasure
	var shas []string
	err := s.InTx(ctx, func(tx *Tx) error {
		p, err := findPerson(ctx, tx.tx, email, files)
		if err != nil {
			return err
		}
		var mailIDs []int64
		for _, m := range p.Mails {
			mailIDs = append(mailIDs, m.ID)
		}
		er, shas, err = tx.erase(ctx, p.appIDs, p.msgIDs, mailIDs)
		if err != nil {
			return fmt.Errorf("forget %s: %w", p.Email, err)
		}
		er.Kept = p.Kept
		return tx.register(ctx, er, "request", "on request", by)
	})
	if err != nil {
		return nil, err
	}
	if err := s.removeFiles(ctx, files, shas, er); err != nil {
		return er, err
	}
	if err := s.Compact(ctx); err != nil {
		return er, err
	}
	return er, nil
}

// register writes the lines of the register of erasures for er.
// reason is "request" or "retention"; how says it in the note.
func (tx *Tx) register(ctx context.Context, er *Erasure, reason, how, by string) error {
	add := func(ref, note string) error {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO erasures (at, actor, reason, reference, note)
			VALUES (?, ?, ?, ?, ?)`, ts(tx.now), by, reason, nullStr(ref), note); err != nil {
			return fmt.Errorf("register erasure: %w", err)
		}
		return nil
	}
	for _, ref := range er.Applications {
		if err := add(ref, fmt.Sprintf("application %s erased %s, by %s", ref, how, by)); err != nil {
			return err
		}
	}
	if len(er.Applications) == 0 && (er.Messages > 0 || er.Mails > 0) {
		return add("", fmt.Sprintf("%d messages and %d outgoing mails erased %s, by %s", er.Messages, er.Mails, how, by))
	}
	return nil
}

// erase deletes applications, messages and outbox rows by id, with what
// hangs on them (history, attachment records), and returns the sha256 of
// the files whose records went (attachments, mail kept as a file), for
// removeFiles.
func (tx *Tx) erase(ctx context.Context, appIDs, msgIDs, mailIDs []int64) (*Erasure, []string, error) {
	// Ids and seqs of what is deleted could be the highest known.
	tx.lastMessageID, tx.nextSeq = 0, nil
	refs, err := tx.references(ctx, appIDs)
	if err != nil {
		return nil, nil, err
	}
	er := &Erasure{Applications: refs}
	exec := func(what, query string, ids []int64) (int64, error) {
		var n int64
		for _, id := range ids {
			res, err := tx.tx.ExecContext(ctx, query, id)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", what, err)
			}
			k, _ := res.RowsAffected()
			n += k
		}
		return n, nil
	}
	// Outbox rows of the messages and applications go too, even those the
	// finder did not list (a caller may pass ids alone).
	rows, err := tx.tx.QueryContext(ctx, `SELECT id FROM outbox WHERE id IN (`+idList(mailIDs)+`)
		OR message_id IN (`+idList(msgIDs)+`) OR application_id IN (`+idList(appIDs)+`)`)
	allMails, err := collect(rows, err, "erase mails", scanID)
	if err != nil {
		return nil, nil, err
	}
	// Rows of other tables that point at what goes, first (foreign keys).
	if err := tx.eraseSessionMails(ctx, appIDs, allMails); err != nil {
		return nil, nil, err
	}
	n, err := exec("erase mails", `DELETE FROM outbox WHERE id = ?`, allMails)
	if err != nil {
		return nil, nil, err
	}
	er.Mails = int(n)

	shas, err := tx.filesOf(ctx, appIDs, msgIDs)
	if err != nil {
		return nil, nil, err
	}
	a1, err := exec("erase attachments", `DELETE FROM attachments WHERE message_id = ?`, msgIDs)
	if err != nil {
		return nil, nil, err
	}
	// What is left of an erased application's attachments belongs to
	// messages that stay: their records stay with them (a large mail's
	// raw file may refer to the attachment files, see WriteRaw).
	if _, err := exec("erase attachments", `UPDATE attachments SET application_id = NULL WHERE application_id = ?`, appIDs); err != nil {
		return nil, nil, err
	}
	er.Attachments = int(a1)
	if _, err := exec("erase history", `DELETE FROM audit WHERE application_id = ?`, appIDs); err != nil {
		return nil, nil, err
	}
	// Applications and messages point at each other (first_message_id,
	// application_id): unlink, then delete both sides.
	if _, err := exec("erase messages", `UPDATE messages SET application_id = NULL, duplicate_of = NULL WHERE id = ?`, msgIDs); err != nil {
		return nil, nil, err
	}
	if _, err := exec("erase messages", `UPDATE messages SET duplicate_of = NULL WHERE duplicate_of = ?`, msgIDs); err != nil {
		return nil, nil, err
	}
	if _, err := exec("erase messages", `UPDATE messages SET application_id = NULL WHERE application_id = ?`, appIDs); err != nil {
		return nil, nil, err
	}
	for _, ref := range er.Applications {
		if _, err := tx.tx.ExecContext(ctx, `UPDATE applications SET possible_duplicate_of = NULL
			WHERE possible_duplicate_of = ?`, ref); err != nil {
			return nil, nil, fmt.Errorf("erase applications: %w", err)
		}
	}
	if _, err := exec("erase applications", `DELETE FROM applications WHERE id = ?`, appIDs); err != nil {
		return nil, nil, err
	}
	m, err := exec("erase messages", `DELETE FROM messages WHERE id = ?`, msgIDs)
	if err != nil {
		return nil, nil, err
	}
	er.Messages = int(m)
	return er, shas, nil
}

// filesOf returns the sha256 of the files of the attachments folder that
// the messages msgIDs and applications appIDs name: their attachments,
// and the messages kept as files.
func (tx *Tx) filesOf(ctx context.Context, appIDs, msgIDs []int64) ([]string, error) {
	var shas []string
	for _, q := range []struct {
		query string
		ids   []int64
	}{
		{`SELECT sha256 FROM attachments WHERE message_id = ? AND stored = 1`, msgIDs},
		{`SELECT sha256 FROM attachments WHERE application_id = ? AND stored = 1`, appIDs},
		{`SELECT sha256 FROM messages WHERE id = ? AND raw_in_files = 1`, msgIDs},
	} {
		for _, id := range q.ids {
			rows, err := tx.tx.QueryContext(ctx, q.query, id)
			got, err := collect(rows, err, "erase files", scanString)
			if err != nil {
				return nil, err
			}
			shas = append(shas, got...)
		}
	}
	return shas, nil
}

// eraseSessionMails forgets the session reminders planned for or sent to
// the erased applications. A table added later that refers to
// applications, messages or outbox mails is cleaned up beside it.
func (tx *Tx) eraseSessionMails(ctx context.Context, appIDs, mailIDs []int64) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM session_mails WHERE application_id IN (`+idList(appIDs)+`)
		OR outbox_id IN (`+idList(mailIDs)+`)`); err != nil {
		return fmt.Errorf("erase session reminders: %w", err)
	}
	return nil
}

// RemoveUnnamedFiles deletes the files shas of the attachments folder
// that no stored message or attachment names: written by a reader for a
// message the writer then did not store (it was stored already).
func (s *Store) RemoveUnnamedFiles(ctx context.Context, files Files, shas []string) error {
	return s.removeFiles(ctx, files, shas, &Erasure{})
}

// removeFiles deletes the attachment files (and large raw mail) whose
// last record went.
func (s *Store) removeFiles(ctx context.Context, files Files, shas []string, er *Erasure) error {
	slices.Sort(shas)
	shas = slices.Compact(shas)
	for _, sha := range shas {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM attachments WHERE sha256 = ? AND stored = 1)
			+ (SELECT count(*) FROM messages WHERE sha256 = ? AND raw_in_files = 1)`,
			sha, sha).Scan(&n); err != nil {
			return fmt.Errorf("erase attachment files: %w", err)
		}
		if n > 0 {
			er.SharedFiles++
			continue
		}
		if files.Dir == "" {
			continue
		}
		err := os.Remove(files.Path(sha))
		switch {
		case err == nil:
			er.Files++
		case os.IsNotExist(err):
		default:
			return fmt.Errorf("erase attachment file: %w", err)
		}
	}
	return nil
}

// Compact makes deleted rows leave the database file: with secure_delete
// on (see openNoMigrate) freed pages are zeroed; the write-ahead log,
// which still holds the pages as they were, is checkpointed and
// truncated; VACUUM rewrites the file without free pages.
func (s *Store) Compact(ctx context.Context) error {
	if err := s.checkpoint(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("compact database: %w", err)
	}
	return s.checkpoint(ctx)
}

func (s *Store) checkpoint(ctx context.Context) error {
	defer s.wal.hold()()
	var busy, logFrames, done int
	if err := s.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint database: %w", err)
	}
	if busy != 0 {
		return ErrWALBusy
	}
	return nil
}

// ErrWALBusy is returned when another process (the daemon) kept the
// write-ahead log from being emptied: erased bytes may stay in it until
// its next checkpoint; running the command again when idle finishes it.
var ErrWALBusy = errors.New("checkpoint database: another process is reading it, the write-ahead log may still hold erased data until its next checkpoint (run the command again)")

// Erasures lists the register of erasures, oldest first.
func (s *Store) Erasures(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, note FROM erasures ORDER BY id`)
	return collect(rows, err, "erasures", func(r scanner) (string, error) {
		var at, note string
		err := r.Scan(&at, &note)
		return at[:10] + " " + note, err
	})
}
