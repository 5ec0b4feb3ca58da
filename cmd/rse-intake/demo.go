package main

import (
	"bytes"
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/intake/imaptest"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/notify/smtpsink"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/shortlist"
)

// demoMail holds the sample mailbox of the demo: applications in several
// formats and clients, follow-ups completing two of them, an
// out-of-office, a bounce, a newsletter and a damaged message.
//
//go:embed demomail/*.eml
var demoMail embed.FS

// demoStart is the moment the demo replays: the sample mail is from
// November 2026, and follow-ups are matched within 30 days of it.
var demoStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const (
	demoUser     = "rse.innovation.manageriale@gmail.com"
	demoPassword = "demo"
)

func demoCommand() *command {
	return &command{
		name: "demo", args: "[--dir DIR]", noConfig: true,
		summary: "run the whole job on built-in IMAP and SMTP servers with sample mail (no account needed)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			dir := fs.String("dir", "rse-intake-demo", "folder for the demo's database, mails and shortlist")
			return func(ctx context.Context, e *env) error {
				return runDemo(ctx, e, *dir)
			}
		},
	}
}

// demo is one run of the demo: real servers on loopback, the real
// configuration path, the real pipeline and outbox.
type demo struct {
	e    *env
	dir  string
	cfg  *Config
	imap *imaptest.MemServer
	smtp *smtpsink.Sink
	st   *store.Store
	step int
}

func (d *demo) progress(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.e.stdout, "[%d] %s\n", d.step, fmt.Sprintf(format, args...))
}

func runDemo(ctx context.Context, e *env, dir string) error {
	started := time.Now()
	d := &demo{e: e, dir: dir}
	if err := d.prepare(); err != nil {
		return err
	}
	var err error
	if d.imap, err = imaptest.NewMemServer("127.0.0.1:0", demoUser, demoPassword); err != nil {
		return fmt.Errorf("demo: start IMAP server: %w", err)
	}
	defer d.imap.Close()
	if d.smtp, err = smtpsink.New("127.0.0.1:0"); err != nil {
		return fmt.Errorf("demo: start SMTP server: %w", err)
	}
	defer d.smtp.Close()
	d.progress("IMAP server on %s, SMTP server on %s (in-process, loopback)", d.imap.Addr(), d.smtp.Addr())

	seeded, err := d.seed()
	if err != nil {
		return err
	}
	d.progress("seeded the inbox with %d sample mails", seeded)

	if err := d.configure(); err != nil {
		return err
	}
	if d.st, err = openStore(ctx, d.cfg); err != nil {
		return err
	}
	defer d.st.Close()
	offset := demoStart.Sub(time.Now())
	d.st.SetClock(func() time.Time { return time.Now().Add(offset) })

	if err := d.pollAndSend(ctx); err != nil {
		return err
	}
	if err := d.review(ctx); err != nil {
		return err
	}
	if err := d.pollAndSend(ctx); err != nil {
		return err
	}
	if err := d.writeOutputs(ctx); err != nil {
		return err
	}
	return d.summary(ctx, time.Since(started))
}

// prepare creates the folder, clearing the outputs of an earlier demo
// (and only those).
func (d *demo) prepare() error {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, p := range []string{"mail", "attachments", "demo.db", "demo.db-wal", "demo.db-shm", "shortlist.csv",
		"shortlist.xlsx", "rse-intake.toml"} {
		if err := os.RemoveAll(filepath.Join(d.dir, p)); err != nil {
			return fmt.Errorf("demo: clear earlier run: %w", err)
		}
	}
	return os.MkdirAll(filepath.Join(d.dir, "mail"), 0o700)
}

func (d *demo) seed() (int, error) {
	names, err := fs.Glob(demoMail, "demomail/*.eml")
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		raw, err := demoMail.ReadFile(n)
		if err != nil {
			return 0, fmt.Errorf("demo: %w", err)
		}
		if err := d.imap.Append("INBOX", raw); err != nil {
			return 0, fmt.Errorf("demo: seed %s: %w", n, err)
		}
	}
	return len(names), nil
}

// configure writes the demo's configuration file and loads it through
// the same path as a real one, so the folder can be explored afterwards
// with the real commands (list, show, export...).
func (d *demo) configure() error {
	ihost, iport, _ := net.SplitHostPort(d.imap.Addr())
	shost, sport, _ := net.SplitHostPort(d.smtp.Addr())
	conf := fmt.Sprintf(`# Written by rse-intake demo. The demo's servers are gone once it ends,
# but this file lets you explore its database:
#   rse-intake --config %[1]s/rse-intake.toml list
[program]
name = "J'initie, je m'engage RSE"
address = %[2]q
coordinators = ["coordination@rse-lozere.fr"]

[imap]
host = %[3]q
port = %[4]s
security = "none"
username = %[2]q
password = %[5]q

[smtp]
host = %[6]q
port = %[7]s
security = "none"

[store]
path = "demo.db"
attachments = "attachments"
`, d.dir, demoUser, ihost, iport, demoPassword, shost, sport)
	path := filepath.Join(d.dir, "rse-intake.toml")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cfg, err := loadConfig(path)
	if err != nil {
		return err
	}
	if err := cfg.requireIMAP(); err != nil {
		return err
	}
	if err := cfg.requireSMTP(); err != nil {
		return err
	}
	d.cfg = cfg
	return nil
}

// pollAndSend runs the real intake and outbox until the inbox is drained
// and nothing is due.
func (d *demo) pollAndSend(ctx context.Context) error {
	composer, err := newComposer(d.cfg)
	if err != nil {
		return err
	}
	quiet := *d.e
	quiet.log = discardLogger()
	poller := intake.NewPoller(d.st, newPipeline(d.cfg, d.st, composer, &quiet), d.cfg.imapOptions(&quiet))
	for {
		stats, err := poller.PollOnce(ctx)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if stats.Fetched == 0 {
			break
		}
		d.progress("poll: %d mails read over IMAP, %d stored (%d second deliveries), %d flagged on the server",
			stats.Fetched, stats.Stored, stats.Duplicates, stats.Marked)
	}
	sender, err := notify.NewSender(d.st, d.cfg.senderConfig(&quiet))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sender.Now = d.st.Now
	for {
		res, err := sender.SendDue(ctx)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if res.Sent+res.Retried+res.Failed+res.Cancelled == 0 {
			break
		}
		d.progress("send: %d mails delivered over SMTP (%d failed)", res.Sent, res.Failed)
	}
	return nil
}

// review plays the coordinators: the complete, eligible applications are
// shortlisted in ranked order, the first ones selected, the next one
// waitlisted, and an eligible-but-late one declined; then the decision
// mails are queued.
func (d *demo) review(ctx context.Context) error {
	rows, err := shortlist.Build(ctx, d.st, d.cfg.rules(), d.cfg.Program.CohortSize, nil)
	if err != nil {
		return err
	}
	decided := 0
	for _, r := range rows {
		a := r.Application
		if !r.Eligible || a.Status != store.StatusComplete {
			continue
		}
		if _, err := d.st.Review(ctx, a.Reference, store.StatusShortlisted, "dossier complet et éligible", "demo"); err != nil {
			return err
		}
		to, note := store.StatusSelected, "retenu pour la session"
		switch decided {
		case 0:
			if _, err := d.st.SetScore(ctx, a.Reference, 9, "demo"); err != nil {
				return err
			}
		case 3:
			to, note = store.StatusWaitlisted, "en attente d'une place"
		}
		if decided > 3 {
			decided++
			continue
		}
		if _, err := d.st.Review(ctx, a.Reference, to, note, "demo"); err != nil {
			return err
		}
		decided++
	}
	composer, err := newComposer(d.cfg)
	if err != nil {
		return err
	}
	ms, err := notify.QueueDecisions(ctx, d.st, composer, false)
	if err != nil {
		return err
	}
	d.progress("review: %d applications shortlisted, %d decision mails queued", decided, len(ms))
	return nil
}

func (d *demo) writeOutputs(ctx context.Context) error {
	kinds := map[string]string{}
	for _, status := range []string{store.OutboxSent, store.OutboxPending, store.OutboxFailed, store.OutboxCancelled} {
		ms, err := d.st.OutboxList(ctx, status)
		if err != nil {
			return err
		}
		for _, m := range ms {
			kinds[m.HeaderMsgID] = m.Kind
		}
	}
	for i, m := range d.smtp.Messages() {
		kind := "mail"
		if msg, err := mail.ReadMessage(bytes.NewReader(m.Data)); err == nil {
			if k, ok := kinds[strings.TrimSpace(msg.Header.Get("Message-Id"))]; ok {
				kind = k
			}
		}
		name := filepath.Join(d.dir, "mail", fmt.Sprintf("%03d-%s.eml", i+1, kind))
		if err := os.WriteFile(name, m.Data, 0o600); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	rows, err := shortlist.Build(ctx, d.st, d.cfg.rules(), d.cfg.Program.CohortSize, nil)
	if err != nil {
		return err
	}
	if err := writeExport(io.Discard, filepath.Join(d.dir, "shortlist.xlsx"), func(w io.Writer) error {
		return shortlist.WriteXLSX(w, rows, d.cfg.xlsxOptions())
	}); err != nil {
		return err
	}
	return writeExport(io.Discard, filepath.Join(d.dir, "shortlist.csv"), func(w io.Writer) error {
		return shortlist.WriteCSV(w, rows, shortlist.CSVOptions{Language: d.cfg.Program.Language, Location: d.cfg.loc})
	})
}

func (d *demo) summary(ctx context.Context, took time.Duration) error {
	w := d.e.stdout
	s, err := d.st.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nArrived: %d mails, classified as %s (%d second delivery)\n", s.Messages,
		countList(s.MessagesByKind), s.Duplicates)
	fmt.Fprintf(w, "Applications: %d: %s", s.Applications, countList(s.ApplicationsByStatus))
	sent := map[string]int{}
	ms, err := d.st.OutboxList(ctx, store.OutboxSent)
	if err != nil {
		return err
	}
	for _, m := range ms {
		sent[m.Kind]++
	}
	fmt.Fprintf(w, "\nSent: %d mails: %s; none to the out-of-office, the bounce, the newsletter or a second delivery.\n",
		len(ms), countList(sent))

	rows, err := shortlist.Build(ctx, d.st, d.cfg.rules(), d.cfg.Program.CohortSize, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nShortlist:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tREFERENCE\tSTATUS\tNAME\tCOMPANY\tCOMMUNE\tNOTE")
	for _, r := range rows {
		a := r.Application
		rank := "-"
		if r.Rank > 0 {
			rank = strconv.Itoa(r.Rank)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rank, a.Reference, a.Status,
			oneLine(strings.TrimSpace(a.FirstName+" "+a.LastName), 24), oneLine(a.Company, 30), a.Commune,
			oneLine(strings.Join(append(missingNames(a.Missing), r.Reasons...), "; "), 50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nFiles in %s/: mail/ (%d mails as sent), shortlist.xlsx, shortlist.csv, demo.db, rse-intake.toml\n",
		d.dir, d.smtp.Len())
	fmt.Fprintf(w, "Explore: go run ./cmd/rse-intake --config %s/rse-intake.toml show RSE-2026-0002\n", d.dir)
	fmt.Fprintf(w, "Done in %.1f s.\n", took.Seconds())
	return nil
}

// countList writes counts as "ack 12, complete 2".
func countList(m map[string]int) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
