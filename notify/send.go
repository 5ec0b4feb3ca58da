package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/loopback"
)

// SMTP security modes.
const (
	SecurityTLS      = "tls"      // implicit TLS (port 465)
	SecurityStartTLS = "starttls" // STARTTLS required (port 587)
	SecurityNone     = "none"     // plain text, loopback hosts only
)

// Defaults of the sender.
const (
	DefaultMaxPerHour = 100
	// DefaultMaxPerDomainPerHour: made-up addresses at one company's
	// domain cannot draw more than this many mails to it in an hour.
	DefaultMaxPerDomainPerHour = 20
	DefaultBatchSize           = 500
	DefaultTimeout             = 30 * time.Second
	// MaxRetryAge is how long after it was queued a mail is retried after
	// temporary failures before it is marked failed.
	MaxRetryAge = 72 * time.Hour
	// claimLease is how long a mail taken by a sender stays invisible to
	// other senders; a sender that dies mid-batch delays its mails this long.
	claimLease = 10 * time.Minute
)

// maxSubjectLen caps the subject of an automatic mail, in characters.
const maxSubjectLen = 200

// retrySteps are the waits after the 1st, 2nd... temporary failure; the
// last one repeats.
var retrySteps = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// SMTPConfig says how to reach the SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int    // 465 for tls, 587 for starttls, 25 for none when 0
	Security string // "tls" | "starttls" | "none"
	Username string // no authentication when empty
	Password string
	// Auth is "password" (default: PLAIN or LOGIN with Password), or
	// "xoauth2" / "oauthbearer" with an access token from Token, asked at
	// each connection.
	Auth  string
	Token func(ctx context.Context) (string, error)
	From  string // envelope sender and From address
	HELO  string // the local host name when empty
	// Timeout bounds the dial and every read or write of each command
	// (DefaultTimeout when 0).
	Timeout time.Duration
	// TLSConfig replaces the default TLS settings (tests use it to trust
	// a private certificate); ServerName defaults to Host.
	TLSConfig *tls.Config
}

// settle checks c.Security and fills in the port and the timeout left
// at zero. A plain-text session (and a password) must never leave the
// machine: "none" is refused towards any host but a loopback one (the
// configuration checks this too).
func (c *SMTPConfig) settle() error {
	switch c.Security {
	case SecurityTLS, SecurityStartTLS, SecurityNone:
	default:
		return fmt.Errorf("smtp: security %q: expected tls, starttls or none", c.Security)
	}
	if c.Port == 0 {
		c.Port = map[string]int{SecurityTLS: 465, SecurityStartTLS: 587, SecurityNone: 25}[c.Security]
	}
	if c.Security == SecurityNone && !loopback.Is(c.Host) {
		return fmt.Errorf("smtp: security \"none\" is only allowed towards a loopback host, not %q", c.Host)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return nil
}

// tlsConfig is the TLS settings of a session with the server of c.
func (c *SMTPConfig) tlsConfig() *tls.Config {
	if c.TLSConfig == nil {
		return &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	}
	t := c.TLSConfig.Clone()
	if t.ServerName == "" {
		t.ServerName = c.Host
	}
	return t
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	SMTP           SMTPConfig
	ProgramName    string   // display name of From and Reply-To
	ProgramAddress string   // Reply-To; never a recipient
	Coordinators   []string // never recipients of automatic mail
	MaxPerHour     int      // DefaultMaxPerHour when 0
	// MaxPerDomainPerHour caps mails to one recipient domain in an hour,
	// public mail services excepted (store.PublicProvider);
	// DefaultMaxPerDomainPerHour when 0, no limit when negative.
	MaxPerDomainPerHour int
	BatchSize           int // due mails looked at per SendDue; DefaultBatchSize when 0
	// Location of the Date header (the program's time zone, so applicants
	// read their local time); UTC when nil.
	Location *time.Location
	Logger   *slog.Logger
}

// Sender delivers the due mails of the outbox. One SendDue runs at a time
// per Sender; store.ReserveMails keeps two processes from sending the same
// mail or together going past the caps.
type Sender struct {
	st        *store.Store
	cfg       SenderConfig
	from      string
	forbidden map[string]bool
	// coordinators may receive the mails meant for them (the digest) and
	// reminders of sessions they are in the audience of.
	coordinators map[string]bool
	log          *slog.Logger
	mu           sync.Mutex

	// Now is the clock (time.Now by default); tests move it to make
	// retries due without sleeping.
	Now func() time.Time
	// Jitter returns a number in [0, 1) that spreads retries (±10 %);
	// math/rand by default.
	Jitter func() float64
}

// Result counts what one SendDue did.
type Result struct {
	Sent      int // accepted by the server
	Retried   int // temporary failure, rescheduled
	Failed    int // permanent failure, or temporary ones for longer than MaxRetryAge
	Held      int // due but left pending by the hourly or per-domain cap
	Cancelled int // addressed to the program or a coordinator: never sent
}

// NewSender checks the configuration and returns a Sender over st.
func NewSender(st *store.Store, cfg SenderConfig) (*Sender, error) {
	c := &cfg.SMTP
	if c.Host == "" {
		return nil, errors.New("smtp: host is empty")
	}
	if err := c.settle(); err != nil {
		return nil, err
	}
	if c.Port < 1 || c.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d out of range", c.Port)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", c.From, err)
	}
	prog, err := mail.ParseAddress(cfg.ProgramAddress)
	if err != nil {
		return nil, fmt.Errorf("program address %q: %w", cfg.ProgramAddress, err)
	}
	cfg.ProgramAddress = prog.Address
	if cfg.MaxPerHour <= 0 {
		cfg.MaxPerHour = DefaultMaxPerHour
	}
	if cfg.MaxPerDomainPerHour == 0 {
		cfg.MaxPerDomainPerHour = DefaultMaxPerDomainPerHour
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	s := &Sender{st: st, cfg: cfg, from: from.Address, forbidden: map[string]bool{}, coordinators: map[string]bool{}, log: cfg.Logger,
		Now: time.Now, Jitter: rand.Float64}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	ours := append([]string{cfg.ProgramAddress, from.Address}, cfg.Coordinators...)
	for i, a := range ours {
		p, err := mail.ParseAddress(a)
		if err != nil {
			return nil, fmt.Errorf("coordinator address %q: %w", a, err)
		}
		s.forbidden[store.AddressKey(p.Address)] = true
		if i >= 2 { // cfg.Coordinators
			s.coordinators[store.AddressKey(p.Address)] = true
		}
	}
	return s, nil
}

// SendDue delivers the pending mails that are due, over one SMTP
// connection, within the hourly cap. Each mail is marked sent right after
// the server accepted its DATA, so a crash between the two can send one
// mail twice at most, with the same Message-ID (the row keeps it).
//
// Per-mail outcomes are in Result. The error is non-nil when the store
// failed, ctx ended, or the SMTP server could not be reached or refused
// the session (a *TemporaryError; the mails were rescheduled).
func (s *Sender) SendDue(ctx context.Context) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var res Result
	now := s.Now()
	due, err := s.st.DueMails(ctx, now, s.cfg.BatchSize)
	if err != nil {
		return res, fmt.Errorf("send due mails: %w", err)
	}
	var todo []*store.OutboxMail
	for _, m := range due {
		if s.forbidden[store.AddressKey(m.Recipient)] && !s.forCoordinator(m) && !toOperators(m.Kind) {
			if err := s.st.MarkCancelled(ctx, m.ID,
				"not sent: the recipient is the program's address or a coordinator"); err != nil {
				return res, fmt.Errorf("send due mails: %w", err)
			}
			res.Cancelled++
			s.log.Warn("mail_cancelled", slog.Int64("outbox_id", m.ID), slog.String("kind", m.Kind),
				slog.String("reference", m.Reference), slog.String("reason", "recipient is the program or a coordinator"))
			continue
		}
		todo = append(todo, m)
	}
	if len(todo) == 0 {
		return res, nil
	}
	ids := make([]int64, len(todo))
	for i, m := range todo {
		ids[i] = m.ID
	}
	// The caps are counted and the slots taken in one store transaction,
	// so that another sender running now cannot spend the same budget.
	rsv, err := s.st.ReserveMails(ctx, ids, now, now.Add(claimLease),
		store.SendLimits{PerHour: s.cfg.MaxPerHour, PerDomainPerHour: s.cfg.MaxPerDomainPerHour})
	if err != nil {
		return res, fmt.Errorf("send due mails: %w", err)
	}
	res.Held = rsv.HeldHour + rsv.HeldDomain
	if rsv.HeldHour > 0 {
		s.log.Info("hourly_cap_reached", slog.Int("max_per_hour", s.cfg.MaxPerHour),
			slog.Int("sent_last_hour", rsv.UsedHour), slog.Int("held", rsv.HeldHour))
	}
	if rsv.HeldDomain > 0 {
		s.log.Info("domain_cap_reached", slog.Int("max_per_domain_per_hour", s.cfg.MaxPerDomainPerHour),
			slog.Int("held", rsv.HeldDomain))
	}
	todo = keepClaimed(todo, rsv.IDs)

	sess := &session{s: s}
	defer sess.close()
	defer context.AfterFunc(ctx, sess.stopping)()
	// A mail in flight is finished and its outcome recorded even when ctx
	// ends: cutting the connection in the middle of DATA, or failing to
	// mark a mail the server accepted, would send it twice. Cancellation
	// is honoured between mails; one mail is bounded by the SMTP timeout.
	inFlight := context.WithoutCancel(ctx)
	for i, m := range todo {
		if err := ctx.Err(); err != nil {
			return res, s.release(ctx, todo[i:], err)
		}
		derr := sess.deliver(ctx, m)
		if err := s.record(inFlight, m, derr, &res); err != nil {
			return res, s.release(ctx, todo[i+1:], err)
		}
	}
	if sess.connErr != nil {
		s.log.Warn("smtp_unreachable", slog.Int("retried", res.Retried), slog.Any("error", sess.connErr))
		return res, fmt.Errorf("send due mails: %w", sess.connErr)
	}
	return res, nil
}

func keepClaimed(ms []*store.OutboxMail, claimed []int64) []*store.OutboxMail {
	ok := make(map[int64]bool, len(claimed))
	for _, id := range claimed {
		ok[id] = true
	}
	var out []*store.OutboxMail
	for _, m := range ms {
		if ok[m.ID] {
			out = append(out, m)
		}
	}
	return out
}

// release makes claimed mails that were not tried due again, then
// returns cause.
func (s *Sender) release(ctx context.Context, ms []*store.OutboxMail, cause error) error {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	if err := s.st.ReleaseMails(context.WithoutCancel(ctx), ids, s.Now()); err != nil {
		return errors.Join(fmt.Errorf("send due mails: %w", cause), err)
	}
	return fmt.Errorf("send due mails: %w", cause)
}

// record stores the outcome of one delivery.
func (s *Sender) record(ctx context.Context, m *store.OutboxMail, derr error, res *Result) error {
	now := s.Now()
	attempts := m.Attempts + 1
	attrs := []any{slog.Int64("outbox_id", m.ID), slog.String("kind", m.Kind),
		slog.String("reference", m.Reference), slog.Int("attempts", attempts)}
	var perm *PermanentError
	switch {
	case derr == nil:
		if err := s.st.MarkSent(ctx, m.ID, now); err != nil {
			// The server has the mail: this row will be sent again (same
			// Message-ID) unless the store recovers first.
			return err
		}
		res.Sent++
		s.log.Info("mail_sent", attrs...)
	case errors.As(derr, &perm):
		if err := s.st.MarkFailed(ctx, m.ID, attempts, perm.Text); err != nil {
			return err
		}
		res.Failed++
		s.log.Warn("mail_failed", append(attrs, slog.Int("smtp_code", perm.Code), slog.Any("error", derr))...)
	default:
		if now.Sub(m.CreatedAt) >= MaxRetryAge {
			text := fmt.Sprintf("gave up after %s of temporary failures; last: %v", MaxRetryAge, derr)
			if err := s.st.MarkFailed(ctx, m.ID, attempts, text); err != nil {
				return err
			}
			res.Failed++
			s.log.Warn("mail_failed", append(attrs, slog.Any("error", derr))...)
			return nil
		}
		next := now.Add(s.backoff(attempts))
		if limit := m.CreatedAt.Add(MaxRetryAge); next.After(limit) {
			next = limit
		}
		if err := s.st.MarkRetry(ctx, m.ID, attempts, next, derr.Error()); err != nil {
			return err
		}
		res.Retried++
		s.log.Info("mail_retry_scheduled", append(attrs, slog.Time("next_attempt_at", next),
			slog.Any("error", derr))...)
	}
	return nil
}

// backoff is the wait after the attempts-th failure, ±10 % jitter.
func (s *Sender) backoff(attempts int) time.Duration {
	d := retrySteps[min(max(attempts, 1), len(retrySteps))-1]
	return time.Duration(float64(d) * (0.9 + 0.2*s.Jitter()))
}

// session is one SMTP connection, opened on the first mail and reused.
type session struct {
	s       *Sender
	client  *gomail.Client
	raw     net.Conn
	connErr *TemporaryError // the session could not be opened: not retried in this batch

	// stopAt, once ctx has ended, is when the connection's reads and
	// writes must give up (unix nanoseconds; 0 while running), and conn
	// the connection it applies to.
	stopAt atomic.Int64
	conn   atomic.Pointer[deadlineConn]
}

// inFlightGrace is how long the mail in hand may still take once the
// sender is told to stop: enough for a server that answers to accept it,
// short enough that a daemon stopped with a silent server in the middle
// of DATA is gone within its 10 s (the mail is then retried later).
const inFlightGrace = 5 * time.Second

// stopping shortens every deadline of the connection to inFlightGrace
// from now. It runs when SendDue's ctx ends, beside the send in progress.
func (ss *session) stopping() {
	end := time.Now().Add(inFlightGrace)
	ss.stopAt.Store(end.UnixNano())
	if c := ss.conn.Load(); c != nil {
		c.Conn.SetDeadline(end)
	}
}

func (ss *session) open(ctx context.Context) error {
	cfg := ss.s.cfg.SMTP
	tlsCfg := cfg.tlsConfig()
	var raw net.Conn
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: cfg.Timeout}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if cfg.Security == SecurityNone {
			if ta, ok := c.RemoteAddr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
				c.Close()
				return nil, fmt.Errorf("security \"none\" refuses %s: not a loopback address", c.RemoteAddr())
			}
		}
		raw = c
		dc := &deadlineConn{Conn: c, timeout: cfg.Timeout, stopAt: &ss.stopAt}
		ss.conn.Store(dc)
		conn := net.Conn(dc)
		if cfg.Security == SecurityTLS {
			tc := tls.Client(conn, tlsCfg)
			if err := tc.HandshakeContext(ctx); err != nil {
				c.Close()
				return nil, fmt.Errorf("TLS handshake: %w", err)
			}
			conn = tc
		}
		return conn, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsCfg),
		// After an accepted DATA the server is ready for the next mail:
		// RSET (and the NOOP go-mail sends before it) would only add
		// round trips. Failed MAIL/RCPT are still followed by RSET.
		gomail.WithoutRset(),
	}
	switch cfg.Security {
	case SecurityStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default: // tls: done by dial; none: plain text
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		auth, err := authOption(ctx, cfg)
		if err != nil {
			return err
		}
		opts = append(opts, auth...)
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialWithContext(ctx); err != nil {
		if raw != nil {
			raw.Close()
		}
		return err
	}
	// ctx bounds the dial only: once connected, a mail in flight is
	// finished (each command has its deadline, see deadlineConn), since
	// cutting DATA short could leave the server with a mail we think unsent.
	ss.client, ss.raw = client, raw
	return nil
}

// drop forgets a connection that is no longer usable, without QUIT.
func (ss *session) drop() {
	if ss.raw != nil {
		ss.raw.Close()
	}
	ss.client, ss.raw = nil, nil
	ss.conn.Store(nil)
}

// close ends the session politely.
func (ss *session) close() {
	if ss.client != nil {
		if err := ss.client.Close(); err != nil {
			ss.s.log.Debug("smtp_quit_failed", slog.Any("error", err))
		}
	}
	ss.drop()
}

// deliver sends one mail, opening or reopening the session as needed.
// It returns nil once the server accepted the DATA.
func (ss *session) deliver(ctx context.Context, m *store.OutboxMail) error {
	msg, err := ss.s.message(m)
	if err != nil {
		return err
	}
	for try := 0; ; try++ {
		if ss.connErr != nil {
			return ss.connErr
		}
		if ss.client == nil {
			if err := ss.open(ctx); err != nil {
				ss.connErr = classifyConn(err)
				return ss.connErr
			}
		}
		err := ss.client.Send(msg)
		if msg.IsDelivered() {
			// Accepted; anything after (a failed RSET) only means the
			// connection is in doubt.
			if err != nil {
				ss.drop()
			}
			return nil
		}
		if err == nil {
			return errors.New("go-mail reported no error but no delivery")
		}
		var se *gomail.SendError
		if errors.As(err, &se) && se.Reason == gomail.ErrConnCheck && try == 0 {
			// The reused connection died while idle (the NOOP failed):
			// nothing was sent, reconnect once.
			ss.drop()
			continue
		}
		cerr := classifySend(err)
		if te := (*TemporaryError)(nil); errors.As(cerr, &te) && te.Code == 0 {
			ss.drop() // no SMTP reply: the connection is broken
		}
		return cerr
	}
}

// forCoordinator reports a mail a coordinator may get: the digest, or a
// reminder of a session whose audience names them.
func (s *Sender) forCoordinator(m *store.OutboxMail) bool {
	return (m.Kind == store.MailDigest || m.Kind == store.MailReminder) && s.coordinators[store.AddressKey(m.Recipient)]
}

// message builds the MIME message of an outbox row: multipart/alternative
// text and HTML, extra parts as attachments, and the headers that mark an
// automatic reply.
func (s *Sender) message(m *store.OutboxMail) (*gomail.Msg, error) {
	rcpt, err := mail.ParseAddress(m.Recipient)
	if err != nil {
		return nil, &PermanentError{Text: fmt.Sprintf("recipient %q is not an address: %v", m.Recipient, err), Err: err}
	}
	msgID := strings.TrimSuffix(strings.TrimPrefix(m.HeaderMsgID, "<"), ">")
	if msgID == "" || strings.ContainsAny(msgID, " <>\r\n") {
		return nil, &PermanentError{Text: fmt.Sprintf("outbox mail %d has no usable Message-ID %q", m.ID, m.HeaderMsgID)}
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.EnvelopeFrom(s.from); err != nil {
		return nil, &PermanentError{Text: fmt.Sprintf("from address %q: %v", s.from, err), Err: err}
	}
	msg.FromMailAddress(&mail.Address{Name: s.cfg.ProgramName, Address: s.from})
	// Display name and subject are capped here too, whatever the row holds:
	// go-mail folds encoded words, but a 10,000-character name is no name.
	msg.ToMailAddress(&mail.Address{Name: store.CleanLine(m.RecipientName, MaxEchoLen), Address: rcpt.Address})
	msg.ReplyToMailAddress(&mail.Address{Name: s.cfg.ProgramName, Address: s.cfg.ProgramAddress})
	msg.Subject(store.CleanLine(m.Subject, maxSubjectLen))
	// The same Message-ID on every attempt: a duplicate after a crash is
	// recognisable, and threads stay whole.
	msg.SetMessageIDWithValue(msgID)
	created := m.CreatedAt
	if created.IsZero() {
		created = s.Now()
	}
	if s.cfg.Location != nil {
		created = created.In(s.cfg.Location)
	}
	msg.SetDateWithValue(created)
	if id := cleanMsgID(m.InReplyTo); id != "" {
		msg.SetGenHeader(gomail.HeaderInReplyTo, id)
	}
	if refs := cleanRefs(m.References); refs != "" {
		msg.SetGenHeader(gomail.HeaderReferences, refs)
	}
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-replied")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.BodyHTML)
	for _, p := range m.Parts {
		if p.Filename == "" {
			// A part without a file name is another form of the body:
			// a calendar invitation that mail clients show as one.
			msg.AddAlternativeString(gomail.ContentType(p.ContentType), p.Content)
			continue
		}
		ct := p.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(p.Filename, strings.NewReader(p.Content),
			gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, &PermanentError{Text: fmt.Sprintf("part %q: %v", p.Filename, err), Err: err}
		}
	}
	return msg, nil
}

// cleanRefs keeps the well-formed Message-IDs of a References value.
func cleanRefs(refs string) string {
	var ok []string
	for _, f := range strings.Fields(refs) {
		if id := cleanMsgID(f); id != "" {
			ok = append(ok, id)
		}
	}
	return strings.Join(ok, " ")
}

// deadlineConn bounds every read and write: a server that stops answering
// in the middle of a command fails the command after the timeout instead
// of holding the batch forever.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	stopAt  *atomic.Int64 // the session's stop deadline (see session.stopping); nil: none
}

func (c *deadlineConn) Read(b []byte) (int, error) {
	if err := c.arm(c.Conn.SetReadDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *deadlineConn) Write(b []byte) (int, error) {
	if err := c.arm(c.Conn.SetWriteDeadline); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// arm sets the deadline of the next read or write: timeout from now, or
// the stop deadline when it comes first. A stop deadline set while arm
// runs is applied again rather than overwritten.
func (c *deadlineConn) arm(set func(time.Time) error) error {
	if c.stopAt == nil {
		return set(time.Now().Add(c.timeout))
	}
	for {
		stop := c.stopAt.Load()
		d := time.Now().Add(c.timeout)
		if stop != 0 && stop < d.UnixNano() {
			d = time.Unix(0, stop)
		}
		if err := set(d); err != nil {
			return err
		}
		if c.stopAt.Load() == stop {
			return nil
		}
	}
}
