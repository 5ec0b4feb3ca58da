package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Attachment is the metadata of one attachment of a stored message.
type Attachment struct {
	ID            int64  `json:"-"`
	MessageID     int64  `json:"-"`
	ApplicationID int64  `json:"-"`
	Position      int    `json:"-"`
	Filename      string `json:"filename"`
	ContentType   string `json:"content_type"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
	Stored        bool   `json:"stored"`
	Refused       string `json:"refused,omitempty"` // why it was not kept, in French
	Inline        bool   `json:"inline,omitempty"`
	// Risky marks a type commonly used to carry malware (RiskyAttachment),
	// worked out from the name and type whenever it is read.
	Risky bool `json:"risky"`
}

// InsertAttachment records an attachment's metadata.
func (tx *Tx) InsertAttachment(ctx context.Context, a *Attachment) error {
	a.Risky = RiskyAttachment(a.Filename, a.ContentType)
	if a.Risky {
		a.Inline = false // an HTML or SVG part is never displayed as part of a mail
	}
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO attachments
		(message_id, application_id, position, filename, content_type, size, sha256, stored, refused, inline)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.MessageID, nullID(a.ApplicationID), a.Position, a.Filename,
		a.ContentType, a.Size, a.SHA256, a.Stored, nullStr(a.Refused), a.Inline)
	if err != nil {
		return fmt.Errorf("store attachment %q: %w", a.Filename, err)
	}
	a.ID, _ = res.LastInsertId()
	return nil
}

// LinkAttachments attaches every attachment of a message to an application.
func (tx *Tx) LinkAttachments(ctx context.Context, messageID, applicationID int64) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE attachments SET application_id = ? WHERE message_id = ?`,
		applicationID, messageID); err != nil {
		return fmt.Errorf("link attachments of message %d: %w", messageID, err)
	}
	return nil
}

// Attachments lists the attachments of an application (applicationID) or,
// when applicationID is 0, of one message.
func (s *Store) Attachments(ctx context.Context, applicationID, messageID int64) ([]Attachment, error) {
	return listAttachments(ctx, s.db, applicationID, messageID)
}

// Attachments is Store.Attachments inside a transaction.
func (tx *Tx) Attachments(ctx context.Context, applicationID, messageID int64) ([]Attachment, error) {
	return listAttachments(ctx, tx.tx, applicationID, messageID)
}

func listAttachments(ctx context.Context, q querier, applicationID, messageID int64) ([]Attachment, error) {
	where, arg := "application_id = ?", applicationID
	if applicationID == 0 {
		where, arg = "message_id = ?", messageID
	}
	rows, err := q.QueryContext(ctx, `SELECT id, message_id, coalesce(application_id, 0), position, filename,
		content_type, size, sha256, stored, coalesce(refused, ''), inline FROM attachments
		WHERE `+where+` ORDER BY message_id, position`, arg)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var as []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.MessageID, &a.ApplicationID, &a.Position, &a.Filename, &a.ContentType,
			&a.Size, &a.SHA256, &a.Stored, &a.Refused, &a.Inline); err != nil {
			return nil, fmt.Errorf("list attachments: %w", err)
		}
		a.Risky = RiskyAttachment(a.Filename, a.ContentType)
		as = append(as, a)
	}
	return as, rows.Err()
}

// Files keeps attachment bytes on disk, each file named by the sha256 of
// its content (DIR/ab/abcdef…), so the same CV sent twice is kept once and
// a name chosen by a sender never reaches the file system.
type Files struct {
	Dir string
}

// Path returns where the file with this sha256 lives.
func (f Files) Path(sha string) string {
	if len(sha) < 2 {
		return filepath.Join(f.Dir, sha)
	}
	return filepath.Join(f.Dir, sha[:2], sha)
}

// Write streams r to disk, durably (fsync), and returns its size and
// sha256. Call it before committing the record that refers to the file.
func (f Files) Write(r io.Reader) (size int64, sha string, err error) {
	if err := mkdirPrivate(f.Dir); err != nil {
		return 0, "", fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	tmp, err := os.CreateTemp(f.Dir, ".incoming-*") // 0600
	if err != nil {
		return 0, "", fmt.Errorf("attachments folder %s: %w", f.Dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	dst := f.Path(sha)
	if err = mkdirPrivate(filepath.Dir(dst)); err != nil {
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	if _, statErr := os.Stat(dst); statErr == nil {
		os.Remove(tmp.Name())
		return size, sha, nil
	} else if !errors.Is(statErr, os.ErrNotExist) {
		err = statErr
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	// The rename is durable only once its folder is: the database row
	// committed next must never point at a file a crash took back.
	if err = syncDir(filepath.Dir(dst)); err != nil {
		return 0, "", fmt.Errorf("write attachment: %w", err)
	}
	return size, sha, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
