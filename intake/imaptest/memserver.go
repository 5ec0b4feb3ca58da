package imaptest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// DefaultCaps is what MemServer advertises unless told otherwise: what
// Gmail and Dovecot offer that the intake uses.
func DefaultCaps() imap.CapSet {
	return imap.CapSet{
		imap.CapIMAP4rev1:   {},
		imap.CapIdle:        {},
		imap.CapMove:        {},
		imap.CapUIDPlus:     {},
		imap.CapNamespace:   {},
		imap.CapUnselect:    {},
		imap.CapLiteralPlus: {},
	}
}

// Op names a server operation that a fault hook may refuse.
type Op string

const (
	OpSelect  Op = "select"
	OpCreate  Op = "create"
	OpFetch   Op = "fetch"
	OpStore   Op = "store"
	OpCopy    Op = "copy"
	OpMove    Op = "move"
	OpExpunge Op = "expunge"
)

// MemServerOptions tunes a MemServer.
type MemServerOptions struct {
	// Caps advertised; nil means DefaultCaps. Leave out imap.CapMove to
	// make clients fall back to COPY + STORE + EXPUNGE.
	Caps imap.CapSet
	// Security is "none" (default), "tls" (implicit TLS listener) or
	// "starttls" (STARTTLS offered and required before LOGIN).
	Security string
	// Logger receives the server's own error messages; nil discards them.
	Logger imapserver.Logger
	// Bearer, when set, makes the server offer AUTH=XOAUTH2 and
	// AUTH=OAUTHBEARER and accept an access token for which it returns
	// nil (oauthtest.Provider.Check), as Gmail and Outlook do.
	Bearer func(username, token string) error
}

// MemServer is the go-imap in-memory IMAP server on a loopback port, with
// one user whose INBOX exists.
type MemServer struct {
	srv   *imapserver.Server
	mem   *imapmemserver.Server
	user  *imapmemserver.User
	ln    net.Listener
	cert  *Cert
	acct  Account
	done  chan struct{}
	mu    sync.Mutex
	fault func(op Op, mailbox string) error
	conns map[net.Conn]struct{}
	// bearer checks OAuth access tokens (MemServerOptions.Bearer).
	bearer func(username, token string) error
}

// NewMemServer serves an in-memory IMAP server on addr ("127.0.0.1:0"
// picks a free port) for one user, with plaintext LOGIN allowed.
func NewMemServer(addr, user, pass string) (*MemServer, error) {
	return NewMemServerWith(addr, user, pass, MemServerOptions{})
}

// NewMemServerWith is NewMemServer with options.
func NewMemServerWith(addr, user, pass string, opts MemServerOptions) (*MemServer, error) {
	caps := DefaultCaps()
	if opts.Caps != nil {
		caps = maps.Clone(opts.Caps)
	}
	s := &MemServer{
		mem:    imapmemserver.New(),
		user:   imapmemserver.NewUser(user, pass),
		done:   make(chan struct{}),
		conns:  make(map[net.Conn]struct{}),
		bearer: opts.Bearer,
	}
	if err := s.user.Create("INBOX", nil); err != nil {
		return nil, fmt.Errorf("create INBOX: %w", err)
	}
	s.mem.AddUser(s.user)
	logger := opts.Logger
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	sopts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &memSession{srv: s}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: opts.Security == "" || opts.Security == "none",
		Logger:       logger,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	switch opts.Security {
	case "", "none":
	case "tls", "starttls":
		cert, err := NewCert()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.cert = cert
		if opts.Security == "tls" {
			ln = tls.NewListener(ln, cert.Server)
			sopts.InsecureAuth = true // the connection is already TLS
		} else {
			sopts.TLSConfig = cert.Server
			caps[imap.CapStartTLS] = struct{}{}
		}
	default:
		ln.Close()
		return nil, fmt.Errorf("unknown security %q", opts.Security)
	}
	s.srv = imapserver.New(sopts)
	s.ln = &trackingListener{Listener: ln, s: s}
	s.acct = Account{Addr: ln.Addr().String(), Username: user, Password: pass}
	if opts.Security == "tls" {
		s.acct.TLSConfig = s.cert.Client
	}
	go func() {
		defer close(s.done)
		s.srv.Serve(s.ln)
	}()
	return s, nil
}

// StartMemServer starts a MemServer on 127.0.0.1 for the test, closed at
// its end.
func StartMemServer(t testing.TB, user, pass string) *MemServer {
	t.Helper()
	return StartMemServerWith(t, user, pass, MemServerOptions{})
}

// StartMemServerWith is StartMemServer with options.
func StartMemServerWith(t testing.TB, user, pass string, opts MemServerOptions) *MemServer {
	t.Helper()
	s, err := NewMemServerWith("127.0.0.1:0", user, pass, opts)
	if err != nil {
		t.Fatalf("start IMAP memory server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Addr is the server's host:port.
func (s *MemServer) Addr() string { return s.acct.Addr }

// Host is the server's IP address.
func (s *MemServer) Host() string { h, _, _ := net.SplitHostPort(s.acct.Addr); return h }

// Port is the server's port.
func (s *MemServer) Port() int {
	_, p, _ := net.SplitHostPort(s.acct.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// Account is the server's user, ready to inspect the mailbox over IMAP.
func (s *MemServer) Account() Account { return s.acct }

// ClientTLSConfig trusts the server's self-signed certificate (nil when
// the server has no TLS).
func (s *MemServer) ClientTLSConfig() *tls.Config {
	if s.cert == nil {
		return nil
	}
	return s.cert.Client.Clone()
}

// Append adds raw to mailbox directly (no IMAP round trip), unread.
// Idling clients are told, as with a real delivery.
func (s *MemServer) Append(mailbox string, raw []byte) error {
	_, err := s.user.Append(mailbox, bytes.NewReader(raw), &imap.AppendOptions{})
	if err != nil {
		return fmt.Errorf("append to %s: %w", mailbox, err)
	}
	return nil
}

// CreateMailbox creates a mailbox (an existing one is an error).
func (s *MemServer) CreateMailbox(name string) error { return s.user.Create(name, nil) }

// Messages lists mailbox over IMAP, read-only.
func (s *MemServer) Messages(mailbox string) ([]Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), helperTimeout)
	defer cancel()
	return s.acct.Messages(ctx, mailbox)
}

// Count returns how many messages mailbox holds.
func (s *MemServer) Count(mailbox string) (int, error) {
	data, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		return 0, err
	}
	return int(*data.NumMessages), nil
}

// UIDValidity returns mailbox's UIDVALIDITY.
func (s *MemServer) UIDValidity(mailbox string) (uint32, error) {
	data, err := s.user.Status(mailbox, &imap.StatusOptions{UIDValidity: true})
	if err != nil {
		return 0, err
	}
	return data.UIDValidity, nil
}

// ResetUIDValidity re-creates mailbox with the same messages in the same
// order (flags dropped) under a new UIDVALIDITY, as a server does after a
// rebuild. Connected clients are dropped first.
func (s *MemServer) ResetUIDValidity(mailbox string) error {
	ctx, cancel := context.WithTimeout(context.Background(), helperTimeout)
	defer cancel()
	raws, err := s.acct.Raws(ctx, mailbox)
	if err != nil {
		return err
	}
	s.DropConnections()
	if err := s.user.Delete(mailbox); err != nil {
		return fmt.Errorf("delete %s: %w", mailbox, err)
	}
	if err := s.user.Create(mailbox, nil); err != nil {
		return fmt.Errorf("create %s: %w", mailbox, err)
	}
	for _, raw := range raws {
		if err := s.Append(mailbox, raw); err != nil {
			return err
		}
	}
	return nil
}

// SetFault installs fn, called before each select, create, fetch, store,
// copy, move and expunge: a non-nil error is answered to the client
// instead of doing the operation. nil removes the hook.
func (s *MemServer) SetFault(fn func(op Op, mailbox string) error) {
	s.mu.Lock()
	s.fault = fn
	s.mu.Unlock()
}

func (s *MemServer) check(op Op, mailbox string) error {
	s.mu.Lock()
	fn := s.fault
	s.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(op, mailbox)
}

// DropConnections closes every client connection, as a server restart or
// a network cut would.
func (s *MemServer) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
}

// Close stops the server and drops its connections.
func (s *MemServer) Close() error {
	err := s.srv.Close()
	// Serve may not have registered the listener yet: close it here too.
	if lerr := s.ln.Close(); err == nil && !errors.Is(lerr, net.ErrClosed) {
		err = lerr
	}
	s.DropConnections()
	<-s.done
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

type trackingListener struct {
	net.Listener
	s *MemServer
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.mu.Lock()
	l.s.conns[c] = struct{}{}
	l.s.mu.Unlock()
	return c, nil
}

// memSession is imapmemserver's session with a fault hook.
type memSession struct {
	*imapmemserver.UserSession // nil until LOGIN
	srv                        *MemServer
	selected                   string
}

var _ imapserver.SessionIMAP4rev2 = (*memSession)(nil)

func (s *memSession) Login(username, password string) error {
	if err := s.srv.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.srv.user)
	return nil
}

func (s *memSession) Close() error {
	if s.UserSession == nil {
		return nil
	}
	return s.UserSession.Close()
}

func (s *memSession) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	if err := s.srv.check(OpSelect, mailbox); err != nil {
		return nil, err
	}
	s.selected = mailbox
	return s.UserSession.Select(mailbox, options)
}

func (s *memSession) Create(mailbox string, options *imap.CreateOptions) error {
	if err := s.srv.check(OpCreate, mailbox); err != nil {
		return err
	}
	return s.UserSession.Create(mailbox, options)
}

func (s *memSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if err := s.srv.check(OpFetch, s.selected); err != nil {
		return err
	}
	return s.UserSession.Fetch(w, numSet, options)
}

func (s *memSession) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	if err := s.srv.check(OpStore, s.selected); err != nil {
		return err
	}
	return s.UserSession.Store(w, numSet, flags, options)
}

func (s *memSession) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	if err := s.srv.check(OpCopy, dest); err != nil {
		return nil, err
	}
	return s.UserSession.Copy(numSet, dest)
}

func (s *memSession) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if err := s.srv.check(OpMove, dest); err != nil {
		return err
	}
	return s.UserSession.Move(w, numSet, dest)
}

func (s *memSession) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if err := s.srv.check(OpExpunge, s.selected); err != nil {
		return err
	}
	return s.UserSession.Expunge(w, uids)
}

// Idle reports new mail every 50 ms. imapmemserver's own IDLE only wakes on
// a change made after IDLE began, so mail that arrives between a client's
// last command and its IDLE would wait for the next change; real servers
// report it at once.
func (s *memSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if err := s.UserSession.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}
