package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Lock is the exclusive right to take mail in and send it for one store:
// two daemons (or a daemon and a cron `poll --once`) on the same database
// would each hold an IMAP session and an SMTP session and race for the
// same outbox rows. It is an flock on a file beside the database, so the
// kernel releases it when the holder dies, however it dies: a lock left
// by a killed process is simply taken.
type Lock struct {
	f    *os.File
	path string
}

// LockedError says who holds the lock.
type LockedError struct {
	Path  string
	PID   int       // 0 when the holder wrote nothing readable
	Since time.Time // zero when unknown
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = "pid " + strconv.Itoa(e.PID)
	}
	since := ""
	if !e.Since.IsZero() {
		since = " since " + e.Since.Format(time.RFC3339)
	}
	return fmt.Sprintf("the store is held by %s%s (lock %s): stop it first, or let it do the work", who, since, e.Path)
}

// LockPath is the lock file of the database at dbPath.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// AcquireLock takes the lock of the database at dbPath without waiting.
// When another process holds it, the error is a *LockedError.
func AcquireLock(dbPath string) (*Lock, error) {
	path := LockPath(dbPath)
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("create database folder for %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, readHolder(f, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The holder's identity is for people reading the refusal; the flock
	// alone decides.
	now := time.Now().UTC().Format(time.RFC3339)
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock %s: %w", path, err)
	}
	if _, err := f.WriteAt([]byte(fmt.Sprintf("pid %d\nsince %s\n", os.Getpid(), now)), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock %s: %w", path, err)
	}
	return &Lock{f: f, path: path}, nil
}

func readHolder(f *os.File, path string) error {
	e := &LockedError{Path: path}
	b := make([]byte, 256)
	n, _ := f.ReadAt(b, 0)
	for _, line := range strings.Split(string(b[:n]), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			e.PID, _ = strconv.Atoi(v)
		case "since":
			e.Since, _ = time.Parse(time.RFC3339, v)
		}
	}
	return e
}

// Release gives the lock up. The file stays: removing it would let a
// process that opened it just before take a lock nobody else sees.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor drops the flock
	l.f = nil
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}
