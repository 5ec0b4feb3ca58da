package store

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLockRefusesASecondHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "rse.db")
	l, err := AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = AcquireLock(db)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second lock: %v, want a LockedError", err)
	}
	if le.PID != os.Getpid() || time.Since(le.Since) > time.Minute {
		t.Errorf("holder %d since %s, want pid %d now", le.PID, le.Since, os.Getpid())
	}
	if !strings.Contains(err.Error(), "held by pid ") || !strings.Contains(err.Error(), " since ") {
		t.Errorf("message %q does not say who holds it since when", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := AcquireLock(db)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l2.Release()
}

// TestLockOfAKilledProcessIsTaken: a process holding the lock is killed
// with SIGKILL (no chance to clean up); the lock file stays, naming it,
// and the next taker gets the lock all the same.
func TestLockOfAKilledProcessIsTaken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "rse.db")
	// flock(1) from util-linux holds the lock in another process.
	if _, err := exec.LookPath("flock"); err != nil {
		t.Skip("flock(1) not installed")
	}
	if err := os.WriteFile(LockPath(db), []byte("pid 999999\nsince 2026-01-01T00:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// flock(1) hands its descriptor down to sleep: kill them both.
	cmd := exec.Command("flock", LockPath(db), "sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := AcquireLock(db)
		var le *LockedError
		if errors.As(err, &le) {
			if le.PID == 0 {
				t.Errorf("refusal %q names no pid", err)
			}
			break
		}
		if err == nil {
			// flock(1) has not started yet: let it have the lock.
			l.Release()
		}
		if time.Now().After(deadline) {
			t.Fatalf("flock(1) never held the lock: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	// The kernel drops the flock once the killed processes are gone.
	var l *Lock
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if l, err = AcquireLock(db); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("lock of a killed holder: %v", err)
	}
	defer l.Release()
	b, _ := os.ReadFile(LockPath(db))
	if !strings.Contains(string(b), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("lock file %q does not name the new holder", b)
	}
}
