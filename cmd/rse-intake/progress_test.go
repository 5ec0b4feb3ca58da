package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestProgressOnTerminalOnly: on a terminal, work past a second shows
// done/total, rate and time left, and the line is cleared at the end;
// anything else (a file, a pipe, a buffer) gets nothing.
func TestProgressOnTerminalOnly(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p := &progress{w: &buf, what: "reparse", now: func() time.Time { return clock }, start: clock}
	p.Update(100, 1000)
	if buf.Len() != 0 {
		t.Errorf("progress shown before a second: %q", buf.String())
	}
	clock = clock.Add(2 * time.Second)
	p.Update(400, 1000)
	want := "\r\033[Kreparse 400/1000 (40%), 200/s, 3s left"
	if got := buf.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	clock = clock.Add(50 * time.Millisecond)
	p.Update(410, 1000)
	if strings.Count(buf.String(), "\r") != 1 {
		t.Errorf("redrawn within 200 ms: %q", buf.String())
	}
	p.Done()
	if !strings.HasSuffix(buf.String(), "\r\033[K") {
		t.Errorf("line not cleared: %q", buf.String())
	}

	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []any{f, &bytes.Buffer{}} {
		e := &env{}
		switch w := w.(type) {
		case *os.File:
			e.stdout = w
		case *bytes.Buffer:
			e.stdout = w
		}
		q := newProgress(e, "poll")
		q.start = q.start.Add(-time.Hour)
		q.Update(1, 2)
		q.Done()
		if q.w != nil {
			t.Errorf("%T taken for a terminal", w)
		}
	}
	if info, _ := f.Stat(); info.Size() != 0 {
		t.Errorf("%d bytes written to a file", info.Size())
	}
}
