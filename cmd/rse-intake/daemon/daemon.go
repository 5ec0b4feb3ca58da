// Package daemon holds the long-running parts of `rse-intake run`: the
// intake loop (IMAP IDLE through intake.Poller.Watch), the sender loop
// woken as soon as an acknowledgement is queued, the watch on health that
// feeds the operator alerts, and the HTTP endpoints /healthz and
// /metrics. The command builds the pieces from the configuration and
// hands them over; this package only runs them and stops them.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rse-lozere/rse-intake/intake"
	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// Config is what a Daemon runs with.
type Config struct {
	Store     *store.Store
	StorePath string // the database file: its disk is watched
	// PollInterval is the [schedule] poll: the wait between polls without
	// IDLE, and the unit of the health report's patience.
	PollInterval time.Duration
	// AlertAfter is [notify] alert_after; the outbox counts as stuck when
	// sending has failed that long.
	AlertAfter time.Duration
	Alerts     *notify.Alerts
	Metrics    *Metrics
	Version    string
	Logger     *slog.Logger
}

// Daemon runs intake, sending and the health watch until its context ends.
type Daemon struct {
	cfg     Config
	log     *slog.Logger
	ing     atomic.Pointer[intake.Ingester]
	sender  atomic.Pointer[notify.Sender]
	kick    chan struct{}
	health  health
	started time.Time

	// Now is the clock (time.Now by default).
	Now func() time.Time
}

// New returns a daemon; SetIngester and SetSender must be called before Run.
func New(cfg Config) *Daemon {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(cfg.Store)
	}
	d := &Daemon{cfg: cfg, log: cfg.Logger, kick: make(chan struct{}, 1), Now: time.Now}
	d.started = d.Now()
	if cfg.Alerts != nil {
		cfg.Alerts.Queued = d.Kick
		cfg.Metrics.reg.MustRegister(alertsCollector{a: cfg.Alerts})
	}
	return d
}

// SetIngester replaces what stores the mail taken in (a reloaded
// configuration brings new templates and limits); safe while running.
func (d *Daemon) SetIngester(ing intake.Ingester) { d.ing.Store(&ing) }

// SetSender replaces the sender; safe while running.
func (d *Daemon) SetSender(s *notify.Sender) { d.sender.Store(s) }

// Ingester is what the Poller must store through: it stores with the
// current ingester, counts and logs each message, and wakes the sender
// when an acknowledgement was queued.
func (d *Daemon) Ingester() intake.Ingester { return daemonIngester{d} }

// Kick wakes the sender loop now (it coalesces: many kicks, one round).
func (d *Daemon) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

type daemonIngester struct{ d *Daemon }

// ingestTimeout bounds the storing of the batch in hand at shutdown.
const ingestTimeout = 30 * time.Second

func (w daemonIngester) Prepare(src intake.Source, raw []byte) (*intake.Prepared, error) {
	return (*w.d.ing.Load()).Prepare(src, raw)
}

func (w daemonIngester) Commit(ctx context.Context, batch []*intake.Prepared) ([]intake.Outcome, error) {
	d := w.d
	ing := *d.ing.Load()
	// A batch being committed is stored even when shutdown was asked
	// meanwhile: "finish the work in hand". The poller stops right
	// after, before committing the next one.
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ingestTimeout)
	defer cancel()
	outs, err := ing.Commit(ictx, batch)
	if err != nil {
		return outs, err
	}
	kick := false
	for i, out := range outs {
		if !out.Duplicate && !out.Relocated {
			d.cfg.Metrics.takenIn.WithLabelValues(out.Kind).Inc()
			d.log.Info("message_taken_in", slog.Uint64("uid", uint64(batch[i].Source().UID)),
				slog.Int64("message", out.MessageID), slog.String("kind", out.Kind), slog.String("reference", out.Reference),
				slog.Bool("needs_review", out.NeedsReview), slog.Any("queued", out.Queued))
		}
		kick = kick || len(out.Queued) > 0
	}
	if kick {
		d.Kick()
	}
	return outs, nil
}

// shutdownGrace bounds the wait for the loops after the context ended:
// the process must be gone within 10 s of SIGTERM, the store closed.
const shutdownGrace = 8 * time.Second

// Run takes mail in with p (built over d.Ingester()), sends, and watches
// health until ctx ends, serving /healthz and /metrics on ln when it is
// not nil. It returns once every loop has stopped: the message and the
// mail in hand are finished, nothing new is started.
func (d *Daemon) Run(ctx context.Context, p *intake.Poller, ln net.Listener) error {
	if d.ing.Load() == nil || d.sender.Load() == nil {
		return errors.New("daemon: ingester and sender must be set before Run")
	}
	var wg sync.WaitGroup
	var srv *http.Server
	if ln != nil {
		srv = &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
		wg.Go(func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("http_server_failed", slog.Any("error", err))
			}
		})
		d.log.Info("http_listening", slog.String("addr", ln.Addr().String()))
	}
	wg.Go(func() {
		if err := p.Watch(ctx, d.polled); err != nil {
			d.log.Error("intake_stopped", slog.Any("error", err))
			d.IMAPFailed(err)
		}
	})
	wg.Go(func() { d.sendLoop(ctx) })
	wg.Go(func() { d.watchLoop(ctx) })

	<-ctx.Done()
	d.log.Info("shutting_down")
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(sctx)
		cancel()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(shutdownGrace):
		return fmt.Errorf("daemon: loops still running %s after the stop signal", shutdownGrace)
	}
}

// polled is told each successful poll.
func (d *Daemon) polled(s intake.PollStats) {
	now := d.Now()
	d.health.ok(&d.health.imap, now)
	m := d.cfg.Metrics
	m.pollDuration.Observe(s.Duration.Seconds())
	m.lastIMAP.Set(float64(now.Unix()))
	d.recovered(context.Background(), notify.ProblemIMAP)
	d.recovered(context.Background(), notify.ProblemIMAPAuth)
}

// IMAPFailed is told each failure of the intake loop: it is the Poller's
// OnWatchError.
func (d *Daemon) IMAPFailed(err error) {
	d.health.failed(&d.health.imap, d.Now(), err)
	d.cfg.Metrics.reconnects.Inc()
	problem := notify.ProblemIMAP
	if intake.IsAuthFailure(err) {
		problem = notify.ProblemIMAPAuth
	}
	d.alert(context.Background(), problem, err)
}
