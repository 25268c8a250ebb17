package metrics

import (
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	runs := r.Counter("newsmon_runs_total", "Runs of a source.", "source", "status")
	last := r.Gauge("newsmon_last_success_timestamp_seconds", "Last success.", "source")
	up := r.Gauge("newsmon_up", "Always 1.")
	dur := r.Histogram("newsmon_run_duration_seconds", "Run time.", []float64{0.5, 2}, "source")

	runs.Inc("b", "ok")
	runs.Add(2, "a", "error")
	runs.Inc(`we"ird`+"\n", "ok")
	last.Set(1.7e9, "a")
	up.Set(1)
	dur.Observe(0.1, "a")
	dur.Observe(0.5, "a") // on a bound: counts in that bucket
	dur.Observe(3, "a")

	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP newsmon_runs_total Runs of a source.
# TYPE newsmon_runs_total counter
newsmon_runs_total{source="a",status="error"} 2
newsmon_runs_total{source="b",status="ok"} 1
newsmon_runs_total{source="we\"ird\n",status="ok"} 1
# HELP newsmon_last_success_timestamp_seconds Last success.
# TYPE newsmon_last_success_timestamp_seconds gauge
newsmon_last_success_timestamp_seconds{source="a"} 1.7e+09
# HELP newsmon_up Always 1.
# TYPE newsmon_up gauge
newsmon_up 1
# HELP newsmon_run_duration_seconds Run time.
# TYPE newsmon_run_duration_seconds histogram
newsmon_run_duration_seconds_bucket{source="a",le="0.5"} 2
newsmon_run_duration_seconds_bucket{source="a",le="2"} 2
newsmon_run_duration_seconds_bucket{source="a",le="+Inf"} 3
newsmon_run_duration_seconds_sum{source="a"} 3.6
newsmon_run_duration_seconds_count{source="a"} 3
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	if got := runs.Value("a", "error"); got != 2 {
		t.Errorf("Value = %v, want 2", got)
	}
}

func TestMisuse(t *testing.T) {
	for name, f := range map[string]func(r *Registry){
		"twice":          func(r *Registry) { r.Counter("x_total", ""); r.Gauge("x_total", "") },
		"label count":    func(r *Registry) { r.Counter("x_total", "", "source").Inc() },
		"negative":       func(r *Registry) { r.Counter("x_total", "").Add(-1) },
		"unsorted bucks": func(r *Registry) { r.Histogram("h", "", []float64{2, 1}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f(NewRegistry())
		})
	}
}
