package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"time"
)

// OpenReadOnly opens an existing database for reading only: the commands
// that only look (list, stats, show, export) work on a database they may
// not write, e.g. a copy on read-only media or a file owned by the
// daemon's user. It never creates, migrates or writes anything. A
// database in WAL mode needs its shared-memory file: when it cannot be
// created (read-only folder), the database is opened as immutable, which
// is right for a copy nobody writes.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	var firstErr error
	for _, extra := range []string{"mode=ro", "mode=ro&immutable=1"} {
		s, err := openRO(ctx, path, extra)
		if err == nil {
			return s, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("open database %s read-only: %w", path, firstErr)
}

func openRO(ctx context.Context, path, extra string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+extra+"&"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		db.Close()
		return nil, err
	}
	// The schema must be this binary's: an older one lacks columns the
	// queries read and cannot be upgraded without writing.
	if want := SchemaVersion(); v != want {
		db.Close()
		if v > want {
			return nil, fmt.Errorf("schema version %d is newer than this binary (%d): upgrade rse-intake", v, want)
		}
		return nil, fmt.Errorf("schema version %d is older than this binary (%d): run a command that writes (poll, send) once to upgrade it", v, want)
	}
	return &Store{db: db, now: time.Now}, nil
}
