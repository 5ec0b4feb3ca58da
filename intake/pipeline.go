package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
)

// Composer renders the automatic mails the intake queues. notify provides
// it; cmd passes it in, so intake never imports notify.
type Composer interface {
	Acknowledgement(app *store.Application, atts []store.Attachment, answering *store.Message) (*store.OutboxMail, error)
	Completion(app *store.Application, answering *store.Message) (*store.OutboxMail, error)
}

// Config is what the pipeline needs to know about the program.
type Config struct {
	Program             extract.Program
	Required            []string // applicant fields an application needs to be complete
	RequiredAttachments []string // e.g. "cv", matched on attachment names and types
	FollowUpWindow      time.Duration
	MaxAttachmentSize   int64
	Location            *time.Location // the program's time zone: reference years
	Files               store.Files
	// Composer renders acknowledgements; nil queues none (poll-only tools).
	Composer Composer
	Logger   *slog.Logger
	// Progress, if not nil, hears how far Reparse is (messages done, total).
	Progress func(done, total int)

	// AuthservID is the authserv-id of the receiving provider whose
	// Authentication-Results header is trusted ("mx.google.com"); empty
	// trusts none. See guardAnswer.
	AuthservID string
	// Limits bound what one message may cost in attachments and files.
	Limits mailparse.Limits
}

// SetProgress sets Config.Progress.
func (p *Pipeline) SetProgress(fn func(done, total int)) { p.cfg.Progress = fn }

// DefaultRequired is [program] required when the config does not say.
var DefaultRequired = []string{"first_name", "last_name", "company", "siret", "commune", "phone"}

// Pipeline stores each message with everything that follows from it.
type Pipeline struct {
	st  *store.Store
	cfg Config
	// never are the address keys (store.AddressKey) of the program and
	// its coordinators, which mayAnswer never answers: worked out once,
	// not for every acknowledgement.
	never []string
}

// NewPipeline returns a pipeline writing to st.
func NewPipeline(st *store.Store, cfg Config) *Pipeline {
	if cfg.Required == nil {
		cfg.Required = DefaultRequired
	}
	if cfg.FollowUpWindow == 0 {
		cfg.FollowUpWindow = 30 * 24 * time.Hour
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Program.ReferencePrefix == "" {
		cfg.Program.ReferencePrefix = "RSE"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// A process killed while writing an attachment leaves its temporary
	// file: the next start removes it.
	if n, err := cfg.Files.RemoveStale(); err != nil {
		cfg.Logger.Warn("attachments_cleanup_failed", slog.Any("error", err))
	} else if n > 0 {
		cfg.Logger.Info("attachments_leftovers_removed", slog.Int("files", n))
	}
	never := []string{store.AddressKey(cfg.Program.Address)}
	for _, c := range cfg.Program.Coordinators {
		never = append(never, store.AddressKey(c))
	}
	return &Pipeline{st: st, cfg: cfg, never: never}
}

// Ingest stores one raw message read from src, with, in the same
// transaction: its attachments' metadata (bytes already on disk), the
// application it creates or completes, the acknowledgement to queue, and
// the mailbox checkpoint. It returns an error only when the store or the
// disk fails; mail a sender broke is stored for review instead.
func (p *Pipeline) Ingest(ctx context.Context, src Source, raw []byte) (Outcome, error) {
	r, err := p.Prepare(src, raw)
	if err != nil {
		return Outcome{}, err
	}
	outs, err := p.Commit(ctx, []*Prepared{r})
	if err != nil {
		return Outcome{}, err
	}
	return outs[0], nil
}

// Prepared is one message read (parsed, understood, its attachments on
// disk) and not yet stored: what can be done for many messages at once on
// every core, before one writer commits them in order.
type Prepared struct {
	src          Source
	raw          []byte // nil once kept as a file (rawInFiles)
	size         int    // of raw
	an           Analysis
	report       []byte // an.StoredReport() as stored (storedReportJSON), encoded by the reader
	evidence     []byte // the applicant's evidence as an application stores it, in report; nil: not there
	sha, bodySHA string
	rawInFiles   bool       // raw is kept as the file sha (see rawInFilesFrom)
	dirs         store.Dirs // folders to sync before the commit naming the files
}

// rawInFilesFrom is the size from which a mail's raw bytes are kept as a
// file of the attachments folder rather than in the database. SQLite's
// write-ahead log writes every byte twice (the log, then the database);
// a file is written once, fsync'd by the reader on its own core. Below
// it, mail is many and small, and one transaction per batch stores it
// with one fsync.
const rawInFilesFrom = 64 << 10

// bodyHash returns the function that gives the body's sha256 (see
// store.BodySHA256) when a stored mail has the same Message-ID: computed
// then, from raw, or from its file once raw was given back.
func (r *Prepared) bodyHash(files store.Files) func() (string, error) {
	return func() (string, error) {
		if r.bodySHA != "" {
			return r.bodySHA, nil
		}
		raw := r.raw
		if r.rawInFiles {
			var err error
			if raw, err = files.ReadRaw(r.sha); err != nil {
				return "", err
			}
		}
		r.bodySHA = store.BodySHA256(raw)
		return r.bodySHA, nil
	}
}

// Source is where the message was read.
func (r *Prepared) Source() Source { return r.src }

// Size is the size of the raw message.
func (r *Prepared) Size() int { return r.size }

// Prepare reads one raw message: the work of Ingest that needs no store,
// safe to run for several messages at once. Attachments go to disk, each
// file whole and fsync'd; their folder is synced by Commit.
func (p *Pipeline) Prepare(src Source, raw []byte) (*Prepared, error) {
	if tr := src.Truncated; tr != nil {
		raw = append(fmt.Appendf(nil, "%s: %d bytes, over the limit of %d\r\n", truncatedHeader, tr.Size, tr.Limit), raw...)
	}
	r := &Prepared{src: src, raw: raw, size: len(raw)}
	an, err := p.analyze(raw, fileSink{files: p.cfg.Files, dirs: &r.dirs})
	if err != nil {
		return nil, fmt.Errorf("ingest message uid %d: %w", src.UID, err)
	}
	r.an = an
	r.report, r.evidence = an.storedReportJSON()
	switch tr := src.Truncated; {
	case tr != nil:
		// The hash is the whole message's, not the header block's kept.
		r.sha, r.bodySHA = tr.SHA256, tr.BodySHA256
	case len(raw) >= rawInFilesFrom && p.cfg.Files.Dir != "":
		// Its attachments are on disk already: the file refers to them
		// rather than keep their base64 a second time (see store.WriteRaw),
		// where the parser found it exactly as encoding them gives back.
		var refs []store.Base64Ref
		if an.Mail != nil {
			atts := an.Mail.Attachments
			for i, row := range p.attachmentRows(atts) {
				if s := atts[i].Base64; s != nil && row.Stored {
					refs = append(refs, store.Base64Ref{SHA256: row.SHA256, Size: row.Size,
						Start: s.Start, End: s.End, Line: s.Line, CRLF: s.CRLF})
				}
			}
		}
		sha, err := p.cfg.Files.WriteRaw(raw, refs, &r.dirs)
		if err != nil {
			return nil, fmt.Errorf("ingest message uid %d: %w", src.UID, err)
		}
		r.sha, r.rawInFiles = sha, true
		// The file holds it now: the caller may reuse raw's memory.
		r.raw = nil
	default:
		sum := sha256.Sum256(raw)
		r.sha = hex.EncodeToString(sum[:])
	}
	return r, nil
}

// analyze is what intake and reparse both make of a raw message: its
// analysis, a truncated one marked, screened. Attachments go to sink (nil:
// hashed only).
func (p *Pipeline) analyze(raw []byte, sink mailparse.Sink) (Analysis, error) {
	an, err := Analyze(raw, p.cfg.Program, mailparse.Options{
		MaxAttachmentSize: p.cfg.MaxAttachmentSize,
		Sink:              sink,
		Limits:            p.cfg.Limits,
	})
	if err != nil {
		return an, err
	}
	markTruncated(&an, raw)
	screen(&an, p.cfg.AuthservID)
	return an, nil
}

// truncatedHeader starts the stored header block of a message too large
// to keep whole: reparse sees it too.
const truncatedHeader = "X-Rse-Intake-Truncated"

// markTruncated makes a message kept as headers only (see
// IMAPOptions.MaxMessageSize) one for a coordinator to review, never
// answered automatically: its body, attachments included, is not there.
func markTruncated(an *Analysis, raw []byte) {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	v, ok := bytes.CutPrefix(line, []byte(truncatedHeader+": "))
	if !ok {
		return
	}
	an.Unreadable = true
	an.Result = extract.Result{Kind: extract.KindOther}
	an.Mail.Errors = append(an.Mail.Errors, fmt.Sprintf("message too large (%s): headers kept, body not stored",
		strings.TrimSpace(string(v))))
}

// Commit stores prepared messages, in the order given, in one transaction
// (group commit): each with its attachments' records, its application,
// its queued mail and the checkpoint advance to its UID, exactly as Ingest
// would one by one; either all of them are stored or none. The folders of
// their attachment files are synced first, so that no committed row ever
// names a file a crash could take back.
func (p *Pipeline) Commit(ctx context.Context, batch []*Prepared) ([]Outcome, error) {
	var dirs store.Dirs
	for _, r := range batch {
		dirs.Merge(&r.dirs)
	}
	// The folders are synced while the writer stores the batch, and
	// before it commits: their fsyncs were a tenth of the writer's time.
	synced := make(chan error, 1)
	go func() { synced <- dirs.Sync() }()
	dirsSynced := sync.OnceValue(func() error { return <-synced })
	outs, err := p.commit(ctx, batch, &answers{}, dirsSynced)
	if errors.Is(err, errAnswerAgain) {
		outs, err = p.commit(ctx, batch, &answers{sync: true}, dirsSynced)
	}
	if derr := dirsSynced(); derr != nil {
		return nil, fmt.Errorf("ingest: %w", derr)
	}
	// A commit fails on the store's disk (full, read-only, gone): say which.
	if err != nil && ctx.Err() == nil && !strings.Contains(err.Error(), p.st.Path()) {
		err = fmt.Errorf("store %s: %w", p.st.Path(), err)
	}
	if err != nil {
		return nil, err
	}
	// A mail kept as a file that no row took (the message was stored
	// already, its raw bytes in its row, or was found again after a
	// UIDVALIDITY change) would be a copy that forget could not find.
	var unnamed []string
	for i, r := range batch {
		if r.rawInFiles && outs[i].MessageID == 0 {
			unnamed = append(unnamed, r.sha)
		}
	}
	if len(unnamed) > 0 {
		if err := p.st.RemoveUnnamedFiles(ctx, p.cfg.Files, unnamed); err != nil {
			p.cfg.Logger.Warn("raw_file_not_removed", slog.Any("error", err))
		}
	}
	for _, out := range outs {
		if !p.cfg.Logger.Enabled(ctx, slog.LevelDebug) {
			break
		}
		p.cfg.Logger.Debug("message_stored", slog.Int64("message", out.MessageID), slog.String("kind", out.Kind),
			slog.String("reference", out.Reference), slog.Bool("duplicate", out.Duplicate),
			slog.Bool("needs_review", out.NeedsReview), slog.Any("queued", out.Queued))
	}
	return outs, nil
}

// commit is Commit's transaction, the batch's automatic mails queued
// through ans; it commits once dirsSynced has returned nil.
func (p *Pipeline) commit(ctx context.Context, batch []*Prepared, ans *answers, dirsSynced func() error) ([]Outcome, error) {
	defer ans.stop()
	outs := make([]Outcome, len(batch))
	err := p.st.InTx(ctx, func(tx *store.Tx) error {
		tx.DeferWrites()
		// The checkpoint moves once a batch, past its highest UID of each
		// mailbox: the batch is one transaction, stored whole or not at all.
		last := map[int64]uint32{}
		taken, err := takenPlaces(ctx, tx, batch)
		if err != nil {
			return fmt.Errorf("store %s: %w", p.st.Path(), err)
		}
		if p.cfg.Composer != nil {
			// Whom the batch may answer, as mayAnswer will ask (an
			// address not foreseen here is asked about then).
			addrs := make([]string, 0, 2*len(batch))
			for _, r := range batch {
				addrs = append(addrs, r.an.Result.Applicant.Email, r.an.Mail.FromEmail)
			}
			if err := tx.KnowLastAutoMails(ctx, addrs); err != nil {
				return fmt.Errorf("store %s: %w", p.st.Path(), err)
			}
		}
		for i, r := range batch {
			if err := p.commitOne(ctx, tx, r, taken, ans, &outs[i]); err != nil {
				return fmt.Errorf("ingest message uid %d: store %s: %w", r.src.UID, p.st.Path(), err)
			}
			if id := r.src.MailboxID; id != 0 {
				last[id] = max(last[id], r.src.UID)
			}
		}
		for id, uid := range last {
			if err := tx.AdvanceCheckpoint(ctx, id, uid); err != nil {
				return fmt.Errorf("store %s: %w", p.st.Path(), err)
			}
		}
		if err := ans.queue(ctx, tx); err != nil {
			return err
		}
		return dirsSynced()
	})
	return outs, err
}

// answers are the automatic mails of a batch. Rendered at once, the
// acknowledgements of new applications were a fifth of the writer's work:
// they are rendered by another goroutine while the writer goes on, and
// queued, in order, as the batch ends, as if each had been queued when
// asked. That holds unless one fails to render or is queued already (a
// sender-made address, a reused reference): the batch is then stored
// again, with sync, each mail rendered and queued when asked.
type answers struct {
	sync    bool
	jobs    chan *answer // to the rendering goroutine; nil: not started
	done    chan struct{}
	pending []*answer
}

// answer is one automatic mail to render and queue.
type answer struct {
	render func() (*store.OutboxMail, error)
	to     string // the address mayAnswer let it go to
	app    int64
	msg    int64
	out    *Outcome

	mail *store.OutboxMail // once rendered
	err  error
}

// errAnswerAgain says that a batch is to be stored again, its mails
// rendered and queued each when asked (see answers).
var errAnswerAgain = errors.New("automatic mails to queue one by one")

// later has a's mail rendered while the writer goes on.
func (ans *answers) later(a *answer) {
	if ans.jobs == nil {
		ans.jobs, ans.done = make(chan *answer, 64), make(chan struct{})
		go func(jobs <-chan *answer, done chan<- struct{}) {
			for a := range jobs {
				a.mail, a.err = a.render()
			}
			close(done)
		}(ans.jobs, ans.done)
	}
	ans.pending = append(ans.pending, a)
	ans.jobs <- a
}

// stop waits for the mails asked to be rendered.
func (ans *answers) stop() {
	if ans.jobs != nil {
		close(ans.jobs)
		<-ans.done
		ans.jobs = nil
	}
}

// queue queues the mails rendered, in the order they were asked, or
// returns errAnswerAgain when they cannot all be as asked.
func (ans *answers) queue(ctx context.Context, tx *store.Tx) error {
	ans.stop()
	if len(ans.pending) == 0 {
		return nil
	}
	mails := make([]*store.OutboxMail, len(ans.pending))
	for i, a := range ans.pending {
		if a.err != nil || store.AddressKey(a.mail.Recipient) != store.AddressKey(a.to) {
			return errAnswerAgain
		}
		a.mail.ApplicationID, a.mail.MessageID = a.app, a.msg
		mails[i] = a.mail
	}
	all, err := tx.QueueMails(ctx, mails)
	if err != nil {
		return err
	}
	if !all {
		return errAnswerAgain
	}
	for _, a := range ans.pending {
		a.out.Queued = append(a.out.Queued, a.mail.Kind)
	}
	return nil
}

// places is, for each mailbox, which UIDs hold a stored message.
type places map[int64]map[uint32]bool

// takenPlaces asks once for a whole batch which of its mailbox places
// already hold a message, rather than once per message; commitOne then
// adds each place it fills. It has the transaction learn the batch's
// earlier deliveries at once too (store.Tx.KnowDeliveries). A rescan
// moves stored messages between places, freeing some: such a batch gets
// nil, and asks per message.
func takenPlaces(ctx context.Context, tx *store.Tx, batch []*Prepared) (places, error) {
	uids := map[int64][]uint32{}
	for _, r := range batch {
		if r.src.Rescan {
			return nil, nil
		}
		if id := r.src.MailboxID; id != 0 {
			uids[id] = append(uids[id], r.src.UID)
		}
	}
	keys := make([]store.DeliveryKey, len(batch))
	for i, r := range batch {
		keys[i] = store.DeliveryKey{MessageID: r.an.Mail.MessageID, SHA: r.sha}
	}
	if err := tx.KnowDeliveries(ctx, keys); err != nil {
		return nil, err
	}
	// Whose open application findThread may look for: most senders have
	// none, and are then not asked about one by one.
	senders := make([]string, 0, len(batch))
	for _, r := range batch {
		senders = append(senders, senderOf(r.an.Mail, r.an.Result))
	}
	if err := tx.KnowOpenApplications(ctx, senders); err != nil {
		return nil, err
	}
	taken := make(places, len(uids))
	for id, us := range uids {
		at, err := tx.MessagesAt(ctx, id, us)
		if err != nil {
			return nil, err
		}
		taken[id] = at
	}
	return taken, nil
}

// commitOne stores one message of a batch, telling out what became of
// it; taken, when not nil, is the batch's places (see takenPlaces).
func (p *Pipeline) commitOne(ctx context.Context, tx *store.Tx, r *Prepared, taken places, ans *answers, out *Outcome) error {
	src := r.src
	if src.MailboxID != 0 {
		seen := taken[src.MailboxID][src.UID]
		if taken == nil {
			var err error
			if seen, err = tx.MessageAt(ctx, src.MailboxID, src.UID); err != nil {
				return err
			}
		}
		if seen {
			out.Duplicate = true
			return nil
		}
	}
	err := p.store(ctx, tx, r, ans, out)
	if err == nil && taken != nil && src.MailboxID != 0 {
		taken[src.MailboxID][src.UID] = true
	}
	return err
}

func (p *Pipeline) store(ctx context.Context, tx *store.Tx, r *Prepared, ans *answers, out *Outcome) error {
	src, sha, an := r.src, r.sha, r.an
	m, res := an.Mail, an.Result
	d := store.Delivery{MessageID: m.MessageID, SHA256: sha, Body: r.bodyHash(p.cfg.Files)}
	earlier, err := tx.FindDelivery(ctx, d, p.cfg.Files)
	if err != nil {
		return err
	}
	if earlier != nil && src.Rescan && src.MailboxID != 0 {
		elsewhere, err := tx.FindDeliveryElsewhere(ctx, src.MailboxID, d, p.cfg.Files)
		if err != nil {
			return err
		}
		if elsewhere != nil {
			earlier = elsewhere
		}
		moved, err := tx.Relocate(ctx, earlier.ID, src.MailboxID, src.UID)
		if err != nil {
			return err
		}
		if moved {
			out.Relocated, out.Kind = true, earlier.Kind
			return nil
		}
	}

	msg := &store.Message{
		MailboxID: src.MailboxID, UID: src.UID, MessageID: m.MessageID, SHA256: sha, BodySHA256: r.bodySHA,
		Raw: r.raw, Size: int64(r.size), RawInFiles: r.rawInFiles, FromEmail: m.FromEmail, FromName: m.FromName, Subject: m.Subject,
		Kind: res.Kind, ShouldAcknowledge: res.ShouldAcknowledge, NeedsReview: an.Unreadable, Errors: m.Errors,
		Parsed: r.report,
	}
	if m.HasDate {
		msg.Date = m.Date
	}
	if earlier != nil {
		// A second delivery of a mail already taken in: kept (nothing is
		// lost) but neither counted nor answered again.
		msg.DuplicateOf, msg.ApplicationID, msg.ShouldAcknowledge = earlier.ID, earlier.ApplicationID, false
	}
	personal := res.Kind == extract.KindApplication || res.Kind == extract.KindFollowUp
	var target thread
	if earlier == nil && !an.Unreadable && personal {
		if target, err = p.findThread(ctx, tx, m, res, src.Arrived); err != nil {
			return err
		}
		if target.app != nil {
			// Known only here: the mail continues a stored application.
			msg.Kind = extract.KindFollowUp
		}
	}
	// The application is known before the message is written, and
	// written with it: linking it afterwards would make SQLite write the
	// raw bytes a second time (an UPDATE that changes a row's size
	// rewrites the whole row).
	var created *store.Application
	atts := p.attachmentRows(m.Attachments)
	switch {
	case earlier != nil:
	case an.Unreadable, personal && target.app == nil:
		if created, err = p.createApplication(ctx, tx, msg, res, r.evidence, src.Arrived, atts, out); err != nil {
			return err
		}
		msg.ApplicationID = created.ID
	case personal:
		msg.ApplicationID = target.app.ID
	}
	if err := tx.InsertMessage(ctx, msg); err != nil {
		return err
	}
	out.MessageID, out.Kind, out.NeedsReview = msg.ID, msg.Kind, msg.NeedsReview
	if err := storeAttachments(ctx, tx, msg.ID, msg.ApplicationID, atts); err != nil {
		return err
	}
	switch {
	case earlier != nil:
		out.Duplicate = true
		return nil
	case created != nil:
		return p.completeApplication(ctx, tx, created, msg, atts, ans, out)
	case !personal:
		return nil
	case target.foreign:
		return p.linkForeign(ctx, tx, target.app, msg, out)
	default:
		return p.mergeFollowUp(ctx, tx, target.app, msg, res, ans, out)
	}
}

// attachmentRows are a message's attachments as storeAttachments stores
// them (as tx.Attachments would list them for the message), known before
// the message is written: a new application is evaluated with them.
func (p *Pipeline) attachmentRows(atts []mailparse.Attachment) []store.Attachment {
	if len(atts) == 0 {
		return nil
	}
	rows := make([]store.Attachment, len(atts))
	for i, at := range atts {
		row := &rows[i]
		*row = store.Attachment{
			Position: i, Filename: at.Filename, ContentType: at.ContentType,
			Size: at.Size, SHA256: at.SHA256, Stored: !at.TooLarge, Inline: at.Inline,
		}
		if at.TooLarge {
			row.Refused = fmt.Sprintf("fichier trop volumineux (%d Mo, maximum %d Mo)",
				(at.Size+(1<<20)-1)>>20, p.maxAttachmentMB())
		}
		if at.OverLimit {
			row.Stored, row.Refused = false, "trop de pièces jointes dans un même message"
		}
		if reason := refusal(at.Filename, at.ContentType); reason != "" {
			row.Stored, row.Refused = false, reason
		}
		row.MarkRisky()
	}
	return rows
}

// storeAttachments records a message's attachments (attachmentRows).
func storeAttachments(ctx context.Context, tx *store.Tx, messageID, applicationID int64, rows []store.Attachment) error {
	for i := range rows {
		rows[i].MessageID, rows[i].ApplicationID = messageID, applicationID
		if err := tx.InsertAttachment(ctx, &rows[i]); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) maxAttachmentMB() int64 {
	if p.cfg.MaxAttachmentSize <= 0 {
		return 20
	}
	return p.cfg.MaxAttachmentSize >> 20
}

// thread is the application a message continues, and whether its facts
// may fill it: a mail quoting someone else's reference from another
// address is kept with that application for a coordinator to read, but
// changes nothing in it.
type thread struct {
	app     *store.Application
	foreign bool
}

// findThread finds the application a message continues: by the messages
// it replies to, by a reference it quotes, or by its sender having an
// open incomplete application within the follow-up window (unless the
// mail is plainly another application: another SIRET or company).
func (p *Pipeline) findThread(ctx context.Context, tx *store.Tx, m *mailparse.Message, res extract.Result,
	arrived time.Time) (thread, error) {
	ids := append([]string(nil), m.References...)
	if m.InReplyTo != "" {
		ids = append(ids, m.InReplyTo)
	}
	replied, err := tx.MessageByHeaderIDs(ctx, ids)
	if err != nil {
		return thread{}, err
	}
	for _, r := range replied {
		if r.ApplicationID != 0 {
			a, err := tx.ApplicationByID(ctx, r.ApplicationID)
			if err != nil {
				return thread{}, err
			}
			return thread{app: a, foreign: !fromApplicant(a, m.FromEmail, res.Applicant.Email)}, nil
		}
	}
	if res.Reference != "" {
		a, err := tx.ApplicationByReference(ctx, res.Reference)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return thread{}, err
		default:
			return thread{app: a, foreign: !fromApplicant(a, m.FromEmail, res.Applicant.Email)}, nil
		}
	}
	sender := senderOf(m, res)
	if sender == "" {
		return thread{}, nil
	}
	// The window counts back from when this mail arrived, so that a first
	// poll over an old backlog threads it as it would have been threaded.
	since := receivedAt(arrived, m.Date, p.st.Now()).Add(-p.cfg.FollowUpWindow)
	a, err := tx.OpenApplicationFrom(ctx, sender, since)
	if err != nil || a == nil {
		return thread{}, err
	}
	if res.Kind == extract.KindApplication && otherCompany(&a.Applicant, &res.Applicant) {
		// A consultant or a manager of two companies applies twice:
		// two applications, never one merged into the other.
		return thread{}, nil
	}
	return thread{app: a}, nil
}

// fromApplicant reports whether a mail about application a comes from its
// applicant (or from whoever forwarded the application): only their mail
// may fill it. A colleague's reply-all or a stranger quoting the
// reference is kept with it for a coordinator, and changes nothing.
func fromApplicant(a *store.Application, fromEmail, applicantEmail string) bool {
	for _, addr := range []string{fromEmail, applicantEmail} {
		if addr != "" && (store.AddressKey(addr) == store.AddressKey(a.Email) ||
			store.AddressKey(addr) == store.AddressKey(a.ForwardedBy)) {
			return true
		}
	}
	return false
}

// otherCompany reports whether b names another company than a: another
// SIRET, or another company name.
func otherCompany(a, b *store.Applicant) bool {
	if a.Siret != "" && b.Siret != "" {
		return a.Siret != b.Siret
	}
	ka, kb := store.CompanyKey(a.Company), store.CompanyKey(b.Company)
	return ka != "" && kb != "" && ka != kb
}

func senderOf(m *mailparse.Message, res extract.Result) string {
	if res.Applicant.Email != "" {
		return strings.ToLower(res.Applicant.Email)
	}
	return strings.ToLower(m.FromEmail)
}

// receivedAt is when an application arrived, for first come, first
// served: when the server received it (a first poll over a backlog must
// not reorder it). Without that, the sender's Date within the last week
// (a sender can write any date there), else now.
func receivedAt(arrived, date, now time.Time) time.Time {
	if !arrived.IsZero() && arrived.Before(now) {
		return arrived
	}
	if !date.IsZero() && date.Before(now) && date.After(now.Add(-7*24*time.Hour)) {
		return date
	}
	return now
}

// createApplication creates the application a message opens, before the
// message itself is written (see store): the message's id is reserved
// for it. An application its message does not leave for review is
// written whole at once: evaluated with the message's attachments (atts,
// all it has) and compared with the others first, its audit entries
// written after it, in the order completeApplication wrote them once the
// row had been reserved. evidence is res.Applicant's evidence encoded
// (see storedReportJSON), nil when not at hand.
func (p *Pipeline) createApplication(ctx context.Context, tx *store.Tx, msg *store.Message, res extract.Result,
	evidence []byte, arrived time.Time, atts []store.Attachment, out *Outcome) (*store.Application, error) {
	id, placeholder, err := tx.ReserveMessageID(ctx)
	if err != nil {
		return nil, err
	}
	msg.ID = id
	app := &store.Application{
		Status:         store.StatusReceived,
		FirstMessageID: placeholder,
		ReceivedAt:     receivedAt(arrived, msg.Date, tx.Now()),
		Applicant:      res.Applicant,
	}
	if app.Email == "" {
		app.Email = strings.ToLower(msg.FromEmail)
	}
	year := tx.Now().In(p.cfg.Location).Year()
	if msg.NeedsReview {
		app.Status = store.StatusNeedsReview
		if err := tx.CreateApplication(ctx, app, p.cfg.Program.ReferencePrefix, year); err != nil {
			return nil, err
		}
		out.Created, out.Reference = true, app.Reference
		if err := p.auditReceived(ctx, tx, app, store.StatusNeedsReview); err != nil {
			return nil, err
		}
		return app, nil
	}
	// What evaluateAsRead and flagLookalike would find once the row is
	// written: the row itself is neither compared with nor counted.
	store.CleanApplicant(&app.Applicant)
	app.Missing = Missing(&app.Applicant, atts, p.cfg.Required, p.cfg.RequiredAttachments)
	status := completenessStatus(app)
	other, err := tx.FindLookalike(ctx, app)
	if err != nil {
		return nil, err
	}
	app.Status, app.PossibleDuplicateOf = status, other
	if err := tx.CreateCleanApplication(ctx, app, p.cfg.Program.ReferencePrefix, year, evidence); err != nil {
		return nil, err
	}
	out.Created, out.Reference = true, app.Reference
	if err := p.auditReceived(ctx, tx, app, store.StatusReceived); err != nil {
		return nil, err
	}
	app.Status = store.StatusReceived
	if err := tx.SetStatusAutoUnwritten(ctx, app, status, missingNote(app.Missing)); err != nil {
		return nil, err
	}
	if other != "" {
		if err := auditLookalike(ctx, tx, app); err != nil {
			return nil, err
		}
	}
	return app, nil
}

// auditReceived records that an application was received, with status
// (received, or needs_review).
func (p *Pipeline) auditReceived(ctx context.Context, tx *store.Tx, app *store.Application, status string) error {
	return tx.Audit(ctx, app.ID, store.AuditEntry{Actor: store.AutoActor, Action: "status", To: status,
		Note: "candidature reçue"})
}

// completeApplication names an application created with its first
// message (see createApplication) as that message's, once the message and
// its attachments (atts, all the application has) are written, and
// answers it.
func (p *Pipeline) completeApplication(ctx context.Context, tx *store.Tx, app *store.Application, msg *store.Message,
	atts []store.Attachment, ans *answers, out *Outcome) error {
	placeholder := app.FirstMessageID
	app.FirstMessageID = msg.ID
	if placeholder != msg.ID {
		if err := tx.SetFirstMessage(ctx, app.ID, msg.ID); err != nil {
			return err
		}
	}
	if msg.NeedsReview || !msg.ShouldAcknowledge || p.cfg.Composer == nil {
		return nil
	}
	ok, err := p.mayAnswer(ctx, tx, app.Email, false)
	if err != nil || !ok {
		return err
	}
	shown, answering := *app, *msg
	return p.answer(ctx, tx, ans, app, msg, out, "accusé de réception", func() (*store.OutboxMail, error) {
		return p.cfg.Composer.Acknowledgement(&shown, atts, &answering)
	})
}

// linkForeign keeps a mail about an application from another address
// with that application, changing nothing in it and answering nothing.
func (p *Pipeline) linkForeign(ctx context.Context, tx *store.Tx, app *store.Application, msg *store.Message, out *Outcome) error {
	out.Reference = app.Reference
	return tx.Audit(ctx, app.ID, store.AuditEntry{Actor: store.AutoActor, Action: "merge",
		Note: fmt.Sprintf("message %d de %s cite cette candidature : à vérifier, rien n'a été repris", msg.ID, msg.FromEmail)})
}

func (p *Pipeline) mergeFollowUp(ctx context.Context, tx *store.Tx, app *store.Application, msg *store.Message,
	res extract.Result, ans *answers, out *Outcome) error {
	out.Reference = app.Reference
	// The follow-up's own address never replaces the applicant's: a
	// forward or a second mailbox must not redirect the answers.
	add := res.Applicant
	add.Email, add.ForwardedBy = "", ""
	wasComplete := app.Complete() && app.Status != store.StatusReceived
	filled := app.FillFrom(&add, app.CorrectedSet())
	if len(filled) > 0 {
		if err := tx.Audit(ctx, app.ID, store.AuditEntry{Actor: store.AutoActor, Action: "merge",
			Note: fmt.Sprintf("complément reçu (message %d) : %s", msg.ID, strings.Join(filled, ", "))}); err != nil {
			return err
		}
	}
	atts, err := tx.Attachments(ctx, app.ID, 0)
	if err != nil {
		return err
	}
	if err := p.evaluateAsRead(ctx, tx, app, atts); err != nil {
		return err
	}
	if app.PossibleDuplicateOf == "" && len(filled) > 0 {
		// A SIRET or phone sent later may show the same company applied twice.
		if err := p.flagLookalike(ctx, tx, app); err != nil {
			return err
		}
	}
	if err := tx.UpdateApplication(ctx, app); err != nil {
		return err
	}
	if wasComplete || !app.Complete() || !msg.ShouldAcknowledge || p.cfg.Composer == nil {
		return nil
	}
	ok, err := p.mayAnswer(ctx, tx, app.Email, true)
	if err != nil || !ok {
		return err
	}
	shown, answering := *app, *msg
	return p.answer(ctx, tx, ans, app, msg, out, "confirmation de dossier complet", func() (*store.OutboxMail, error) {
		return p.cfg.Composer.Completion(&shown, &answering)
	})
}

func (p *Pipeline) evaluate(ctx context.Context, tx *store.Tx, app *store.Application, atts []store.Attachment) error {
	return Evaluate(ctx, tx, app, atts, p.cfg.Required, p.cfg.RequiredAttachments)
}

// evaluateAsRead is evaluate for an application read or created by this
// message's commit, whose row the caller writes next: app.Status is the
// stored one, so the status is neither read back nor written twice.
func (p *Pipeline) evaluateAsRead(ctx context.Context, tx *store.Tx, app *store.Application, atts []store.Attachment) error {
	app.Missing = Missing(&app.Applicant, atts, p.cfg.Required, p.cfg.RequiredAttachments)
	return tx.SetStatusAutoUnwritten(ctx, app, completenessStatus(app), missingNote(app.Missing))
}

// Evaluate recomputes what an application lacks (app.Missing) and moves
// its status between received, incomplete and complete; later statuses
// belong to coordinators and are left alone. The caller writes app.
func Evaluate(ctx context.Context, tx *store.Tx, app *store.Application, atts []store.Attachment, required, requiredAtts []string) error {
	app.Missing = Missing(&app.Applicant, atts, required, requiredAtts)
	return tx.SetStatusAuto(ctx, app, completenessStatus(app), missingNote(app.Missing))
}

// completenessStatus is the status completeness gives app.
func completenessStatus(app *store.Application) string {
	if app.Complete() {
		return store.StatusComplete
	}
	return store.StatusIncomplete
}

func missingNote(ms []store.Missing) string {
	if len(ms) == 0 {
		return "dossier complet"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Field
	}
	return "manque : " + strings.Join(names, ", ")
}

func (p *Pipeline) flagLookalike(ctx context.Context, tx *store.Tx, app *store.Application) error {
	other, err := tx.FindLookalike(ctx, app)
	if err != nil || other == "" {
		return err
	}
	app.PossibleDuplicateOf = other
	return auditLookalike(ctx, tx, app)
}

// auditLookalike records app.PossibleDuplicateOf, just found.
func auditLookalike(ctx context.Context, tx *store.Tx, app *store.Application) error {
	return tx.Audit(ctx, app.ID, store.AuditEntry{Actor: store.AutoActor, Action: "duplicate", To: app.PossibleDuplicateOf,
		Note: "doublon possible : même SIRET, téléphone ou nom et entreprise"})
}

// notAnswered records that an automatic mail could not be written (an
// address a sender made up, say) and lets the message be stored: only the
// store or the disk may stop intake, never what a sender wrote.
func (p *Pipeline) notAnswered(ctx context.Context, tx *store.Tx, app *store.Application, what string, err error) error {
	p.cfg.Logger.Warn("automatic_mail_not_written", slog.String("reference", app.Reference), slog.Any("error", err))
	return tx.Audit(ctx, app.ID, store.AuditEntry{Actor: store.AutoActor, Action: "mail",
		Note: fmt.Sprintf("%s non envoyé : %v", what, err)})
}

// mayAnswer applies the loop and abuse rules before anything automatic is
// queued: never the program or a coordinator, and at most one automatic
// mail a day to an address, the one completion confirmation excepted.
func (p *Pipeline) mayAnswer(ctx context.Context, tx *store.Tx, to string, completion bool) (bool, error) {
	to = strings.ToLower(strings.TrimSpace(to))
	if !store.PlainAddress(to) {
		if addr, err := mail.ParseAddress(to); err != nil || addr.Address != to {
			return false, nil // not an address a mail can go to
		}
	}
	if to == "" || slices.Contains(p.never, store.AddressKey(to)) {
		return false, nil
	}
	if completion {
		return true, nil
	}
	last, err := tx.LastAutoMailTo(ctx, to)
	if err != nil {
		return false, err
	}
	if !last.IsZero() && tx.Now().Sub(last) < 24*time.Hour {
		p.cfg.Logger.Info("acknowledgement_suppressed", slog.String("reason", "already answered in the last 24 h"))
		return false, nil
	}
	return true, nil
}

// answer queues the automatic mail render gives about app, answering
// msg, mayAnswer having let it go to app.Email; what names it when it
// cannot be rendered. The mail is rendered and queued at once with
// ans.sync, else later (see answers), render having copies of app and
// msg.
func (p *Pipeline) answer(ctx context.Context, tx *store.Tx, ans *answers, app *store.Application, msg *store.Message,
	out *Outcome, what string, render func() (*store.OutboxMail, error)) error {
	if !ans.sync {
		tx.NoteQueued(app.Email)
		ans.later(&answer{render: render, to: app.Email, app: app.ID, msg: msg.ID, out: out})
		return nil
	}
	mail, err := render()
	if err != nil {
		return p.notAnswered(ctx, tx, app, what, err)
	}
	return p.queue(ctx, tx, mail, app, msg, out)
}

func (p *Pipeline) queue(ctx context.Context, tx *store.Tx, mail *store.OutboxMail, app *store.Application,
	msg *store.Message, out *Outcome) error {
	mail.ApplicationID, mail.MessageID = app.ID, msg.ID
	err := tx.QueueMail(ctx, mail)
	if errors.Is(err, store.ErrAlreadyQueued) {
		return nil
	}
	if err != nil {
		return err
	}
	out.Queued = append(out.Queued, mail.Kind)
	return nil
}
