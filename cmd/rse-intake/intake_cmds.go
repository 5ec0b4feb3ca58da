package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

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
		Files:               store.Files{Dir: cfg.Store.Attachments},
		Composer:            composer,
		Logger:              e.log,
	})
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
				lock, err := lockStore(cfg)
				if err != nil {
					return err
				}
				defer lock.Release()
				st, err := openStore(ctx, cfg)
				if err != nil {
					return err
				}
				defer st.Close()
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
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
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
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
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
						out := make([]map[string]any, 0, len(apps))
						for _, a := range apps {
							obj := cfg.applicationJSON(a)
							addThread(obj, a, linked[a.ID])
							out = append(out, obj)
						}
						return writeJSON(e.stdout, out)
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "REFERENCE\tSTATUS\tRECEIVED\tNAME\tCOMPANY\tCOMMUNE\tMISSING")
					for _, a := range apps {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Reference, a.Status,
							a.ReceivedAt.In(cfg.loc).Format("02/01/2006 15:04"), strings.TrimSpace(a.FirstName+" "+a.LastName),
							a.Company, a.Commune, missingList(a.Missing))
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

// applicationJSON is the object list --json and show --json print.
func (c *Config) applicationJSON(a *store.Application) map[string]any {
	m := map[string]any{
		"reference":             a.Reference,
		"status":                a.Status,
		"received_at":           a.ReceivedAt.Format(time.RFC3339),
		"updated_at":            a.UpdatedAt.Format(time.RFC3339),
		"missing":               missingNames(a.Missing),
		"missing_details":       a.Missing,
		"complete":              a.Complete() && a.Status != store.StatusNeedsReview,
		"score":                 a.Score,
		"possible_duplicate_of": nullableStr(a.PossibleDuplicateOf),
		"corrected":             nonNil(a.Corrected),
	}
	a.Applicant.AddJSON(m)
	eligible, reasons := c.eligibility(a)
	m["eligible"] = eligible
	m["reasons"] = nonNil(reasons)
	return m
}

// addThread adds to an application's JSON the Message-ID of the mail that
// created it and the follow-ups that completed it; a follow-up's
// "completes" is the application's reference.
func addThread(obj map[string]any, a *store.Application, msgs []store.Linked) {
	obj["message_id"] = nil
	followUps := []map[string]any{}
	duplicates := 0
	for _, m := range msgs {
		switch {
		case m.ID == a.FirstMessageID:
			obj["message_id"] = nullableStr(m.MessageID)
		case m.DuplicateOf != 0:
			duplicates++
		default:
			followUps = append(followUps, map[string]any{"id": m.ID, "message_id": nullableStr(m.MessageID),
				"kind": extract.KindFollowUp, "completes": a.Reference})
		}
	}
	obj["follow_ups"] = followUps
	obj["duplicate_deliveries"] = duplicates
}

func missingNames(ms []store.Missing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Field
	}
	return out
}

func nullableStr(s string) any {
	if s == "" {
		return nil
	}
	return s
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
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
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

func (c *Config) showJSON(ctx context.Context, st *store.Store, a *store.Application) (map[string]any, error) {
	obj := c.applicationJSON(a)
	msgs, err := st.ApplicationMessages(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	var first string
	list := make([]map[string]any, 0, len(msgs))
	for _, m := range msgs {
		var parsed map[string]any
		if err := json.Unmarshal(m.Parsed, &parsed); err != nil {
			return nil, fmt.Errorf("message %d: %w", m.ID, err)
		}
		if parsed == nil {
			parsed = map[string]any{}
		}
		parsed["id"] = m.ID
		parsed["stored_at"] = m.StoredAt.Format(time.RFC3339)
		parsed["kind"] = m.Kind
		parsed["should_acknowledge"] = m.ShouldAcknowledge
		parsed["duplicate_of"] = nullableID(m.DuplicateOf)
		parsed["needs_review"] = m.NeedsReview
		parsed["completes"] = nil
		if m.ID == a.FirstMessageID {
			first = m.MessageID
		} else if m.DuplicateOf == 0 {
			parsed["completes"] = a.Reference
			parsed["kind"] = extract.KindFollowUp
		}
		list = append(list, parsed)
	}
	obj["message_id"] = nullableStr(first)
	obj["messages"] = list
	atts, err := st.Attachments(ctx, a.ID, 0)
	if err != nil {
		return nil, err
	}
	if atts == nil {
		atts = []store.Attachment{}
	}
	obj["attachments"] = atts
	hist, err := st.History(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if hist == nil {
		hist = []store.AuditEntry{}
	}
	obj["history"] = hist
	return obj, nil
}

func nullableID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func printShow(e *env, cfg *Config, obj map[string]any, a *store.Application) error {
	w := e.stdout
	fmt.Fprintf(w, "%s  %s  (reçue le %s)\n", a.Reference, a.Status, a.ReceivedAt.In(cfg.loc).Format("02/01/2006 15:04"))
	for _, f := range applicant.Fields {
		if v, _ := a.Field(f); v != "" {
			fmt.Fprintf(w, "  %-12s %s\n", f, oneLine(v, 100))
		}
	}
	fmt.Fprintf(w, "  %-12s %s\n", "missing", missingList(a.Missing))
	fmt.Fprintf(w, "  %-12s %v %s\n", "eligible", obj["eligible"], strings.Join(obj["reasons"].([]string), "; "))
	if a.PossibleDuplicateOf != "" {
		fmt.Fprintf(w, "  %-12s %s\n", "duplicate?", a.PossibleDuplicateOf)
	}
	fmt.Fprintln(w, "Messages:")
	for _, m := range obj["messages"].([]map[string]any) {
		fmt.Fprintf(w, "  #%v %v %v %v\n", m["id"], m["kind"], m["from_email"], m["subject"])
	}
	if atts := obj["attachments"].([]store.Attachment); len(atts) > 0 {
		fmt.Fprintln(w, "Attachments:")
		for _, at := range atts {
			fmt.Fprintf(w, "  %s (%s, %d bytes) %s\n", at.Filename, at.ContentType, at.Size, at.Refused)
		}
	}
	fmt.Fprintln(w, "History:")
	for _, h := range obj["history"].([]store.AuditEntry) {
		fmt.Fprintln(w, "  "+historyLine(h, cfg.loc))
	}
	return nil
}

// oneLine prints text that came from a mail on one terminal line: no
// control characters (escape sequences), whitespace collapsed, cut at max.
func oneLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

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
					rep["file"] = path
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

func printReport(e *env, rep map[string]any) {
	w := e.stdout
	fmt.Fprintf(w, "%v\n  kind: %v (acknowledge: %v)\n  from: %v <%v>\n  subject: %v\n", rep["file"], rep["kind"],
		rep["should_acknowledge"], rep["from_name"], rep["from_email"], rep["subject"])
	for _, f := range applicant.Fields {
		if v := rep[f]; v != nil && f != "motivation" {
			switch x := v.(type) {
			case *bool:
				if x == nil {
					continue
				}
				v = *x
			case *int:
				if x == nil {
					continue
				}
				v = *x
			}
			fmt.Fprintf(w, "  %s: %v\n", f, v)
		}
	}
	if errs, _ := rep["errors"].([]string); len(errs) > 0 {
		fmt.Fprintf(w, "  errors: %s\n", strings.Join(errs, "; "))
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
		Mailbox: c.IMAP.Mailbox, Processed: c.IMAP.Processed, BatchSize: c.IMAP.BatchSize,
		MaxMessageSize: int64(c.IMAP.MaxMessageMB) << 20,
		Logger:         e.log,
	}
}
