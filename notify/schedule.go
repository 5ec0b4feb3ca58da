package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one scheduled task.
type Job struct {
	Name string // for logs and metrics, e.g. "reminders"
	Spec string // cron spec, 5 fields, e.g. "0 9 * * *"
	Run  func(ctx context.Context) error
}

// Scheduler runs jobs on cron specs read in the programme's time zone. A
// job never overlaps itself: a run that is still going when the next one
// is due makes that next one skip. A panic in a job is logged and the
// scheduler goes on.
type Scheduler struct {
	cron *cron.Cron
	loc  *time.Location
	log  *slog.Logger

	mu  sync.Mutex
	ctx context.Context // given to jobs; set by Start
	ids map[string]cron.EntryID
}

// specParser reads the standard 5-field specs and the @daily-style
// descriptors; CRON_TZ= may override the programme's zone for one job.
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSpec checks a cron spec the way the scheduler reads it, so the
// configuration can refuse a bad one at load time.
func ParseSpec(spec string) error {
	if _, err := specParser.Parse(spec); err != nil {
		return fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return nil
}

// NextRun returns when spec, read in loc, next fires after after.
func NextRun(spec string, loc *time.Location, after time.Time) (time.Time, error) {
	sched, err := specParser.Parse(spec)
	if err != nil {
		return time.Time{}, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	if s, ok := sched.(*cron.SpecSchedule); ok {
		sched = newWallClockSchedule(s, loc)
	}
	return sched.Next(after.In(loc)), nil
}

// NewScheduler returns a stopped scheduler reading specs in loc (UTC when
// nil) and logging to log (slog.Default when nil).
func NewScheduler(loc *time.Location, log *slog.Logger) *Scheduler {
	if loc == nil {
		loc = time.UTC
	}
	if log == nil {
		log = slog.Default()
	}
	return &Scheduler{
		cron: cron.New(cron.WithLocation(loc), cron.WithParser(specParser), cron.WithLogger(cronLogger{log: log})),
		loc:  loc,
		log:  log,
		ctx:  context.Background(),
		ids:  make(map[string]cron.EntryID),
	}
}

// Add registers a job. It may be called before or after Start.
func (s *Scheduler) Add(j Job) error {
	if j.Name == "" {
		return errors.New("scheduler: job without a name")
	}
	if j.Run == nil {
		return fmt.Errorf("scheduler: job %s: no function to run", j.Name)
	}
	sched, err := specParser.Parse(j.Spec)
	if err != nil {
		return fmt.Errorf("scheduler: job %s: cron spec %q: %w", j.Name, j.Spec, err)
	}
	jlog := s.log.With(slog.String("job", j.Name))
	// Skip outside, recover inside: SkipIfStillRunning hands its token
	// back only when the wrapped job returns normally.
	wrapped := cron.NewChain(cron.SkipIfStillRunning(cronLogger{log: jlog})).Then(cron.FuncJob(func() {
		s.runJob(j, jlog)
	}))
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		sched = newWallClockSchedule(spec, s.loc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.ids[j.Name]; dup {
		return fmt.Errorf("scheduler: job %s added twice", j.Name)
	}
	s.ids[j.Name] = s.cron.Schedule(sched, wrapped)
	return nil
}

// runJob runs one invocation, logging its outcome and any panic.
func (s *Scheduler) runJob(j Job, jlog *slog.Logger) {
	s.mu.Lock()
	ctx := s.ctx
	s.mu.Unlock()
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			buf := make([]byte, 16<<10)
			buf = buf[:runtime.Stack(buf, false)]
			jlog.Error("job_panicked", slog.Any("panic", r), slog.String("stack", string(buf)))
		}
	}()
	jlog.Debug("job_started")
	if err := j.Run(ctx); err != nil {
		jlog.Error("job_failed", slog.Any("error", err), slog.Duration("duration", time.Since(start)))
		return
	}
	jlog.Info("job_done", slog.Duration("duration", time.Since(start)))
}

// Start starts the scheduler in its own goroutine and returns at once.
// Every run of a job gets ctx; cancelling it does not stop the scheduler
// (Stop does), it tells running jobs to give up.
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	s.cron.Start()
}

// Stop stops scheduling new runs. The returned context is done once every
// running job has returned.
func (s *Scheduler) Stop() context.Context {
	return s.cron.Stop()
}

// Next returns when each job will run next, by name (zero before Start).
func (s *Scheduler) Next() map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]time.Time, len(s.ids))
	for name, id := range s.ids {
		next := s.cron.Entry(id).Next
		if !next.IsZero() {
			next = next.In(s.loc)
		}
		out[name] = next
	}
	return out
}

// cronLogger carries robfig/cron's own log lines to slog: its routine
// chatter (wake, run, schedule) at debug level, a skipped run as a
// warning because it means a job outlasted its period.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("job_skipped_still_running")
		return
	}
	l.log.Debug("cron_"+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron_"+msg, append([]any{slog.Any("error", err)}, kv...)...)
}

// wallClockSchedule gives jobs set at a fixed hour the daylight-saving
// behaviour of Vixie cron, which robfig/cron lacks: a time skipped when
// clocks go forward (02:30 on the last Sunday of March in Paris) runs at
// the change instead of not at all, and a time that happens twice when
// clocks go back (02:30 on the last Sunday of October) runs once. Jobs
// with a wildcard hour run by real time, so an hourly job runs 23 or 25
// times on those days.
type wallClockSchedule struct {
	spec  *cron.SpecSchedule
	fixed bool
}

const allHours = 1<<24 - 1

func newWallClockSchedule(spec *cron.SpecSchedule, loc *time.Location) cron.Schedule {
	c := *spec
	if c.Location == time.Local { // no CRON_TZ: the programme's zone
		c.Location = loc
	}
	return wallClockSchedule{spec: &c, fixed: c.Hour&allHours != allHours}
}

func (w wallClockSchedule) Next(t time.Time) time.Time {
	n := w.spec.Next(t)
	if !w.fixed || n.IsZero() {
		return n
	}
	loc := w.spec.Location
	if change, ok := offsetChange(t, n, loc); ok {
		_, before := change.Add(-time.Second).In(loc).Zone()
		_, after := change.In(loc).Zone()
		if after > before {
			// Read the spec as if the clocks had not moved: a match that
			// falls into the skipped wall-clock span is due at the change.
			old := *w.spec
			old.Location = time.FixedZone("", before)
			if m := old.Next(t); !m.IsZero() && !m.Before(change) && m.Before(change.Add(time.Duration(after-before)*time.Second)) {
				return change
			}
		}
	}
	for i := 0; i < 4 && isRepeatedWallClock(n, loc); i++ {
		n = w.spec.Next(n)
	}
	return n
}

// offsetChange finds the first instant in (a, b] where loc's UTC offset
// differs from its offset at a. A span holding both changes of a year
// (a job due less than twice a year) shows no change and is read as
// robfig/cron reads it.
func offsetChange(a, b time.Time, loc *time.Location) (time.Time, bool) {
	_, offA := a.In(loc).Zone()
	if _, offB := b.In(loc).Zone(); offB == offA {
		return time.Time{}, false
	}
	lo, hi := a, b
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if _, off := mid.In(loc).Zone(); off == offA {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi.Truncate(time.Second), true
}

// isRepeatedWallClock reports whether the wall-clock time of t already
// happened earlier the same day, before the clocks went back.
func isRepeatedWallClock(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	_, off := lt.Zone()
	_, offEarlier := lt.Add(-3 * time.Hour).Zone()
	if offEarlier <= off {
		return false
	}
	e := lt.Add(-time.Duration(offEarlier-off) * time.Second)
	_, offE := e.Zone()
	return offE == offEarlier && e.Hour() == lt.Hour() && e.Minute() == lt.Minute() && e.Day() == lt.Day()
}
