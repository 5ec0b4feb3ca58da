// Package smtpsink is a real SMTP server (github.com/emersion/go-smtp)
// that keeps every message it accepts in memory. Tests deliver to it on
// 127.0.0.1:0 and read back what arrived; the demo command captures its
// mail with it. It can be told to refuse sessions, senders, recipients or
// data with a given SMTP reply, to exercise retries and failures.
package smtpsink

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Data []byte   // the message as received (CRLF line ends)
	At   time.Time
}

// Options configure a Sink; the zero value is a plain SMTP server
// without authentication.
type Options struct {
	// TLS, when set, makes the listener implicit TLS (SMTPS).
	TLS *tls.Config
	// StartTLS, when set, advertises STARTTLS with this configuration.
	StartTLS *tls.Config
	// Username and Password, when set, are required (AUTH PLAIN) before
	// MAIL FROM.
	Username, Password string
	// Bearer, when set, makes the sink offer AUTH XOAUTH2 and OAUTHBEARER
	// and accept an access token for which it returns nil, as Gmail and
	// Outlook do; Username is then the only account.
	Bearer func(username, token string) error
	// MaxMessageBytes bounds a message (10 MiB when 0).
	MaxMessageBytes int64
}

// Sink is a running SMTP server that keeps what it receives.
type Sink struct {
	srv  *smtp.Server
	ln   net.Listener
	opts Options
	done chan struct{}

	mu         sync.Mutex
	msgs       []Message
	changed    chan struct{} // closed and replaced at each new message
	sessionErr *smtp.SMTPError
	mailErr    *smtp.SMTPError
	dataErr    *smtp.SMTPError
	rcptErr    map[string]*smtp.SMTPError
	sessions   int
	conns      []net.Conn
}

// New listens on addr ("127.0.0.1:0" for any free port) and serves in the
// background until Close.
func New(addr string) (*Sink, error) { return NewWithOptions(addr, Options{}) }

// NewWithOptions is New with TLS or authentication.
func NewWithOptions(addr string, opts Options) (*Sink, error) {
	var ln net.Listener
	var err error
	if opts.TLS != nil {
		ln, err = tls.Listen("tcp", addr, opts.TLS)
	} else {
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp sink: listen on %s: %w", addr, err)
	}
	s := &Sink{ln: ln, opts: opts, done: make(chan struct{}), changed: make(chan struct{}),
		rcptErr: map[string]*smtp.SMTPError{}}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "sink.localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxMessageBytes = opts.MaxMessageBytes
	if srv.MaxMessageBytes == 0 {
		srv.MaxMessageBytes = 10 << 20
	}
	srv.MaxRecipients = 50
	srv.TLSConfig = opts.StartTLS
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Start starts a sink on 127.0.0.1:0 for a test and closes it at the end.
func Start(t testing.TB) *Sink { return StartWithOptions(t, Options{}) }

// StartWithOptions is Start with TLS or authentication.
func StartWithOptions(t testing.TB, opts Options) *Sink {
	t.Helper()
	s, err := NewWithOptions("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Close stops listening and drops the open connections.
func (s *Sink) Close() error {
	err := s.srv.Close()
	// go-smtp's Close only closes the listeners Serve has registered; a
	// Close right after New can come first, so close ours as well.
	s.ln.Close()
	<-s.done
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("smtp sink: close: %w", err)
	}
	return nil
}

// Addr is the address the sink listens on, host:port.
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Host is the listening IP.
func (s *Sink) Host() string {
	h, _, _ := net.SplitHostPort(s.Addr())
	return h
}

// Port is the listening port.
func (s *Sink) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr())
	n, _ := strconv.Atoi(p)
	return n
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Len is the number of messages accepted so far.
func (s *Sink) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// Sessions counts the SMTP sessions opened (EHLO received) so far.
func (s *Sink) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Clear forgets the messages received so far.
func (s *Sink) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// Wait returns once at least n messages were accepted, or fails when ctx ends.
func (s *Sink) Wait(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := append([]Message(nil), s.msgs...)
			s.mu.Unlock()
			return msgs, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("smtp sink: waiting for %d messages: %w", n, ctx.Err())
		}
	}
}

// DropConnections closes every connection opened so far, as a server
// that restarts or times idle clients out would; the sink keeps listening.
func (s *Sink) DropConnections() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// RejectSessions makes the sink answer EHLO/HELO with e (a 421 for a
// server that is closing, say); nil accepts again.
func (s *Sink) RejectSessions(e *smtp.SMTPError) { s.set(&s.sessionErr, e) }

// RejectMail makes MAIL FROM answer e; nil accepts again.
func (s *Sink) RejectMail(e *smtp.SMTPError) { s.set(&s.mailErr, e) }

// RejectData makes the end of DATA answer e; nil accepts again.
func (s *Sink) RejectData(e *smtp.SMTPError) { s.set(&s.dataErr, e) }

// RejectRcpt makes RCPT TO for addr (any case) answer e; nil accepts again.
func (s *Sink) RejectRcpt(addr string, e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e == nil {
		delete(s.rcptErr, strings.ToLower(addr))
		return
	}
	s.rcptErr[strings.ToLower(addr)] = e
}

func (s *Sink) set(p **smtp.SMTPError, e *smtp.SMTPError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*p = e
}

func (s *Sink) get(p **smtp.SMTPError) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *p == nil {
		return nil
	}
	return *p
}

func (s *Sink) newSession(c *smtp.Conn) (smtp.Session, error) {
	if err := s.get(&s.sessionErr); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sessions++
	s.conns = append(s.conns, c.Conn())
	s.mu.Unlock()
	return &session{sink: s}, nil
}

type session struct {
	sink   *Sink
	authed bool
	from   string
	to     []string
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
	Message: "Authentication required"}

func (ss *session) AuthMechanisms() []string {
	if ss.sink.opts.Username == "" {
		return nil
	}
	if ss.sink.opts.Bearer != nil {
		return []string{sasl.Plain, "XOAUTH2", sasl.OAuthBearer}
	}
	return []string{sasl.Plain}
}

var errInvalidCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
	Message: "Invalid credentials"}

// bearerLogin checks an OAuth access token.
func (ss *session) bearerLogin(username, token string) error {
	if username != ss.sink.opts.Username || ss.sink.opts.Bearer(username, token) != nil {
		return errInvalidCredentials
	}
	ss.authed = true
	return nil
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if ss.sink.opts.Bearer != nil && ss.sink.opts.Username != "" {
		switch mech {
		case "XOAUTH2":
			return &xoauth2Server{check: ss.bearerLogin}, nil
		case sasl.OAuthBearer:
			return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
				if ss.bearerLogin(o.Username, o.Token) != nil {
					return &sasl.OAuthBearerError{Status: "invalid_token", Schemes: "bearer"}
				}
				return nil
			}), nil
		}
	}
	if mech != sasl.Plain || ss.sink.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.sink.opts.Username || password != ss.sink.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
				Message: "Invalid credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.opts.Username != "" && !ss.authed {
		return errAuthRequired
	}
	if err := ss.sink.get(&ss.sink.mailErr); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.sink.mu.Lock()
	e := ss.sink.rcptErr[strings.ToLower(to)]
	ss.sink.mu.Unlock()
	if e != nil {
		return e
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.sink.get(&ss.sink.dataErr); err != nil {
		return err
	}
	s := ss.sink
	s.mu.Lock()
	s.msgs = append(s.msgs, Message{From: ss.from, To: append([]string(nil), ss.to...), Data: b, At: time.Now()})
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }

// xoauth2Server is Google's XOAUTH2 as an SMTP server sees it:
// "user=U^Aauth=Bearer T^A^A"; a refusal is a JSON status challenge,
// answered empty, then 535. (intake/imaptest has the IMAP side; notify
// may not import intake.)
type xoauth2Server struct {
	check  func(username, token string) error
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errInvalidCredentials
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, kv := range strings.Split(string(resp), "\x01") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "user":
			user = v
		case "auth":
			token, _ = strings.CutPrefix(v, "Bearer ")
		}
	}
	if err := x.check(user, token); err != nil {
		x.failed = true
		return []byte(`{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	return nil, true, nil
}
