package daemon

// The Prometheus text exposition format, version 0.0.4, written here
// rather than by the Prometheus client library: the library's package
// initialisation (collectors registered in a global registry, protobuf
// file descriptors, procfs, expvar) cost every command about 15% of its
// start-up page faults, a /metrics endpoint or not, for a few dozen
// series. The format:
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
//
// Nothing here runs at package initialisation: instruments are built by
// NewMetrics, and what a scrape shows is read when it asks.

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// exposition is the Content-Type of /metrics: text format 0.0.4, which
// Prometheus takes whatever it asked for. promhttp added
// "escaping=underscores" (names escaped to the legacy character set):
// every name here is in that set already.
const exposition = "text/plain; version=0.0.4; charset=utf-8"

type metricType string

const (
	counterType   metricType = "counter"
	gaugeType     metricType = "gauge"
	histogramType metricType = "histogram"
	summaryType   metricType = "summary"
)

// family is one metric family as a scrape shows it.
type family struct {
	name, help string
	typ        metricType
	metrics    []metric
}

type label struct{ name, value string }

// metric is one series of a family, or for a histogram or a summary the
// lines of one set of labels.
type metric struct {
	labels []label
	value  float64 // counter, gauge
	// points are, for a histogram, the cumulative count at each upper
	// bound but +Inf (that is count); for a summary, the value at each
	// quantile.
	points []point
	sum    float64 // histogram, summary
	count  uint64  // histogram, summary
}

type point struct{ bound, value float64 }

// collector is anything that adds families to a scrape.
type collector interface {
	// collect appends the collector's families to fams; ctx is the
	// scrape's, for what has to be queried.
	collect(ctx context.Context, fams []family) []family
}

// registry is the set of collectors /metrics shows; it is the handler
// of /metrics.
type registry struct {
	mu         sync.Mutex
	collectors []collector
}

// MustRegister adds collectors. The name is the client library's, which
// daemon.New calls; registering cannot fail here: two collectors writing
// the same family would make the output unparsable, which the tests see.
func (r *registry) MustRegister(cs ...collector) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.collectors = append(r.collectors, cs...)
}

// gather collects every family, in the order the client library wrote
// them, so that a scrape reads the same as before: families by name,
// labels in a series by name, series by label values. Families without a
// series are left out (a labelled counter before its first increment, as
// the library did).
func (r *registry) gather(ctx context.Context) []family {
	r.mu.Lock()
	cs := slices.Clone(r.collectors)
	r.mu.Unlock()
	var fams []family
	for _, c := range cs {
		fams = c.collect(ctx, fams)
	}
	fams = slices.DeleteFunc(fams, func(f family) bool { return len(f.metrics) == 0 })
	for _, f := range fams {
		for _, m := range f.metrics {
			slices.SortFunc(m.labels, func(a, b label) int { return strings.Compare(a.name, b.name) })
		}
		slices.SortStableFunc(f.metrics, func(a, b metric) int {
			for i := range min(len(a.labels), len(b.labels)) {
				if c := strings.Compare(a.labels[i].value, b.labels[i].value); c != 0 {
					return c
				}
			}
			return len(a.labels) - len(b.labels)
		})
	}
	slices.SortStableFunc(fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	return fams
}

func (r *registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// Rendered whole before the first byte goes out, so that a slow store
	// query holds back the answer rather than cutting it in two.
	var b bytes.Buffer
	writeText(&b, r.gather(req.Context()))
	w.Header().Set("Content-Type", exposition)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	// A failed write is a scraper that went away: there is no one left
	// to tell.
	b.WriteTo(w)
}

// writeText writes fams in the text format.
func writeText(b *bytes.Buffer, fams []family) {
	for _, f := range fams {
		b.WriteString("# HELP ")
		b.WriteString(f.name)
		b.WriteByte(' ')
		writeEscaped(b, f.help, false)
		b.WriteString("\n# TYPE ")
		b.WriteString(f.name)
		b.WriteByte(' ')
		b.WriteString(string(f.typ))
		b.WriteByte('\n')
		for _, m := range f.metrics {
			switch f.typ {
			case histogramType:
				for _, p := range m.points {
					writeSample(b, f.name+"_bucket", m.labels, "le", formatFloat(p.bound), formatFloat(p.value))
				}
				count := formatFloat(float64(m.count))
				writeSample(b, f.name+"_bucket", m.labels, "le", "+Inf", count)
				writeSample(b, f.name+"_sum", m.labels, "", "", formatFloat(m.sum))
				writeSample(b, f.name+"_count", m.labels, "", "", count)
			case summaryType:
				for _, p := range m.points {
					writeSample(b, f.name, m.labels, "quantile", formatFloat(p.bound), formatFloat(p.value))
				}
				writeSample(b, f.name+"_sum", m.labels, "", "", formatFloat(m.sum))
				writeSample(b, f.name+"_count", m.labels, "", "", formatFloat(float64(m.count)))
			default:
				writeSample(b, f.name, m.labels, "", "", formatFloat(m.value))
			}
		}
	}
}

// writeSample writes one line; extra (le, quantile) comes after the
// series' own labels, where the client library put it.
func writeSample(b *bytes.Buffer, name string, labels []label, extra, extraValue, value string) {
	b.WriteString(name)
	if len(labels) > 0 || extra != "" {
		b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l.name)
			b.WriteString(`="`)
			writeEscaped(b, l.value, true)
			b.WriteByte('"')
		}
		if extra != "" {
			if len(labels) > 0 {
				b.WriteByte(',')
			}
			b.WriteString(extra)
			b.WriteString(`="`)
			b.WriteString(extraValue)
			b.WriteByte('"')
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(value)
	b.WriteByte('\n')
}

// writeEscaped writes s escaped as the format wants: backslash and
// newline everywhere, the double quote too in a label value (a HELP
// text's quote stays as it is).
func writeEscaped(b *bytes.Buffer, s string, quote bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '"' && quote:
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
}

// formatFloat writes f as the client library did, counts included: the
// shortest representation that reads back the same (1e+06 for a million),
// and +Inf, -Inf, NaN.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// atomicFloat is a float64 updated without a lock.
type atomicFloat struct{ bits atomic.Uint64 }

func (a *atomicFloat) load() float64   { return math.Float64frombits(a.bits.Load()) }
func (a *atomicFloat) store(v float64) { a.bits.Store(math.Float64bits(v)) }

func (a *atomicFloat) add(v float64) {
	for {
		old := a.bits.Load()
		if a.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

// desc names a family and says what it counts.
type desc struct{ name, help string }

// counter is a value that only goes up, since the daemon started.
type counter struct {
	desc
	v atomicFloat
}

// Add adds v. A negative (or NaN) v is ignored: Prometheus takes a
// counter going down for a restart, and would count what came before
// twice.
func (c *counter) Add(v float64) {
	if v > 0 {
		c.v.add(v)
	}
}

func (c *counter) Inc() { c.v.add(1) }

func (c *counter) collect(_ context.Context, fams []family) []family {
	return append(fams, family{name: c.name, help: c.help, typ: counterType, metrics: []metric{{value: c.v.load()}}})
}

// gauge is a value that is set.
type gauge struct {
	desc
	v atomicFloat
}

func (g *gauge) Set(v float64) { g.v.store(v) }

func (g *gauge) collect(_ context.Context, fams []family) []family {
	return append(fams, family{name: g.name, help: g.help, typ: gaugeType, metrics: []metric{{value: g.v.load()}}})
}

// counterVec is a counter by the value of one label.
type counterVec struct {
	desc
	label string

	mu       sync.Mutex
	children map[string]*counter
}

// WithLabelValues is the counter of label value v, created at its first
// use.
func (cv *counterVec) WithLabelValues(v string) *counter {
	cv.mu.Lock()
	defer cv.mu.Unlock()
	c, ok := cv.children[v]
	if !ok {
		if cv.children == nil {
			cv.children = map[string]*counter{}
		}
		c = &counter{}
		cv.children[v] = c
	}
	return c
}

func (cv *counterVec) collect(_ context.Context, fams []family) []family {
	f := family{name: cv.name, help: cv.help, typ: counterType}
	cv.mu.Lock()
	for v, c := range cv.children {
		f.metrics = append(f.metrics, metric{labels: []label{{cv.label, v}}, value: c.v.load()})
	}
	cv.mu.Unlock()
	return append(fams, f)
}

// histogram counts observations in buckets of upper bounds (an
// observation equal to a bound is in its bucket), with their sum.
type histogram struct {
	desc
	bounds []float64 // ascending, +Inf excluded

	mu     sync.Mutex
	counts []uint64 // by bucket, not cumulative
	sum    float64
	count  uint64
}

func newHistogram(d desc, bounds []float64) *histogram {
	return &histogram{desc: d, bounds: bounds, counts: make([]uint64, len(bounds))}
}

func (h *histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v) // the first bound >= v
	h.mu.Lock()
	defer h.mu.Unlock()
	if i < len(h.counts) {
		h.counts[i]++
	}
	h.sum += v
	h.count++
}

func (h *histogram) collect(_ context.Context, fams []family) []family {
	m := metric{points: make([]point, len(h.bounds))}
	h.mu.Lock()
	var cum uint64
	for i, n := range h.counts {
		cum += n
		m.points[i] = point{bound: h.bounds[i], value: float64(cum)}
	}
	m.sum, m.count = h.sum, h.count
	h.mu.Unlock()
	return append(fams, family{name: h.name, help: h.help, typ: histogramType, metrics: []metric{m}})
}
