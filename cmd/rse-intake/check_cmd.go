package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/intake/oauth"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// checkTimeout bounds each server's part of check: a firewall that drops
// packets must not leave check hanging.
const checkTimeout = 30 * time.Second

func checkCommand() *command {
	return &command{
		name: "check", args: "",
		summary: "check the configuration, sign in to IMAP and SMTP (read-only, sends nothing), " +
			"show the capabilities, the messages waiting and the store",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			return runCheck
		},
	}
}

// checkProblems collects one line per problem, each saying what to do.
type checkProblems []string

func (p *checkProblems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func runCheck(ctx context.Context, e *env) error {
	cfg, err := e.config()
	if err != nil {
		return err // the configuration does not load: exit 2 naming the key
	}
	out := e.stdout
	var problems checkProblems
	fmt.Fprintf(out, "config %s: ok\n", cfg.file)
	if _, err := newComposer(cfg); err != nil {
		// The composer fails on a program address as well as on a
		// template: the hint names both only when templates are the user's.
		hint := "check [program] name, address and language"
		if cfg.Notify.TemplatesDir != "" {
			hint += ", and fix or remove the file in [notify] templates_dir"
		}
		problems.add("%v: %s", err, hint)
	}
	if len(cfg.admins()) == 0 {
		problems.add("nobody gets the alert mails: set [notify] admin or [program] coordinators")
	}

	// The store first, read-only: the waiting count needs its checkpoint.
	var st *store.Store
	switch ro, err := store.OpenReadOnly(ctx, cfg.Store.Path); {
	case errors.Is(err, store.ErrNotFound):
		fmt.Fprintf(out, "store %s: not created yet (the first poll or run creates it)\n", cfg.Store.Path)
	case err != nil:
		problems.add("store %s: %v: check the path and its permissions", cfg.Store.Path, err)
	default:
		st = ro
		defer st.Close()
		checkStore(ctx, out, cfg, st, &problems)
	}

	// Readable by others: a warning, not a failure (the owner decides).
	for _, w := range cfg.permissionWarnings() {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}

	if err := cfg.requireIMAP(); err != nil {
		problems.add("%v", err)
	} else {
		checkIMAP(ctx, e, cfg, st, &problems)
	}
	if err := cfg.requireSMTP(); err != nil {
		problems.add("%v", err)
	} else {
		checkSMTP(ctx, e, cfg, &problems)
	}
	if len(problems) == 0 {
		fmt.Fprintln(out, "all good")
		return nil
	}
	for _, p := range problems {
		fmt.Fprintf(e.stderr, "problem: %s\n", p)
	}
	return fmt.Errorf("%d problem(s)", len(problems))
}

func checkStore(ctx context.Context, out io.Writer, cfg *Config, st *store.Store, problems *checkProblems) {
	size, err := store.Size(cfg.Store.Path)
	if err != nil {
		problems.add("store: %v", err)
	}
	v, err := st.SchemaVersionOf(ctx)
	if err != nil {
		problems.add("store %s: %v: is it an rse-intake database?", cfg.Store.Path, err)
		return
	}
	fmt.Fprintf(out, "store %s: %.1f MiB, schema version %d (this binary: %d)\n", cfg.Store.Path,
		float64(size)/(1<<20), v, store.SchemaVersion())
	if v > store.SchemaVersion() {
		problems.add("store %s has schema version %d, newer than this binary (%d): upgrade rse-intake",
			cfg.Store.Path, v, store.SchemaVersion())
	}
}

func checkIMAP(ctx context.Context, e *env, cfg *Config, st *store.Store, problems *checkProblems) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	opts := cfg.imapOptions(e)
	opts.CommandTimeout = checkTimeout
	// The poller is built without an ingester: Check never stores.
	res, err := intake.NewPoller(nil, nil, opts).Check(ctx, st)
	switch {
	case errors.Is(err, oauth.ErrSignInAgain):
		problems.add("%v", err)
		return
	case err != nil && intake.IsAuthFailure(err):
		problems.add("imap %s refused the sign-in of %q: check [imap] username and password "+
			"(password_file or RSE_IMAP_PASSWORD; Gmail needs an app password)", opts.Addr(), cfg.IMAP.Username)
		return
	case err != nil:
		problems.add("%v: check [imap] host, port and security, and that this machine may reach the server", err)
		return
	}
	var caps []string
	for _, c := range intake.CheckedCaps {
		caps = append(caps, fmt.Sprintf("%s %s", c, yesNo(res.Caps[string(c)])))
	}
	fmt.Fprintf(e.stdout, "imap %s: signed in as %s; %s\n", res.Server, cfg.IMAP.Username, strings.Join(caps, ", "))
	fmt.Fprintf(e.stdout, "imap %s: %d messages, %d waiting to be taken in (checkpoint UID %d, UIDVALIDITY %d)\n",
		res.Mailbox, res.Messages, res.Waiting, res.Checkpoint, res.UIDValidity)
	if !res.Caps["IDLE"] {
		fmt.Fprintf(e.stdout, "imap: no IDLE: run polls every [schedule] poll (%s)\n", cfg.pollEvery)
	}
}

func checkSMTP(ctx context.Context, e *env, cfg *Config, problems *checkProblems) {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	sc := cfg.senderConfig(e).SMTP
	res, err := notify.CheckSMTP(ctx, sc)
	var ae *notify.AuthError
	switch {
	case errors.Is(err, oauth.ErrSignInAgain):
		problems.add("%v", err)
		return
	case errors.As(err, &ae):
		problems.add("%v: check [smtp] username and password (password_file or RSE_SMTP_PASSWORD; "+
			"Gmail needs an app password)", err)
		return
	case err != nil:
		problems.add("%v: check [smtp] host, port and security, and that this machine may reach the server", err)
		return
	}
	auth := "none offered"
	if len(res.Auth) > 0 {
		auth = strings.Join(res.Auth, " ")
	}
	size := "not announced"
	if res.Size > 0 {
		size = fmt.Sprintf("%.0f MiB", float64(res.Size)/(1<<20))
	}
	signed := "no sign-in configured"
	if res.SignedIn {
		signed = "signed in as " + cfg.SMTP.Username
	}
	fmt.Fprintf(e.stdout, "smtp %s: %s; STARTTLS %s, TLS %s, AUTH %s, SIZE %s\n", res.Server, signed,
		yesNo(res.StartTLS), yesNo(res.TLS), auth, size)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
