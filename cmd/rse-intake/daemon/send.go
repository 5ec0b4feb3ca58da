package daemon

import (
	"context"
	"log/slog"
	"time"

	"github.com/rse-lozere/rse-intake/notify"
)

// Bounds of the sender loop's sleep: it wakes at the next retry due, at
// least every maxSendWait (mail queued by another process, `decisions
// send`, shows up), and never spins faster than minSendWait.
const (
	minSendWait = time.Second
	maxSendWait = time.Minute
	// errorSendWait is the pause after a round that failed for a reason
	// the outbox did not record (the store), before trying again.
	errorSendWait = 10 * time.Second
)

// sendLoop delivers due mail whenever it is kicked (an acknowledgement
// was queued), when a retry falls due, and at least every maxSendWait.
func (d *Daemon) sendLoop(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.kick:
		case <-timer.C:
		}
		wait := d.sendOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		timer.Reset(wait)
	}
}

// sendOnce runs one SendDue and returns how long to sleep before the next.
func (d *Daemon) sendOnce(ctx context.Context) time.Duration {
	s := d.sender.Load()
	start := d.Now()
	res, err := s.SendDue(ctx)
	if ctx.Err() != nil {
		return 0
	}
	m := d.cfg.Metrics
	m.sent.Add(float64(res.Sent))
	m.failed.Add(float64(res.Failed))
	m.retried.Add(float64(res.Retried))
	if res.Sent+res.Failed+res.Retried > 0 {
		m.sendDuration.Observe(d.Now().Sub(start).Seconds())
	}
	now := d.Now()
	switch {
	case err != nil && notify.IsTemporary(err):
		// The server could not be reached or refused the session: the
		// mails were rescheduled, and the operators must hear of it if
		// it lasts. Logged at error level: nothing else can tell them.
		d.log.Error("smtp_failed", slog.Any("error", err))
		d.health.failed(&d.health.smtp, now, err)
		d.alert(ctx, notify.ProblemSMTP, err)
	case err != nil:
		d.log.Error("send_failed", slog.Any("error", err))
		return errorSendWait
	case res.Sent > 0:
		d.health.ok(&d.health.smtp, now)
		m.lastSMTP.Set(float64(now.Unix()))
		d.recovered(ctx, notify.ProblemSMTP)
	}
	if res.Held > 0 {
		return maxSendWait // the hourly cap: nothing to do before it frees up
	}
	b, berr := d.cfg.Store.OutboxBacklog(ctx)
	if berr != nil {
		d.log.Error("send_failed", slog.Any("error", berr))
		return errorSendWait
	}
	if b.Pending == 0 {
		return maxSendWait
	}
	return min(max(b.NextDue.Sub(d.Now()), minSendWait), maxSendWait)
}

func (d *Daemon) alert(ctx context.Context, problem string, err error) {
	if d.cfg.Alerts == nil {
		return
	}
	if aerr := d.cfg.Alerts.Failing(context.WithoutCancel(ctx), problem, err); aerr != nil {
		d.log.Error("alert_failed", slog.String("problem", problem), slog.Any("error", aerr))
	}
}

func (d *Daemon) recovered(ctx context.Context, problem string) {
	if d.cfg.Alerts == nil {
		return
	}
	if aerr := d.cfg.Alerts.Recovered(context.WithoutCancel(ctx), problem); aerr != nil {
		d.log.Error("alert_failed", slog.String("problem", problem), slog.Any("error", aerr))
	}
}
