package imaptest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrNoDovecot is returned by NewDovecot when the dovecot binary is not
// installed.
var ErrNoDovecot = errors.New("dovecot not installed: apt-get install -y dovecot-core dovecot-imapd")

// Dovecot credentials of the single test user.
const (
	DovecotUser = "rse"
	DovecotPass = "imaptest-secret"
)

// Dovecot is a throwaway Dovecot 2.3 owning a temporary directory: its
// configuration, sockets, logs and the user's Maildir. It listens on
// 127.0.0.1 on two free ports: plain IMAP (STARTTLS offered) and implicit
// TLS with a self-signed certificate.
//
// As root, Dovecot refuses to run its login process as root, so the whole
// server runs as nobody (setpriv) in a directory owned by nobody.
type Dovecot struct {
	dir, conf, maildir string
	bin                string
	asRoot             bool
	uid, gid           int
	port, tlsPort      int
	cert               *Cert
	acct               Account

	ready bool // login and mail processes wait ready (NewDovecotReady)

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	seedSeq int
}

// StartDovecot starts a Dovecot for the test, stopped and removed at its
// end. Without dovecot installed the test is skipped, or fails when the
// environment says RSE_REQUIRE_DOVECOT=1.
func StartDovecot(t testing.TB) *Dovecot {
	t.Helper()
	d, err := NewDovecot()
	if errors.Is(err, ErrNoDovecot) {
		if os.Getenv("RSE_REQUIRE_DOVECOT") == "1" {
			t.Fatal(err)
		}
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("stop dovecot: %v", err)
		}
	})
	return d
}

// NewDovecot configures and starts a Dovecot; Close stops it and removes
// its directory.
func NewDovecot() (*Dovecot, error) { return newDovecot(false) }

// NewDovecotReady is NewDovecot in Dovecot's high-performance mode, as a
// busy server runs it: a login process and a mail process wait ready,
// instead of one being forked for each connection and each sign-in (about
// 25 and 20 ms on the CI machine kind). rse-bench uses it so that an empty
// poll times the client, not the server's forks. The tests keep the
// default mode: a mail process that outlives its cancelled connection
// (still moving messages) then races the next connection for longer.
func NewDovecotReady() (*Dovecot, error) { return newDovecot(true) }

func newDovecot(ready bool) (*Dovecot, error) {
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/dovecot"); serr != nil {
			return nil, ErrNoDovecot
		}
		bin = "/usr/sbin/dovecot"
	}
	d := &Dovecot{bin: bin, asRoot: os.Geteuid() == 0, ready: ready}
	var userName, groupName string
	if d.asRoot {
		d.uid, d.gid = 65534, 65534
		userName, groupName = "nobody", "nogroup"
		if u, err := user.LookupId("65534"); err == nil {
			userName = u.Username
		}
		if g, err := user.LookupGroupId("65534"); err == nil {
			groupName = g.Name
		}
		if _, err := exec.LookPath("setpriv"); err != nil {
			return nil, fmt.Errorf("dovecot as root needs setpriv (util-linux): %w", err)
		}
	} else {
		d.uid, d.gid = os.Getuid(), os.Getgid()
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("current user: %w", err)
		}
		userName = u.Username
		g, err := user.LookupGroupId(strconv.Itoa(d.gid))
		if err != nil {
			return nil, fmt.Errorf("current group: %w", err)
		}
		groupName = g.Name
	}

	// Not t.TempDir: its parents are 0700, out of reach of nobody.
	d.dir, err = os.MkdirTemp("", "rse-dovecot-")
	if err != nil {
		return nil, fmt.Errorf("dovecot dir: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(d.dir)
		}
	}()
	if err := os.Chmod(d.dir, 0o755); err != nil {
		return nil, fmt.Errorf("dovecot dir: %w", err)
	}
	d.maildir = filepath.Join(d.dir, "home", DovecotUser, "Maildir")
	for _, sub := range []string{"run", "state", "cur", "new", "tmp"} {
		p := filepath.Join(d.dir, sub)
		if sub == "cur" || sub == "new" || sub == "tmp" {
			p = filepath.Join(d.maildir, sub)
		}
		if err := os.MkdirAll(p, 0o755); err != nil {
			return nil, fmt.Errorf("dovecot dir: %w", err)
		}
	}
	if d.cert, err = NewCert(); err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"passwd":   []byte(DovecotUser + ":{PLAIN}" + DovecotPass + "::::::\n"),
		"cert.pem": d.cert.CertPEM,
		"key.pem":  d.cert.KeyPEM,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(d.dir, name), b, 0o600); err != nil {
			return nil, fmt.Errorf("dovecot %s: %w", name, err)
		}
	}
	if d.port, err = freePort(); err != nil {
		return nil, err
	}
	if d.tlsPort, err = freePort(); err != nil {
		return nil, err
	}
	d.conf = filepath.Join(d.dir, "dovecot.conf")
	if err := os.WriteFile(d.conf, []byte(d.config(userName, groupName)), 0o644); err != nil {
		return nil, fmt.Errorf("dovecot config: %w", err)
	}
	if err := d.chownAll(); err != nil {
		return nil, err
	}
	d.acct = Account{Addr: d.Addr(), Username: DovecotUser, Password: DovecotPass}
	if err := d.Start(); err != nil {
		return nil, err
	}
	ok = true
	return d, nil
}

func (d *Dovecot) config(userName, groupName string) string {
	r := strings.NewReplacer(
		"DIR", d.dir,
		"USER", userName,
		"GROUP", groupName,
		"UID", strconv.Itoa(d.uid),
		"GID", strconv.Itoa(d.gid),
		"TLSPORT", strconv.Itoa(d.tlsPort),
		"PORT", strconv.Itoa(d.port),
	)
	conf := r.Replace(`# Written by imaptest: a self-contained Dovecot 2.3 for tests.
protocols = imap
listen = 127.0.0.1
base_dir = DIR/run
state_dir = DIR/state
log_path = DIR/dovecot.log
default_internal_user = USER
default_internal_group = GROUP
default_login_user = USER
disable_plaintext_auth = no
auth_failure_delay = 0
ssl = yes
ssl_cert = <DIR/cert.pem
ssl_key = <DIR/key.pem
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN DIR/passwd
}
userdb {
  driver = static
  args = uid=UID gid=GID home=DIR/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = TLSPORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
protocol imap {
  mail_max_userip_connections = 1000
}
`)
	if d.ready {
		conf += `service imap-login {
  service_count = 0
  process_min_avail = 1
}
service imap {
  service_count = 0
  process_min_avail = 1
}
`
	}
	return conf
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (d *Dovecot) chownAll() error {
	if !d.asRoot {
		return nil
	}
	return filepath.WalkDir(d.dir, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, d.uid, d.gid); err != nil {
			return fmt.Errorf("dovecot dir: %w", err)
		}
		return nil
	})
}

// Start starts the server (again, after Stop) and waits for its greeting.
func (d *Dovecot) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		return errors.New("dovecot already running")
	}
	args := []string{d.bin, "-F", "-c", d.conf}
	if d.asRoot {
		args = append([]string{"setpriv", "--reuid=" + strconv.Itoa(d.uid), "--regid=" + strconv.Itoa(d.gid), "--clear-groups"}, args...)
	}
	out, err := os.OpenFile(filepath.Join(d.dir, "dovecot.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("dovecot output: %w", err)
	}
	defer out.Close()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = d.dir
	// A process group of its own, so that StopAll can reach the imap
	// processes the master leaves behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start dovecot: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	d.cmd, d.exited = cmd, exited
	if err := waitGreeting(d.Addr(), exited, 15*time.Second); err != nil {
		d.stopLocked()
		return fmt.Errorf("dovecot: %w\n%s", err, d.logTail())
	}
	return nil
}

// waitGreeting polls addr until a connection gets the "* OK" greeting (a
// broken login process still accepts TCP, so an open port is not enough).
func waitGreeting(addr string, exited <-chan struct{}, within time.Duration) error {
	deadline := time.Now().Add(within)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for time.Now().Before(deadline) {
		last = greeting(addr)
		if last == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited before greeting on %s", addr)
		case <-tick.C:
		}
	}
	return fmt.Errorf("no greeting on %s within %s: %w", addr, within, last)
}

func greeting(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") {
		return fmt.Errorf("greeting %q", strings.TrimSpace(line))
	}
	return nil
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s); the Maildir
// is kept for a later Start.
func (d *Dovecot) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopLocked()
}

func (d *Dovecot) stopLocked() error {
	if d.cmd == nil {
		return nil
	}
	cmd, exited := d.cmd, d.exited
	d.cmd, d.exited = nil, nil
	cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-exited:
		return nil
	case <-t.C:
		cmd.Process.Kill()
		<-exited
		return errors.New("dovecot did not stop on SIGTERM within 10s: killed")
	}
}

// StopAll stops the server as an outage does: the master, and the imap
// processes still serving open connections, which Dovecot's master leaves
// running when it stops (clients would otherwise go on as if nothing
// happened). Start brings it back.
func (d *Dovecot) StopAll() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return nil
	}
	pgid := d.cmd.Process.Pid
	err := d.stopLocked()
	syscall.Kill(-pgid, syscall.SIGKILL)
	for deadline := time.Now().Add(5 * time.Second); syscall.Kill(-pgid, 0) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return errors.Join(err, fmt.Errorf("dovecot processes of group %d still alive after SIGKILL", pgid))
		}
	}
	return err
}

// Close stops the server and removes its directory.
func (d *Dovecot) Close() error {
	err := d.Stop()
	if rerr := os.RemoveAll(d.dir); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

func (d *Dovecot) logTail() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	o, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.out"))
	s := string(b) + string(o)
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// Log returns Dovecot's log so far (for a failing test's output).
func (d *Dovecot) Log() string { return d.logTail() }

// Dir is the server's directory (config, logs, home).
func (d *Dovecot) Dir() string { return d.dir }

// Addr is the plain IMAP listener (STARTTLS offered).
func (d *Dovecot) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(d.port)) }

// TLSAddr is the implicit TLS listener.
func (d *Dovecot) TLSAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(d.tlsPort)) }

// Host is the listening address, 127.0.0.1.
func (d *Dovecot) Host() string { return "127.0.0.1" }

// Port is the plain IMAP port; TLSPort the implicit TLS one.
func (d *Dovecot) Port() int    { return d.port }
func (d *Dovecot) TLSPort() int { return d.tlsPort }

// User and Pass are the test user's credentials.
func (d *Dovecot) User() string { return DovecotUser }
func (d *Dovecot) Pass() string { return DovecotPass }

// ClientTLSConfig trusts the server's self-signed certificate.
func (d *Dovecot) ClientTLSConfig() *tls.Config { return d.cert.Client.Clone() }

// Account is the test user on the plain listener.
func (d *Dovecot) Account() Account { return d.acct }

func helperCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), helperTimeout)
}

// Append delivers raws to INBOX with IMAP APPEND (about 300 a second).
func (d *Dovecot) Append(raws ...[]byte) error { return d.AppendTo("INBOX", raws...) }

// AppendTo delivers raws to mailbox with IMAP APPEND.
func (d *Dovecot) AppendTo(mailbox string, raws ...[]byte) error {
	ctx, cancel := helperCtx()
	defer cancel()
	return d.acct.Append(ctx, mailbox, raws...)
}

// SeedMaildir writes raws straight into the INBOX Maildir (cur/, unread),
// in order: far faster than APPEND for thousands. Dovecot gives them UIDs
// in that order at its next look at the mailbox, running or not.
func (d *Dovecot) SeedMaildir(raws [][]byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	base := time.Now().Unix()
	tmp := filepath.Join(d.maildir, "tmp")
	cur := filepath.Join(d.maildir, "cur")
	for _, raw := range raws {
		d.seedSeq++
		// Dovecot orders new files by the time in their name (seconds,
		// then microseconds), so the UIDs follow the slice order.
		name := fmt.Sprintf("%d.M%06dP%dQ%d.imaptest,S=%d:2,", base+int64(d.seedSeq/1000000),
			d.seedSeq%1000000, os.Getpid(), d.seedSeq, len(raw))
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, raw, 0o644); err != nil {
			return fmt.Errorf("seed maildir: %w", err)
		}
		if d.asRoot {
			if err := os.Chown(p, d.uid, d.gid); err != nil {
				return fmt.Errorf("seed maildir: %w", err)
			}
		}
		// Written in tmp/, renamed into cur/: Dovecot never sees half a file.
		if err := os.Rename(p, filepath.Join(cur, name)); err != nil {
			return fmt.Errorf("seed maildir: %w", err)
		}
	}
	return nil
}

// CreateMailbox creates a folder (an existing one is fine).
func (d *Dovecot) CreateMailbox(name string) error {
	ctx, cancel := helperCtx()
	defer cancel()
	return d.acct.Create(ctx, name)
}

// Messages lists mailbox over IMAP, read-only.
func (d *Dovecot) Messages(mailbox string) ([]Message, error) {
	ctx, cancel := helperCtx()
	defer cancel()
	return d.acct.Messages(ctx, mailbox)
}

// Count returns how many messages mailbox holds.
func (d *Dovecot) Count(mailbox string) (int, error) {
	ctx, cancel := helperCtx()
	defer cancel()
	return d.acct.Count(ctx, mailbox)
}

// Flags returns the flags of the INBOX message with uid.
func (d *Dovecot) Flags(uid uint32) ([]string, error) {
	msgs, err := d.Messages("INBOX")
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.UID == uid {
			return m.Flags, nil
		}
	}
	return nil, fmt.Errorf("no message with UID %d in INBOX", uid)
}

// UIDValidity returns mailbox's UIDVALIDITY.
func (d *Dovecot) UIDValidity(mailbox string) (uint32, error) {
	ctx, cancel := helperCtx()
	defer cancel()
	return d.acct.UIDValidity(ctx, mailbox)
}

// ResetUIDValidity gives INBOX a new UIDVALIDITY (the old one plus one)
// and renumbers its messages from UID 1, as after a server rebuild: it
// stops Dovecot, removes the INBOX index and UID list, writes a fresh UID
// list header and starts Dovecot again.
func (d *Dovecot) ResetUIDValidity() (uint32, error) {
	old, err := d.UIDValidity("INBOX")
	if err != nil {
		return 0, err
	}
	if err := d.Stop(); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(d.maildir)
	if err != nil {
		return 0, fmt.Errorf("reset uidvalidity: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() && (strings.HasPrefix(e.Name(), "dovecot.index") ||
			strings.HasPrefix(e.Name(), "dovecot.list.index") || e.Name() == "dovecot-uidlist") {
			if err := os.Remove(filepath.Join(d.maildir, e.Name())); err != nil {
				return 0, fmt.Errorf("reset uidvalidity: %w", err)
			}
		}
	}
	next := old + 1
	p := filepath.Join(d.maildir, "dovecot-uidlist")
	if err := os.WriteFile(p, fmt.Appendf(nil, "3 V%d N1\n", next), 0o600); err != nil {
		return 0, fmt.Errorf("reset uidvalidity: %w", err)
	}
	if d.asRoot {
		if err := os.Chown(p, d.uid, d.gid); err != nil {
			return 0, fmt.Errorf("reset uidvalidity: %w", err)
		}
	}
	if err := d.Start(); err != nil {
		return 0, err
	}
	got, err := d.UIDValidity("INBOX")
	if err != nil {
		return 0, err
	}
	if got == old {
		return 0, fmt.Errorf("reset uidvalidity: still %d", got)
	}
	return got, nil
}

// CPU is the processor time the server has used so far: its master, the
// processes it runs now and those it has reaped (an imap process that
// served a connection counts once it has exited). A benchmark takes the
// difference around a run to see what serving a client cost, on a
// machine where the server shares the cores with the client. It is 0
// when the server is not running or /proc cannot be read.
func (d *Dovecot) CPU() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return 0
	}
	master := d.cmd.Process.Pid // also the process group (Setpgid)
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var ticks int64
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// The command name is in parentheses and may hold spaces: the
		// fields are counted after its closing one (proc(5): state is
		// field 3, pgrp 5, utime 14, stime 15, cutime 16, cstime 17).
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 15 || f[2] != strconv.Itoa(master) {
			continue
		}
		last := 12 // utime, stime
		if pid == master {
			last = 14 // and its reaped children's
		}
		for _, s := range f[11 : last+1] {
			n, _ := strconv.ParseInt(s, 10, 64)
			ticks += n
		}
	}
	// USER_HZ is 100 on every Linux architecture Go supports.
	return time.Duration(ticks) * 10 * time.Millisecond
}
