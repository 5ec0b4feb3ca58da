package notify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// runLog records when each job ran, by the (fake) clock.
type runLog struct {
	mu   sync.Mutex
	runs map[string][]time.Time
}

func (r *runLog) job(name, spec string) Job {
	return Job{Name: name, Spec: spec, Run: func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.runs == nil {
			r.runs = make(map[string][]time.Time)
		}
		r.runs[name] = append(r.runs[name], time.Now())
		return nil
	}}
}

func (r *runLog) get(name string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.runs[name]...)
}

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// sleepUntil advances the bubble's fake clock to at.
func sleepUntil(at time.Time) { time.Sleep(time.Until(at)) }

// The real robfig/cron loop runs inside a synctest bubble, whose clock is
// fake: months pass in milliseconds. The bubble's clock starts on
// 2000-01-01 UTC; Europe/Paris changed to summer time on Sunday 26 March
// 2000 and back on Sunday 29 October 2000 (the last Sundays).
func TestSchedulerAcrossDaylightSavingChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		loc := paris(t)
		var rl runLog
		s := NewScheduler(loc, slog.New(slog.DiscardHandler))
		for _, j := range []Job{
			rl.job("reminders", "0 9 * * *"),
			rl.job("digest", "0 8 * * 1-5"),
			rl.job("hourly", "0 * * * *"),
			rl.job("night", "30 2 * * *"), // inside both changed hours
		} {
			if err := s.Add(j); err != nil {
				t.Fatal(err)
			}
		}
		from := time.Date(2000, 3, 20, 0, 0, 0, 0, loc)
		to := time.Date(2000, 11, 5, 0, 0, 0, 0, loc)
		sleepUntil(from)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		s.Start(ctx)
		sleepUntil(to)
		<-s.Stop().Done()

		// Daily jobs: exactly one run per local day at the wall-clock time,
		// the days of both changes included.
		var wantDaily, wantDigest []time.Time
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			wantDaily = append(wantDaily, time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, loc))
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				wantDigest = append(wantDigest, time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, loc))
			}
		}
		sameTimes(t, "reminders", rl.get("reminders"), wantDaily)
		sameTimes(t, "digest", rl.get("digest"), wantDigest)

		// Hourly: every real hour once, so 23 runs on 26 March, 25 on 29
		// October, and always exactly one hour apart.
		hourly := rl.get("hourly")
		for i := 1; i < len(hourly); i++ {
			if gap := hourly[i].Sub(hourly[i-1]); gap != time.Hour {
				t.Fatalf("hourly: %s then %s (%s apart)", hourly[i-1].In(loc), hourly[i].In(loc), gap)
			}
		}
		perDay := map[string]int{}
		for _, r := range hourly {
			perDay[r.In(loc).Format("2006-01-02")]++
		}
		if perDay["2000-03-26"] != 23 || perDay["2000-10-29"] != 25 || perDay["2000-06-01"] != 24 {
			t.Errorf("hourly runs on 26 March, 29 October, 1 June = %d, %d, %d; want 23, 25, 24",
				perDay["2000-03-26"], perDay["2000-10-29"], perDay["2000-06-01"])
		}

		// 02:30 does not exist on 26 March and happens twice on 29 October:
		// the job must still run once on each of those days, never twice;
		// on 26 March at the change (03:00 summer time), on 29 October at
		// the first 02:30 (summer time).
		nights := map[string]int{}
		for _, r := range rl.get("night") {
			lr := r.In(loc)
			nights[lr.Format("2006-01-02")]++
			switch lr.Format("2006-01-02") {
			case "2000-03-26":
				if want := time.Date(2000, 3, 26, 1, 0, 0, 0, time.UTC); !r.Equal(want) {
					t.Errorf("night job on 26 March at %s, want %s", lr, want.In(loc))
				}
			case "2000-10-29":
				if want := time.Date(2000, 10, 29, 0, 30, 0, 0, time.UTC); !r.Equal(want) {
					t.Errorf("night job on 29 October at %s, want %s", lr, want.In(loc))
				}
			}
		}
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			if n := nights[d.Format("2006-01-02")]; n != 1 {
				t.Errorf("night job ran %d times on %s, want once", n, d.Format("2006-01-02"))
			}
		}
	})
}

func sameTimes(t *testing.T, name string, got, want []time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d runs, want %d", name, len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !got[i].Equal(want[i]) {
			t.Fatalf("%s: run %d at %s, want %s", name, i, got[i].In(want[i].Location()), want[i])
		}
	}
}

func TestSchedulerSkipsARunWhileThePreviousGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		s := NewScheduler(time.UTC, slog.New(slog.NewTextHandler(&buf, nil)))
		var mu sync.Mutex
		var starts []time.Time
		err := s.Add(Job{Name: "slow", Spec: "* * * * *", Run: func(ctx context.Context) error {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			time.Sleep(150 * time.Second) // outlasts two periods
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		s.Start(t.Context())
		time.Sleep(10*time.Minute - time.Second)
		<-s.Stop().Done()
		mu.Lock()
		defer mu.Unlock()
		// Runs start at 1, 4, 7 min: those at 2, 3, 5, 6, 8, 9 are skipped.
		if len(starts) != 3 {
			t.Fatalf("slow job started %d times in 10 minutes, want 3: %v", len(starts), starts)
		}
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap != 3*time.Minute {
				t.Errorf("runs %s apart, want 3m0s", gap)
			}
		}
		if !strings.Contains(buf.String(), "job_skipped_still_running") || !strings.Contains(buf.String(), "job=slow") {
			t.Errorf("skips not logged with the job's name:\n%s", buf.String())
		}
	})
}

func TestSchedulerGoesOnAfterAPanicAndAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		s := NewScheduler(time.UTC, slog.New(slog.NewTextHandler(&buf, nil)))
		var mu sync.Mutex
		calls := 0
		err := s.Add(Job{Name: "flaky", Spec: "* * * * *", Run: func(ctx context.Context) error {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			switch n {
			case 1:
				panic("boom")
			case 2:
				return errors.New("disk full")
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		s.Start(t.Context())
		time.Sleep(3*time.Minute + time.Second)
		<-s.Stop().Done()
		mu.Lock()
		defer mu.Unlock()
		if calls != 3 {
			t.Errorf("job ran %d times in 3 minutes after a panic, want 3", calls)
		}
		out := buf.String()
		for _, want := range []string{"job_panicked", "panic=boom", "job_failed", "disk full", "job_done"} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
	})
}

func TestSchedulerJobsGetTheStartContextAndStopWaitsForThem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewScheduler(time.UTC, slog.New(slog.DiscardHandler))
		ctx, cancel := context.WithCancel(t.Context())
		returned := make(chan struct{})
		err := s.Add(Job{Name: "long", Spec: "* * * * *", Run: func(ctx context.Context) error {
			<-ctx.Done()
			close(returned)
			return ctx.Err()
		}})
		if err != nil {
			t.Fatal(err)
		}
		s.Start(ctx)
		time.Sleep(90 * time.Second) // the job is running and waits on ctx
		stopped := s.Stop()
		synctest.Wait()
		select {
		case <-stopped.Done():
			t.Fatal("Stop's context done while a job still runs")
		default:
		}
		cancel()
		<-stopped.Done()
		select {
		case <-returned:
		default:
			t.Fatal("Stop's context done before the job returned")
		}
	})
}

func TestSchedulerRefusesABadSpecNamingTheJob(t *testing.T) {
	s := NewScheduler(time.UTC, nil)
	err := s.Add(Job{Name: "digest", Spec: "0 25 * * *", Run: func(context.Context) error { return nil }})
	if err == nil || !strings.Contains(err.Error(), "digest") {
		t.Fatalf("Add with hour 25 = %v, want an error naming the job", err)
	}
	if err := s.Add(Job{Name: "reminders", Spec: "0 9 * * *", Run: func(context.Context) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Job{Name: "reminders", Spec: "0 9 * * *", Run: func(context.Context) error { return nil }}); err == nil {
		t.Error("a second job named reminders was accepted")
	}
	if err := ParseSpec("0 8 * * 1-5"); err != nil {
		t.Error(err)
	}
	if err := ParseSpec("every morning"); err == nil {
		t.Error(`ParseSpec("every morning") accepted`)
	}
}

func TestSchedulerNextIsInTheProgrammesZone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		loc := paris(t)
		s := NewScheduler(loc, slog.New(slog.DiscardHandler))
		if err := s.Add(Job{Name: "reminders", Spec: "0 9 * * *", Run: func(context.Context) error { return nil }}); err != nil {
			t.Fatal(err)
		}
		s.Start(t.Context())
		defer func() { <-s.Stop().Done() }()
		synctest.Wait()
		next := s.Next()["reminders"]
		// The bubble starts at 2000-01-01 00:00 UTC = 01:00 in Paris.
		if want := time.Date(2000, 1, 1, 9, 0, 0, 0, loc); !next.Equal(want) || next.Location() != loc {
			t.Errorf("Next = %s, want %s", next, want)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the scheduler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
