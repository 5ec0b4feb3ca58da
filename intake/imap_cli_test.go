package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/store"
)

// TestPollCLIKilled builds rse-intake, runs `poll --once` against Dovecot
// and kills it with SIGKILL ten times, each at a random moment after that
// poll's first move, then lets it run to the end: every message must be
// stored exactly once and moved.
func TestPollCLIKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "rse-intake")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/rse-lozere/rse-intake/cmd/rse-intake")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build cmd/rse-intake: %v\n%s", err, out)
	}
	const n = 1000
	d := imaptest.StartDovecot(t)
	if err := d.SeedMaildir(uniqueCorpus(t, n)); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "rse.db")
	conf := filepath.Join(dir, "rse-intake.toml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, `[program]
name = "J'initie, je m'engage RSE"
address = "rse.innovation.manageriale@gmail.com"
coordinators = ["coordination@rse-lozere.fr"]

[imap]
host = "127.0.0.1"
port = %d
security = "none"
username = %q
password = %q
mailbox = "INBOX"
processed = "move:Traités"
batch_size = 16

[store]
path = %q
`, d.Port(), d.User(), d.Pass(), db), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, bin, append([]string{"--config", conf}, args...)...)
		cmd.Env = append(os.Environ(), "RSE_IMAP_PASSWORD="+d.Pass(), "RSE_INTAKE_CONFIG=")
		return cmd
	}
	count := func() int {
		out, err := run(t.Context(), "stats", "--json").Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("stats --json: %v: %s", err, ee.Stderr)
			}
			t.Fatalf("stats --json: %v", err)
		}
		var s struct {
			Messages int `json:"messages"`
		}
		if err := json.Unmarshal(out, &s); err != nil {
			t.Fatalf("stats --json: %v: %s", err, out)
		}
		return s.Messages
	}

	// Moved to the folder is what a committed batch leads to: each kill
	// comes at a random moment after the poll's first move, so that it
	// lands mid-poll however fast intake is on this machine.
	moved := func() int {
		c, err := d.Count("Traités")
		if err != nil {
			return 0 // not created before the first move
		}
		return c
	}
	rng := rand.New(rand.NewPCG(3, 5))
	midway := 0
	for round := range 10 {
		before := moved()
		cmd := run(t.Context(), "poll", "--once")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var err error
		done := false
		for deadline := time.Now().Add(30 * time.Second); !done && time.Now().Before(deadline) && moved() == before; {
			select {
			case err = <-exited:
				done = true
			case <-time.After(10 * time.Millisecond):
			}
		}
		if !done {
			time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			err = <-exited
		}
		got := 0
		if _, serr := os.Stat(db); serr == nil {
			got = count()
		}
		t.Logf("round %d: killed (%v), %d stored", round, err, got)
		if got > 0 && got < n {
			midway++
		}
	}
	if midway < 3 {
		t.Errorf("only %d kills landed mid-poll: the test proves little", midway)
	}
	out, err := run(t.Context(), "poll", "--once").CombinedOutput()
	if err != nil {
		t.Fatalf("final poll: %v\n%s", err, out)
	}
	t.Logf("final poll: %s", strings.TrimSpace(string(out)))
	if got := count(); got != n {
		t.Errorf("stats: %d messages, want %d", got, n)
	}
	st, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var dupIDs int
	if err := st.DB().QueryRow(`SELECT count(*) FROM (SELECT 1 FROM messages WHERE message_id IS NOT NULL
		GROUP BY message_id HAVING count(*) > 1)`).Scan(&dupIDs); err != nil {
		t.Fatal(err)
	}
	if dupIDs != 0 {
		t.Errorf("%d Message-IDs stored more than once", dupIDs)
	}
	assertExactlyOnce(t, st, d.Account(), "INBOX", "Traités")
	checkMarks(t, d.Account(), "move:Traités", n)
}
