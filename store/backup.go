package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// BackupResult says what Backup wrote.
type BackupResult struct {
	Database    string // the copy of the database
	Attachments string // the copy of the attachments folder
	Files       int    // attachment files copied
	Missing     int    // files the copy refers to that were gone (erased meanwhile)
}

// Backup writes a consistent copy of the database to dst while others
// (the daemon) keep using it, with SQLite's VACUUM INTO (one read
// transaction: the copy is the database as of one instant, without free
// pages), then copies the attachment files that copy refers to into
// dst + ".files". Both are created owner-only. dst must not exist.
func (s *Store) Backup(ctx context.Context, dst string, files Files) (*BackupResult, error) {
	res := &BackupResult{Database: dst, Attachments: dst + ".files"}
	for _, p := range []string{res.Database, res.Attachments} {
		if _, err := os.Lstat(p); err == nil {
			return nil, fmt.Errorf("backup: %s already exists: choose a new name", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("backup: %w", err)
		}
	}
	if err := mkdirPrivate(filepath.Dir(dst)); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO accepts an empty file: creating it first is what makes
	// it owner-only (SQLite would create it 0644 minus the umask).
	if err := createPrivate(dst); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		os.Remove(dst)
		return nil, fmt.Errorf("backup: copy database: %w", err)
	}
	if err := os.Chmod(dst, privateFile); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// The copy is made a single self-contained file (no write-ahead log),
	// and tells which attachment files belong with it.
	copyDB, err := sql.Open("sqlite", "file:"+dst)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer copyDB.Close()
	if _, err := copyDB.ExecContext(ctx, `PRAGMA journal_mode = DELETE`); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	rows, err := copyDB.QueryContext(ctx, `SELECT sha256 FROM attachments WHERE stored = 1
		UNION SELECT sha256 FROM messages WHERE raw_in_files = 1 ORDER BY 1`)
	shas, err := collect(rows, err, "backup: attachments", scanString)
	if err != nil {
		return nil, err
	}
	if err := mkdirPrivate(res.Attachments); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	out := Files{Dir: res.Attachments}
	for _, sha := range shas {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		err := copyPrivate(files.Path(sha), out.Path(sha))
		if errors.Is(err, fs.ErrNotExist) {
			res.Missing++
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("backup: attachment %s: %w", sha, err)
		}
		res.Files++
	}
	return res, nil
}

// copyPrivate copies src to a new owner-only file dst, synced to disk.
func copyPrivate(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := mkdirPrivate(filepath.Dir(dst)); err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privateFile)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(privateFile); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
