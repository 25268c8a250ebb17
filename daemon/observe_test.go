package daemon

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// scrape fetches /metrics as Prometheus does and parses it with the
// reference exposition parser, by family name.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	dec := expfmt.NewDecoder(resp.Body, expfmt.ResponseFormat(resp.Header))
	out := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("parse /metrics: %v", err)
		}
		out[mf.GetName()] = &mf
	}
}

// sample finds the series of a family with the given label values.
func sample(mf *dto.MetricFamily, labels map[string]string) *dto.Metric {
	if mf == nil {
		return nil
	}
next:
	for _, m := range mf.GetMetric() {
		for _, lp := range m.GetLabel() {
			if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
				continue next
			}
		}
		return m
	}
	return nil
}

// /metrics parses as the Prometheus text format, keeps newsmon's series
// under their names and types, and adds the process and Go runtime series.
func TestMetricsExposition(t *testing.T) {
	srv := newFeedServer(t, 0, 0)
	d, _, base := setup(t, srv.URL, "  jitter: 0s\n", `  - {name: fast, type: feed, url: SRV/fast.rss, schedule: "@hourly", full_text: false}
  - {name: "odd \"name\"", type: feed, url: SRV/odd.rss, schedule: "@hourly", full_text: false}
`, nil)
	start(t, d)
	waitFor(t, "both catch-up runs counted", func() bool {
		return value(t, d.m.runs.WithLabelValues("fast", "ok")) == 1 && value(t, d.m.runs.WithLabelValues(`odd "name"`, "ok")) == 1
	})
	fams := scrape(t, base+"/metrics")
	for name, typ := range map[string]dto.MetricType{
		"newsmon_runs_total":                            dto.MetricType_COUNTER,
		"newsmon_items_new_total":                       dto.MetricType_COUNTER,
		"newsmon_run_duration_seconds":                  dto.MetricType_HISTOGRAM,
		"newsmon_source_last_success_timestamp_seconds": dto.MetricType_GAUGE,
		"newsmon_catch_up_runs_total":                   dto.MetricType_COUNTER,
		"newsmon_digests_total":                         dto.MetricType_COUNTER,
		"newsmon_digest_last_success_timestamp_seconds": dto.MetricType_GAUGE,
		"process_resident_memory_bytes":                 dto.MetricType_GAUGE,
		"process_open_fds":                              dto.MetricType_GAUGE,
		"process_cpu_seconds_total":                     dto.MetricType_COUNTER,
		"go_goroutines":                                 dto.MetricType_GAUGE,
		"go_memstats_heap_alloc_bytes":                  dto.MetricType_GAUGE,
		"go_gc_duration_seconds":                        dto.MetricType_SUMMARY,
	} {
		mf := fams[name]
		switch {
		case mf == nil:
			t.Errorf("/metrics lacks %s", name)
		case mf.GetType() != typ:
			t.Errorf("%s is a %v, want %v", name, mf.GetType(), typ)
		case !strings.HasPrefix(name, "process_") && !strings.HasPrefix(name, "go_") && mf.GetHelp() == "":
			t.Errorf("%s has no help text", name)
		}
	}
	if m := sample(fams["newsmon_runs_total"], map[string]string{"source": `odd "name"`, "status": "ok"}); m.GetCounter().GetValue() != 1 {
		t.Errorf("runs of the source with quotes in its name: %v", m)
	}
	if m := sample(fams["newsmon_items_fetched_total"], map[string]string{"source": "fast"}); m.GetCounter().GetValue() != 2 {
		t.Errorf("items fetched by fast: %v, want the feed's 2", m)
	}
	h := sample(fams["newsmon_run_duration_seconds"], map[string]string{"source": "fast"}).GetHistogram()
	if h.GetSampleCount() != 1 || len(h.GetBucket()) != 12 || h.GetBucket()[11].GetCumulativeCount() != 1 {
		t.Errorf("run duration histogram: %v, want one run in 11 buckets and +Inf", h)
	}
	if fds := fams["process_open_fds"].GetMetric()[0].GetGauge().GetValue(); fds < 3 {
		t.Errorf("process_open_fds = %v", fds)
	}
}
