package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"
)

// OpenReadOnly opens an existing database for reading only: it creates
// nothing, applies no migration, and SQLite refuses any write through it
// (query_only). `check` uses it to look without touching.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: %w", path, ErrNotFound)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	// mode=ro: SQLite itself refuses writes. A database in WAL mode needs
	// its shared-memory file; where it cannot be created (a copy in a
	// read-only folder) the database is opened as immutable, right for a
	// copy nobody writes.
	var firstErr error
	for _, mode := range []string{"mode=ro", "mode=ro&immutable=1"} {
		db, err := sql.Open("sqlite", "file:"+path+"?"+mode+"&"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		db.SetMaxOpenConns(1)
		s := &Store{db: db, now: time.Now}
		if err := s.Ping(ctx); err != nil {
			db.Close()
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		return s, nil
	}
	return nil, fmt.Errorf("open database %s: %w", path, firstErr)
}

// Size is the bytes the database takes on disk, its write-ahead log
// included (attachments are apart, see Files).
func Size(path string) (int64, error) {
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("size of %s: %w", p, err)
		}
		total += st.Size()
	}
	return total, nil
}
