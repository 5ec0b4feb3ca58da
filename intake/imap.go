package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/loopback"
)

// Ingester takes messages read from a mailbox in, in two steps: Prepare
// reads one message (safe to call for several at once, on every core);
// Commit stores a batch of prepared messages, in the order given, each
// with its checkpoint advance to its UID, in one transaction. Either
// returns an error only when the store or the disk fails, never for mail
// it cannot read. *Pipeline is the implementation.
type Ingester interface {
	Prepare(src Source, raw []byte) (*Prepared, error)
	Commit(ctx context.Context, batch []*Prepared) ([]Outcome, error)
}

// ProcessedKeyword is the IMAP keyword set on a message once it is stored,
// in "flag" mode. A keyword, not \Seen: people reading the mailbox still
// see new mail as unread; and not \Flagged (starred) unless the server
// accepts no keywords (its PERMANENTFLAGS lack \*), because a star means
// something to people.
const ProcessedKeyword = "$RseIntake"

// IMAPOptions says which mailbox to read and what to do with a message on
// the server once it is safely stored.
type IMAPOptions struct {
	Host string
	Port int // default 993 for "tls", 143 otherwise
	// Security is "tls" (default, implicit TLS), "starttls" or "none"
	// (plain text, accepted for loopback hosts only).
	Security string
	Username string
	Password string
	// Auth is how to sign in: "password" (default, LOGIN), or "xoauth2" /
	// "oauthbearer" (AUTHENTICATE with an access token from Token).
	Auth string
	// Token gives the OAuth access token, asked at each connection.
	Token   TokenSource
	Mailbox string // default INBOX
	// Processed is what happens on the server to a stored message: "keep"
	// (nothing), "flag" (default: add ProcessedKeyword) or "move:FOLDER"
	// (moved to FOLDER, created when missing).
	Processed string
	// BatchSize is how many messages one FETCH asks for, and at most how
	// many one transaction stores (default 100).
	BatchSize int
	// BatchWait is how long a message read waits for others to share its
	// transaction (default 100 ms).
	BatchWait time.Duration
	// Workers is how many messages are read at once (default: one per core).
	Workers int
	// inFlight bounds the bytes of mail fetched and not yet committed
	// (default inFlightBytes; tests make it small).
	inFlight int
	// MaxMessageSize is the largest message kept whole (default 50 MB): a
	// larger one is read as it streams in, its header block kept and
	// stored for review as too large, so that memory stays bounded by
	// this setting, not by what a sender sends, and the message is not
	// fetched again at every poll.
	MaxMessageSize int64
	// Progress, if not nil, is called from the writer after each commit
	// with the messages stored so far in this poll and those to take in.
	Progress func(done, total int)
	// TLSConfig for "tls" and "starttls"; nil means the system roots, with
	// the server name taken from Host.
	TLSConfig *tls.Config
	// DialTimeout bounds the TCP connection (default 30 s).
	DialTimeout time.Duration
	// CommandTimeout is how long one command (login, select, one message
	// of a fetch...) may go without progress before the connection is
	// dropped (default 2 min).
	CommandTimeout time.Duration
	// PollInterval is how long Watch waits between polls when the server
	// offers no IDLE, and at most between polls while idling (default 5 min).
	PollInterval time.Duration
	// MaxBackoff caps the wait between two reconnections of Watch
	// (default 5 min).
	MaxBackoff time.Duration
	// OnWatchError, if set, is told each failure of Watch before it waits
	// to reconnect (the daemon's health report and alerts use it).
	OnWatchError func(error)
	Logger       *slog.Logger
}

// DefaultMaxMessageSize is IMAPOptions.MaxMessageSize when unset.
const DefaultMaxMessageSize = 50 << 20

// Addr is Host:Port, the server's name in checkpoints and errors.
func (o IMAPOptions) Addr() string {
	return net.JoinHostPort(o.Host, strconv.Itoa(o.withDefaults().Port))
}

func (o IMAPOptions) withDefaults() IMAPOptions {
	if o.Security == "" {
		o.Security = "tls"
	}
	if o.Port == 0 {
		o.Port = 143
		if o.Security == "tls" {
			o.Port = 993
		}
	}
	if o.Mailbox == "" {
		o.Mailbox = "INBOX"
	}
	if o.Processed == "" {
		o.Processed = "flag"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	if o.BatchWait <= 0 {
		o.BatchWait = 100 * time.Millisecond
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.inFlight <= 0 {
		o.inFlight = inFlightBytes
	}
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 30 * time.Second
	}
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 2 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Minute
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// moveFolder returns FOLDER of "move:FOLDER", or "".
func (o IMAPOptions) moveFolder() string {
	f, _ := strings.CutPrefix(o.Processed, "move:")
	if f == o.Processed {
		return ""
	}
	return f
}

// Validate reports the first option that cannot work.
func (o IMAPOptions) Validate() error {
	o = o.withDefaults()
	if o.Host == "" {
		return errors.New("imap: host is empty")
	}
	if o.Port < 1 || o.Port > 65535 {
		return fmt.Errorf("imap: port %d out of range", o.Port)
	}
	switch o.Security {
	case "tls", "starttls":
	case "none":
		if !loopback.Is(o.Host) {
			return fmt.Errorf("imap: security \"none\" sends the password in clear: allowed for a loopback host only, not %q", o.Host)
		}
	default:
		return fmt.Errorf("imap: security %q: want \"tls\", \"starttls\" or \"none\"", o.Security)
	}
	if o.Username == "" {
		return errors.New("imap: username is empty")
	}
	if err := o.validateAuth(); err != nil {
		return err
	}
	switch {
	case o.Processed == "keep", o.Processed == "flag":
	case strings.HasPrefix(o.Processed, "move:"):
		f := o.moveFolder()
		if strings.TrimSpace(f) == "" {
			return errors.New("imap: processed \"move:\" needs a folder, e.g. \"move:Traités\"")
		}
		if strings.EqualFold(f, o.Mailbox) {
			return fmt.Errorf("imap: processed %q moves to the mailbox being read", o.Processed)
		}
	default:
		return fmt.Errorf("imap: processed %q: want \"keep\", \"flag\" or \"move:FOLDER\"", o.Processed)
	}
	return nil
}

// PollStats says what one poll did.
type PollStats struct {
	Server      string // host:port
	Mailbox     string
	UIDValidity uint32
	Rescan      bool // UIDVALIDITY changed: the mailbox was read again from UID 1
	Fetched     int  // messages read from the server
	Stored      int  // messages written to the store (duplicates included)
	Duplicates  int  // of Stored: second deliveries of a stored message
	Relocated   int  // already stored, found again after a UIDVALIDITY change
	NeedsReview int  // stored raw for a coordinator
	// Marked counts messages flagged or moved on the server, retries of
	// earlier polls included; MarkFailures those left for the next poll.
	Marked       int
	MarkFailures int
	Checkpoint   uint32 // last UID stored in this mailbox, after the poll
	Duration     time.Duration
}

// Poller reads one mailbox over IMAP into the store. Its stages overlap:
// one goroutine fetches from the server, messages are read on every core,
// and one writer commits them strictly in UID order, a batch per
// transaction, each message with its checkpoint advance (by the
// Ingester), so a poll killed at any point resumes where it stopped,
// storing each message exactly once. Marking a message on the server
// (flag or move) happens only after its batch is committed; a marking
// that fails is retried at the next poll.
//
// A Poller runs one poll at a time; concurrent calls wait for each other.
type Poller struct {
	st   *store.Store
	ing  Ingester
	opts IMAPOptions
	log  *slog.Logger
	mu   sync.Mutex
}

// NewPoller returns a poller of the mailbox opts names, storing through
// ing into st. Options are checked at each poll (see Validate).
func NewPoller(st *store.Store, ing Ingester, opts IMAPOptions) *Poller {
	opts = opts.withDefaults()
	return &Poller{
		st: st, ing: ing, opts: opts,
		log: opts.Logger.With(slog.String("server", opts.Addr()), slog.String("mailbox", opts.Mailbox)),
	}
}

// PollOnce connects, stores every message above the checkpoint, marks
// them on the server, and logs out. On error, what was stored stays
// stored and the next poll goes on from there. Cancelling ctx stops
// between two messages or during network I/O.
func (p *Poller) PollOnce(ctx context.Context) (PollStats, error) {
	if err := p.opts.Validate(); err != nil {
		return PollStats{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s, err := p.connect(ctx)
	if err != nil {
		return PollStats{Server: p.opts.Addr(), Mailbox: p.opts.Mailbox}, err
	}
	defer s.close()
	s.oneShot = true
	return s.poll(ctx)
}

// Watch polls, then waits for new mail and polls again, until ctx is
// cancelled (it then returns nil). It waits with IDLE when the server
// offers it (a new message is seen within a second or so), else it polls
// every PollInterval. On an error it logs, reconnects with a backoff from
// 1 s to MaxBackoff with jitter (so that a fleet restarted by the same
// outage does not knock in step), and goes on. onPoll, if not nil, is
// called after each successful poll.
func (p *Poller) Watch(ctx context.Context, onPoll func(PollStats)) error {
	if err := p.opts.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	maxBackoff := p.opts.MaxBackoff
	backoff := min(time.Second, maxBackoff)
	for {
		err := p.watchSession(ctx, onPoll, func() { backoff = min(time.Second, maxBackoff) })
		if ctx.Err() != nil {
			return nil
		}
		if p.opts.OnWatchError != nil {
			p.opts.OnWatchError(err)
		}
		wait := jitter(backoff)
		p.log.Warn("imap_watch_failed", slog.Any("error", err), slog.Duration("retry_in", wait))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// jitter spreads d over [0.8 d, 1.2 d).
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (p *Poller) watchSession(ctx context.Context, onPoll func(PollStats), polled func()) error {
	s, err := p.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	for {
		stats, err := s.poll(ctx)
		if err != nil {
			return err
		}
		polled()
		if onPoll != nil {
			onPoll(stats)
		}
		if err := s.waitForMail(ctx); err != nil {
			return err
		}
	}
}

// errTimeout is wrapped in the error of a command that made no progress
// within CommandTimeout.
var errTimeout = errors.New("no answer from the server in time")

// session is one connection, logged in.
type session struct {
	p       *Poller
	o       IMAPOptions
	addr    string
	ctx     context.Context
	raw     net.Conn
	c       *imapclient.Client
	caps    imap.CapSet
	newMail chan struct{} // signalled on EXISTS, from the client's reader
	flag    imap.Flag     // what "flag" mode sets in the selected mailbox
	folder  bool          // the move folder is known to exist
	// oneShot: a single poll (PollOnce), which may learn from STATUS that
	// nothing is new without selecting the mailbox; Watch selects, since
	// IDLE needs the mailbox selected.
	oneShot bool

	// unrecorded: UIDs marked on the server whose mark the store does not
	// know yet (see recordMarks).
	unrecorded []uint32

	stopCtx   func() bool
	watchdog  *time.Timer
	timedOut  atomic.Bool
	cancelled atomic.Bool
	dropped   atomic.Bool

	// A cancellation closes the socket at once, except during a mark: a
	// MOVE the server has read goes on there after the client hangs up,
	// and the next connection, finding the messages still in the inbox,
	// would move them a second time. The mark finishes first (bounded by
	// the command watchdog), then the socket closes.
	closeMu      sync.Mutex
	marking      bool
	closeWaiting bool
}

// markGrace is how long a cancelled poll waits for its mark to finish:
// well within the 10 s a stopping daemon has.
const markGrace = 3 * time.Second

// drop closes the connection at once: a command was left half-read, so
// there is no logging out politely.
func (s *session) drop() {
	s.dropped.Store(true)
	s.raw.Close()
}

func (p *Poller) connect(ctx context.Context) (*session, error) {
	o := p.opts
	s := &session{p: p, o: o, addr: o.Addr(), ctx: ctx, newMail: make(chan struct{}, 1)}
	if err := ctx.Err(); err != nil {
		return nil, s.fail("connect", err)
	}
	d := net.Dialer{Timeout: o.DialTimeout}
	raw, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, s.fail("connect", err)
	}
	s.raw = raw
	// Closing the socket is what unblocks every read and write of the
	// client, whatever it is doing: on ctx.Done and on a stalled command.
	s.stopCtx = context.AfterFunc(ctx, func() {
		s.closeMu.Lock()
		defer s.closeMu.Unlock()
		s.cancelled.Store(true)
		if s.marking {
			s.closeWaiting = true
			s.watchdog.Reset(markGrace)
			return
		}
		raw.Close()
	})
	s.watchdog = time.AfterFunc(time.Hour, func() {
		s.timedOut.Store(true)
		raw.Close()
	})
	s.watchdog.Stop()
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()

	copts := &imapclient.Options{
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Runs on the client's reader goroutine: only signal.
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					select {
					case s.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.TLSConfig != nil {
		tlsConfig = o.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = o.Host
	}
	copts.TLSConfig = tlsConfig
	s.arm()
	switch o.Security {
	case "tls":
		if tlsConfig.NextProtos == nil {
			tlsConfig.NextProtos = []string{"imap"}
		}
		tc := tls.Client(raw, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, s.fail("tls handshake", err)
		}
		s.c = imapclient.New(tc, copts)
	case "starttls":
		c, err := imapclient.NewStartTLS(raw, copts)
		if err != nil {
			return nil, s.fail("starttls", err)
		}
		s.c = c
	default:
		s.c = imapclient.New(raw, copts)
	}
	if err := s.c.WaitGreeting(); err != nil {
		return nil, s.fail("greeting", err)
	}
	if err := s.login(ctx); err != nil {
		return nil, s.fail("login", err)
	}
	s.caps = s.c.Caps()
	s.disarm()
	ok = true
	return s, nil
}

// arm (re)starts the command watchdog; disarm stops it.
func (s *session) arm()    { s.watchdog.Reset(s.o.CommandTimeout) }
func (s *session) disarm() { s.watchdog.Stop() }

// fail names the server and the step, and says why the connection broke
// when we broke it ourselves. Once the poll is cancelled, whatever the
// client saw next is the cancellation, even before the socket is closed:
// a closed socket, or once in TestPollInterrupted a MOVE's response read
// as garbage ("bad number set value" in its COPYUID).
func (s *session) fail(step string, err error) error {
	switch {
	case s.cancelled.Load() || s.ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		if cerr := s.ctx.Err(); cerr != nil {
			err = cerr
		}
	case s.timedOut.Load():
		err = fmt.Errorf("%w (%s)", errTimeout, s.o.CommandTimeout)
	}
	return fmt.Errorf("imap %s: %s: %w", s.addr, step, err)
}

// close logs out (briefly, unless cancelled) and drops the connection.
func (s *session) close() {
	if s.c != nil {
		if s.ctx.Err() == nil && !s.timedOut.Load() && !s.dropped.Load() {
			s.watchdog.Reset(5 * time.Second)
			s.c.Logout().Wait()
		}
		s.raw.Close()
		s.c.Close()
	}
	if s.raw != nil {
		s.raw.Close()
	}
	if s.stopCtx != nil {
		s.stopCtx()
	}
	if s.watchdog != nil {
		s.watchdog.Stop()
	}
}

// poll selects the mailbox and stores everything above the checkpoint.
func (s *session) poll(ctx context.Context) (stats PollStats, err error) {
	start := time.Now()
	stats = PollStats{Server: s.addr, Mailbox: s.o.Mailbox}
	defer func() { stats.Duration = time.Since(start) }()

	if s.oneShot {
		nothing, err := s.nothingNew(ctx, &stats)
		if err != nil {
			return stats, err
		}
		if nothing {
			s.p.log.Info("imap_poll_done", slog.Uint64("uidvalidity", uint64(stats.UIDValidity)),
				slog.Int("fetched", 0), slog.Uint64("checkpoint", uint64(stats.Checkpoint)),
				slog.Duration("duration", time.Since(start)))
			return stats, nil
		}
	}

	s.arm()
	sel, err := s.c.Select(s.o.Mailbox, nil).Wait()
	s.disarm()
	if err != nil {
		return stats, s.fail("select "+s.o.Mailbox, err)
	}
	if sel.UIDValidity == 0 {
		return stats, s.fail("select "+s.o.Mailbox, errors.New("the server sent no UIDVALIDITY"))
	}
	s.flag = chooseFlag(sel.PermanentFlags)
	key := store.MailboxKey{Server: s.addr, Username: s.o.Username, Mailbox: s.o.Mailbox}
	cp, rescan, err := s.p.st.Checkpoint(ctx, key, sel.UIDValidity)
	if err != nil {
		return stats, fmt.Errorf("imap %s: %w", s.addr, err)
	}
	stats.UIDValidity, stats.Rescan, stats.Checkpoint = sel.UIDValidity, rescan, cp.LastUID
	if rescan && cp.LastUID == 0 {
		s.p.log.Warn("imap_uidvalidity_changed", slog.Uint64("uidvalidity", uint64(sel.UIDValidity)))
	}

	// Marks that failed after an earlier commit come first.
	pending, err := s.p.st.PendingServerMarks(ctx, cp.ID)
	if err != nil {
		return stats, fmt.Errorf("imap %s: %w", s.addr, err)
	}
	if len(pending) > 0 {
		if err := s.markStored(ctx, cp.ID, pending, true, &stats); err != nil {
			return stats, err
		}
	}

	uids, err := s.newUIDs(cp.LastUID, sel.UIDNext)
	if err != nil {
		return stats, err
	}
	if len(uids) > 0 {
		if err := s.take(ctx, cp.ID, rescan, uids, &stats); err != nil {
			// What was stored stays stored; its marks wait for the next poll.
			return stats, err
		}
	}
	s.p.log.Info("imap_poll_done",
		slog.Uint64("uidvalidity", uint64(stats.UIDValidity)), slog.Bool("rescan", stats.Rescan),
		slog.Int("fetched", stats.Fetched), slog.Int("stored", stats.Stored),
		slog.Int("duplicates", stats.Duplicates), slog.Int("relocated", stats.Relocated),
		slog.Int("needs_review", stats.NeedsReview), slog.Int("marked", stats.Marked),
		slog.Int("mark_failures", stats.MarkFailures), slog.Uint64("checkpoint", uint64(stats.Checkpoint)),
		slog.Duration("duration", time.Since(start)))
	return stats, nil
}

// nothingNew reports, from STATUS, that the mailbox holds nothing above
// the checkpoint and no stored message waits for its mark on the server,
// so the poll is done without SELECT (Dovecot selects a mailbox of 10,000
// messages in 20 to 30 ms, and answers STATUS in 5). Any doubt (no
// UIDNEXT, a changed UIDVALIDITY, marks to retry, a STATUS error) leaves
// the answer to the full poll.
func (s *session) nothingNew(ctx context.Context, stats *PollStats) (bool, error) {
	s.arm()
	st, err := s.c.Status(s.o.Mailbox, &imap.StatusOptions{UIDNext: true, UIDValidity: true}).Wait()
	s.disarm()
	if err != nil || st.UIDValidity == 0 || st.UIDNext == 0 {
		return false, nil
	}
	key := store.MailboxKey{Server: s.addr, Username: s.o.Username, Mailbox: s.o.Mailbox}
	cp, rescan, err := s.p.st.Checkpoint(ctx, key, st.UIDValidity)
	if err != nil {
		return false, fmt.Errorf("imap %s: %w", s.addr, err)
	}
	if rescan || uint32(st.UIDNext) > cp.LastUID+1 {
		return false, nil
	}
	pending, err := s.p.st.PendingServerMarks(ctx, cp.ID)
	if err != nil {
		return false, fmt.Errorf("imap %s: %w", s.addr, err)
	}
	if len(pending) > 0 {
		return false, nil
	}
	stats.UIDValidity, stats.Checkpoint = st.UIDValidity, cp.LastUID
	return true, nil
}

// chooseFlag picks the "flag" mode mark the mailbox can keep.
func chooseFlag(permanent []imap.Flag) imap.Flag {
	if len(permanent) == 0 {
		// No PERMANENTFLAGS: RFC 3501 says all flags can be changed
		// permanently.
		return ProcessedKeyword
	}
	for _, f := range permanent {
		if f == imap.FlagWildcard || strings.EqualFold(string(f), ProcessedKeyword) {
			return ProcessedKeyword
		}
	}
	return imap.FlagFlagged
}

// newUIDs lists the UIDs above last, ascending.
func (s *session) newUIDs(last uint32, uidNext imap.UID) ([]uint32, error) {
	if uidNext != 0 && uint32(uidNext) <= last+1 {
		return nil, nil // nothing arrived since: no need to ask
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0)
	s.arm()
	data, err := s.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	s.disarm()
	if err != nil {
		return nil, s.fail("search", err)
	}
	var uids []uint32
	for _, u := range data.AllUIDs() {
		// "n:*" always matches the highest UID, even below n.
		if uint32(u) > last {
			uids = append(uids, uint32(u))
		}
	}
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

// job is one fetched message on its way to be read, numbered in the
// order it must be committed.
type job struct {
	seq  int
	src  Source
	raw  []byte
	cost int // bytes acquired from the writer's budget
}

// Between the fetcher and the writer, messages wait in queues so that
// neither the readers nor the connection stop while the writer waits for
// the disk (an fsync per batch); their mail is bounded by inFlightBytes.
// 16 MB holds a few batches of usual mail; more only made the heap, and
// so the page faults of first touching it, larger (48 MB: peak RSS 116 MB
// and ~29,000 faults on the 5,000-mail benchmark; 16 MB: 95 MB, ~25,000).
const (
	queueDepth    = 256
	inFlightBytes = 16 << 20
)

// byteBudget bounds the bytes of mail fetched and not yet committed. One
// goroutine acquires (the fetcher); the writer releases.
type byteBudget struct {
	mu    sync.Mutex
	used  int
	limit int
	freed chan struct{}
}

func newByteBudget(limit int) *byteBudget {
	return &byteBudget{limit: limit, freed: make(chan struct{}, 1)}
}

// acquire waits until n bytes fit, or nothing is held: a message larger
// than the whole budget goes alone.
func (b *byteBudget) acquire(ctx context.Context, n int) error {
	for {
		b.mu.Lock()
		if b.used == 0 || b.used+n <= b.limit {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		b.mu.Unlock()
		select {
		case <-b.freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *byteBudget) release(n int) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	select {
	case b.freed <- struct{}{}:
	default:
	}
}

// prepared is a job once read.
type prepared struct {
	seq  int
	src  Source
	r    *Prepared
	err  error
	cost int
}

// take fetches uids (ascending) and stores them, the three stages
// overlapping: this goroutine owns the connection, fetching a chunk of
// BatchSize UIDs at a time and, between chunks, marking on the server what
// the writer committed; Workers goroutines read messages; one writer
// commits them in UID order, a batch per transaction (BatchSize messages,
// 32 MB, or BatchWait after the first one, whichever comes first). An
// interruption never leaves a lower UID unstored below the checkpoint.
func (s *session) take(ctx context.Context, mailboxID int64, rescan bool, uids []uint32, stats *PollStats) error {
	// Mail waits: reading is made ready while the first is fetched.
	warmReading.Do(func() { go extract.Warm() })
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	jobs := make(chan job, queueDepth)
	results := make(chan prepared, queueDepth)
	var workers sync.WaitGroup
	for range s.o.Workers {
		workers.Go(func() {
			for j := range jobs {
				if pctx.Err() != nil {
					// The writer failed or the poll ends: reading more
					// would only write files that no commit names.
					return
				}
				r, err := s.p.ing.Prepare(j.src, j.raw)
				if err == nil && r.raw == nil {
					putRaw(j.raw) // kept as a file: read no more
				}
				select {
				case results <- prepared{seq: j.seq, src: j.src, r: r, err: err, cost: j.cost}:
				case <-pctx.Done():
					return
				}
			}
		})
	}
	go func() {
		workers.Wait()
		close(results)
	}()

	w := &writer{s: s, ctx: pctx, total: len(uids), committed: make(chan struct{}, 1), budget: newByteBudget(s.o.inFlight)}
	writerDone := make(chan error, 1)
	go func() {
		err := w.run(results)
		if err != nil {
			stop() // the fetcher and the readers give up
		}
		writerDone <- err
	}()

	ferr := s.fetchAll(pctx, mailboxID, rescan, uids, jobs, w, stats)
	close(jobs)
	// Whatever was fetched is still stored when the connection broke; what
	// each batch committed is marked meanwhile, while the connection holds.
	marking := ferr == nil
	var werr error
wait:
	for {
		select {
		case werr = <-writerDone:
			break wait
		case <-w.committed:
			if marking {
				if err := s.markStored(ctx, mailboxID, w.takeMarks(), false, stats); err != nil {
					ferr, marking = err, false
				}
			}
		}
	}
	// No reader is still writing files once the poll returns.
	workers.Wait()
	if werr == nil && marking {
		ferr = s.markStored(ctx, mailboxID, w.takeMarks(), false, stats)
	}
	// Whatever else failed, the marks set are recorded, unless the
	// store itself is what fails.
	if err := s.recordMarks(context.WithoutCancel(ctx), mailboxID); err != nil && werr == nil && ferr == nil {
		ferr = err
	}
	w.addTo(stats)
	// The writer's failure (the store, the disk) says more than the
	// fetcher's, which it caused; a cancellation is reported as such.
	switch {
	case ctx.Err() != nil:
		return s.fail("fetch", ctx.Err())
	case werr != nil:
		return werr
	default:
		return ferr
	}
}

// warmReading starts extract.Warm once a process.
var warmReading sync.Once

// fetchAll fetches uids a chunk at a time and hands each message to the
// readers in UID order.
func (s *session) fetchAll(ctx context.Context, mailboxID int64, rescan bool, uids []uint32, jobs chan<- job,
	w *writer, stats *PollStats) error {
	seq := 0
	for chunk := range slices.Chunk(uids, s.o.BatchSize) {
		if marks := w.takeMarks(); len(marks) > 0 {
			if err := s.markStored(ctx, mailboxID, marks, false, stats); err != nil {
				return err
			}
		}
		err := s.fetchChunk(ctx, chunk, func(uid uint32, f fetched) error {
			j := job{seq: seq, src: Source{MailboxID: mailboxID, UID: uid, Rescan: rescan, Arrived: f.arrived,
				Truncated: f.truncated}, raw: f.raw, cost: len(f.raw)}
			seq++
			stats.Fetched++
			s.disarm() // waiting for the readers is not the server's delay
			defer s.arm()
			if err := w.budget.acquire(ctx, j.cost); err != nil {
				return w.errOr(err)
			}
			select {
			case jobs <- j:
				return nil
			case <-ctx.Done():
				return w.errOr(ctx.Err())
			}
		})
		if err != nil {
			if w.failed() {
				s.drop() // a FETCH left half-read: do not wait to log out
			}
			return err
		}
	}
	return nil
}

// fetchChunk fetches uids (ascending) and hands each message to emit in
// UID order.
func (s *session) fetchChunk(ctx context.Context, uids []uint32, emit func(uint32, fetched) error) error {
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	section := &imap.FetchItemBodySection{Peek: true} // BODY.PEEK[]: \Seen untouched
	s.arm()
	defer s.disarm()
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, InternalDate: true,
		BodySection: []*imap.FetchItemBodySection{section}})
	defer cmd.Close()

	// Servers answer in sequence order, which is UID order; should one not,
	// a message arriving early waits here until the ones below it came.
	next := 0
	held := map[uint32]fetched{}
	for {
		if err := ctx.Err(); err != nil {
			return s.fail("fetch", err)
		}
		msg := cmd.Next()
		if msg == nil {
			break
		}
		s.arm()
		uid, f, err := s.readMessage(msg)
		if err != nil {
			return s.fail("fetch", err)
		}
		if _, want := slices.BinarySearch(uids, uid); !want {
			continue
		}
		if f.raw == nil {
			return s.fail("fetch", fmt.Errorf("UID %d came without its body", uid))
		}
		held[uid] = f
		for next < len(uids) {
			r, ok := held[uids[next]]
			if !ok {
				break
			}
			delete(held, uids[next])
			if err := emit(uids[next], r); err != nil {
				return err
			}
			next++
		}
	}
	if err := cmd.Close(); err != nil {
		return s.fail("fetch", err)
	}
	// A UID asked for and not answered was expunged since the search:
	// there is nothing to store for it.
	for ; next < len(uids); next++ {
		if r, ok := held[uids[next]]; ok {
			if err := emit(uids[next], r); err != nil {
				return err
			}
		}
	}
	return nil
}

// writer commits read messages in order, a batch per transaction.
type writer struct {
	s      *session
	ctx    context.Context
	total  int
	budget *byteBudget // released as batches commit

	mu        sync.Mutex
	marks     []uint32 // committed, to mark on the server
	err       error
	committed chan struct{} // signalled after each commit

	// Owned by run.
	stored, duplicates, relocated, needsReview, done int
	checkpoint                                       uint32
	held                                             int // budget bytes of the batch being gathered
}

// maxBatchBytes bounds the raw mail one transaction holds in memory.
const maxBatchBytes = 32 << 20

func (w *writer) run(results <-chan prepared) error {
	pending := map[int]prepared{}
	next := 0
	var batch []*Prepared
	var bytes int
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	commit := func() error {
		timer.Stop()
		if len(batch) == 0 {
			return nil
		}
		err := w.commit(batch)
		batch, bytes = batch[:0], 0
		return err
	}
	for {
		var tc <-chan time.Time
		if len(batch) > 0 {
			tc = timer.C
		}
		select {
		case r, ok := <-results:
			if !ok {
				if len(pending) > 0 && w.ctx.Err() == nil {
					return w.setErr(fmt.Errorf("imap %s: %d messages read but not stored", w.s.addr, len(pending)))
				}
				return w.setErr(commit())
			}
			pending[r.seq] = r
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if r.err != nil {
					// Everything before it is stored first.
					if err := commit(); err != nil {
						return w.setErr(err)
					}
					return w.setErr(fmt.Errorf("imap %s: store UID %d: %w", w.s.addr, r.src.UID, r.err))
				}
				if len(batch) == 0 {
					timer.Reset(w.s.o.BatchWait)
				}
				batch = append(batch, r.r)
				bytes += r.r.Size()
				w.held += r.cost
				if len(batch) >= w.s.o.BatchSize || bytes >= maxBatchBytes {
					if err := commit(); err != nil {
						return w.setErr(err)
					}
				}
			}
		case <-tc:
			if err := commit(); err != nil {
				return w.setErr(err)
			}
		case <-w.ctx.Done():
			return w.setErr(w.s.fail("fetch", w.ctx.Err()))
		}
	}
}

func (w *writer) commit(batch []*Prepared) error {
	outs, err := w.s.p.ing.Commit(w.ctx, batch)
	if err != nil {
		if cerr := w.ctx.Err(); cerr != nil {
			return w.s.fail("fetch", cerr)
		}
		return fmt.Errorf("imap %s: store UIDs %d-%d: %w", w.s.addr, batch[0].src.UID, batch[len(batch)-1].src.UID, err)
	}
	uids := make([]uint32, len(batch))
	for _, r := range batch {
		if r.raw != nil {
			putRaw(r.raw) // in its row now
			r.raw = nil
		}
	}
	w.budget.release(w.held)
	w.held = 0
	// The records are built (each attribute boxed) only when kept.
	debug := w.s.p.log.Enabled(w.ctx, slog.LevelDebug)
	for i, out := range outs {
		uid := batch[i].src.UID
		uids[i] = uid
		if out.MessageID != 0 && !out.Relocated {
			w.stored++
		}
		if out.Duplicate {
			w.duplicates++
		}
		if out.Relocated {
			w.relocated++
		}
		if out.NeedsReview {
			w.needsReview++
		}
		w.checkpoint = max(w.checkpoint, uid)
		if debug {
			w.s.p.log.Debug("imap_message_stored", slog.Uint64("uid", uint64(uid)), slog.Int64("message", out.MessageID),
				slog.String("kind", out.Kind), slog.String("reference", out.Reference))
		}
	}
	w.done += len(batch)
	w.mu.Lock()
	w.marks = append(w.marks, uids...)
	w.mu.Unlock()
	select {
	case w.committed <- struct{}{}:
	default:
	}
	if w.s.o.Progress != nil {
		w.s.o.Progress(w.done, w.total)
	}
	return nil
}

// takeMarks returns the UIDs committed since the last call.
func (w *writer) takeMarks() []uint32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.marks
	w.marks = nil
	return m
}

func (w *writer) setErr(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.err = err
	return err
}

func (w *writer) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

// errOr returns the writer's error if it failed, else err.
func (w *writer) errOr(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	return err
}

// addTo adds what the writer did to stats; call it once run returned.
func (w *writer) addTo(stats *PollStats) {
	stats.Stored += w.stored
	stats.Duplicates += w.duplicates
	stats.Relocated += w.relocated
	stats.NeedsReview += w.needsReview
	stats.Checkpoint = max(stats.Checkpoint, w.checkpoint)
}

// fetched is one message as the server gave it.
type fetched struct {
	raw       []byte
	arrived   time.Time   // INTERNALDATE: when the server received it
	truncated *Truncation // over MaxMessageSize: raw is its header block
}

// readMessage reads one FETCH response: its UID, arrival date and whole body.
func (s *session) readMessage(msg *imapclient.FetchMessageData) (uint32, fetched, error) {
	var uid uint32
	var f fetched
	for {
		item := msg.Next()
		if item == nil {
			return uid, f, nil
		}
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = uint32(it.UID)
		case imapclient.FetchItemDataInternalDate:
			f.arrived = it.Time
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				f.raw = []byte{}
				continue
			}
			b, tr, err := s.readLiteral(it.Literal)
			if err != nil {
				return uid, f, fmt.Errorf("read UID %d: %w", uid, err)
			}
			f.raw, f.truncated = b, tr
		}
	}
}

// readLiteral reads exactly the announced size, then the end of the
// literal (which lets the client's reader go on), re-arming the watchdog
// as bytes come. A literal over MaxMessageSize is streamed through its
// hashes, keeping its header block only.
func (s *session) readLiteral(lit imap.LiteralReader) ([]byte, *Truncation, error) {
	size := lit.Size()
	if size < 0 {
		return nil, nil, fmt.Errorf("literal of %d bytes", size)
	}
	r := io.Reader(progressReader{r: lit, s: s})
	var raw []byte
	var tr *Truncation
	if size <= s.o.MaxMessageSize {
		raw = getRaw(int(size))
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, nil, err
		}
	} else {
		var err error
		if raw, tr, err = readHeaderOnly(r, size); err != nil {
			return nil, nil, err
		}
		tr.Limit = s.o.MaxMessageSize
	}
	var one [1]byte
	if n, err := lit.Read(one[:]); n > 0 || (err != nil && err != io.EOF) {
		if err == nil {
			err = errors.New("literal longer than announced")
		}
		return nil, nil, err
	}
	return raw, tr, nil
}

// maxHeaderBlock is how much of a too large message is kept: its header
// block, up to this size.
const maxHeaderBlock = 256 << 10

// readHeaderOnly reads size bytes of a message from r, returning its
// header block (the blank line that ends it included) and the hashes of
// the whole message and of its body, holding no more than maxHeaderBlock.
func readHeaderOnly(r io.Reader, size int64) ([]byte, *Truncation, error) {
	head := make([]byte, min(size, maxHeaderBlock))
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, nil, err
	}
	end := len(head)
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		end = i + 4
	} else if i := bytes.Index(head, []byte("\n\n")); i >= 0 {
		end = i + 2
	}
	all, body := sha256.New(), sha256.New()
	all.Write(head)
	body.Write(head[end:])
	if _, err := io.CopyN(io.MultiWriter(all, body), r, size-int64(len(head))); err != nil {
		return nil, nil, err
	}
	return head[:end:end], &Truncation{Size: size, SHA256: hex.EncodeToString(all.Sum(nil)),
		BodySHA256: hex.EncodeToString(body.Sum(nil))}, nil
}

type progressReader struct {
	r io.Reader
	s *session
}

func (r progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if n > 0 {
		r.s.arm()
	}
	return n, err
}

// markStored flags or moves committed messages on the server, then records
// it. A refusal by the server is logged and counted, and left for the next
// poll; only a broken connection or a store failure is an error.
// retry says the UIDs come from an earlier poll: some may be gone (moved
// by us or by someone), and those are done.
func (s *session) markStored(ctx context.Context, mailboxID int64, uids []uint32, retry bool, stats *PollStats) error {
	if len(uids) == 0 {
		return nil
	}
	todo := uids
	if retry && s.o.Processed != "keep" {
		present, err := s.present(uids)
		if err != nil {
			return err
		}
		todo = present
	}
	if err := s.mark(todo); err != nil {
		// Only a refusal by the server (NO, BAD) is left for the next poll
		// on this connection; anything else means the connection is gone.
		var refused *imap.Error
		if ctx.Err() != nil || s.broken() || !errors.As(err, &refused) {
			return s.fail(s.markStep(), err)
		}
		stats.MarkFailures += len(uids)
		s.p.log.Warn("imap_mark_failed", slog.String("processed", s.o.Processed),
			slog.Int("messages", len(uids)), slog.Any("error", s.fail(s.markStep(), err)))
		return nil
	}
	if s.o.Processed != "keep" {
		stats.Marked += len(todo)
	}
	s.unrecorded = append(s.unrecorded, uids...)
	if retry || len(s.unrecorded) >= recordMarksEvery {
		return s.recordMarks(ctx, mailboxID)
	}
	return nil
}

// recordMarksEvery is how many marks wait before the store records them.
// Recording them is a transaction of its own, whose fsync would otherwise
// come after every batch; a mark the store missed (a crash in between) is
// only set again by the next poll, which the server takes as a no-op.
const recordMarksEvery = 1000

// recordMarks records in the store the marks set on the server.
func (s *session) recordMarks(ctx context.Context, mailboxID int64) error {
	if len(s.unrecorded) == 0 {
		return nil
	}
	if ctx.Err() != nil {
		// Cancelled after a mark the server made (see closeMu): record it
		// on the way out, so that the next poll need not look again.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), markGrace)
		defer cancel()
	}
	if err := s.p.st.MarkServerDone(ctx, mailboxID, s.unrecorded); err != nil {
		return fmt.Errorf("imap %s: %w", s.addr, err)
	}
	s.unrecorded = s.unrecorded[:0]
	return nil
}

func (s *session) markStep() string {
	if f := s.o.moveFolder(); f != "" {
		return "move to " + f
	}
	return "flag " + string(s.flag)
}

// broken reports whether the connection is gone.
func (s *session) broken() bool {
	if s.cancelled.Load() || s.timedOut.Load() || s.dropped.Load() {
		return true
	}
	select {
	case <-s.c.Closed():
		return true
	default:
		return false
	}
}

// present returns those of uids still in the selected mailbox.
func (s *session) present(uids []uint32) ([]uint32, error) {
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	s.arm()
	data, err := s.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	s.disarm()
	if err != nil {
		return nil, s.fail("search", err)
	}
	var out []uint32
	for _, u := range data.AllUIDs() {
		if _, ok := slices.BinarySearch(uids, uint32(u)); ok {
			out = append(out, uint32(u))
		}
	}
	slices.Sort(out)
	return out, nil
}

// mark applies the Processed mode to uids. A cancellation waits for it
// (see closeMu).
func (s *session) mark(uids []uint32) error {
	if len(uids) == 0 || s.o.Processed == "keep" {
		return nil
	}
	s.closeMu.Lock()
	if s.cancelled.Load() {
		s.closeMu.Unlock()
		return s.ctx.Err()
	}
	s.marking = true
	s.arm()
	s.closeMu.Unlock()
	defer func() {
		s.disarm()
		s.closeMu.Lock()
		defer s.closeMu.Unlock()
		s.marking = false
		if s.closeWaiting {
			s.raw.Close()
		}
	}()
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	folder := s.o.moveFolder()
	if folder == "" {
		return s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{s.flag}}, nil).Close()
	}
	if err := s.ensureFolder(folder); err != nil {
		return err
	}
	if s.caps.Has(imap.CapMove) || s.caps.Has(imap.CapIMAP4rev2) {
		_, err := s.c.Move(set, folder).Wait()
		return err
	}
	// No MOVE: COPY, and only once the copy is confirmed, \Deleted and
	// expunge. (imapclient's own fallback sends the three at once, so a
	// refused COPY would still delete.) Without UIDPLUS, EXPUNGE also
	// removes other messages someone marked \Deleted, as any mail client
	// would.
	if _, err := s.c.Copy(set, folder).Wait(); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		return fmt.Errorf("store \\Deleted: %w", err)
	}
	if s.caps.Has(imap.CapUIDPlus) {
		return s.c.UIDExpunge(set).Close()
	}
	return s.c.Expunge().Close()
}

// ensureFolder creates the move folder when missing, once per connection.
func (s *session) ensureFolder(folder string) error {
	if s.folder {
		return nil
	}
	list, err := s.c.List("", folder, nil).Collect()
	if err != nil {
		return fmt.Errorf("list %s: %w", folder, err)
	}
	if len(list) == 0 {
		err := s.c.Create(folder, nil).Wait()
		var ierr *imap.Error
		if err != nil && !(errors.As(err, &ierr) && ierr.Code == imap.ResponseCodeAlreadyExists) {
			return fmt.Errorf("create %s: %w", folder, err)
		}
		s.p.log.Info("imap_folder_created", slog.String("folder", folder))
	}
	s.folder = true
	return nil
}

// waitForMail returns when new mail may have arrived: on EXISTS while
// idling, or after PollInterval.
func (s *session) waitForMail(ctx context.Context) error {
	timer := time.NewTimer(s.o.PollInterval)
	defer timer.Stop()
	if !s.caps.Has(imap.CapIdle) && !s.caps.Has(imap.CapIMAP4rev2) {
		select {
		case <-ctx.Done():
			return s.fail("wait", ctx.Err())
		case <-timer.C:
			return nil
		}
	}
	s.arm()
	idle, err := s.c.Idle()
	s.disarm()
	if err != nil {
		return s.fail("idle", err)
	}
	closed := false
	select {
	case <-ctx.Done():
	case <-s.newMail:
	case <-timer.C:
	case <-s.c.Closed():
		closed = true
	}
	s.arm()
	err = idle.Close()
	if werr := idle.Wait(); err == nil {
		err = werr
	}
	s.disarm()
	if ctx.Err() != nil {
		return s.fail("idle", ctx.Err())
	}
	if closed && err == nil {
		err = errors.New("connection closed by the server")
	}
	if err != nil {
		return s.fail("idle", err)
	}
	return nil
}
