package daemon

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/robfig/cron/v3"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/internal/dbtest"
	"github.com/newsmon/newsmon/internal/sqltest"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// feedServer serves testdata/feed.rss under several behaviours and counts
// requests per path.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	hits     map[string]int
	inFlight map[string]int
	maxIn    map[string]int
}

func newFeedServer(t *testing.T, slow time.Duration, flakyFailures int) *feedServer {
	t.Helper()
	body, err := os.ReadFile("testdata/feed.rss")
	if err != nil {
		t.Fatal(err)
	}
	fs := &feedServer{hits: map[string]int{}, inFlight: map[string]int{}, maxIn: map[string]int{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.hits[r.URL.Path]++
		n := fs.hits[r.URL.Path]
		fs.inFlight[r.URL.Path]++
		fs.maxIn[r.URL.Path] = max(fs.maxIn[r.URL.Path], fs.inFlight[r.URL.Path])
		fs.mu.Unlock()
		defer func() { fs.mu.Lock(); fs.inFlight[r.URL.Path]--; fs.mu.Unlock() }()
		switch r.URL.Path {
		case "/slow.rss":
			select {
			case <-time.After(slow):
			case <-r.Context().Done():
				return
			}
		case "/flaky.rss":
			if n <= flakyFailures {
				http.Error(w, "try later", http.StatusInternalServerError)
				return
			}
		case "/limited.rss":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) count(path string) (hits, maxInFlight int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[path], fs.maxIn[path]
}

// setup parses a config for the server, opens a store and builds the daemon.
func setup(t *testing.T, srvURL, daemonYAML, sources string, runner func(*pipeline.Pipeline) Runner) (*Daemon, *store.Store, string) {
	t.Helper()
	dbPath := dbtest.New(t)
	yaml := "database: " + dbPath + `
fetch: {user_agent: newsmon-test, timeout: 5s, concurrency: 4, allow_private_addresses: true}
daemon:
` + daemonYAML + `
tracked:
  - name: Ali Aarrass
sources:
` + strings.ReplaceAll(sources, "SRV", srvURL)
	cfg, err := config.Parse(strings.NewReader(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// The sources' rows exist before Run, as the tests write to them.
	if err := st.SyncSources(ctx, sourceDefs(cfg)); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg, st, log, Options{Listener: ln, WrapRunner: runner})
	if err != nil {
		t.Fatal(err)
	}
	return d, st, "http://" + ln.Addr().String()
}

// start runs d until the returned stop is called; stop returns how long
// Run took to return.
func start(t *testing.T, d *Daemon) (stop func() time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	var once sync.Once
	var took time.Duration
	stop = func() time.Duration {
		once.Do(func() {
			t0 := time.Now()
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return")
			}
			took = time.Since(t0)
		})
		return took
	}
	t.Cleanup(func() { stop() })
	return stop
}

func sourceDefs(cfg config.Config) []store.SourceDef {
	var defs []store.SourceDef
	for _, s := range cfg.Sources {
		defs = append(defs, store.SourceDef{Name: s.Name, Type: s.Type, URL: s.URL})
	}
	return defs
}

// value reads a counter's or gauge's current value.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if c := out.GetCounter(); c != nil {
		return c.GetValue()
	}
	return out.GetGauge().GetValue()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func queryString(t *testing.T, st *store.Store, q string) string {
	t.Helper()
	rows := sqltest.Rows(t, st.Path(), q)
	for i, r := range rows {
		if r == "<nil>" {
			rows[i] = "NULL"
		}
	}
	return strings.Join(rows, ",")
}

// panicky panics on the source named boom and runs the others.
type panicky struct{ Runner }

func (p panicky) RunSource(ctx context.Context, src config.Source) pipeline.Summary {
	if src.Name == "boom" {
		panic("boom goes the parser")
	}
	return p.Runner.RunSource(ctx, src)
}

func TestSchedulingSkippingBackoffAndPanics(t *testing.T) {
	srv := newFeedServer(t, 2500*time.Millisecond, 2)
	d, st, base := setup(t, srv.URL, "  jitter: 0s\n  max_backoff: 10s\n", `  - {name: fast, type: feed, url: SRV/fast.rss, schedule: "@every 1s", full_text: false}
  - {name: slow, type: feed, url: SRV/slow.rss, schedule: "@every 1s", full_text: false}
  - {name: flaky, type: feed, url: SRV/flaky.rss, schedule: "@every 1s", full_text: false}
  - {name: boom, type: feed, url: SRV/boom.rss, schedule: "@every 1s", full_text: false}
  - {name: off, type: feed, url: SRV/off.rss, enabled: false}
`, func(p *pipeline.Pipeline) Runner { return panicky{p} })
	stop := start(t, d)

	waitFor(t, "healthz", func() bool { code, _ := get(t, base+"/healthz"); return code == 200 })
	// flaky fails twice (catch-up at start, then the next fire), is left
	// alone for a fire, then recovers.
	waitFor(t, "flaky to recover", func() bool {
		return queryString(t, st, `SELECT count(*) FROM fetch_runs WHERE source = 'flaky' AND status = 'ok'`) == "1"
	})
	waitFor(t, "a second fire skipped for slow", func() bool { return value(t, d.m.skipped.WithLabelValues("slow", "running")) >= 2 })
	stop()

	if hits, _ := srv.count("/fast.rss"); hits < 3 {
		t.Errorf("fast ran %d times, want at least 3", hits)
	}
	if _, maxIn := srv.count("/slow.rss"); maxIn != 1 {
		t.Errorf("slow had %d runs at once, want 1", maxIn)
	}
	if hits, _ := srv.count("/off.rss"); hits != 0 {
		t.Errorf("disabled source ran %d times", hits)
	}
	if got := queryString(t, st, `SELECT status FROM fetch_runs WHERE source = 'flaky' ORDER BY id LIMIT 3`); got != "error,error,ok" {
		t.Errorf("flaky runs = %s, want error,error,ok", got)
	}
	if value(t, d.m.skipped.WithLabelValues("flaky", "backoff")) < 1 {
		t.Error("flaky never skipped a fire while backing off")
	}
	if got := queryString(t, st, `SELECT consecutive_failures, backoff_until, next_run_at IS NOT NULL FROM sources WHERE name = 'flaky'`); got != "0|<nil>|1" {
		t.Errorf("flaky health after recovery = %s, want 0|NULL|1", got)
	}
	if n := value(t, d.m.panics.WithLabelValues("boom")); n < 2 {
		t.Errorf("boom panics counted %v, want the daemon to survive at least 2", n)
	}
	if got := queryString(t, st, `SELECT count(*) FROM items`); got != "2" {
		t.Errorf("items = %s, want the feed's 2 stored once", got)
	}

	// The metrics were served while running; check the last state through
	// the handler (the listener is closed now).
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`newsmon_runs_total{source="fast",status="ok"} `,
		`newsmon_runs_total{source="flaky",status="error"} 2`,
		`newsmon_items_new_total{source="fast"} 2`,
		`newsmon_items_new_with_mentions_total{source="fast"} 1`,
		`newsmon_run_duration_seconds_count{source="fast"} `,
		`newsmon_source_consecutive_failures{source="flaky"} 0`,
		`newsmon_source_last_success_timestamp_seconds{source="fast"} `,
		`newsmon_runs_skipped_total{reason="running",source="slow"} `,
		`newsmon_run_panics_total{source="boom"} `,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	rec = httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz after stop = %d, want 503", rec.Code)
	}
}

func TestShutdownCancelsAfterGrace(t *testing.T) {
	srv := newFeedServer(t, time.Minute, 0)
	d, st, _ := setup(t, srv.URL, "  jitter: 0s\n  shutdown_grace: 300ms\n",
		"  - {name: slow, type: feed, url: SRV/slow.rss, schedule: \"@hourly\", full_text: false}\n", nil)
	stop := start(t, d)
	waitFor(t, "the catch-up run to start", func() bool { h, _ := srv.count("/slow.rss"); return h == 1 })
	took := stop()
	if took < 250*time.Millisecond || took > 3*time.Second {
		t.Errorf("shutdown took %v, want about the 300ms grace", took)
	}
	// The cut-off run is recorded, but is not the source's fault: no backoff.
	if got := queryString(t, st, `SELECT status FROM fetch_runs WHERE source = 'slow'`); got != "error" {
		t.Errorf("runs = %s, want one error row", got)
	}
	if got := queryString(t, st, `SELECT backoff_until FROM sources WHERE name = 'slow'`); got != "NULL" {
		t.Errorf("backoff_until = %s after a shutdown-cancelled run", got)
	}
}

func TestCatchUpAndPersistentBackoff(t *testing.T) {
	srv := newFeedServer(t, 0, 0)
	d, st, _ := setup(t, srv.URL, "  jitter: 0s\n", `  - {name: fresh, type: feed, url: SRV/fresh.rss, schedule: "@hourly", full_text: false}
  - {name: stale, type: feed, url: SRV/stale.rss, schedule: "@hourly", full_text: false}
  - {name: held, type: feed, url: SRV/held.rss, schedule: "@hourly", full_text: false}
  - {name: limited, type: feed, url: SRV/limited.rss, schedule: "@every 1s", full_text: false}
`, nil)
	ctx := context.Background()
	now := time.Now().UTC()
	for name, lastOK := range map[string]time.Time{"fresh": now.Add(-time.Minute), "stale": now.Add(-3 * time.Hour)} {
		sqltest.Exec(t, st.Path(), `UPDATE sources SET last_success_at = ? WHERE name = ?`, lastOK.Format("2006-01-02T15:04:05Z"), name)
	}
	// A backoff recorded by an earlier daemon holds across the restart.
	if err := st.SetBackoff(ctx, "held", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	stop := start(t, d)
	waitFor(t, "stale to catch up", func() bool { h, _ := srv.count("/stale.rss"); return h == 1 })
	waitFor(t, "limited to be refused", func() bool { h, _ := srv.count("/limited.rss"); return h == 1 })
	time.Sleep(1500 * time.Millisecond) // a second of @every 1s fires
	stop()
	for path, want := range map[string]int{"/fresh.rss": 0, "/stale.rss": 1, "/held.rss": 0, "/limited.rss": 1} {
		if h, _ := srv.count(path); h != want {
			t.Errorf("%s fetched %d times, want %d", path, h, want)
		}
	}
	// Retry-After: 3600 holds the source back an hour, though its schedule
	// is every second and it failed only once.
	sch, err := st.SourceSchedule(ctx, "limited")
	if err != nil {
		t.Fatal(err)
	}
	if until := time.Until(sch.BackoffUntil); until < 59*time.Minute || until > 61*time.Minute {
		t.Errorf("limited backs off %v, want the server's hour", until)
	}
	if sch.NextRun.Before(sch.BackoffUntil) {
		t.Errorf("next run %v before backoff end %v", sch.NextRun, sch.BackoffUntil)
	}
}

// TestRunsKeepSearchIndexCurrent checks the indexer: items stored before the
// daemon starts (by a one-shot fetch) are indexed at start, and items a
// scheduled run stores become searchable without anyone calling search.
func TestRunsKeepSearchIndexCurrent(t *testing.T) {
	srv := newFeedServer(t, 0, 0)
	d, st, _ := setup(t, srv.URL, "  jitter: 0s\n", `  - {name: fast, type: feed, url: SRV/fast.rss, schedule: "@every 1h", full_text: false}
`, nil)
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if _, err := st.SaveRun(ctx, store.Run{Source: "fast", StartedAt: at, FinishedAt: at, Status: store.StatusNotModified,
		Items: []store.Item{{GUID: "earlier", Title: "Harbour reopens", Text: "Ferries sail again.", ContentHash: "e"}}}); err != nil {
		t.Fatal(err)
	}
	stop := start(t, d)
	defer stop()
	// The catch-up run of "fast" at start stores the fixture feed.
	// The run's items first, then the queue: read the other way round, the
	// run could commit between the two reads and its items pass unindexed.
	waitFor(t, "every stored item indexed", func() bool {
		if queryString(t, st, `SELECT count(*) > 1 FROM items`) != "1" {
			return false
		}
		n, err := st.PendingIndex(ctx)
		return err == nil && n == 0
	})
	for _, match := range []string{"ferries", "Aarrass"} {
		hits, err := st.Search(ctx, store.SearchQuery{Match: match})
		if err != nil || len(hits) == 0 {
			t.Errorf("search %s after the daemon ran: %d hits, %v", match, len(hits), err)
		}
	}
}

// A reload is all or nothing: a config whose smtp settings do not work
// changes nothing (the new source does not run), and a good one changes
// the sources and the tasks together.
func TestReloadIsAtomic(t *testing.T) {
	srv := newFeedServer(t, 0, 0)
	d, st, _ := setup(t, srv.URL, "  jitter: 0s\n", "  - {name: a, type: feed, url: SRV/a.rss, schedule: \"@hourly\", full_text: false}\n", nil)
	if err := d.Reload(context.Background(), config.Config{}); err != ErrNotRunning {
		t.Errorf("Reload before Run = %v, want ErrNotRunning", err)
	}
	start(t, d)
	waitFor(t, "a to run", func() bool { h, _ := srv.count("/a.rss"); return h == 1 })
	keys := func() string {
		d.mu.Lock()
		defer d.mu.Unlock()
		var ks []string
		for k := range d.entries {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return strings.Join(ks, ",")
	}
	if got := keys(); got != "source a,task health check" {
		t.Fatalf("cron entries at start: %s", got)
	}

	withB := func(smtp string) config.Config {
		cfg, err := config.Parse(strings.NewReader(`database: `+st.Path()+`
tracked: [{name: Ali Aarrass}]
daemon: {jitter: 0s}
fetch: {allow_private_addresses: true}
`+smtp+`
digest: {to: [team@ngo.example], schedule: "0 7 * * *"}
sources:
  - {name: a, type: feed, url: `+srv.URL+`/a.rss, schedule: "@hourly", full_text: false}
  - {name: b, type: feed, url: `+srv.URL+`/b.rss, schedule: "@every 1s", full_text: false}
`), "new.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	bad := withB(`smtp: {host: 127.0.0.1, port: 2525, security: none, from: "n <n@x.example>", username: u, password_env: NEWSMON_TEST_UNSET}`)
	if err := d.Reload(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "NEWSMON_TEST_UNSET") {
		t.Fatalf("Reload with a password that is not set = %v, want the reason", err)
	}
	if got := keys(); got != "source a,task health check" || d.current().cfg.Digest.To != nil {
		t.Errorf("a refused reload changed the plan: entries %s, digest to %v", got, d.current().cfg.Digest.To)
	}
	good := withB(`smtp: {host: 127.0.0.1, port: 2525, security: none, from: "n <n@x.example>"}`)
	if err := d.Reload(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	if got := keys(); got != "source a,source b,task digest,task health check" {
		t.Errorf("cron entries after reload: %s", got)
	}
	waitFor(t, "b to run after reload", func() bool { h, _ := srv.count("/b.rss"); return h >= 1 })
	if h, _ := srv.count("/a.rss"); h != 1 {
		t.Errorf("a ran %d times; a reload must not re-run a source that is up to date", h)
	}
}

// A task never runs twice at once: a fire while it runs is skipped.
func TestTaskDoesNotOverlap(t *testing.T) {
	srv := newFeedServer(t, 0, 0)
	d, _, _ := setup(t, srv.URL, "  jitter: 0s\n", "  - {name: a, type: feed, url: SRV/a.rss, schedule: \"@hourly\", full_text: false}\n", nil)
	release := make(chan struct{})
	var runs atomic.Int32
	d.plan.tasks["slow"] = task{sched: cron.Every(time.Second), run: func(ctx context.Context) error {
		runs.Add(1)
		<-release
		return nil
	}}
	first := make(chan struct{})
	go func() { defer close(first); d.fireTask(context.Background(), "slow") }()
	waitFor(t, "the first run", func() bool { return runs.Load() == 1 })
	d.fireTask(context.Background(), "slow") // returns at once: skipped
	close(release)
	<-first
	// The next slot: on PostgreSQL a second fire of the same one is
	// another worker's, or a repeat, and does not run.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	d.fireTask(context.Background(), "slow")
	if n := runs.Load(); n != 2 {
		t.Errorf("task ran %d times, want 2 (the overlapping fire skipped)", n)
	}
}

// A task that panics gives its slot back: on PostgreSQL a lease left held
// would be extended by this worker's heartbeats, and no later slot of the
// task would ever be claimed again, on any worker.
func TestPanickingTaskFinishesItsLease(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("PostgreSQL only: on SQLite every claim succeeds (NEWSMON_TEST_BACKEND=postgres)")
	}
	srv := newFeedServer(t, 0, 0)
	d, st, _ := setup(t, srv.URL, "", `  - {name: fast, type: feed, url: SRV/fast.rss, full_text: false}
`, nil)
	ctx := context.Background()
	slot := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)
	boom := task{run: func(context.Context) error { panic("the digest's template") }}
	d.begin(taskKey("digest"))
	d.runTask(ctx, "digest", boom, slot)
	next := slot.Add(24 * time.Hour)
	if got, err := st.Claim(ctx, taskKey("digest"), next, time.Minute); err != nil || !got {
		t.Errorf("claim of the next digest slot after a panic: %v %v, want it free", got, err)
	}
}
