package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// newComposer parses every mail template at start-up, so that a broken
// template is a configuration error, not a failure in the middle of a poll.
func newComposer(cfg *Config) (*notify.Composer, error) {
	c, err := notify.NewComposer(notify.ComposerConfig{
		ProgramName:    cfg.Program.Name,
		ProgramAddress: cfg.Program.Address,
		From:           cfg.SMTP.From,
		Language:       cfg.Program.Language,
		TemplatesDir:   cfg.Notify.TemplatesDir,
		CohortSize:     cfg.Program.CohortSize,
	})
	if err != nil {
		return nil, configErrorf("config file %s: mail templates: %v", cfg.file, err)
	}
	return c, nil
}

func (c *Config) senderConfig(e *env) notify.SenderConfig {
	smtp := notify.SMTPConfig{
		Host: c.SMTP.Host, Port: c.SMTP.Port, Security: c.SMTP.Security,
		Username: c.SMTP.Username, Password: c.SMTP.Password, From: c.SMTP.From, Auth: c.SMTP.Auth,
	}
	if src := c.tokenSource("smtp"); src != nil {
		smtp.Token = src.Token
	}
	return notify.SenderConfig{
		SMTP:           smtp,
		ProgramName:    c.Program.Name,
		ProgramAddress: c.Program.Address,
		Coordinators:   c.Program.Coordinators,
		MaxPerHour:     c.Notify.MaxPerHour,
		// 0 in the file means no per-domain limit; the sender reads 0 as
		// its default.
		MaxPerDomainPerHour: cmp.Or(c.Notify.MaxPerDomainPerHour, -1),
		Location:            c.loc,
		Logger:              e.log,
	}
}

func sendCommand() *command {
	return &command{
		name: "send", args: "--once",
		summary: "deliver the automatic mails that are due (acknowledgements, decisions), then exit",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			once := fs.Bool("once", false, "send once and exit (required; the daemon is rse-intake run)")
			return func(ctx context.Context, e *env) error {
				if !*once {
					return usagef("send needs --once (to send as mail is queued, use rse-intake run)")
				}
				cfg, err := e.config()
				if err != nil {
					return err
				}
				if err := cfg.requireSMTP(); err != nil {
					return err
				}
				if _, err := os.Stat(cfg.Store.Path); err == nil {
					// No store yet means nothing to send, and no daemon.
					lock, err := lockStore(cfg)
					if err != nil {
						return err
					}
					defer lock.Release()
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					s, err := notify.NewSender(st, cfg.senderConfig(e))
					if err != nil {
						return configErrorf("config file %s: %v", cfg.file, err)
					}
					res, err := s.SendDue(ctx)
					fmt.Fprintf(e.stdout, "sent %d, retry later %d, failed %d, held by the hourly cap %d, cancelled %d\n",
						res.Sent, res.Retried, res.Failed, res.Held, res.Cancelled)
					if err != nil {
						return err
					}
					// Refusals the sender could not get past are a failure
					// for cron and scripts, temporary ones included: the
					// mail is not where it should be.
					if n := res.Retried + res.Failed; n > 0 {
						return fmt.Errorf("%d mails not delivered (%d refused for now and retried later, %d failed for good): see rse-intake outbox",
							n, res.Retried, res.Failed)
					}
					return nil
				})
			}
		},
	}
}

func outboxCommand() *command {
	return &command{
		name: "outbox", args: "[--json] [--status S] | retry ID | cancel ID",
		summary: "list outgoing mail, or retry or cancel one",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			asJSON := fs.Bool("json", false, "print JSON")
			status := fs.String("status", "", "only mails with this status: pending, sent, failed, cancelled")
			return func(ctx context.Context, e *env) error {
				switch *status {
				case "", store.OutboxPending, store.OutboxSent, store.OutboxFailed, store.OutboxCancelled:
				default:
					return usagef("unknown outbox status %q (pending, sent, failed or cancelled)", *status)
				}
				if len(e.args) > 0 {
					return outboxAction(ctx, e)
				}
				return withReadStore(ctx, e, func(cfg *Config, st *store.Store) error {
					ms, err := st.OutboxList(ctx, *status)
					if err != nil {
						return err
					}
					if *asJSON {
						if ms == nil {
							ms = []*store.OutboxMail{}
						}
						return writeJSON(e.stdout, ms)
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tSTATUS\tKIND\tREFERENCE\tTO\tATTEMPTS\tSENT OR NEXT TRY\tLAST ERROR")
					for _, m := range ms {
						when := m.NextAttemptAt
						if m.SentAt != nil {
							when = *m.SentAt
						}
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Status, m.Kind, m.Reference, m.Recipient,
							m.Attempts, when.In(cfg.loc).Format("02/01/2006 15:04"), oneLine(m.LastError, 60))
					}
					return tw.Flush()
				})
			}
		},
	}
}

func outboxAction(ctx context.Context, e *env) error {
	if len(e.args) != 2 || (e.args[0] != "retry" && e.args[0] != "cancel") {
		return usagef("outbox takes retry ID or cancel ID")
	}
	id, err := strconv.ParseInt(e.args[1], 10, 64)
	if err != nil {
		return usagef("outbox %s: %q is not a mail id", e.args[0], e.args[1])
	}
	return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
		if e.args[0] == "retry" {
			err = st.Retry(ctx, id)
		} else {
			err = st.Cancel(ctx, id)
		}
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no outbox mail %d", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "outbox mail %d: %s done\n", id, e.args[0])
		return nil
	})
}

func decisionsCommand() *command {
	return &command{
		name: "decisions", args: "send [--dry-run]",
		summary: "queue one decision mail per application newly selected, waitlisted or declined",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			dry := fs.Bool("dry-run", false, "print what would be queued, queue nothing")
			return func(ctx context.Context, e *env) error {
				if len(e.args) != 1 || e.args[0] != "send" {
					return usagef("decisions takes the word send: rse-intake decisions send [--dry-run]")
				}
				cfg, err := e.config()
				if err != nil {
					return err
				}
				c, err := newComposer(cfg)
				if err != nil {
					return err
				}
				return withStore(ctx, e, func(cfg *Config, st *store.Store) error {
					// Mails queued before a skipped application are shown
					// with the error naming the skipped ones.
					ms, qerr := notify.QueueDecisions(ctx, st, c, *dry)
					verb := "queued"
					if *dry {
						verb = "would queue"
					}
					for _, m := range ms {
						fmt.Fprintf(e.stdout, "%s for %s to %s: %s\n", verb, m.Reference, m.Recipient, m.Subject)
					}
					fmt.Fprintf(e.stdout, "%s %d decision mails%s\n", verb, len(ms),
						map[bool]string{true: "", false: " (run send --once to deliver them)"}[*dry])
					return qerr
				})
			}
		},
	}
}
