package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// notifySessions returns the configured sessions as notify reads them.
func (c *Config) notifySessions() []notify.Session {
	out := make([]notify.Session, 0, len(c.Sessions))
	for _, s := range c.Sessions {
		out = append(out, notify.Session{
			ID: s.ID, Title: s.Title, Kind: s.Kind, Start: s.start, End: s.end, Location: s.Location,
			Description: s.Description, Audience: s.audience, Remind: s.remind, Cancelled: s.Cancelled,
		})
	}
	return out
}

func (c *Config) digestConfig() notify.DigestConfig {
	return notify.DigestConfig{
		Coordinators: c.Program.Coordinators,
		Eligibility:  c.eligibility,
		Sessions:     c.notifySessions(),
		SendEmpty:    c.Notify.EmptyDigest,
		Location:     c.loc,
		Files:        c.files(),
	}
}

// sessionError turns an audience naming an unknown application into a
// configuration error (exit code 2).
func (c *Config) sessionError(err error) error {
	var ue *notify.UnknownReferenceError
	if errors.As(err, &ue) {
		return configErrorf("config file %s: %v", c.file, ue)
	}
	return err
}

// scheduledJobs returns the jobs of the sessions and the digest, with
// their [schedule] specs, for the daemon's scheduler. A spec "off" leaves
// its job out. The jobs only queue mail; the outbox delivers it.
func (c *Config) scheduledJobs(st *store.Store, e *env) ([]notify.Job, error) {
	comp, err := newComposer(c)
	if err != nil {
		return nil, err
	}
	var jobs []notify.Job
	if c.Schedule.Reminders != "off" {
		jobs = append(jobs, notify.Job{Name: "reminders", Spec: c.Schedule.Reminders, Run: func(ctx context.Context) error {
			// A reminder due before the next run goes now, not late.
			next, err := notify.NextRun(c.Schedule.Reminders, c.loc, st.Now())
			if err != nil {
				return err
			}
			_, err = notify.QueueRemindersBefore(ctx, st, comp, c.notifySessions(), next, false, e.log)
			return c.sessionError(err)
		}})
	}
	if c.Schedule.Digest != "off" && len(c.Program.Coordinators) > 0 {
		jobs = append(jobs, notify.Job{Name: "digest", Spec: c.Schedule.Digest, Run: func(ctx context.Context) error {
			d, err := notify.QueueDigest(ctx, st, comp, c.digestConfig(), false)
			if err != nil {
				return err
			}
			if len(d.Mails) == 0 {
				e.log.Info("digest_skipped", slog.String("reason", "nothing new and nothing failing"))
				return nil
			}
			e.log.Info("digest_queued", slog.Int("new_applications", len(d.New)), slog.Int("waiting", len(d.Waiting)),
				slog.Int("failed_mails", len(d.Failures)), slog.Int("recipients", len(d.Mails)))
			return nil
		}})
	}
	return jobs, nil
}

// sessionJSON is one session as `sessions --json` shows it.
type sessionJSON struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Kind       string              `json:"kind"`
	Start      time.Time           `json:"start"`
	End        time.Time           `json:"end"`
	Location   string              `json:"location"`
	Audience   any                 `json:"audience"`
	Remind     []string            `json:"remind"`
	Cancelled  bool                `json:"cancelled"`
	Sequence   int                 `json:"sequence"`
	Recipients int                 `json:"recipients"`
	Sent       []store.SessionMail `json:"sent"`
	DueNow     bool                `json:"due_now"`
	NextDue    *time.Time          `json:"next_due"`
}

func sessionsCommand() *command {
	return &command{
		name: "sessions", args: "[--json]",
		summary: "list the configured sessions with the reminders sent and the next ones due",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, e *env) error {
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					now := st.Now()
					comp, err := newComposer(cfg)
					if err != nil {
						return err
					}
					out := []sessionJSON{}
					for _, s := range cfg.notifySessions() {
						recips, err := notify.ResolveAudience(ctx, st, &s)
						if err != nil {
							return cfg.sessionError(err)
						}
						sent, err := st.SessionMails(ctx, s.ID)
						if err != nil {
							return err
						}
						j := sessionJSON{ID: s.ID, Title: s.Title, Kind: s.Kind, Start: s.Start, End: s.End,
							Location: s.Location, Audience: cfg.sessionAudience(s.ID), Cancelled: s.Cancelled,
							Recipients: len(recips), Sent: sent}
						if j.Sent == nil {
							j.Sent = []store.SessionMail{}
						}
						for _, r := range s.Remind {
							j.Remind = append(j.Remind, r.String())
						}
						if state, err := st.Session(ctx, s.ID); err == nil {
							j.Sequence = state.Sequence
						}
						// Due now is what remind --now would queue: the same
						// rule, run dry, rather than a second copy of it.
						due, err := notify.QueueReminders(ctx, st, comp, []notify.Session{s}, true, nil)
						if err != nil {
							return cfg.sessionError(err)
						}
						for _, q := range due {
							j.DueNow = j.DueNow || q.What == notify.SessionMailReminder
						}
						if next := notify.NextReminder(&s, now); !next.IsZero() && !s.Cancelled {
							j.NextDue = &next
						}
						out = append(out, j)
					}
					if *asJSON {
						return writeJSON(e.stdout, out)
					}
					if len(out) == 0 {
						fmt.Fprintln(e.stdout, "no [[session]] in the configuration")
						return nil
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tSTART\tTITLE\tPLACE\tAUDIENCE\tSESSION MAILS\tNEXT DUE")
					for _, j := range out {
						sent, waiting := 0, 0
						for _, m := range j.Sent {
							switch m.Status {
							case store.OutboxSent:
								sent++
							case store.OutboxPending:
								waiting++
							}
						}
						next := "-"
						switch {
						case j.Cancelled:
							next = "cancelled"
						case j.DueNow:
							next = "now"
						case j.NextDue != nil:
							next = j.NextDue.In(cfg.loc).Format("02/01/2006 15:04")
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d sent, %d waiting\t%s\n", j.ID, j.Start.In(cfg.loc).Format("02/01/2006 15:04"),
							oneLine(j.Title, 40), oneLine(j.Location, 30), j.Recipients, sent, waiting, next)
					}
					return tw.Flush()
				})
			}
		},
	}
}

// sessionAudience is the audience as written in the configuration.
func (c *Config) sessionAudience(id string) any {
	for _, s := range c.Sessions {
		if s.ID == id {
			return s.Audience
		}
	}
	return nil
}

func remindCommand() *command {
	return &command{
		name: "remind", args: "--now [--dry-run]",
		summary: "queue the session reminders, updates and cancellations due now (send --once delivers them)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			now := fs.Bool("now", false, "queue what is due now (required: the daemon does it on [schedule] reminders)")
			dry := fs.Bool("dry-run", false, "print what would be queued, queue nothing")
			return func(ctx context.Context, e *env) error {
				if !*now {
					return usagef("remind needs --now")
				}
				cfg, err := e.config()
				if err != nil {
					return err
				}
				comp, err := newComposer(cfg)
				if err != nil {
					return err
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					qs, qerr := notify.QueueReminders(ctx, st, comp, cfg.notifySessions(), *dry, e.log)
					verb := "queued"
					if *dry {
						verb = "would queue"
					}
					for _, q := range qs {
						who := q.Recipient
						if q.Reference != "" {
							who += " (" + q.Reference + ")"
						}
						fmt.Fprintf(e.stdout, "%s %s %s of %s to %s: %s\n", verb, q.What, q.Offset, q.Session, who, q.Mail.Subject)
					}
					fmt.Fprintf(e.stdout, "%s %s%s\n", verb, count(len(qs), "session mail"),
						map[bool]string{true: "", false: " (run send --once to deliver them)"}[*dry || len(qs) == 0])
					return cfg.sessionError(qerr)
				})
			}
		},
	}
}

func digestCommand() *command {
	return &command{
		name: "digest", args: "--now [--dry-run]",
		summary: "queue the coordinators' digest of everything since the last one (send --once delivers it)",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			now := fs.Bool("now", false, "build the digest now (required: the daemon does it on [schedule] digest)")
			dry := fs.Bool("dry-run", false, "print the digest, queue nothing")
			return func(ctx context.Context, e *env) error {
				if !*now {
					return usagef("digest needs --now")
				}
				cfg, err := e.config()
				if err != nil {
					return err
				}
				if len(cfg.Program.Coordinators) == 0 {
					return configErrorf("config file %s: [program] coordinators is empty: nobody to send the digest to", cfg.file)
				}
				comp, err := newComposer(cfg)
				if err != nil {
					return err
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					dcfg := cfg.digestConfig()
					if *dry {
						dcfg.SendEmpty = true // show it, empty or not
					}
					d, err := notify.QueueDigest(ctx, st, comp, dcfg, *dry)
					if err != nil {
						return err
					}
					if *dry {
						text, err := comp.RenderDigestText(d)
						if err != nil {
							return err
						}
						fmt.Fprint(e.stdout, text)
						return nil
					}
					if len(d.Mails) == 0 {
						fmt.Fprintln(e.stdout, "nothing new and nothing failing since the last digest: no digest ([notify] empty_digest = true sends one anyway)")
						return nil
					}
					to := make([]string, len(d.Mails))
					for i, m := range d.Mails {
						to[i] = m.Recipient
					}
					fmt.Fprintf(e.stdout, "queued the digest (%s, %s to answer) to %s (run send --once to deliver it)\n",
						count(len(d.New), "new application"), count(len(d.Waiting), "message"), strings.Join(to, ", "))
					return nil
				})
			}
		},
	}
}

// count says "1 message", "3 messages".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
