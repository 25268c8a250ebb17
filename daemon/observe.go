package daemon

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/newsmon/newsmon/notify"
	"github.com/newsmon/newsmon/pipeline"
)

// newRegistry is the registry /metrics serves: newsmon's series, and the
// process (process_*: CPU, memory, open files) and Go runtime (go_*: heap,
// GC, goroutines) series every Prometheus dashboard expects.
func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	return r
}

// daemonMetrics are newsmon's own series. Names follow Prometheus
// conventions: newsmon_ prefix, _total for counters, base units.
type daemonMetrics struct {
	runs, itemsSeen, itemsNew, itemsMentions *prometheus.CounterVec
	skipped, panics, catchUps                *prometheus.CounterVec
	duration                                 *prometheus.HistogramVec
	lastSuccess, failures                    *prometheus.GaugeVec
	queued, alerts, digests                  *prometheus.CounterVec
	lastDigest                               prometheus.Gauge
}

func newDaemonMetrics(r prometheus.Registerer) *daemonMetrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		r.MustRegister(c)
		return c
	}
	gauge := func(name, help string, labels ...string) *prometheus.GaugeVec {
		g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		r.MustRegister(g)
		return g
	}
	m := &daemonMetrics{
		runs:          counter("newsmon_runs_total", "Runs of a source, by outcome (ok, not_modified, error).", "source", "status"),
		itemsSeen:     counter("newsmon_items_fetched_total", "Items a source returned.", "source"),
		itemsNew:      counter("newsmon_items_new_total", "Items stored for the first time.", "source"),
		itemsMentions: counter("newsmon_items_new_with_mentions_total", "New items naming a tracked person.", "source"),
		skipped:       counter("newsmon_runs_skipped_total", "Fires skipped because the source was still running, backing off, or taken by another worker.", "source", "reason"),
		panics:        counter("newsmon_run_panics_total", "Runs that panicked (recovered).", "source"),
		catchUps:      counter("newsmon_catch_up_runs_total", "Runs started at once because the source missed a run.", "source"),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "newsmon_run_duration_seconds",
			Help:    "How long a run of a source took.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}}, []string{"source"}),
		lastSuccess: gauge("newsmon_source_last_success_timestamp_seconds", "Unix time of the source's last successful run.", "source"),
		failures:    gauge("newsmon_source_consecutive_failures", "Failed runs of the source since its last success.", "source"),
		queued:      counter("newsmon_alerts_queued_total", "Alerts queued (item and source health), by channel.", "channel"),
		alerts: counter("newsmon_alerts_delivered_total",
			"Alert deliveries by outcome: sent, retry (failed, will retry), failed (gave up), unknown (interrupted).", "channel", "outcome"),
		digests: counter("newsmon_digests_total", "Digest attempts by outcome: sent, failed, skipped.", "outcome"),
		lastDigest: prometheus.NewGauge(prometheus.GaugeOpts{Name: "newsmon_digest_last_success_timestamp_seconds",
			Help: "Unix time of the last digest sent."}),
	}
	r.MustRegister(m.duration, m.lastDigest)
	// Outcomes known in advance are shown at zero before the first
	// digest, so that a rate() over them is defined from the start.
	for _, o := range []string{notify.OutcomeSent, notify.OutcomeFailed, notify.OutcomeSkipped} {
		m.digests.WithLabelValues(o)
	}
	return m
}

func (m *daemonMetrics) observe(source, status string, sum pipeline.Summary, now time.Time) {
	m.runs.WithLabelValues(source, status).Inc()
	m.itemsSeen.WithLabelValues(source).Add(float64(sum.Seen))
	m.itemsNew.WithLabelValues(source).Add(float64(sum.New))
	m.itemsMentions.WithLabelValues(source).Add(float64(sum.NewWithMentions))
	m.duration.WithLabelValues(source).Observe(sum.Duration.Seconds())
	if sum.Err == nil {
		m.lastSuccess.WithLabelValues(source).Set(float64(now.Unix()))
	}
}

// delivered is the outbox's notify.OutboxConfig.Observe.
func (m *daemonMetrics) delivered(channel, outcome string, n int) {
	m.alerts.WithLabelValues(channel, outcome).Add(float64(n))
}

// digest is the digest job's notify.DigestConfig.Observe.
func (m *daemonMetrics) digest(outcome string, at time.Time) {
	m.digests.WithLabelValues(outcome).Inc()
	if outcome == notify.OutcomeSent {
		m.lastDigest.Set(float64(at.Unix()))
	}
}

// initMetrics seeds the per-source gauges from the database, so that a
// freshly restarted daemon reports what it already knows.
func (d *Daemon) initMetrics(ctx context.Context) error {
	scheds, err := d.store.Schedules(ctx)
	if err != nil {
		return fmt.Errorf("start daemon: %w", err)
	}
	for name, s := range scheds {
		if !s.LastSuccess.IsZero() {
			d.m.lastSuccess.WithLabelValues(name).Set(float64(s.LastSuccess.Unix()))
		}
		d.m.failures.WithLabelValues(name).Set(float64(s.ConsecutiveFailures))
	}
	return nil
}

// healthTimeout bounds the database check of /healthz.
const healthTimeout = 2 * time.Second

// Handler serves /healthz (200 only while the scheduler runs and the
// database answers) and /metrics (Prometheus exposition formats).
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !d.alive.Load() {
			http.Error(w, "scheduler not running", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
		defer cancel()
		if err := d.store.Ping(ctx); err != nil {
			http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{
		ErrorLog: slogPrinter{d}, ErrorHandling: promhttp.ContinueOnError}))
	return mux
}

// slogPrinter hands promhttp's errors (a collector that failed) to the
// daemon's logger.
type slogPrinter struct{ d *Daemon }

func (p slogPrinter) Println(v ...any) { p.d.log.Warn("metrics", "err", fmt.Sprint(v...)) }
