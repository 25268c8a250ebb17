// Package metrics is a small, dependency-free registry of counters, gauges
// and histograms that renders the Prometheus text exposition format (0.0.4).
//
// It covers what newsmon needs (labelled counters, gauges and fixed-bucket
// histograms) and nothing more: no summaries, no exemplars, no protobuf.
// Registering a metric is one call, so a new feature adds its counters with
// reg.Counter(name, help, labels...) and updates them with Add or Inc.
// Every type is safe for concurrent use.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Registry holds metrics in registration order.
type Registry struct {
	mu      sync.Mutex
	metrics []metric
	names   map[string]bool
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{names: map[string]bool{}} }

type metric interface {
	write(w io.Writer) error
}

func (r *Registry) register(name string, m metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] {
		// Two features counting into one name is a programming error that
		// would corrupt the exposition; fail at start-up, not at scrape time.
		panic(fmt.Sprintf("metrics: %s registered twice", name))
	}
	r.names[name] = true
	r.metrics = append(r.metrics, m)
}

// WriteTo renders every metric in the text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	ms := append([]metric(nil), r.metrics...)
	r.mu.Unlock()
	cw := &countWriter{w: w}
	for _, m := range ms {
		if err := m.write(cw); err != nil {
			return cw.n, err
		}
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// family is the shared part of every metric: name, help, label names and
// one value slot per label-value combination.
type family[T any] struct {
	name, help, typ string
	labels          []string
	mu              sync.Mutex
	series          map[string]*T
	newT            func() *T
}

func newFamily[T any](name, help, typ string, labels []string, newT func() *T) *family[T] {
	return &family[T]{name: name, help: help, typ: typ, labels: labels, series: map[string]*T{}, newT: newT}
}

// get returns the series for the label values, creating it.
func (f *family[T]) get(values []string) *T {
	if len(values) != len(f.labels) {
		panic(fmt.Sprintf("metrics: %s wants %d label values, got %d", f.name, len(f.labels), len(values)))
	}
	key := labelString(f.labels, values)
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.series[key]
	if !ok {
		s = f.newT()
		f.series[key] = s
	}
	return s
}

// sorted returns the series keys in a stable order, for readable output.
func (f *family[T]) sorted() ([]string, []*T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]*T, len(keys))
	for i, k := range keys {
		vals[i] = f.series[k]
	}
	return keys, vals
}

func (f *family[T]) header(w io.Writer) error {
	_, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, helpEscaper.Replace(f.help), f.name, f.typ)
	return err
}

// value is a float64 updated under a mutex; contention is negligible at
// newsmon's rates (a few updates per source run).
type value struct {
	mu sync.Mutex
	v  float64
}

func (v *value) add(d float64) { v.mu.Lock(); v.v += d; v.mu.Unlock() }
func (v *value) set(x float64) { v.mu.Lock(); v.v = x; v.mu.Unlock() }
func (v *value) get() float64  { v.mu.Lock(); defer v.mu.Unlock(); return v.v }

// Counter is a monotonically increasing value per label combination.
type Counter struct{ f *family[value] }

// Counter registers a counter; by convention its name ends in _total.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	c := &Counter{f: newFamily(name, help, "counter", labels, func() *value { return &value{} })}
	r.register(name, c)
	return c
}

// Add adds d (which must not be negative) to the series with these label values.
func (c *Counter) Add(d float64, labelValues ...string) {
	if d < 0 {
		panic("metrics: counter " + c.f.name + " decreased")
	}
	c.f.get(labelValues).add(d)
}

// Inc adds one.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

// Value returns the current value (for tests and health checks).
func (c *Counter) Value(labelValues ...string) float64 { return c.f.get(labelValues).get() }

func (c *Counter) write(w io.Writer) error { return writeValues(w, c.f) }

// Gauge is a value that goes up and down per label combination.
type Gauge struct{ f *family[value] }

// Gauge registers a gauge.
func (r *Registry) Gauge(name, help string, labels ...string) *Gauge {
	g := &Gauge{f: newFamily(name, help, "gauge", labels, func() *value { return &value{} })}
	r.register(name, g)
	return g
}

// Set sets the series with these label values.
func (g *Gauge) Set(x float64, labelValues ...string) { g.f.get(labelValues).set(x) }

// Value returns the current value.
func (g *Gauge) Value(labelValues ...string) float64 { return g.f.get(labelValues).get() }

func (g *Gauge) write(w io.Writer) error { return writeValues(w, g.f) }

func writeValues(w io.Writer, f *family[value]) error {
	if err := f.header(w); err != nil {
		return err
	}
	keys, vals := f.sorted()
	for i, k := range keys {
		if _, err := fmt.Fprintf(w, "%s%s %s\n", f.name, braces(k), formatFloat(vals[i].get())); err != nil {
			return err
		}
	}
	return nil
}

// Histogram counts observations into fixed cumulative buckets.
type Histogram struct {
	f       *family[histSeries]
	buckets []float64
}

type histSeries struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

// Histogram registers a histogram with the given upper bounds (sorted
// ascending; +Inf is implicit).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *Histogram {
	if !sort.Float64sAreSorted(buckets) {
		panic("metrics: buckets of " + name + " are not sorted")
	}
	bs := append([]float64(nil), buckets...)
	h := &Histogram{buckets: bs, f: newFamily(name, help, "histogram", labels, func() *histSeries {
		return &histSeries{counts: make([]uint64, len(bs)+1)}
	})}
	r.register(name, h)
	return h
}

// Observe records one value in the series with these label values.
func (h *Histogram) Observe(x float64, labelValues ...string) {
	s := h.f.get(labelValues)
	i := sort.SearchFloat64s(h.buckets, x) // first bucket with bound >= x
	s.mu.Lock()
	s.counts[i]++
	s.sum += x
	s.count++
	s.mu.Unlock()
}

func (h *Histogram) write(w io.Writer) error {
	if err := h.f.header(w); err != nil {
		return err
	}
	keys, series := h.f.sorted()
	for i, k := range keys {
		s := series[i]
		s.mu.Lock()
		counts, sum, count := append([]uint64(nil), s.counts...), s.sum, s.count
		s.mu.Unlock()
		var cum uint64
		for j, c := range counts {
			cum += c
			le := "+Inf"
			if j < len(h.buckets) {
				le = formatFloat(h.buckets[j])
			}
			lbl := `le="` + le + `"`
			if k != "" {
				lbl = k + "," + lbl
			}
			if _, err := fmt.Fprintf(w, "%s_bucket{%s} %d\n", h.f.name, lbl, cum); err != nil {
				return err
			}
		}
		if _, err := fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", h.f.name, braces(k), formatFloat(sum), h.f.name, braces(k), count); err != nil {
			return err
		}
	}
	return nil
}

// labelString renders name="value" pairs, escaped, without braces.
func labelString(names, values []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(values[i]))
		b.WriteByte('"')
	}
	return b.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func braces(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

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
