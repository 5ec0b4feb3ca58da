package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows how long work goes (done/total, rate, time left) on one
// terminal line, redrawn at most a few times a second, once the work has
// run past a second. Where stdout is not a terminal (cron, a pipe, a
// file) it prints nothing, so scripts see only the command's own output.
type progress struct {
	w     io.Writer // nil: not a terminal
	what  string
	now   func() time.Time
	start time.Time

	mu    sync.Mutex
	drawn time.Time // last redraw; zero until the first
}

// progressDelay is how long work runs before its progress shows.
const progressDelay = time.Second

func newProgress(e *env, what string) *progress {
	p := &progress{what: what, now: time.Now}
	if isTerminal(e.stdout) {
		p.w = e.stdout
	}
	p.start = p.now()
	return p
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// Update records that done of total are finished. Safe for concurrent use.
func (p *progress) Update(done, total int) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	elapsed := now.Sub(p.start)
	if elapsed < progressDelay || (done < total && now.Sub(p.drawn) < 200*time.Millisecond) {
		return
	}
	p.drawn = now
	fmt.Fprintf(p.w, "\r\033[K%s", progressLine(p.what, done, total, elapsed))
}

// Done clears the progress line, before the command prints its summary.
func (p *progress) Done() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// progressLine is "reparse 1200/5000 (24%), 410/s, 9 s left".
func progressLine(what string, done, total int, elapsed time.Duration) string {
	rate := float64(done) / elapsed.Seconds()
	line := fmt.Sprintf("%s %d/%d", what, done, total)
	if total > 0 {
		line += fmt.Sprintf(" (%d%%)", done*100/total)
	}
	line += fmt.Sprintf(", %.0f/s", rate)
	if rate > 0 && done < total {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		line += ", " + left.Round(time.Second).String() + " left"
	}
	return line
}
