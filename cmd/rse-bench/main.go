// Command rse-bench measures `rse-intake poll --once` against mbsync
// (isync), the bare download of the same mailbox, on this machine: it
// builds a Dovecot mailbox of N generated mails (see mailbox.go), times
// mbsync pulling it into a Maildir and rse-intake taking it into a fresh
// store, on disk and on tmpfs, then the cost of an empty poll over 1,000
// and 10,000 stored messages, `reparse --all`, and one 100 MB mail.
// Dovecot runs in its high-performance mode (imaptest.NewDovecotReady), so
// that a connection costs the client's work, not the server's forks. It
// needs dovecot and mbsync installed (apt-get install -y dovecot-core
// dovecot-imapd isync).
//
//	go run ./cmd/rse-bench [-n 5000] [-runs 1] [-disk DIR] [-tmpfs /dev/shm]
//	go run ./cmd/rse-bench -serve   # the mailbox served, for profiling a poll by hand
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rse-lozere/rse-intake/intake/imaptest"
)

func main() {
	n := flag.Int("n", 5000, "messages in the mailbox")
	runs := flag.Int("runs", 1, "runs of each measure (the median is printed)")
	seed := flag.Uint64("seed", 1, "seed of the generated mailbox")
	disk := flag.String("disk", os.TempDir(), "folder on the disk to measure (both targets go there)")
	tmpfs := flag.String("tmpfs", "/dev/shm", "folder on a tmpfs (empty: skip)")
	empty := flag.Bool("empty-poll", true, "measure an empty poll over 1,000 and 10,000 stored messages")
	huge := flag.Int("huge-mb", 100, "measure taking in one mail of this many MB (0: skip)")
	bin := flag.String("bin", "", "rse-intake binary (default: built from this module)")
	serve := flag.Bool("serve", false, "measure nothing: serve the mailbox and print a configuration for profiling a poll by hand, until interrupted")
	flag.Parse()
	// Interrupted, it still stops its servers and removes its folders.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, options{n: *n, runs: max(1, *runs), seed: *seed, disk: *disk,
		tmpfs: *tmpfs, empty: *empty, huge: *huge, bin: *bin, serve: *serve}); err != nil {
		fmt.Fprintln(os.Stderr, "rse-bench:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	n, runs     int
	seed        uint64
	disk, tmpfs string
	empty       bool
	huge        int
	bin         string
	serve       bool
}

// result is one measured run.
type result struct {
	took    time.Duration
	cpu     time.Duration // user + system
	rssKB   int64         // peak resident set
	written int64         // bytes the process had written to storage
	server  time.Duration // Dovecot's CPU time serving the run
	faults  int64         // minor page faults of the process
}

// served runs f and adds to its result the CPU time Dovecot spent
// meanwhile: on two cores the server's work competes with the client's.
func served(d *imaptest.Dovecot, f func() (result, error)) (result, error) {
	before := d.CPU()
	r, err := f()
	r.server = d.CPU() - before
	return r, err
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp(o.disk, "rse-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if o.bin == "" {
		o.bin = filepath.Join(work, "rse-intake")
		// Built as the README's install builds it: static, without cgo.
		build := exec.CommandContext(ctx, "go", "build", "-o", o.bin, "github.com/rse-lozere/rse-intake/cmd/rse-intake")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build rse-intake: %v\n%s", err, out)
		}
	}
	mbsync, err := exec.LookPath("mbsync")
	if err != nil {
		return errors.New("mbsync not found: apt-get install -y isync")
	}

	raws, size := imaptest.GenerateMailbox(o.n, o.seed)
	d, err := imaptest.NewDovecotReady()
	if err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	defer d.Close()
	if err := d.SeedMaildir(raws); err != nil {
		return err
	}
	if c, err := d.Count("INBOX"); err != nil || c != o.n { // Dovecot indexes the Maildir now, not in a timed run
		return fmt.Errorf("seeded mailbox holds %d messages (%v), want %d", c, err, o.n)
	}
	fmt.Printf("rse-bench: %d messages, %.0f MB, %d cores (%s/%s), %s\n", o.n, float64(size)/1e6,
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format(time.RFC3339))
	if o.serve {
		return serveMailbox(ctx, d, work)
	}

	targets := []struct{ name, dir string }{{"disk", work}}
	if o.tmpfs != "" {
		shm, err := os.MkdirTemp(o.tmpfs, "rse-bench-")
		if err != nil {
			return fmt.Errorf("tmpfs: %w", err)
		}
		defer os.RemoveAll(shm)
		targets = append(targets, struct{ name, dir string }{"tmpfs", shm})
	}
	var lastStore string
	for _, t := range targets {
		kept, err := pollTarget(ctx, o, d, mbsync, t.name, t.dir, size)
		if err != nil {
			return err
		}
		if kept != "" {
			lastStore = kept
		}
	}

	if lastStore != "" {
		if err := reparseAll(ctx, o, lastStore); err != nil {
			return err
		}
	}
	if o.empty {
		if err := emptyPolls(ctx, o, work); err != nil {
			return err
		}
	}
	if o.huge > 0 {
		if err := hugeMail(ctx, o, work); err != nil {
			return err
		}
	}
	return nil
}

// pollTarget times mbsync and poll --once o.runs times on the storage
// under root and prints the medians. It returns the configuration of the
// store it kept (the last run on disk), or "".
func pollTarget(ctx context.Context, o options, d *imaptest.Dovecot, mbsync, name, root string, size int64) (kept string, err error) {
	var ms, rs []result
	var held int64
	for i := range o.runs {
		dir := filepath.Join(root, fmt.Sprintf("run%d", i))
		m, err := served(d, func() (result, error) { return runMbsync(ctx, mbsync, d, filepath.Join(dir, "maildir")) })
		if err != nil {
			return "", err
		}
		ms = append(ms, m)
		conf, err := writeConfig(d, filepath.Join(dir, "store"), "INBOX")
		if err != nil {
			return "", err
		}
		r, err := served(d, func() (result, error) { return runIntake(ctx, o.bin, conf, "poll", "--once") })
		if err != nil {
			return "", err
		}
		rs = append(rs, r)
		held = du(filepath.Join(dir, "store"))
		if i < o.runs-1 || name != "disk" {
			os.RemoveAll(dir)
		} else {
			kept = conf
		}
	}
	m, r := median(ms), median(rs)
	fmt.Printf("\n[%s] mbsync %.2f s (%.0f msg/s, CPU %.2f s, Dovecot %.2f s) | poll --once %.2f s (%.0f msg/s, CPU %.2f s, Dovecot %.2f s, %d page faults), peak RSS %d MB | ratio %.2f\n",
		name, m.took.Seconds(), float64(o.n)/m.took.Seconds(), m.cpu.Seconds(), m.server.Seconds(), r.took.Seconds(),
		float64(o.n)/r.took.Seconds(), r.cpu.Seconds(), r.server.Seconds(), r.faults, r.rssKB>>10, r.took.Seconds()/m.took.Seconds())
	if name == "disk" {
		fmt.Printf("[%s] store + attachments hold %.2f× the mail; poll wrote %.2f× (mbsync %.2f×)\n", name,
			float64(held)/float64(size), float64(r.written)/float64(size), float64(m.written)/float64(size))
	}
	return kept, nil
}

// serveMailbox leaves the mailbox served until ctx ends, for a poll
// profiled by hand (perf stat, strace -c, a CPU profile).
func serveMailbox(ctx context.Context, d *imaptest.Dovecot, work string) error {
	dir := filepath.Join(work, "serve")
	conf, err := writeConfig(d, dir, "INBOX")
	if err != nil {
		return err
	}
	fmt.Printf("Dovecot serves the mailbox until interrupted. A poll into a fresh store:\n"+
		"  rm -rf %s/rse.db*; rse-intake --config %s poll --once\n", dir, conf)
	<-ctx.Done()
	return nil
}

// reparseAll times reparse --all over the kept store.
func reparseAll(ctx context.Context, o options, conf string) error {
	var rs []result
	for range o.runs {
		r, err := runIntake(ctx, o.bin, conf, "reparse", "--all")
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	r := median(rs)
	fmt.Printf("\nreparse --all over %d: %.2f s (%.0f msg/s), peak RSS %d MB\n", o.n, r.took.Seconds(),
		float64(o.n)/r.took.Seconds(), r.rssKB>>10)
	return nil
}

// hugeMail times `poll --once` taking in one mail of o.huge MB with the
// default [imap] max_message_mb (50), and reports its peak memory.
func hugeMail(ctx context.Context, o options, work string) error {
	d, err := imaptest.NewDovecotReady()
	if err != nil {
		return err
	}
	defer d.Close()
	rng := rand.New(rand.NewPCG(o.seed, 100))
	doc := imaptest.FakePDF(rng, o.huge<<20*3/4)
	var b bytes.Buffer
	b.WriteString("From: Anne Roux <anne.roux@exemple.fr>\r\nTo: rse.innovation.manageriale@gmail.com\r\n" +
		"Subject: Candidature et annexes\r\nMessage-ID: <huge@exemple.fr>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Bonjour, voici mon dossier.\r\n--b\r\nContent-Type: application/pdf\r\n" +
		"Content-Disposition: attachment; filename=annexes.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(imaptest.Base64Lines(doc) + "--b--\r\n")
	if err := d.SeedMaildir([][]byte{b.Bytes()}); err != nil {
		return err
	}
	if _, err := d.Count("INBOX"); err != nil {
		return err
	}
	conf, err := writeConfig(d, filepath.Join(work, "huge"), "INBOX")
	if err != nil {
		return err
	}
	r, err := runIntake(ctx, o.bin, conf, "poll", "--once")
	if err != nil {
		return err
	}
	fmt.Printf("\none mail of %d MB (over max_message_mb = 50: kept as headers, marked too large): poll --once %.2f s, peak RSS %d MB\n",
		b.Len()>>20, r.took.Seconds(), r.rssKB>>10)
	return nil
}

// emptyPolls times `poll --once` when nothing is new, over a store of
// 1,000 and one of 10,000 messages (small ones: only the count matters),
// each with its own Dovecot. The two are polled in turn, so that a change
// in the machine's speed (these VMs vary within minutes) falls on both:
// measured one after the other, the 10,000 came right after storing
// 9,000 more and read up to 1.5× the 1,000 for that alone. Twenty-one
// turns: a poll takes some 15 ms, where a moment of the machine's
// slowness moved the median of nine by half (1.62× in one run, where
// callgrind counts 3% more instructions over 5,000 stored than over
// 1,000).
func emptyPolls(ctx context.Context, o options, work string) error {
	raws, _ := imaptest.GenerateMailbox(10000, o.seed+1)
	for i, r := range raws {
		if len(r) > 16<<10 { // the count matters here, not the bytes
			raws[i] = raws[i-1]
		}
		raws[i] = imaptest.SetMessageID(raws[i], fmt.Sprintf("empty-%05d@exemple.fr", i))
	}
	type side struct {
		stored int
		conf   string
		rs     []result
	}
	sides := []*side{{stored: 1000}, {stored: 10000}}
	for _, sd := range sides {
		d, err := imaptest.NewDovecotReady()
		if err != nil {
			return err
		}
		defer d.Close()
		if err := d.SeedMaildir(raws[:sd.stored]); err != nil {
			return err
		}
		if sd.conf, err = writeConfig(d, filepath.Join(work, fmt.Sprintf("empty-%d", sd.stored)), "INBOX"); err != nil {
			return err
		}
		if _, err := runIntake(ctx, o.bin, sd.conf, "poll", "--once"); err != nil {
			return err
		}
	}
	for range max(21, o.runs) {
		for _, sd := range sides {
			r, err := runIntake(ctx, o.bin, sd.conf, "poll", "--once")
			if err != nil {
				return err
			}
			sd.rs = append(sd.rs, r)
		}
	}
	fmt.Println()
	var first time.Duration
	for _, sd := range sides {
		r := median(sd.rs)
		fmt.Printf("empty poll --once over %d stored: %.0f ms (whole process: start, open, sign in, select)", sd.stored,
			float64(r.took.Microseconds())/1000)
		if first == 0 {
			first = r.took
			fmt.Println()
		} else {
			fmt.Printf(", %.2f× the figure at 1,000\n", r.took.Seconds()/first.Seconds())
		}
	}
	return nil
}

func writeConfig(d *imaptest.Dovecot, dir, mailbox string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	conf := filepath.Join(dir, "rse-intake.toml")
	return conf, os.WriteFile(conf, fmt.Appendf(nil, `[program]
name = "J'initie, je m'engage RSE"
address = "rse.innovation.manageriale@gmail.com"
coordinators = ["coordination@rse-lozere.fr"]

[imap]
host = "127.0.0.1"
port = %d
security = "none"
username = %q
password = %q
mailbox = %q

[smtp]
host = "127.0.0.1"
port = 2525
security = "none"
username = "bench"
password = "bench"
from = "rse.innovation.manageriale@gmail.com"

[store]
path = %q
`, d.Port(), d.User(), d.Pass(), mailbox, filepath.Join(dir, "rse.db")), 0o600)
}

func runIntake(ctx context.Context, bin, conf string, args ...string) (result, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"--config", conf}, args...)...)
	cmd.Env = append(os.Environ(), "RSE_INTAKE_CONFIG=")
	return measure(cmd)
}

// runMbsync pulls the mailbox into dir with mbsync's default settings
// (FSync on), as a user would.
func runMbsync(ctx context.Context, bin string, d *imaptest.Dovecot, dir string) (result, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return result{}, err
	}
	conf := filepath.Join(filepath.Dir(dir), "mbsyncrc")
	if err := os.WriteFile(conf, fmt.Appendf(nil, `IMAPAccount bench
Host 127.0.0.1
Port %d
User %s
Pass %s
SSLType None
AuthMechs LOGIN

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path %s/
Inbox %s/INBOX

Channel bench
Far :bench-far:
Near :bench-near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
`, d.Port(), d.User(), d.Pass(), dir, dir), 0o600); err != nil {
		return result{}, err
	}
	return measure(exec.CommandContext(ctx, bin, "-q", "-c", conf, "bench"))
}

func measure(cmd *exec.Cmd) (result, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// What the previous run left dirty is written out first, so that its
	// writeback does not compete with this one: an empty poll measured
	// just after the 230 MB runs on disk took 57 ms instead of 44.
	syscall.Sync()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	// The child's ru_maxrss would include this process's own memory (Go
	// starts children with vfork, and exec records the old address
	// space's high-water mark): read the child's VmHWM instead, which
	// starts afresh at exec, until it exits.
	done := make(chan struct{})
	hwm := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, vmHWM(cmd.Process.Pid))
			select {
			case <-done:
				hwm <- peak
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	took := time.Since(start)
	close(done)
	r := result{took: took, rssKB: <-hwm}
	if err != nil {
		return result{}, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// Linux counts ru_oublock in 512-byte units of what the process
		// dirtied for storage.
		r.written = ru.Oublock * 512
		r.faults = ru.Minflt
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r, nil
}

// vmHWM is the peak resident set of a running process in KB, 0 when it
// is gone.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb
		}
	}
	return 0
}

func median(rs []result) result {
	slices.SortFunc(rs, func(a, b result) int { return int(a.took - b.took) })
	return rs[len(rs)/2]
}

// du is the size of the files under dir.
func du(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
