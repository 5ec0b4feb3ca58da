// Package store keeps everything rse-intake knows in one SQLite file:
// messages with their raw bytes, applications, attachments metadata,
// mailbox checkpoints, the audit trail and the outbox. Attachment bytes
// live on disk beside it, named by their sha256 (see Files).
//
// Store is one type over *sql.DB with plain SQL; every method takes a
// context. Work that must happen together runs in one transaction (Tx).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the SQLite database of rse-intake.
type Store struct {
	db   *sql.DB
	now  func() time.Time
	path string

	// stmts are the statements transactions ran, prepared on the
	// database once (see stmtTx).
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool

	wal *walFlusher // nil: SQLite checkpoints as a commit takes the log past 1,000 pages
}

// Open opens (creating if needed) the database at path and applies the
// embedded migrations. It refuses a database whose schema is newer than
// this binary.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("create database folder %s: %w", filepath.Dir(path), err)
	}
	// Create the file first, owner-only, so that a permission problem is
	// reported as such, not as an obscure SQLite error later. SQLite gives
	// the WAL and shared-memory files the database file's mode.
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}

	s, err := openNoMigrate(path)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if err := s.startWALFlusher(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func openNoMigrate(path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Statement journals in memory: with foreign keys on, every INSERT of
	// a transaction keeps the pages it changes in one, which SQLite spills
	// past 64 KB to a fresh file in /var/tmp: 45 files and 9,000 writes of a
	// 5,000-mail poll. Every statement here changes a few rows (erasure
	// deletes one id at a time), so the journals stay small.
	q.Add("_pragma", "temp_store(2)")
	// Deleted rows are overwritten with zeros, so that an erasure (forget,
	// purge) does not leave personal data in free pages.
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One writer at a time is what SQLite does anyway; a single connection
	// also makes BEGIN IMMEDIATE never wait on ourselves.
	db.SetMaxOpenConns(1)
	return &Store{db: db, now: time.Now, path: path}, nil
}

// Path is the database file, for errors that must say where the disk
// failed.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts, s.closed = nil, true
	s.stmtMu.Unlock()
	s.wal.close()
	return s.db.Close()
}

// SetClock replaces the clock (tests and the demo use a fixed one).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// DB exposes the database for read-only reporting queries in sibling
// packages (exports, stats).
func (s *Store) DB() *sql.DB { return s.db }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the version of the newest migration in this binary.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// SchemaVersionOf reads the schema version of the open database.
func (s *Store) SchemaVersionOf(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// migrate applies, in order, each migration above the database's
// user_version, each in its own transaction together with its version bump.
func (s *Store) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, -1)
}

func (s *Store) migrateTo(ctx context.Context, target int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if target < 0 {
		target = len(ms)
	}
	current, err := s.SchemaVersionOf(ctx)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("schema version %d is newer than this binary (%d): upgrade rse-intake", current, len(ms))
	}
	for _, m := range ms[current:target] {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		// Another process may have applied it since we looked: the
		// immediate transaction holds the write lock, so read again.
		var now int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: read schema version: %w", m.name, err)
		}
		if now >= m.version {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		// PRAGMA cannot take a bound parameter; the version is our own integer.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: set version: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: commit: %w", m.name, err)
		}
	}
	return nil
}

// Tx is one transaction; the intake writes a message, its application, its
// attachments, its acknowledgement and the checkpoint through one Tx.
type Tx struct {
	tx  *stmtTx
	now time.Time
	// What this transaction last wrote, so that the writer need not ask
	// again for every message of a batch: the highest message id (0: not
	// known) and each year's next application seq.
	lastMessageID int64
	nextSeq       map[int]int
	nowTS         string // ts(now), once formatted
	// What FindDelivery compares with, when the writer asked for its
	// batch at once (KnowDeliveries); nil: not asked.
	deliveries *knownDeliveries
	// What LastAutoMailTo answers, by address key, when the writer asked
	// for its batch at once (KnowLastAutoMails): the newest created_at,
	// "" for none.
	lastMails map[string]string
	// The mailboxes of mails to be queued later (NoteQueued) that
	// lastMails did not know of: when, by address key.
	queuedLater map[string]string
	// The address keys no open application (received or incomplete) has,
	// as OpenApplicationFrom would find, when the writer asked for its
	// batch at once (KnowOpenApplications); nil: not asked. A key leaves
	// it when the transaction writes an application under it.
	noOpen map[string]bool
	// With deferred (DeferWrites), the audit entries (8 values each) and
	// the server_pending rows written by the transaction, in order.
	deferred bool
	audits   []any
	pending  []any
}

// DeferWrites has the transaction write its audit entries and its
// messages' server_pending rows at once, as it commits (in the order
// given, so with the ids they would have had), rather than one statement
// each: for a transaction that reads neither back, nor deletes any (the
// writer).
func (tx *Tx) DeferWrites() { tx.deferred = true }

// maxRowsPerInsert is the most rows flushDeferred writes per INSERT.
const maxRowsPerInsert = 64

// flushDeferred writes what DeferWrites held back. Rows go in INSERTs of
// as many rows as a power of two, so that a few kept statements serve
// every batch. A server_pending row a rescan's relocation already wrote
// (INSERT OR IGNORE) is left as it is, as the row written first would be.
func (tx *Tx) flushDeferred(ctx context.Context) error {
	for _, d := range []struct {
		what, insert, row string
		width             int
		args              []any
	}{
		{"audit", auditInsert, auditRow, 8, tx.audits},
		{"store message", `INSERT OR IGNORE INTO server_pending (message_id) VALUES `, `(?)`, 1, tx.pending},
	} {
		for args := d.args; len(args) > 0; {
			n := 1
			for n*2 <= min(len(args)/d.width, maxRowsPerInsert) {
				n *= 2
			}
			q := d.insert + d.row + strings.Repeat(", "+d.row, n-1)
			if _, err := tx.tx.ExecContext(ctx, q, args[:n*d.width]...); err != nil {
				return fmt.Errorf("%s: %w", d.what, err)
			}
			args = args[n*d.width:]
		}
	}
	tx.audits, tx.pending = nil, nil
	return nil
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	st := &stmtTx{Tx: sqlTx, store: s}
	defer func() {
		sqlTx.Rollback()
		s.keep(st.missed)
	}()
	tx := &Tx{tx: st, now: s.now()}
	if err := fn(tx); err != nil {
		return whenCancelled(ctx, err)
	}
	if err := tx.flushDeferred(ctx); err != nil {
		return whenCancelled(ctx, err)
	}
	if err := sqlTx.Commit(); err != nil {
		return whenCancelled(ctx, fmt.Errorf("commit: %w", err))
	}
	s.wal.committed()
	return nil
}

// maxKeptStmts bounds the statements a store keeps prepared: a few
// queries are written with as many parameters as values (IN lists).
const maxKeptStmts = 128

// kept returns the statement prepared on the database for query, nil
// when there is none.
func (s *Store) kept(query string) *sql.Stmt {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	return s.stmts[query]
}

// keep prepares on the database the queries a transaction prepared for
// itself, so that the next transactions find them prepared. It runs once
// the transaction has ended: the store has one connection, which a
// transaction holds. The lock is not held while preparing, which waits
// for the connection: a transaction on it may be asking for a kept
// statement. A query that fails to prepare is not kept.
func (s *Store) keep(queries []string) {
	for _, q := range queries {
		s.stmtMu.Lock()
		_, ok := s.stmts[q]
		full := len(s.stmts) >= maxKeptStmts
		s.stmtMu.Unlock()
		if ok || full {
			continue
		}
		st, err := s.db.PrepareContext(context.Background(), q)
		if err != nil {
			continue
		}
		s.stmtMu.Lock()
		if _, ok := s.stmts[q]; ok || s.closed {
			st.Close()
		} else {
			if s.stmts == nil {
				s.stmts = map[string]*sql.Stmt{}
			}
			s.stmts[q] = st
		}
		s.stmtMu.Unlock()
	}
}

// whenCancelled makes err say so when ctx was cancelled: database/sql
// rolls a transaction back as its context ends, and what the caller then
// sees ("transaction has already been committed or rolled back",
// "statement is closed") is no context error.
func whenCancelled(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// stmtTx is a transaction that prepares each statement once: intake
// stores a batch of messages per transaction, running the same dozen
// statements for each, and SQLite's parsing them again every time was a
// tenth of intake's CPU. A statement first prepared by a transaction is
// then prepared on the database (Store.keep), and later transactions
// use that one (sql.Tx.StmtContext reuses the statement already
// prepared on the connection), rather than preparing it again each batch.
type stmtTx struct {
	*sql.Tx
	store  *Store
	stmts  map[string]*sql.Stmt
	missed []string // queries prepared here, not yet kept by the store
}

func (t *stmtTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if kept := t.store.kept(query); kept != nil {
		st = t.Tx.StmtContext(ctx, kept)
	} else {
		var err error
		if st, err = t.Tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.missed = append(t.missed, query)
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

// runTo is the context a statement of the transaction runs with: it runs
// to its end once started. ctx is checked before each statement, and the
// transaction (begun with it) is rolled back when it ends. Given a
// context that can end, the driver would start a goroutine per statement
// to interrupt it, and database/sql another per query's rows: a poll runs
// thousands of short statements (about 2.3 a message, most of a batch's
// look-ups and audit rows gathered in one each).
func runTo(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, err := runTo(ctx)
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := runTo(ctx)
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext returns a row whose Scan reports a failed prepare, as
// sql.Tx's does.
func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	run, err := runTo(ctx)
	if err != nil {
		// sql.Tx's row reports the ended context at Scan.
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	st, err := t.stmt(run, query)
	if err != nil {
		return t.Tx.QueryRowContext(run, query, args...)
	}
	return st.QueryRowContext(run, args...)
}

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// tsLayout is fixed-width (RFC3339Nano drops trailing zeros), so that
// timestamps stored as text compare in time order.
const tsLayout = "2006-01-02T15:04:05.000000000Z07:00"

func ts(t time.Time) string {
	t = t.UTC()
	year := t.Year()
	if year < 1000 || year > 9999 {
		return t.Format(tsLayout)
	}
	// Written out rather than through Format, which reads its layout
	// again at each call: the writer stores a few of these a message.
	// TestTSAsFormat holds it to Format.
	_, month, day := t.Date()
	hour, min, sec := t.Clock()
	var b [len("2006-01-02T15:04:05.000000000Z")]byte
	put := func(at, n, width int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, year, 4)
	put(5, int(month), 2)
	put(8, day, 2)
	put(11, hour, 2)
	put(14, min, 2)
	put(17, sec, 2)
	put(20, t.Nanosecond(), 9)
	b[4], b[7], b[10], b[13], b[16], b[19], b[29] = '-', '-', 'T', ':', ':', '.', 'Z'
	return string(b[:])
}

// ts is ts, formatting the transaction's time once: every row the writer
// stores has it, some twice.
func (tx *Tx) ts(t time.Time) string {
	if !t.Equal(tx.now) {
		return ts(t)
	}
	if tx.nowTS == "" {
		tx.nowTS = ts(t)
	}
	return tx.nowTS
}

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// nullStr is s as a query argument, NULL when empty. A plain value, not
// an sql.NullString: database/sql would box the struct, then box again
// what its Value method returns, for each of the dozens of arguments of
// every row the writer stores.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Now is the time the transaction started.
func (tx *Tx) Now() time.Time { return tx.now }

// collect scans every row of a query with scan. what names the query in
// errors.
func collect[T any](rows *sql.Rows, err error, what string, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
