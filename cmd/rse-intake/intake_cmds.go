package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/intake/extract"
	"github.com/rse-lozere/rse-intake/intake/mailparse"
	"github.com/rse-lozere/rse-intake/store"
	"github.com/rse-lozere/rse-intake/store/applicant"
)

func openStore(ctx context.Context, cfg *Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.Store.Path)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return st, nil
}

func (c *Config) program() extract.Program {
	return extract.Program{
		Address:         c.Program.Address,
		Coordinators:    c.Program.Coordinators,
		ReferencePrefix: c.Program.ReferencePrefix,
	}
}

func newPipeline(cfg *Config, st *store.Store, composer intake.Composer, e *env) *intake.Pipeline {
	return intake.NewPipeline(st, intake.Config{
		Program:             cfg.program(),
		Required:            cfg.Program.Required,
		RequiredAttachments: cfg.Program.RequiredAttachments,
		FollowUpWindow:      time.Duration(cfg.Intake.FollowUpWindowDays) * 24 * time.Hour,
		MaxAttachmentSize:   int64(cfg.Intake.MaxAttachmentMB) << 20,
		Location:            cfg.loc,
		Files:               cfg.files(),
		Composer:            composer,
		Logger:              e.log,
		AuthservID:          cfg.Intake.AuthservID,
		Limits:              cfg.limits(),
	})
}

// messageText reads the text of stored message id again from its raw
// mail (null when it has none): the store keeps the text only in the
// mail itself.
func (c *Config) messageText(ctx context.Context, st *store.Store, id int64) (*string, error) {
	raw, err := st.MessageRaw(ctx, id, c.files())
	if err != nil {
		return nil, err
	}
	text, err := intake.TextOf(raw, c.limits())
	if err != nil {
		return nil, fmt.Errorf("message %d: %w", id, err)
	}
	return nullableStr(text), nil
}

// limits bound what one message may cost ([intake]).
func (c *Config) limits() mailparse.Limits {
	return mailparse.Limits{
		MaxAttachments:     c.Intake.MaxAttachments,
		MaxFiles:           c.Intake.MaxFiles,
		MaxAttachmentBytes: int64(c.Intake.MaxAttachmentsTotalMB) << 20,
	}
}

func pollCommand() *command {
	return &command{
		name: "poll", args: "--once",
		summary: "take new mail in over IMAP, store it and queue acknowledgements, then exit (sends nothing)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			once := fs.Bool("once", false, "poll once and exit (required; the daemon is rse-intake run)")
			return func(ctx context.Context, e *env) error {
				if !*once {
					return usagef("poll needs --once (to take mail in as it arrives, use rse-intake run)")
				}
				cfg, err := e.config()
				if err != nil {
					return err
				}
				if err := cfg.requireIMAP(); err != nil {
					return err
				}
				composer, err := newComposer(cfg)
				if err != nil {
					return err
				}
				st, release, err := openLockedStore(ctx, cfg)
				if err != nil {
					return err
				}
				defer release()
				opts := cfg.imapOptions(e)
				pr := newProgress(e, "poll")
				opts.Progress = pr.Update
				p := intake.NewPoller(st, newPipeline(cfg, st, composer, e), opts)
				stats, err := p.PollOnce(ctx)
				pr.Done()
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "polled %s/%s: %d fetched, %d stored, %d duplicates, %d need review\n",
					cfg.IMAP.Host, cfg.IMAP.Mailbox, stats.Fetched, stats.Stored, stats.Duplicates, stats.NeedsReview)
				return nil
			}
		},
	}
}

func statsCommand() *command {
	return &command{
		name: "stats", args: "[--json]",
		summary: "counts of messages by kind, applications by status, outbox by status, mailbox checkpoints",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env) error {
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					s, err := st.Stats(ctx)
					if err != nil {
						return err
					}
					if *asJSON {
						return writeJSON(e.stdout, s)
					}
					fmt.Fprintf(e.stdout, "messages: %d\n", s.Messages)
					printCounts(e, "messages by kind", s.MessagesByKind)
					fmt.Fprintf(e.stdout, "applications: %d\n", s.Applications)
					printCounts(e, "applications by status", s.ApplicationsByStatus)
					printCounts(e, "outbox", s.Outbox)
					for _, cp := range s.Checkpoints {
						fmt.Fprintf(e.stdout, "checkpoint %s %s %s uidvalidity %d: last uid %d (%s)\n", cp.Server, cp.Username,
							cp.Mailbox, cp.UIDValidity, cp.LastUID, cp.UpdatedAt.Format(time.RFC3339))
					}
					return nil
				})
			}
		},
	}
}

func printCounts(e *env, title string, m map[string]int) {
	fmt.Fprintf(e.stdout, "%s:", title)
	if len(m) == 0 {
		fmt.Fprint(e.stdout, " none")
	}
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(e.stdout, " %s=%d", k, m[k])
	}
	fmt.Fprintln(e.stdout)
}

func listCommand() *command {
	return &command{
		name: "list", args: "[--json] [--status S]",
		summary: "list applications in arrival order",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print a JSON array")
			status := fs.String("status", "", "only applications with this status")
			return func(ctx context.Context, e *env) error {
				if *status != "" && !validStatus(*status) {
					return usagef("unknown status %q (one of %s)", *status, strings.Join(store.Statuses, ", "))
				}
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					var filter []string
					if *status != "" {
						filter = []string{*status}
					}
					apps, err := st.Applications(ctx, filter...)
					if err != nil {
						return err
					}
					if *asJSON {
						linked, err := st.LinkedMessages(ctx)
						if err != nil {
							return err
						}
						out := make([]listedApplication, 0, len(apps))
						for _, a := range apps {
							out = append(out, listedApplication{applicationOut: cfg.applicationJSON(a),
								thread: newThread(a, linked[a.ID])})
						}
						return writeJSON(e.stdout, out)
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "REFERENCE\tSTATUS\tRECEIVED\tNAME\tCOMPANY\tCOMMUNE\tMISSING")
					for _, a := range apps {
						// Text from mail: one short terminal line each, whatever
						// a sender wrote (and whatever an older database holds).
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Reference, a.Status,
							a.ReceivedAt.In(cfg.loc).Format("02/01/2006 15:04"), oneLine(a.FirstName+" "+a.LastName, 40),
							oneLine(a.Company, 40), oneLine(a.Commune, 30), missingList(a.Missing))
					}
					return tw.Flush()
				})
			}
		},
	}
}

func validStatus(s string) bool {
	for _, v := range store.Statuses {
		if v == s {
			return true
		}
	}
	return false
}

func missingList(ms []store.Missing) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Field
	}
	return strings.Join(names, ",")
}

// applicationOut is what list --json and show --json print of an
// application.
type applicationOut struct {
	Reference           string          `json:"reference"`
	Status              string          `json:"status"`
	ReceivedAt          string          `json:"received_at"`
	UpdatedAt           string          `json:"updated_at"`
	Missing             []string        `json:"missing"`
	MissingDetails      []store.Missing `json:"missing_details"`
	Complete            bool            `json:"complete"`
	Score               *int            `json:"score"`
	PossibleDuplicateOf *string         `json:"possible_duplicate_of"`
	Corrected           []string        `json:"corrected"`
	applicant.JSON
	Eligible bool     `json:"eligible"`
	Reasons  []string `json:"reasons"`
}

func (c *Config) applicationJSON(a *store.Application) applicationOut {
	eligible, reasons := c.eligibility(a)
	details := a.Missing
	if details == nil {
		details = []store.Missing{}
	}
	return applicationOut{
		Reference:           a.Reference,
		Status:              a.Status,
		ReceivedAt:          a.ReceivedAt.Format(time.RFC3339),
		UpdatedAt:           a.UpdatedAt.Format(time.RFC3339),
		Missing:             missingNames(a.Missing),
		MissingDetails:      details,
		Complete:            a.Complete() && a.Status != store.StatusNeedsReview,
		Score:               a.Score,
		PossibleDuplicateOf: nullableStr(a.PossibleDuplicateOf),
		Corrected:           nonNil(a.Corrected),
		JSON:                a.Applicant.JSON(),
		Eligible:            eligible,
		Reasons:             nonNil(reasons),
	}
}

// listedApplication is one element of list --json.
type listedApplication struct {
	applicationOut
	thread
}

// thread is the Message-ID of the mail that created an application and
// the follow-ups that completed it; a follow-up's "completes" is the
// application's reference.
type thread struct {
	MessageID           *string       `json:"message_id"`
	FollowUps           []followUpOut `json:"follow_ups"`
	DuplicateDeliveries int           `json:"duplicate_deliveries"`
}

type followUpOut struct {
	ID        int64   `json:"id"`
	MessageID *string `json:"message_id"`
	Kind      string  `json:"kind"`
	Completes string  `json:"completes"`
}

func newThread(a *store.Application, msgs []store.Linked) thread {
	t := thread{FollowUps: []followUpOut{}}
	for _, m := range msgs {
		switch {
		case m.ID == a.FirstMessageID:
			t.MessageID = nullableStr(m.MessageID)
		case m.DuplicateOf != 0:
			t.DuplicateDeliveries++
		default:
			t.FollowUps = append(t.FollowUps, followUpOut{ID: m.ID, MessageID: nullableStr(m.MessageID),
				Kind: extract.KindFollowUp, Completes: a.Reference})
		}
	}
	return t
}

func missingNames(ms []store.Missing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Field
	}
	return out
}

func nullableStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func showCommand() *command {
	return &command{
		name: "show", args: "REF [--json]",
		summary: "one application with its messages, attachments and history",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("show needs one application reference, e.g. RSE-2026-0007")
				}
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					a, err := st.Application(ctx, e.args[0])
					if errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("no application %s", e.args[0])
					}
					if err != nil {
						return err
					}
					obj, err := cfg.showJSON(ctx, st, a)
					if err != nil {
						return err
					}
					if *asJSON {
						return writeJSON(e.stdout, obj)
					}
					return printShow(e, cfg, obj, a)
				})
			}
		},
	}
}

// shownApplication is what show --json prints.
type shownApplication struct {
	applicationOut
	MessageID   *string            `json:"message_id"`
	Messages    []shownMessage     `json:"messages"`
	Attachments []store.Attachment `json:"attachments"`
	History     []store.AuditEntry `json:"history"`
}

// shownMessage is one message of an application: what was read in it
// (as parse reports it), and what intake decided.
type shownMessage struct {
	intake.Report
	ID          int64   `json:"id"`
	StoredAt    string  `json:"stored_at"`
	DuplicateOf *int64  `json:"duplicate_of"`
	NeedsReview bool    `json:"needs_review"`
	Completes   *string `json:"completes"`
}

// ruleLinkedAtIntake is the kind_rule of a message whose kind intake
// changed when it linked it to an application.
const ruleLinkedAtIntake = "linked_at_intake"

func (c *Config) showJSON(ctx context.Context, st *store.Store, a *store.Application) (*shownApplication, error) {
	out := &shownApplication{applicationOut: c.applicationJSON(a)}
	msgs, err := st.ApplicationMessages(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	out.Messages = make([]shownMessage, 0, len(msgs))
	for _, m := range msgs {
		sm := shownMessage{ID: m.ID, StoredAt: m.StoredAt.Format(time.RFC3339), NeedsReview: m.NeedsReview}
		if len(m.Parsed) > 0 {
			if err := json.Unmarshal(m.Parsed, &sm.Report); err != nil {
				return nil, fmt.Errorf("message %d: %w", m.ID, err)
			}
		}
		if sm.Text == nil {
			if sm.Text, err = c.messageText(ctx, st, m.ID); err != nil {
				return nil, err
			}
		}
		read := sm.Kind
		sm.Kind, sm.ShouldAcknowledge = m.Kind, m.ShouldAcknowledge
		if m.DuplicateOf != 0 {
			id := m.DuplicateOf
			sm.DuplicateOf = &id
		}
		if m.ID == a.FirstMessageID {
			out.MessageID = nullableStr(m.MessageID)
		} else if m.DuplicateOf == 0 {
			sm.Completes = &a.Reference
			sm.Kind = extract.KindFollowUp
		}
		if sm.Kind != read {
			// Read alone the mail was something else; intake linked it
			// to this application (a reply, the same sender).
			rule := ruleLinkedAtIntake
			sm.KindRule = &rule
		}
		out.Messages = append(out.Messages, sm)
	}
	if out.Attachments, err = st.Attachments(ctx, a.ID, 0); err != nil {
		return nil, err
	}
	if out.Attachments == nil {
		out.Attachments = []store.Attachment{}
	}
	if out.History, err = st.History(ctx, a.ID); err != nil {
		return nil, err
	}
	if out.History == nil {
		out.History = []store.AuditEntry{}
	}
	return out, nil
}

func printShow(e *env, cfg *Config, obj *shownApplication, a *store.Application) error {
	w := e.stdout
	fmt.Fprintf(w, "%s  %s  (reçue le %s)\n", a.Reference, a.Status, a.ReceivedAt.In(cfg.loc).Format("02/01/2006 15:04"))
	for _, f := range applicant.Fields {
		if v, _ := a.Field(f); v != "" {
			fmt.Fprintf(w, "  %-12s %s\n", f, oneLine(v, 100))
		}
	}
	fmt.Fprintf(w, "  %-12s %s\n", "missing", missingList(a.Missing))
	fmt.Fprintf(w, "  %-12s %v %s\n", "eligible", obj.Eligible, strings.Join(obj.Reasons, "; "))
	if a.PossibleDuplicateOf != "" {
		fmt.Fprintf(w, "  %-12s %s\n", "duplicate?", a.PossibleDuplicateOf)
	}
	printEvidence(w, &a.Applicant, deref(obj.MessageID))
	fmt.Fprintln(w, "Messages:")
	for _, m := range obj.Messages {
		rule := ""
		if m.KindRule != nil {
			rule = " (" + *m.KindRule + ")"
		}
		fmt.Fprintf(w, "  #%d %s%s %s %s\n", m.ID, m.Kind, rule, oneLine(deref(m.FromEmail), 100), oneLine(deref(m.Subject), 100))
		// Defects and limits hit (attachments not kept, a sender that
		// failed authentication) are for the coordinator to see.
		for _, e := range m.Errors {
			fmt.Fprintf(w, "      ! %s\n", oneLine(e, 160))
		}
	}
	if len(obj.Attachments) > 0 {
		fmt.Fprintln(w, "Attachments:")
		for _, at := range obj.Attachments {
			risky := ""
			if at.Risky {
				risky = " RISKY: a usual malware carrier, open with care"
			}
			fmt.Fprintf(w, "  %s (%s, %d bytes)%s %s\n", oneLine(at.Filename, 100), at.ContentType, at.Size, risky, at.Refused)
		}
	}
	fmt.Fprintln(w, "History:")
	for _, h := range obj.History {
		fmt.Fprintln(w, "  "+historyLine(h, cfg.loc))
	}
	return nil
}

// printEvidence writes where each field was read, one line a field:
// siret ← line 12: « N° SIRET : 812 345 676 00017 » (label, labelled_line),
// naming the mail when it is not first (the one whose Message-ID is
// first; "" in parse, which reads one mail).
func printEvidence(w io.Writer, a *applicant.Applicant, first string) {
	header := false
	for _, f := range applicant.Fields {
		e, ok := a.Evidence[f]
		if v, _ := a.Field(f); !ok || v == "" {
			continue
		}
		if !header {
			fmt.Fprintln(w, "Evidence:")
			header = true
		}
		e.Text = oneLine(e.Text, 100)
		in := ""
		if first != "" && e.MessageID != "" && e.MessageID != first {
			in = " in " + oneLine(e.MessageID, 100)
		}
		fmt.Fprintf(w, "  %s ← %s%s\n", f, e, in)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// oneLine prints text that came from a mail on one terminal line: no
// control characters (escape sequences) or Unicode separators, whitespace
// collapsed, cut at max characters (see store.CleanLine).
func oneLine(s string, max int) string { return store.CleanLine(s, max) }

func parseCommand() *command {
	return &command{
		name: "parse", args: "[--json] FILE.eml...", noConfig: true,
		summary: "parse, classify and extract mail files (no config, no network); one JSON object per file",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print one JSON object per line (NDJSON)")
			address := fs.String("program-address", "rse.innovation.manageriale@gmail.com", "the program's own address (its mail is never an application)")
			coordinators := fs.String("coordinators", "coordination@rse-lozere.fr", "comma-separated coordinators' addresses (their mail is never an application)")
			return func(ctx context.Context, e *env) error {
				if len(e.args) == 0 {
					return usagef("parse needs at least one .eml file")
				}
				// The program's own addresses: from the flags, or from a
				// configuration file when there is one and the flags were
				// left alone. parse never needs one.
				prog := extract.Program{Address: *address, Coordinators: strings.Split(*coordinators, ","),
					ReferencePrefix: "RSE"}
				if !flagSet(e.flags, "program-address") && !flagSet(e.flags, "coordinators") {
					if cfg, err := loadConfig(e.configPath); err == nil {
						prog = cfg.program()
					}
				}
				failed := 0
				for _, path := range e.args {
					raw, err := os.ReadFile(path)
					if err != nil {
						fmt.Fprintf(e.stderr, "rse-intake parse: %v\n", err)
						failed++
						continue
					}
					an, err := intake.Analyze(raw, prog, mailparse.Options{})
					if err != nil {
						fmt.Fprintf(e.stderr, "rse-intake parse: %s: %v\n", path, err)
						failed++
						continue
					}
					rep := an.Report()
					rep.File = path
					if *asJSON {
						// One object per line (NDJSON), Message-IDs as written.
						enc := json.NewEncoder(e.stdout)
						enc.SetEscapeHTML(false)
						if err := enc.Encode(rep); err != nil {
							return fmt.Errorf("%s: %w", path, err)
						}
						continue
					}
					printReport(e, rep)
				}
				if failed > 0 {
					return fmt.Errorf("%d of %d files could not be read", failed, len(e.args))
				}
				return nil
			}
		},
	}
}

func printReport(e *env, rep intake.Report) {
	w := e.stdout
	rule := ""
	if rep.KindRule != nil {
		rule = ", rule " + *rep.KindRule
	}
	fmt.Fprintf(w, "%s\n  kind: %s (acknowledge: %v%s)\n  from: %s <%s>\n  subject: %s\n", rep.File, rep.Kind,
		rep.ShouldAcknowledge, rule, deref(rep.FromName), deref(rep.FromEmail), oneLine(deref(rep.Subject), 100))
	a := rep.Applicant()
	for _, f := range applicant.Fields {
		if v, _ := a.Field(f); v != "" && f != applicant.Motivation {
			fmt.Fprintf(w, "  %s: %s\n", f, oneLine(v, 100))
		}
	}
	printEvidence(w, &a, "")
	if len(rep.Errors) > 0 {
		fmt.Fprintf(w, "  errors: %s\n", strings.Join(rep.Errors, "; "))
	}
}

func reparseCommand() *command {
	return &command{
		name: "reparse", args: "[--all | REF]",
		summary: "re-run classification and extraction on stored raw mail, keeping coordinators' corrections",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			all := fs.Bool("all", false, "every stored message")
			return func(ctx context.Context, e *env) error {
				if *all == (len(e.args) == 1) || len(e.args) > 1 {
					return usagef("reparse needs either --all or one application reference")
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					p := newPipeline(cfg, st, nil, e)
					ref := ""
					if !*all {
						ref = e.args[0]
					}
					pr := newProgress(e, "reparse")
					p.SetProgress(pr.Update)
					n, err := p.Reparse(ctx, ref)
					pr.Done()
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "reparsed %d messages\n", n)
					return nil
				})
			}
		},
	}
}

func (c *Config) imapOptions(e *env) intake.IMAPOptions {
	return intake.IMAPOptions{
		Host: c.IMAP.Host, Port: c.IMAP.Port, Security: c.IMAP.Security,
		Username: c.IMAP.Username, Password: c.IMAP.Password,
		Auth: c.IMAP.Auth, Token: c.tokenSource("imap"),
		Mailbox: c.IMAP.Mailbox, Processed: c.IMAP.Processed, BatchSize: c.IMAP.BatchSize,
		MaxMessageSize: int64(c.IMAP.MaxMessageMB) << 20,
		Logger:         e.log,
	}
}
