package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/store"
)

// retentionPeriod reads "365d", "3y", "18m" (months) or a Go duration.
func retentionPeriod(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	day := 24 * time.Hour
	units := map[string]time.Duration{"d": day, "w": 7 * day, "m": 30 * day, "y": 365 * day}
	if n, err := strconv.Atoi(strings.TrimRight(s, "dwmy")); err == nil && len(s) > 1 {
		if u, ok := units[s[len(s)-1:]]; ok && n > 0 {
			return time.Duration(n) * u, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%q: want a positive period such as \"365d\", \"18m\" or \"3y\"", s)
}

// files is the attachments folder, and how to read the text of the mail
// kept there or in the database (messages do not keep their text).
func (c *Config) files() store.Files {
	return store.Files{Dir: c.Store.Attachments, Text: func(raw []byte) string {
		text, _ := intake.TextOf(raw, c.limits()) // a mail it cannot read has no text to search
		return text
	}}
}

func personCommand() *command {
	return &command{
		name: "person", args: "EMAIL [--json]",
		summary: "everything held about an e-mail address (right of access)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("person needs one e-mail address")
				}
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					p, err := st.Person(ctx, e.args[0], cfg.files())
					if err != nil {
						return usagef("%v", err)
					}
					obj, err := cfg.personJSON(ctx, st, p)
					if err != nil {
						return err
					}
					if *asJSON {
						return writeJSON(e.stdout, obj)
					}
					printPerson(e, cfg, p)
					return nil
				})
			}
		},
	}
}

// personJSON is the whole record: each application as `show --json`
// gives it, the other mails from or about the address with what was read
// from them, and the mails sent, with their text.
func (c *Config) personJSON(ctx context.Context, st *store.Store, p *store.Person) (map[string]any, error) {
	apps := make([]*shownApplication, 0, len(p.Applications))
	for _, a := range p.Applications {
		obj, err := c.showJSON(ctx, st, a)
		if err != nil {
			return nil, err
		}
		apps = append(apps, obj)
	}
	msgs := make([]map[string]any, 0, len(p.Messages))
	for _, m := range p.Messages {
		var parsed map[string]any
		if err := json.Unmarshal(m.Parsed, &parsed); err != nil || parsed == nil {
			parsed = map[string]any{}
		}
		if parsed["text"] == nil {
			text, err := c.messageText(ctx, st, m.ID)
			if err != nil {
				return nil, err
			}
			parsed["text"] = text
		}
		parsed["id"], parsed["stored_at"], parsed["kind"] = m.ID, m.StoredAt.Format(time.RFC3339), m.Kind
		parsed["from_email"], parsed["subject"] = nullableStr(m.FromEmail), nullableStr(m.Subject)
		atts, err := st.Attachments(ctx, 0, m.ID)
		if err != nil {
			return nil, err
		}
		if atts == nil {
			atts = []store.Attachment{}
		}
		parsed["attachments"] = atts
		msgs = append(msgs, parsed)
	}
	mails := make([]map[string]any, 0, len(p.Mails))
	for _, m := range p.Mails {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, err
		}
		obj["body_text"] = m.BodyText
		mails = append(mails, obj)
	}
	return map[string]any{"email": p.Email, "applications": apps, "messages": msgs, "mails": mails,
		"kept": nonNil(p.Kept)}, nil
}

func printPerson(e *env, cfg *Config, p *store.Person) {
	w := e.stdout
	if p.Empty() {
		fmt.Fprintf(w, "Nothing is held about %s.\n", p.Email)
	}
	for _, a := range p.Applications {
		fmt.Fprintf(w, "Application %s  %s  (received %s)\n", a.Reference, a.Status, a.ReceivedAt.In(cfg.loc).Format("02/01/2006 15:04"))
		for _, f := range store.ApplicantFields {
			if v, _ := a.Field(f); v != "" {
				fmt.Fprintf(w, "  %-12s %s\n", f, oneLine(v, 100))
			}
		}
		fmt.Fprintf(w, "  (rse-intake show %s for its messages, attachments and history)\n", a.Reference)
	}
	if len(p.Messages) > 0 {
		fmt.Fprintln(w, "Other mails from or about the address:")
		for _, m := range p.Messages {
			fmt.Fprintf(w, "  #%d %s %s %s %s\n", m.ID, m.StoredAt.In(cfg.loc).Format("02/01/2006"), m.Kind,
				oneLine(m.FromEmail, 60), oneLine(m.Subject, 80))
		}
	}
	if len(p.Mails) > 0 {
		fmt.Fprintln(w, "Mails sent or queued:")
		for _, m := range p.Mails {
			fmt.Fprintf(w, "  #%d %s %s to %s: %s\n", m.ID, m.Kind, m.Status, oneLine(m.Recipient, 60), oneLine(m.Subject, 80))
		}
	}
	for _, k := range p.Kept {
		fmt.Fprintf(w, "Also mentioned (kept, belongs to someone else): %s\n", k)
	}
	if !p.Empty() {
		fmt.Fprintln(w, "Use --json for the whole record, texts included.")
	}
}

func forgetCommand() *command {
	return &command{
		name: "forget", args: "EMAIL [--yes] [--by NAME]",
		summary: "erase everything held about an e-mail address (right to erasure); without --yes, only show it",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			yes := fs.Bool("yes", false, "erase (without it, only show what would go)")
			by := fs.String("by", "", "who asks for the erasure, kept in the register (default: the OS user)")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("forget needs one e-mail address")
				}
				if *by == "" {
					*by = osUser()
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					p, err := st.Person(ctx, e.args[0], cfg.files())
					if err != nil {
						return usagef("%v", err)
					}
					if p.Empty() {
						fmt.Fprintf(e.stdout, "Nothing is held about %s.\n", p.Email)
						return nil
					}
					if !*yes {
						fmt.Fprintf(e.stdout, "Would erase, for %s:\n", p.Email)
						for _, a := range p.Applications {
							fmt.Fprintf(e.stdout, "  application %s (%s %s, %s) with its history and attachments\n",
								a.Reference, oneLine(a.FirstName, 40), oneLine(a.LastName, 40), a.Status)
						}
						fmt.Fprintf(e.stdout, "  %d other mails from or about the address, %d outgoing mails\n", len(p.Messages), len(p.Mails))
						for _, k := range p.Kept {
							fmt.Fprintf(e.stdout, "Kept (belongs to someone else, review by hand): %s\n", k)
						}
						fmt.Fprintln(e.stdout, "Nothing was erased: run again with --yes.")
						return nil
					}
					var refs []string
					for _, a := range p.Applications {
						refs = append(refs, a.Reference)
					}
					er, err := st.Forget(ctx, p.Email, *by, cfg.files())
					if er != nil {
						printErasure(e, er, "Erased")
					}
					if ids := cfg.namedInSessions(p.Email, refs); len(ids) > 0 {
						fmt.Fprintf(e.stdout, "Still named in the audience of [[session]] %s in %s: remove them there, or reminders will be planned again.\n",
							strings.Join(ids, ", "), cfg.file)
					}
					if errors.Is(err, store.ErrWALBusy) {
						fmt.Fprintln(e.stderr, "warning: "+err.Error())
						return nil
					}
					return err
				})
			}
		},
	}
}

func printErasure(e *env, er *store.Erasure, verb string) {
	apps := "no application"
	if len(er.Applications) > 0 {
		apps = "applications " + strings.Join(er.Applications, ", ")
	}
	fmt.Fprintf(e.stdout, "%s %s; %d messages, %d outgoing mails, %d attachment records, %d files (%d kept: shared with other mail).\n",
		verb, apps, er.Messages, er.Mails, er.Attachments, er.Files, er.SharedFiles)
	for _, k := range er.Kept {
		fmt.Fprintf(e.stdout, "Kept (belongs to someone else, review by hand): %s\n", k)
	}
}

func purgeCommand() *command {
	return &command{
		name: "purge", args: "[--dry-run]",
		summary: "erase what is older than [store] retention and retention_selected",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			dry := fs.Bool("dry-run", false, "only say what would be erased")
			return func(ctx context.Context, e *env) error {
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					er, err := st.Purge(ctx, cfg.retention, cfg.files(), "retention", *dry)
					if er != nil {
						verb := "Erased"
						if *dry {
							verb = "Would erase"
						}
						printErasure(e, er, verb)
					}
					if errors.Is(err, store.ErrWALBusy) {
						fmt.Fprintln(e.stderr, "warning: "+err.Error())
						return nil
					}
					return err
				})
			}
		},
	}
}

func backupCommand() *command {
	return &command{
		name: "backup", args: "FILE",
		summary: "consistent copy of the database (and FILE.files: the attachments), also while the daemon runs",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 {
					return usagef("backup needs the file to write, e.g. /var/backups/rse-intake-2026-12-02.db")
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					res, err := st.Backup(ctx, e.args[0], cfg.files())
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "Database copied to %s, %d attachment files to %s (owner-only).\n",
						res.Database, res.Files, res.Attachments)
					if res.Missing > 0 {
						fmt.Fprintf(e.stdout, "%d attachment files were erased while copying: the copy lacks them.\n", res.Missing)
					}
					fmt.Fprintf(e.stdout, "To restore: stop rse-intake, then\n  cp %s %s && rm -f %s-wal %s-shm\n  rm -rf %s && cp -a %s %s\n",
						res.Database, cfg.Store.Path, cfg.Store.Path, cfg.Store.Path, cfg.Store.Attachments, res.Attachments, cfg.Store.Attachments)
					return nil
				})
			}
		},
	}
}

// permissionWarnings says which files holding personal data or secrets
// others than their owner can read: the database and its WAL, the
// attachments, password and client secret files, the OAuth token file.
// `check` prints them.
func (c *Config) permissionWarnings() []string {
	paths := append(store.DatabaseFiles(c.Store.Path), c.Store.Attachments, c.OAuth.TokenFile)
	for _, f := range []string{c.IMAP.PasswordFile, c.SMTP.PasswordFile, c.OAuth.ClientSecretFile} {
		if f != "" {
			paths = append(paths, resolve(c.dir, f))
		}
	}
	return store.CheckPermissions(paths)
}

// purgeJob is the daily retention run of the daemon's scheduler (e.g.
// notify.Job{Name: "purge", Spec: "30 3 * * *", Run: cfg.purgeJob(st, e)}):
// it applies [store] retention and logs what went, as counts only.
func (c *Config) purgeJob(st *store.Store, e *env) func(ctx context.Context) error {
	return st.PurgeJob(c.retention, c.files(), func(er *store.Erasure) {
		if len(er.Applications)+er.Messages+er.Mails == 0 {
			return
		}
		e.log.Info("retention_purge", slog.Int("applications", len(er.Applications)),
			slog.Int("messages", er.Messages), slog.Int("mails", er.Mails), slog.Int("files", er.Files))
	})
}

// namedInSessions lists the [[session]] ids whose audience names email or
// the reference of one of its applications: the reminders job would plan
// mail for them again after an erasure, so the operator must edit those.
func (c *Config) namedInSessions(email string, refs []string) []string {
	var ids []string
	for _, s := range c.Sessions {
		named := false
		for _, a := range s.audience.Addresses {
			named = named || strings.EqualFold(a, email)
		}
		for _, r := range s.audience.References {
			for _, ref := range refs {
				named = named || strings.EqualFold(r, ref)
			}
		}
		if named {
			ids = append(ids, s.ID)
		}
	}
	return ids
}
