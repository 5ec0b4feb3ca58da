package daemon

import (
	"bytes"
	"io"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rse-lozere/rse-intake/store"
)

// newTestMetrics is a Metrics over an empty store.
func newTestMetrics(t *testing.T) (*Metrics, *store.Store) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "rse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return NewMetrics(st), st
}

// scrape asks m's /metrics handler, checks the answer is Prometheus text
// format 0.0.4 that the reference parser reads, and returns the text and
// the parsed families.
func scrape(t *testing.T, m *Metrics) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.reg.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	body, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not valid Prometheus text: %v\n%s", err, body)
	}
	return string(body), fams
}

// familyText is the text of family name in a scrape: its HELP line and
// everything up to the next family's; "" when it is not there.
func familyText(scrape, name string) string {
	start := strings.Index(scrape, "# HELP "+name+" ")
	if start < 0 {
		return ""
	}
	end := strings.Index(scrape[start+1:], "# HELP ")
	if end < 0 {
		return scrape[start:]
	}
	return scrape[start : start+1+end]
}

// TestScrapeShowsKnownValuesInTheTextFormat renders metrics with known
// values and compares families with the text the Prometheus client
// library wrote for them (taken from a scrape before it was replaced).
func TestScrapeShowsKnownValuesInTheTextFormat(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Metrics)
		want map[string]string // family name: its exact text, "" for absent
	}{
		{
			name: "labelled counter: a series per value, sorted, large values as the library wrote them",
			set: func(m *Metrics) {
				m.takenIn.WithLabelValues("reply").Inc()
				m.takenIn.WithLabelValues("application").Add(1234567)
				m.takenIn.WithLabelValues("application").Inc()
			},
			want: map[string]string{"rse_intake_messages_taken_in_total": `# HELP rse_intake_messages_taken_in_total Messages taken in over IMAP since start, by kind.
# TYPE rse_intake_messages_taken_in_total counter
rse_intake_messages_taken_in_total{kind="application"} 1.234568e+06
rse_intake_messages_taken_in_total{kind="reply"} 1
`},
		},
		{
			name: "labelled counter before its first increment is left out, plain ones show 0",
			set:  func(*Metrics) {},
			want: map[string]string{
				"rse_intake_messages_taken_in_total": "",
				"rse_intake_outbox_failed_total": `# HELP rse_intake_outbox_failed_total Mails given up on since start (permanent failures).
# TYPE rse_intake_outbox_failed_total counter
rse_intake_outbox_failed_total 0
`,
			},
		},
		{
			name: "a counter does not go down",
			set: func(m *Metrics) {
				m.sent.Add(3)
				m.sent.Add(-2)
			},
			want: map[string]string{"rse_intake_outbox_sent_total": `# HELP rse_intake_outbox_sent_total Mails accepted by the SMTP server since start.
# TYPE rse_intake_outbox_sent_total counter
rse_intake_outbox_sent_total 3
`},
		},
		{
			name: "label value with a backslash, a double quote and a newline is escaped",
			set:  func(m *Metrics) { m.takenIn.WithLabelValues("we\"ird\\kind\nx").Inc() },
			want: map[string]string{"rse_intake_messages_taken_in_total": `# HELP rse_intake_messages_taken_in_total Messages taken in over IMAP since start, by kind.
# TYPE rse_intake_messages_taken_in_total counter
rse_intake_messages_taken_in_total{kind="we\"ird\\kind\nx"} 1
`},
		},
		{
			name: "help with a backslash and a newline is escaped, its double quote is not",
			set: func(m *Metrics) {
				m.reg.MustRegister(&counter{desc: desc{"test_help", "a \"quoted\" back\\slash\nand a second line"}})
			},
			want: map[string]string{"test_help": `# HELP test_help a "quoted" back\\slash\nand a second line
# TYPE test_help counter
test_help 0
`},
		},
		{
			name: "histogram: an observation on a bound is in its bucket, one above the last only in +Inf",
			set: func(m *Metrics) {
				for _, v := range []float64{0.125, 0.25, 0.5, 1, 300, 1000} {
					m.pollDuration.Observe(v)
				}
			},
			want: map[string]string{"rse_intake_poll_duration_seconds": `# HELP rse_intake_poll_duration_seconds Duration of successful IMAP polls.
# TYPE rse_intake_poll_duration_seconds histogram
rse_intake_poll_duration_seconds_bucket{le="0.01"} 0
rse_intake_poll_duration_seconds_bucket{le="0.05"} 0
rse_intake_poll_duration_seconds_bucket{le="0.1"} 0
rse_intake_poll_duration_seconds_bucket{le="0.25"} 2
rse_intake_poll_duration_seconds_bucket{le="0.5"} 3
rse_intake_poll_duration_seconds_bucket{le="1"} 4
rse_intake_poll_duration_seconds_bucket{le="2.5"} 4
rse_intake_poll_duration_seconds_bucket{le="5"} 4
rse_intake_poll_duration_seconds_bucket{le="10"} 4
rse_intake_poll_duration_seconds_bucket{le="30"} 4
rse_intake_poll_duration_seconds_bucket{le="60"} 4
rse_intake_poll_duration_seconds_bucket{le="300"} 5
rse_intake_poll_duration_seconds_bucket{le="+Inf"} 6
rse_intake_poll_duration_seconds_sum 1301.875
rse_intake_poll_duration_seconds_count 6
`},
		},
		{
			name: "gauge",
			set:  func(m *Metrics) { m.lastIMAP.Set(1764680000) },
			want: map[string]string{"rse_intake_last_imap_success_timestamp_seconds": `# HELP rse_intake_last_imap_success_timestamp_seconds Unix time of the last successful IMAP poll.
# TYPE rse_intake_last_imap_success_timestamp_seconds gauge
rse_intake_last_imap_success_timestamp_seconds 1.76468e+09
`},
		},
		{
			name: "store counts read at the scrape, every status shown",
			set:  func(*Metrics) {},
			want: map[string]string{
				"rse_intake_store_up": `# HELP rse_intake_store_up 1 when the store answered the scrape's queries.
# TYPE rse_intake_store_up gauge
rse_intake_store_up 1
`,
				"rse_intake_outbox_mails": `# HELP rse_intake_outbox_mails Mails in the outbox, by status.
# TYPE rse_intake_outbox_mails gauge
rse_intake_outbox_mails{status="cancelled"} 0
rse_intake_outbox_mails{status="failed"} 0
rse_intake_outbox_mails{status="pending"} 0
rse_intake_outbox_mails{status="sent"} 0
`,
				"rse_intake_messages_stored": "",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestMetrics(t)
			tc.set(m)
			text, fams := scrape(t, m)
			for name, want := range tc.want {
				if got := familyText(text, name); got != want {
					t.Errorf("%s:\n got %q\nwant %q", name, got, want)
				}
				if _, ok := fams[name]; ok != (want != "") {
					t.Errorf("%s: the parser found it: %v, want %v", name, ok, want != "")
				}
			}
		})
	}
}

// TestScrapeReadsBackEscapedLabelValues: what the parser reads back is
// the label value as it was given.
func TestScrapeReadsBackEscapedLabelValues(t *testing.T) {
	m, _ := newTestMetrics(t)
	const kind = "we\"ird\\kind\nx"
	m.takenIn.WithLabelValues(kind).Inc()
	_, fams := scrape(t, m)
	got := fams["rse_intake_messages_taken_in_total"].GetMetric()[0].GetLabel()[0].GetValue()
	if got != kind {
		t.Errorf("label value read back %q, want %q", got, kind)
	}
}

// TestScrapeSaysWhenTheStoreDoesNotAnswer: a store that fails its
// queries shows as rse_intake_store_up 0, the rest of the scrape intact.
func TestScrapeSaysWhenTheStoreDoesNotAnswer(t *testing.T) {
	m, st := newTestMetrics(t)
	st.Close()
	text, fams := scrape(t, m)
	if fams["rse_intake_store_up"].GetMetric()[0].GetGauge().GetValue() != 0 {
		t.Errorf("store_up is not 0 with a closed store:\n%s", familyText(text, "rse_intake_store_up"))
	}
	if _, ok := fams["rse_intake_applications"]; ok {
		t.Error("applications shown from a store that does not answer")
	}
	if _, ok := fams["rse_intake_outbox_sent_total"]; !ok {
		t.Error("the daemon's own counters are missing")
	}
}

// TestScrapeShowsFamiliesSortedByName, with the Go and process metrics
// the README promises.
func TestScrapeShowsFamiliesSortedByName(t *testing.T) {
	m, _ := newTestMetrics(t)
	text, fams := scrape(t, m)
	var names []string
	for line := range strings.Lines(text) {
		if name, ok := strings.CutPrefix(line, "# HELP "); ok {
			names = append(names, strings.Fields(name)[0])
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("families not sorted by name: %v", names)
	}
	for name, typ := range map[string]dto.MetricType{
		"go_goroutines": dto.MetricType_GAUGE, "go_threads": dto.MetricType_GAUGE,
		"go_memstats_heap_alloc_bytes": dto.MetricType_GAUGE, "go_memstats_alloc_bytes": dto.MetricType_GAUGE,
		"go_gc_duration_seconds": dto.MetricType_SUMMARY, "go_memstats_last_gc_time_seconds": dto.MetricType_GAUGE,
		"go_info": dto.MetricType_GAUGE, "process_cpu_seconds_total": dto.MetricType_COUNTER,
		"process_resident_memory_bytes": dto.MetricType_GAUGE, "process_virtual_memory_bytes": dto.MetricType_GAUGE,
		"process_open_fds": dto.MetricType_GAUGE, "process_max_fds": dto.MetricType_GAUGE,
		"process_start_time_seconds": dto.MetricType_GAUGE,
	} {
		f, ok := fams[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if f.GetType() != typ {
			t.Errorf("%s is a %v, want %v", name, f.GetType(), typ)
		}
	}
	for name, positive := range map[string]float64{
		"go_goroutines":                 fams["go_goroutines"].GetMetric()[0].GetGauge().GetValue(),
		"process_resident_memory_bytes": fams["process_resident_memory_bytes"].GetMetric()[0].GetGauge().GetValue(),
		"process_open_fds":              fams["process_open_fds"].GetMetric()[0].GetGauge().GetValue(),
		"process_start_time_seconds":    fams["process_start_time_seconds"].GetMetric()[0].GetGauge().GetValue(),
	} {
		if !(positive > 0) {
			t.Errorf("%s = %v, want > 0", name, positive)
		}
	}
	if q := fams["go_gc_duration_seconds"].GetMetric()[0].GetSummary().GetQuantile(); len(q) != 5 {
		t.Errorf("go_gc_duration_seconds has %d quantiles, want 5 (0, .25, .5, .75, 1)", len(q))
	}
}

// TestMetricsCountEveryConcurrentUpdate: updates from many goroutines,
// scraped meanwhile, are all counted (run with -race to see the rest).
func TestMetricsCountEveryConcurrentUpdate(t *testing.T) {
	m, _ := newTestMetrics(t)
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				m.takenIn.WithLabelValues("application").Inc()
				m.sent.Add(1)
				m.pollDuration.Observe(0.5)
				m.lastSMTP.Set(42)
			}
		})
	}
	wg.Go(func() {
		for range 5 { // not scrape: t.Fatal is for the test's goroutine
			m.reg.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/metrics", nil))
		}
	})
	wg.Wait()
	_, fams := scrape(t, m)
	if got := fams["rse_intake_messages_taken_in_total"].GetMetric()[0].GetCounter().GetValue(); got != workers*each {
		t.Errorf("taken in %v, want %d", got, workers*each)
	}
	if got := fams["rse_intake_outbox_sent_total"].GetMetric()[0].GetCounter().GetValue(); got != workers*each {
		t.Errorf("sent %v, want %d", got, workers*each)
	}
	h := fams["rse_intake_poll_duration_seconds"].GetMetric()[0].GetHistogram()
	if h.GetSampleCount() != workers*each || h.GetSampleSum() != 0.5*workers*each {
		t.Errorf("histogram count %d sum %v, want %d and %v", h.GetSampleCount(), h.GetSampleSum(), workers*each, 0.5*workers*each)
	}
}
