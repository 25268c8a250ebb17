package daemon

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/newsmon/newsmon/daemon/metrics"
	"github.com/newsmon/newsmon/pipeline"
)

// daemonMetrics are the series the scheduler keeps. Names follow Prometheus
// conventions: newsmon_ prefix, _total for counters, base units.
type daemonMetrics struct {
	runs, itemsSeen, itemsNew, itemsMentions *metrics.Counter
	skipped, panics, catchUps                *metrics.Counter
	duration                                 *metrics.Histogram
	lastSuccess, failures                    *metrics.Gauge
}

func newDaemonMetrics(r *metrics.Registry) *daemonMetrics {
	return &daemonMetrics{
		runs:          r.Counter("newsmon_runs_total", "Runs of a source, by outcome (ok, not_modified, error).", "source", "status"),
		itemsSeen:     r.Counter("newsmon_items_fetched_total", "Items a source returned.", "source"),
		itemsNew:      r.Counter("newsmon_items_new_total", "Items stored for the first time.", "source"),
		itemsMentions: r.Counter("newsmon_items_new_with_mentions_total", "New items naming a tracked person.", "source"),
		skipped:       r.Counter("newsmon_runs_skipped_total", "Fires skipped because the source was still running or backing off.", "source", "reason"),
		panics:        r.Counter("newsmon_run_panics_total", "Runs that panicked (recovered).", "source"),
		catchUps:      r.Counter("newsmon_catch_up_runs_total", "Runs started at once because the source missed a run.", "source"),
		duration: r.Histogram("newsmon_run_duration_seconds", "How long a run of a source took.",
			[]float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}, "source"),
		lastSuccess: r.Gauge("newsmon_source_last_success_timestamp_seconds", "Unix time of the source's last successful run.", "source"),
		failures:    r.Gauge("newsmon_source_consecutive_failures", "Failed runs of the source since its last success.", "source"),
	}
}

func (m *daemonMetrics) observe(source, status string, sum pipeline.Summary, now time.Time) {
	m.runs.Inc(source, status)
	m.itemsSeen.Add(float64(sum.Seen), source)
	m.itemsNew.Add(float64(sum.New), source)
	m.itemsMentions.Add(float64(sum.NewWithMentions), source)
	m.duration.Observe(sum.Duration.Seconds(), source)
	if sum.Err == nil {
		m.lastSuccess.Set(float64(now.Unix()), source)
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
			d.m.lastSuccess.Set(float64(s.LastSuccess.Unix()), name)
		}
		d.m.failures.Set(float64(s.ConsecutiveFailures), name)
	}
	return nil
}

// healthTimeout bounds the database check of /healthz.
const healthTimeout = 2 * time.Second

// Handler serves /healthz (200 only while the scheduler runs and the
// database answers) and /metrics (Prometheus text format).
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
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if _, err := d.reg.WriteTo(w); err != nil {
			d.log.Debug("write metrics", "err", err)
		}
	})
	return mux
}
