package daemon

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/rse-lozere/rse-intake/notify"
	"github.com/rse-lozere/rse-intake/store"
)

// Metrics are the daemon's Prometheus metrics, in a registry of their own
// (no global state). Counts kept in the store (applications by status,
// outbox by status) are read from it at each scrape, so that they are
// right after a restart and include what other commands changed.
type Metrics struct {
	reg          *prometheus.Registry
	takenIn      *prometheus.CounterVec
	sent         prometheus.Counter
	failed       prometheus.Counter
	retried      prometheus.Counter
	pollDuration prometheus.Histogram
	sendDuration prometheus.Histogram
	reconnects   prometheus.Counter
	lastIMAP     prometheus.Gauge
	lastSMTP     prometheus.Gauge
}

const namespace = "rse_intake"

// durationBuckets are the histogram buckets, in seconds, of the poll and
// send rounds.
var durationBuckets = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}

// NewMetrics registers the metrics; st is read at each scrape.
func NewMetrics(st *store.Store) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.takenIn = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace,
		Name: "messages_taken_in_total", Help: "Messages taken in over IMAP since start, by kind."}, []string{"kind"})
	m.sent = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace,
		Name: "outbox_sent_total", Help: "Mails accepted by the SMTP server since start."})
	m.failed = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace,
		Name: "outbox_failed_total", Help: "Mails given up on since start (permanent failures)."})
	m.retried = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace,
		Name: "outbox_retried_total", Help: "Deliveries that failed temporarily and were rescheduled, since start."})
	m.pollDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace,
		Name: "poll_duration_seconds", Help: "Duration of successful IMAP polls.",
		Buckets: durationBuckets})
	m.sendDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace,
		Name: "send_duration_seconds", Help: "Duration of outbox rounds that delivered or tried something.",
		Buckets: durationBuckets})
	m.reconnects = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace,
		Name: "imap_reconnects_total", Help: "IMAP sessions (IDLE included) lost and reconnected since start."})
	m.lastIMAP = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace,
		Name: "last_imap_success_timestamp_seconds", Help: "Unix time of the last successful IMAP poll."})
	m.lastSMTP = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace,
		Name: "last_smtp_success_timestamp_seconds", Help: "Unix time of the last mail the SMTP server accepted."})
	m.reg.MustRegister(m.takenIn, m.sent, m.failed, m.retried, m.pollDuration, m.sendDuration, m.reconnects,
		m.lastIMAP, m.lastSMTP, storeCollector{st: st},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// storeCollector reads counts from the store at scrape time.
type storeCollector struct{ st *store.Store }

var (
	applicationsDesc = prometheus.NewDesc(namespace+"_applications", "Applications in the store, by status.",
		[]string{"status"}, nil)
	outboxDesc = prometheus.NewDesc(namespace+"_outbox_mails", "Mails in the outbox, by status.",
		[]string{"status"}, nil)
	messagesDesc = prometheus.NewDesc(namespace+"_messages_stored", "Messages in the store, by kind.",
		[]string{"kind"}, nil)
	storeUpDesc = prometheus.NewDesc(namespace+"_store_up", "1 when the store answered the scrape's queries.",
		nil, nil)
)

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- applicationsDesc
	ch <- outboxDesc
	ch <- messagesDesc
	ch <- storeUpDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.st.Stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(storeUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(storeUpDesc, prometheus.GaugeValue, 1)
	for _, status := range store.Statuses {
		ch <- prometheus.MustNewConstMetric(applicationsDesc, prometheus.GaugeValue,
			float64(s.ApplicationsByStatus[status]), status)
	}
	for status, n := range s.Outbox {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), status)
	}
	for kind, n := range s.MessagesByKind {
		ch <- prometheus.MustNewConstMetric(messagesDesc, prometheus.GaugeValue, float64(n), kind)
	}
}

// alertsCollector shows the problems going on, one series each.
type alertsCollector struct{ a *notify.Alerts }

var alertsDesc = prometheus.NewDesc(namespace+"_problem_active",
	"1 for each problem going on (imap, imap_auth, smtp, disk); alerted is 1 once the operators were told.",
	[]string{"problem", "alerted"}, nil)

func (c alertsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- alertsDesc }

func (c alertsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.a.Active() {
		alerted := "0"
		if p.Alerted {
			alerted = "1"
		}
		ch <- prometheus.MustNewConstMetric(alertsDesc, prometheus.GaugeValue, 1, p.Problem, alerted)
	}
}
