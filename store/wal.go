package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
)

// walFlusher copies the write-ahead log into the database file on a
// connection of its own, beside the store's one. SQLite's automatic
// checkpoint ran inside the COMMIT of whichever transaction took the log
// past 1,000 pages: the intake writer spent a fifth of its time copying
// pages and syncing the database file there, while every other core
// waited for it. The log's pages are copied as before, only elsewhere:
// the stored data is the same.
type walFlusher struct {
	db      *sql.DB
	commits atomic.Int64
	kick    chan struct{} // never closed: a commit may still end as the store closes
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	// mu is held while checkpointing: SQLite answers a second
	// checkpointer busy at once, rather than waiting.
	mu sync.Mutex
}

const (
	// walFlushCommits is how many commits go by between two checkpoints:
	// the intake writer's batches of 100 mails write some 200 pages of log
	// each, as many as automatic checkpoints took at a time.
	walFlushCommits = 5
	// walAutoCheckpointPages is the log size from which a commit of the
	// store's connection still checkpoints itself, should the flusher
	// lag far behind.
	walAutoCheckpointPages = 10000
)

// startWALFlusher has a second connection checkpoint the log while the
// store writes.
func (s *Store) startWALFlusher(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walAutoCheckpointPages)); err != nil {
		return fmt.Errorf("database %s: %w", s.path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+s.path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	db.SetMaxOpenConns(1)
	w := &walFlusher{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	s.wal = w
	return nil
}

func (w *walFlusher) run() {
	defer close(w.done)
	for {
		select {
		case <-w.stop:
			return
		case <-w.kick:
		}
		// PASSIVE: it copies what no reader still needs, waiting for no
		// one; a failure leaves the log to the next checkpoint.
		var busy, logFrames, done int
		w.mu.Lock()
		_ = w.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done)
		w.mu.Unlock()
	}
}

// hold keeps the flusher from checkpointing until release is called, for
// a checkpoint of the store's own (see Store.checkpoint).
func (w *walFlusher) hold() (release func()) {
	if w == nil {
		return func() {}
	}
	w.mu.Lock()
	return w.mu.Unlock
}

// committed notes a commit of the store, and asks for a checkpoint every
// walFlushCommits of them.
func (w *walFlusher) committed() {
	if w == nil || w.commits.Add(1)%walFlushCommits != 0 {
		return
	}
	select {
	case w.kick <- struct{}{}:
	default: // one is under way or asked already
	}
}

// close stops the flusher and closes its connection, before the store's,
// which checkpoints what is left as the last connection to the database.
func (w *walFlusher) close() {
	if w == nil {
		return
	}
	w.once.Do(func() {
		close(w.stop)
		<-w.done
		w.db.Close()
	})
}
