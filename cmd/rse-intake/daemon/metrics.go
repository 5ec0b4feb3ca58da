package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// Metrics are the daemon's Prometheus metrics, in a registry of their own
// (no global state). Counts kept in the store (applications by status,
// outbox by status) are read from it at each scrape, so that they are
// right after a restart and include what other commands changed.
type Metrics struct {
	reg          *registry
	takenIn      *counterVec
	sent         *counter
	failed       *counter
	retried      *counter
	pollDuration *histogram
	sendDuration *histogram
	reconnects   *counter
	lastIMAP     *gauge
	lastSMTP     *gauge
}

const namespace = "rse_intake"

// durationBuckets are the histogram buckets, in seconds, of the poll and
// send rounds.
var durationBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}

// NewMetrics registers the metrics; st is read at each scrape.
func NewMetrics(st *store.Store) *Metrics {
	m := &Metrics{reg: &registry{}}
	m.takenIn = &counterVec{desc: desc{namespace + "_messages_taken_in_total",
		"Messages taken in over IMAP since start, by kind."}, label: "kind"}
	m.sent = &counter{desc: desc{namespace + "_outbox_sent_total",
		"Mails accepted by the SMTP server since start."}}
	m.failed = &counter{desc: desc{namespace + "_outbox_failed_total",
		"Mails given up on since start (permanent failures)."}}
	m.retried = &counter{desc: desc{namespace + "_outbox_retried_total",
		"Deliveries that failed temporarily and were rescheduled, since start."}}
	m.pollDuration = newHistogram(desc{namespace + "_poll_duration_seconds",
		"Duration of successful IMAP polls."}, durationBuckets)
	m.sendDuration = newHistogram(desc{namespace + "_send_duration_seconds",
		"Duration of outbox rounds that delivered or tried something."}, durationBuckets)
	m.reconnects = &counter{desc: desc{namespace + "_imap_reconnects_total",
		"IMAP sessions (IDLE included) lost and reconnected since start."}}
	m.lastIMAP = &gauge{desc: desc{namespace + "_last_imap_success_timestamp_seconds",
		"Unix time of the last successful IMAP poll."}}
	m.lastSMTP = &gauge{desc: desc{namespace + "_last_smtp_success_timestamp_seconds",
		"Unix time of the last mail the SMTP server accepted."}}
	m.reg.MustRegister(m.takenIn, m.sent, m.failed, m.retried, m.pollDuration, m.sendDuration, m.reconnects,
		m.lastIMAP, m.lastSMTP, storeCollector{st: st}, goCollector{}, processCollector{})
	return m
}

// scalar is a family of one series without labels.
func scalar(name, help string, typ metricType, v float64) family {
	return family{name: name, help: help, typ: typ, metrics: []metric{{value: v}}}
}

// storeCollector reads counts from the store at scrape time.
type storeCollector struct{ st *store.Store }

func (c storeCollector) collect(ctx context.Context, fams []family) []family {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	const upHelp = "1 when the store answered the scrape's queries."
	s, err := c.st.Stats(ctx)
	if err != nil {
		return append(fams, scalar(namespace+"_store_up", upHelp, gaugeType, 0))
	}
	apps := family{name: namespace + "_applications", help: "Applications in the store, by status.", typ: gaugeType}
	for _, status := range store.Statuses {
		apps.metrics = append(apps.metrics, metric{labels: []label{{"status", status}},
			value: float64(s.ApplicationsByStatus[status])})
	}
	outbox := family{name: namespace + "_outbox_mails", help: "Mails in the outbox, by status.", typ: gaugeType}
	for status, n := range s.Outbox {
		outbox.metrics = append(outbox.metrics, metric{labels: []label{{"status", status}}, value: float64(n)})
	}
	messages := family{name: namespace + "_messages_stored", help: "Messages in the store, by kind.", typ: gaugeType}
	for kind, n := range s.MessagesByKind {
		messages.metrics = append(messages.metrics, metric{labels: []label{{"kind", kind}}, value: float64(n)})
	}
	return append(fams, scalar(namespace+"_store_up", upHelp, gaugeType, 1), apps, outbox, messages)
}

// alertsCollector shows the problems going on, one series each.
type alertsCollector struct{ a *notify.Alerts }

func (c alertsCollector) collect(_ context.Context, fams []family) []family {
	f := family{name: namespace + "_problem_active",
		help: "1 for each problem going on (imap, imap_auth, smtp, disk); alerted is 1 once the operators were told.",
		typ:  gaugeType}
	for _, p := range c.a.Active() {
		alerted := "0"
		if p.Alerted {
			alerted = "1"
		}
		f.metrics = append(f.metrics, metric{labels: []label{{"alerted", alerted}, {"problem", p.Problem}}, value: 1})
	}
	return append(fams, f)
}

// goCollector is the Go runtime metrics the client library's default Go
// collector showed, under the same names and help texts, so that
// dashboards built on them keep working. Read at scrape time only:
// ReadMemStats stops the world for a moment, which a scrape a minute can
// afford.
type goCollector struct{}

func (goCollector) collect(_ context.Context, fams []family) []family {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// The pause quantiles as the library computed them: min, 25%, 50%,
	// 75%, max of the recent pauses.
	gc := debug.GCStats{PauseQuantiles: make([]time.Duration, 5)}
	debug.ReadGCStats(&gc)
	gcPauses := metric{sum: gc.PauseTotal.Seconds(), count: uint64(gc.NumGC)}
	for i, q := range gc.PauseQuantiles {
		gcPauses.points = append(gcPauses.points, point{bound: float64(i) / 4, value: q.Seconds()})
	}
	threads, _ := runtime.ThreadCreateProfile(nil)
	fams = append(fams,
		family{name: "go_gc_duration_seconds", typ: summaryType, metrics: []metric{gcPauses},
			help: "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles."},
		scalar("go_goroutines", "Number of goroutines that currently exist.", gaugeType, float64(runtime.NumGoroutine())),
		family{name: "go_info", help: "Information about the Go environment.", typ: gaugeType,
			metrics: []metric{{labels: []label{{"version", runtime.Version()}}, value: 1}}},
		scalar("go_threads", "Number of OS threads created.", gaugeType, float64(threads)),
	)
	for _, s := range []struct {
		name, help string
		typ        metricType
		v          uint64
	}{
		{"alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", gaugeType, ms.Alloc},
		{"alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", counterType, ms.TotalAlloc},
		{"buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", gaugeType, ms.BuckHashSys},
		{"frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", counterType, ms.Frees},
		{"gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", gaugeType, ms.GCSys},
		{"heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", gaugeType, ms.HeapAlloc},
		{"heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", gaugeType, ms.HeapIdle},
		{"heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", gaugeType, ms.HeapInuse},
		{"heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", gaugeType, ms.HeapObjects},
		{"heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", gaugeType, ms.HeapReleased},
		{"heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", gaugeType, ms.HeapSys},
		{"mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", counterType, ms.Mallocs},
		{"mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", gaugeType, ms.MCacheInuse},
		{"mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", gaugeType, ms.MCacheSys},
		{"mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", gaugeType, ms.MSpanInuse},
		{"mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", gaugeType, ms.MSpanSys},
		{"next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", gaugeType, ms.NextGC},
		{"other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", gaugeType, ms.OtherSys},
		{"stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", gaugeType, ms.StackInuse},
		{"stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", gaugeType, ms.StackSys},
		{"sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", gaugeType, ms.Sys},
	} {
		fams = append(fams, scalar("go_memstats_"+s.name, s.help, s.typ, float64(s.v)))
	}
	fams = append(fams, scalar("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.",
		gaugeType, float64(ms.LastGC)/1e9))

	// The settings the library read from runtime/metrics, read without
	// it: that package's initialisation (it builds its table of every
	// runtime metric) took about 1 ms of each command's start
	// (GODEBUG=inittrace=1), /metrics or not.
	fams = append(fams,
		scalar("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.",
			gaugeType, gogcPercent()),
		scalar("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.",
			gaugeType, float64(debug.SetMemoryLimit(-1))), // a negative limit only reads it
		scalar("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.",
			gaugeType, float64(runtime.GOMAXPROCS(0))))
	return fams
}

// gogcPercent is GOGC as the runtime read it at start (readGOGC in
// runtime/mgcpacer.go): no other API reads it without changing it, and
// nothing in the daemon calls debug.SetGCPercent. GOGC=off shows as
// /gc/gogc:percent showed it: the runtime's -1 as a uint64.
func gogcPercent() float64 {
	p := os.Getenv("GOGC")
	if p == "off" {
		return math.MaxUint64
	}
	if n, err := strconv.ParseInt(p, 10, 32); err == nil {
		if n < 0 {
			return math.MaxUint64
		}
		return float64(n)
	}
	return 100
}

// processCollector is the process metrics the client library's process
// collector showed, read from /proc like it did. What cannot be read (no
// /proc: not Linux) is left out of the scrape, as the library did.
type processCollector struct{}

// userHZ is the unit of the times in /proc/self/stat: 100 on every Linux
// the daemon runs on (the library assumed it too).
const userHZ = 100

func (processCollector) collect(_ context.Context, fams []family) []family {
	if st, err := readProcStat(); err == nil {
		fams = append(fams,
			scalar("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", counterType,
				float64(st.utime+st.stime)/userHZ),
			scalar("process_virtual_memory_bytes", "Virtual memory size in bytes.", gaugeType, float64(st.vsize)),
			scalar("process_resident_memory_bytes", "Resident memory size in bytes.", gaugeType,
				float64(st.rss)*float64(os.Getpagesize())))
		if boot, err := bootTime(); err == nil {
			fams = append(fams, scalar("process_start_time_seconds",
				"Start time of the process since unix epoch in seconds.", gaugeType, float64(st.starttime)/userHZ+boot))
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		// The directory's own descriptor is among them, as it was for the library.
		fams = append(fams, scalar("process_open_fds", "Number of open file descriptors.", gaugeType, float64(len(fds))))
	}
	if b, err := os.ReadFile("/proc/self/limits"); err == nil {
		if v, ok := softLimit(b, "Max open files"); ok {
			fams = append(fams, scalar("process_max_fds", "Maximum number of open file descriptors.", gaugeType, v))
		}
		if v, ok := softLimit(b, "Max address space"); ok {
			fams = append(fams, scalar("process_virtual_memory_max_bytes",
				"Maximum amount of virtual memory available in bytes.", gaugeType, v))
		}
	}
	if rx, tx, err := netDevTotals(); err == nil {
		fams = append(fams,
			scalar("process_network_receive_bytes_total", "Number of bytes received by the process over the network.", counterType, rx),
			scalar("process_network_transmit_bytes_total", "Number of bytes sent by the process over the network.", counterType, tx))
	}
	return fams
}

// procStat is what the collector uses of /proc/self/stat.
type procStat struct {
	utime, stime, starttime, vsize, rss uint64
}

// readProcStat reads /proc/self/stat (proc(5)): the fields come after
// the command name, which is in parentheses and may hold spaces.
func readProcStat() (procStat, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, errors.New("/proc/self/stat: no command name")
	}
	// f[0] is field 3 of proc(5), the state.
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 22 {
		return procStat{}, errors.New("/proc/self/stat: too few fields")
	}
	var st procStat
	for _, x := range []struct {
		field int
		to    *uint64
	}{{14, &st.utime}, {15, &st.stime}, {22, &st.starttime}, {23, &st.vsize}, {24, &st.rss}} {
		if *x.to, err = strconv.ParseUint(f[x.field-3], 10, 64); err != nil {
			return procStat{}, fmt.Errorf("/proc/self/stat: field %d: %w", x.field, err)
		}
	}
	return st, nil
}

// bootTime is when the system booted, in Unix seconds: the origin of a
// process' start time in /proc.
func bootTime() (float64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			t, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/stat: btime: %w", err)
			}
			return t, nil
		}
	}
	return 0, errors.New("/proc/stat: no btime")
}

// softLimit is the soft limit of name in the text of /proc/self/limits;
// "unlimited" is the largest uint64, as the library showed it.
func softLimit(limits []byte, name string) (float64, bool) {
	for line := range strings.Lines(string(limits)) {
		rest, ok := strings.CutPrefix(line, name+" ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		if f[0] == "unlimited" {
			return math.MaxUint64, true
		}
		v, err := strconv.ParseUint(f[0], 10, 64)
		return float64(v), err == nil
	}
	return 0, false
}

// netDevTotals sums the bytes received and sent over every interface in
// /proc/self/net/dev (the process' network namespace, loopback included),
// which is what the library's process_network_*_bytes_total showed.
func netDevTotals() (rx, tx float64, err error) {
	b, err := os.ReadFile("/proc/self/net/dev")
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		_, counts, ok := strings.Cut(line, ":")
		if !ok {
			continue // the two header lines
		}
		f := strings.Fields(counts)
		if len(f) < 9 {
			return 0, 0, errors.New("/proc/self/net/dev: too few fields")
		}
		r, err1 := strconv.ParseUint(f[0], 10, 64)
		t, err2 := strconv.ParseUint(f[8], 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return 0, 0, fmt.Errorf("/proc/self/net/dev: %w", err)
		}
		rx, tx = rx+float64(r), tx+float64(t)
	}
	return rx, tx, nil
}
