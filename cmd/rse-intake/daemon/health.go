package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/rse-lozere/rse-intake/notify"
)

// health is what the loops last saw of the outside world.
type health struct {
	mu         sync.Mutex
	imap, smtp serverState
}

// serverState is what the daemon last saw of one server.
type serverState struct {
	lastSuccess  time.Time
	failingSince time.Time // zero while the server works
	lastError    string
}

func (h *health) ok(s *serverState, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.lastSuccess, s.failingSince, s.lastError = now, time.Time{}, ""
}

func (h *health) failed(s *serverState, now time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.failingSince.IsZero() {
		s.failingSince = now
	}
	s.lastError = err.Error()
}

// view is s as /healthz shows it; the caller holds h.mu.
func (s serverState) view() ServerHealth {
	return ServerHealth{LastSuccess: timePtr(s.lastSuccess), FailingSince: timePtr(s.failingSince), LastError: s.lastError}
}

// Report is the /healthz document.
type Report struct {
	Status  string `json:"status"` // "ok" or "failing"
	Version string `json:"version"`
	// Problems says why the status is "failing", one line each.
	Problems        []string     `json:"problems"`
	StartedAt       time.Time    `json:"started_at"`
	IMAP            ServerHealth `json:"imap"`
	SMTP            ServerHealth `json:"smtp"`
	StoreOK         bool         `json:"store_ok"`
	StoreError      string       `json:"store_error,omitempty"`
	OutboxBacklog   int          `json:"outbox_backlog"`
	OldestPendingS  float64      `json:"outbox_oldest_pending_seconds"`
	OldestPendingAt *time.Time   `json:"outbox_oldest_pending_at"`
	// Alerts are the problems going on, as the operators are told.
	Alerts []notify.ActiveProblem `json:"alerts"`
}

// ServerHealth is what /healthz says of one server.
type ServerHealth struct {
	LastSuccess  *time.Time `json:"last_success"`
	FailingSince *time.Time `json:"failing_since"`
	LastError    string     `json:"last_error,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Report assembles the health report. Failing means intake has failed
// for longer than three poll intervals, sending has failed for longer
// than alert_after, or the store does not answer.
func (d *Daemon) Report(ctx context.Context) Report {
	now := d.Now()
	d.health.mu.Lock()
	h := Report{Version: d.cfg.Version, StartedAt: d.started, Problems: []string{},
		IMAP: d.health.imap.view(), SMTP: d.health.smtp.view()}
	imapSince, smtpSince := d.health.imap.failingSince, d.health.smtp.failingSince
	d.health.mu.Unlock()

	if !imapSince.IsZero() && now.Sub(imapSince) > 3*d.cfg.PollInterval {
		h.Problems = append(h.Problems, "intake failing since "+imapSince.UTC().Format(time.RFC3339))
	}
	if !smtpSince.IsZero() && now.Sub(smtpSince) > d.cfg.AlertAfter {
		h.Problems = append(h.Problems, "outbox stuck: sending failing since "+smtpSince.UTC().Format(time.RFC3339))
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	b, err := d.cfg.Store.OutboxBacklog(sctx)
	if err == nil {
		err = d.cfg.Store.Ping(sctx)
	}
	if err != nil {
		h.StoreError = err.Error()
		h.Problems = append(h.Problems, "store: "+err.Error())
	} else {
		h.StoreOK = true
		h.OutboxBacklog = b.Pending
		if !b.OldestPending.IsZero() {
			h.OldestPendingAt = timePtr(b.OldestPending)
			h.OldestPendingS = now.Sub(b.OldestPending).Round(time.Second).Seconds()
		}
	}
	h.Alerts = []notify.ActiveProblem{}
	if d.cfg.Alerts != nil {
		h.Alerts = d.cfg.Alerts.Active()
	}
	h.Status = "ok"
	if len(h.Problems) > 0 {
		h.Status = "failing"
	}
	return h
}

// Handler serves /healthz (JSON; 503 when failing) and /metrics
// (Prometheus text format).
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		rep := d.Report(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if rep.Status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	})
	mux.Handle("GET /metrics", d.cfg.Metrics.reg)
	return mux
}
