package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"reflect"
	"syscall"
	"time"

	"github.com/rse-lozere/rse-intake/cmd/rse-intake/daemon"
	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// version is what /healthz reports; set it when building a release:
// go build -ldflags "-X main.version=v1.2.0".
var version = "dev"

// idleRenew bounds one IDLE: servers may drop an IDLE client after 30
// minutes (RFC 2177), so the daemon polls again, and re-enters IDLE,
// before that.
const idleRenew = 25 * time.Minute

func runCommand() *command {
	return &command{
		name: "run", args: "",
		summary: "the daemon: take mail in as it arrives (IMAP IDLE), send the outbox at once, run the scheduled jobs, " +
			"until SIGINT or SIGTERM; SIGHUP reloads the configuration",
		setup: func(fs *flag.FlagSet) func(context.Context, *env) error {
			return runDaemon
		},
	}
}

// lockStore takes the store's daemon lock for the commands that take
// mail in or send it.
func lockStore(cfg *Config) (*store.Lock, error) {
	l, err := store.AcquireLock(cfg.Store.Path)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", cfg.Store.Path, err)
	}
	return l, nil
}

// openLockedStore takes the store's lock, then opens it, for the
// commands that write while a daemon might be running (poll, run).
// release closes the store and gives the lock back.
func openLockedStore(ctx context.Context, cfg *Config) (st *store.Store, release func(), err error) {
	lock, err := lockStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, err = openStore(ctx, cfg)
	if err != nil {
		lock.Release()
		return nil, nil, err
	}
	return st, func() { st.Close(); lock.Release() }, nil
}

// daemonParts are what a configuration gives the daemon and a reload
// replaces.
type daemonParts struct {
	cfg      *Config
	composer *notify.Composer
	sender   *notify.Sender
}

// buildParts checks a configuration for the daemon and builds what
// depends on it. It changes nothing: a reload that fails keeps the old.
func buildParts(cfg *Config, e *env, st *store.Store) (*daemonParts, error) {
	if err := cfg.requireIMAP(); err != nil {
		return nil, err
	}
	if err := cfg.requireSMTP(); err != nil {
		return nil, err
	}
	composer, err := newComposer(cfg)
	if err != nil {
		return nil, err
	}
	sender, err := notify.NewSender(st, cfg.senderConfig(e))
	if err != nil {
		return nil, configErrorf("config file %s: %v", cfg.file, err)
	}
	return &daemonParts{cfg: cfg, composer: composer, sender: sender}, nil
}

func runDaemon(ctx context.Context, e *env) error {
	cfg, err := e.config()
	if err != nil {
		return err
	}
	// A configuration that cannot work is refused before the store is
	// created or locked.
	if err := cfg.requireIMAP(); err != nil {
		return err
	}
	if err := cfg.requireSMTP(); err != nil {
		return err
	}
	if len(cfg.admins()) == 0 {
		return configErrorf("config file %s: nobody would get the alert mails: set [notify] admin or [program] coordinators", cfg.file)
	}
	st, release, err := openLockedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer release()
	parts, err := buildParts(cfg, e, st)
	if err != nil {
		return err
	}
	alerts, err := notify.NewAlerts(st, parts.composer, notify.AlertConfig{Admin: cfg.admins(),
		After: cfg.alertAfter, Location: cfg.loc, Logger: e.log})
	if err != nil {
		return configErrorf("config file %s: %v", cfg.file, err)
	}
	d := daemon.New(daemon.Config{Store: st, StorePath: cfg.Store.Path, PollInterval: cfg.pollEvery,
		AlertAfter: cfg.alertAfter, Alerts: alerts, Version: version, Logger: e.log})
	d.SetIngester(newPipeline(cfg, st, parts.composer, e))
	d.SetSender(parts.sender)

	opts := cfg.imapOptions(e)
	opts.PollInterval = min(cfg.pollEvery, idleRenew)
	opts.MaxBackoff = min(cfg.pollEvery, 5*time.Minute)
	opts.OnWatchError = d.IMAPFailed
	poller := intake.NewPoller(st, d.Ingester(), opts)

	var ln net.Listener
	if cfg.HTTP.Listen != "" {
		if ln, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
			return fmt.Errorf("[http] listen: %w", err)
		}
	}
	// Everything below ends with ctx, and with Run should it return
	// before the signal.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopJobs, err := startScheduler(ctx, cfg, st, e)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reloadDone := make(chan struct{})
	go func() {
		defer close(reloadDone)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				parts, stopJobs = reload(ctx, e, parts, st, d, stopJobs)
			}
		}
	}()

	e.log.Info("daemon_started", slog.String("version", version), slog.Int("pid", os.Getpid()),
		slog.String("store", cfg.Store.Path),
		slog.String("imap", opts.Addr()), slog.String("mailbox", cfg.IMAP.Mailbox),
		slog.String("poll", cfg.pollEvery.String()), slog.String("http", cfg.HTTP.Listen))
	runDone := make(chan error, 1)
	go func() { runDone <- d.Run(ctx, poller, ln) }()
	var runErr error
	select {
	case runErr = <-runDone:
		runDone = nil
		cancel()
	case <-ctx.Done():
	}
	<-reloadDone
	// The jobs stop while the daemon's loops wind down, not after: the two
	// waits overlap, and the process is gone within 10 s of the signal,
	// the store closed only once both are over.
	stopJobs()
	if runDone != nil {
		runErr = <-runDone
	}
	if runErr != nil {
		return runErr
	}
	e.log.Info("daemon_stopped")
	return nil
}

// reload reads the configuration again: templates, limits and scheduled
// jobs take effect at once; server, store and HTTP settings need a
// restart and are only reported. On any error the old configuration
// stays, and the log says why. It returns the parts and the jobs' stop
// now in force.
func reload(ctx context.Context, e *env, old *daemonParts, st *store.Store, d *daemon.Daemon,
	stopJobs func()) (*daemonParts, func()) {
	cfg, err := loadConfig(e.configPath)
	var next *daemonParts
	if err == nil {
		next, err = buildParts(cfg, e, st)
	}
	if err != nil {
		e.log.Error("config_reload_failed", slog.String("file", e.configPath), slog.Any("error", err),
			slog.String("kept", "the running configuration"))
		return old, stopJobs
	}
	for _, sec := range []struct {
		name     string
		was, now any
	}{
		{"imap", old.cfg.IMAP, cfg.IMAP}, {"smtp", old.cfg.SMTP, cfg.SMTP}, {"store", old.cfg.Store, cfg.Store},
		{"http", old.cfg.HTTP, cfg.HTTP}, {"schedule.poll", old.cfg.pollEvery, cfg.pollEvery},
		{"notify.admin", old.cfg.admins(), cfg.admins()}, {"notify.alert_after", old.cfg.alertAfter, cfg.alertAfter},
	} {
		if !reflect.DeepEqual(sec.was, sec.now) {
			e.log.Warn("config_change_needs_restart", slog.String("section", sec.name))
		}
	}
	stopJobs()
	stop, err := startScheduler(ctx, cfg, st, e)
	if err != nil {
		// The old jobs are stopped already: start them again.
		e.log.Error("config_reload_failed", slog.Any("error", err), slog.String("kept", "the running configuration"))
		if stop, err = startScheduler(ctx, old.cfg, st, e); err != nil {
			e.log.Error("scheduler_restart_failed", slog.Any("error", err))
			stop = func() {}
		}
		return old, stop
	}
	d.SetIngester(newPipeline(cfg, st, next.composer, e))
	d.SetSender(next.sender)
	e.log.Info("config_reloaded", slog.String("file", e.configPath))
	return next, stop
}

// jobsStopWait bounds the wait for a scheduled job in progress at
// shutdown (its context is cancelled first, so it gives up quickly).
const jobsStopWait = 5 * time.Second

// startScheduler starts the scheduled jobs of cfg (reminders, digest) and
// returns what stops them, waiting for a job in progress.
func startScheduler(ctx context.Context, cfg *Config, st *store.Store, e *env) (stop func(), err error) {
	jobs, err := daemonJobs(cfg, st, e)
	if err != nil {
		return nil, err
	}
	s := notify.NewScheduler(cfg.loc, e.log)
	for _, j := range jobs {
		if err := s.Add(j); err != nil {
			return nil, configErrorf("config file %s: %v", cfg.file, err)
		}
	}
	s.Start(ctx)
	for name, next := range s.Next() {
		e.log.Info("job_scheduled", slog.String("job", name), slog.Time("next", next))
	}
	return func() {
		select {
		case <-s.Stop().Done():
		case <-time.After(jobsStopWait):
			e.log.Warn("job_still_running", slog.Duration("waited", jobsStopWait))
		}
	}, nil
}

// daemonJobs are the scheduled jobs of run: the session reminders and
// the coordinators' digest.
func daemonJobs(cfg *Config, st *store.Store, e *env) ([]notify.Job, error) {
	jobs, err := cfg.scheduledJobs(st, e)
	if err != nil {
		return nil, err
	}
	// Retention, daily at a quiet hour (see README, Personal data).
	return append(jobs, notify.Job{Name: "purge", Spec: "30 3 * * *", Run: cfg.purgeJob(st, e)}), nil
}
