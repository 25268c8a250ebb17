// Command scalebench measures `newsmon run` workers sharing one PostgreSQL
// database: how many items per second 1, 2 and 4 workers store from 10,000
// local feeds, what one run and one item cost in CPU, and which share of
// that CPU is the database's.
//
//	eval "$(.ci/pgcluster start)"
//	go run ./tools/scalebench [-feeds 10000] [-items 10] [-workers 1,2,4] [-runs 3]
//	                          [-concurrency 16] [-db URL] [-json]
//	.ci/pgcluster stop
//
// Each measurement has two rounds on a new schema of the database
// newsmon_scalebench of the cluster -db names (default
// $NEWSMON_TEST_POSTGRES): "cold", every feed new (the workers' catch-up at
// start runs all sources at once, as a schedule's slot does), and "warm",
// the same feeds again with nothing new (the server ignores conditional
// GET, so every feed is fetched and parsed in full: the costly case of an
// unchanged feed). A round ends when every source has run and the search
// index has caught up; the workers are then stopped.
//
// CPU is measured, not estimated: the workers' from their rusage, the
// database's from /proc (the postmaster's children, live and ended), so the
// cluster must run on this machine and serve nothing else meanwhile. The
// tool does not touch the internet.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/newsmon/newsmon/internal/benchfeed"
	"github.com/newsmon/newsmon/store"
)

type options struct {
	feeds, items, concurrency, runs int
	workers                         []int
	cluster, bin                    string
	jsonOut                         bool
}

// measurement is one round of one run.
type measurement struct {
	Workers   int     `json:"workers"`
	Round     string  `json:"round"` // cold or warm
	Run       int     `json:"run"`
	Runs      int     `json:"source_runs"`
	Items     int     `json:"items_stored"`
	WallS     float64 `json:"wall_s"`
	WorkerCPU float64 `json:"worker_cpu_s"`
	DBCPU     float64 `json:"db_cpu_s"`
	DBBytes   int64   `json:"db_bytes"`
}

func main() {
	var o options
	var workers string
	flag.IntVar(&o.feeds, "feeds", 10000, "local feeds (sources)")
	flag.IntVar(&o.items, "items", 10, "items per feed")
	flag.StringVar(&workers, "workers", "1,2,4", "worker counts to measure, comma-separated")
	flag.IntVar(&o.runs, "runs", 3, "measurements per worker count")
	flag.IntVar(&o.concurrency, "concurrency", 16, "fetch.concurrency of each worker")
	flag.StringVar(&o.cluster, "db", os.Getenv("NEWSMON_TEST_POSTGRES"), "URL of the PostgreSQL cluster (password in PGPASSWORD)")
	flag.StringVar(&o.bin, "newsmon", "", "newsmon binary (default: built from ./cmd/newsmon)")
	flag.BoolVar(&o.jsonOut, "json", false, "print the measurements as JSON")
	flag.Parse()
	for _, w := range strings.Split(workers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "scalebench: -workers: %q is not a count\n", w)
			os.Exit(2)
		}
		o.workers = append(o.workers, n)
	}
	if o.runs < 1 || o.feeds < 1 || o.items < 1 {
		fmt.Fprintln(os.Stderr, "scalebench: -runs, -feeds and -items must be at least 1")
		os.Exit(2)
	}
	if o.cluster == "" {
		fmt.Fprintln(os.Stderr, "scalebench: -db or NEWSMON_TEST_POSTGRES: the URL of a PostgreSQL cluster (.ci/pgcluster start starts one)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout, progress io.Writer) error {
	dir, err := os.MkdirTemp("", "scalebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if o.bin == "" {
		o.bin = filepath.Join(dir, "newsmon")
		build := exec.CommandContext(ctx, "go", "build", "-o", o.bin, "./cmd/newsmon")
		build.Stdout, build.Stderr = progress, progress
		if err := build.Run(); err != nil {
			return fmt.Errorf("build newsmon: %w", err)
		}
	}
	srv, err := newServer(o.feeds, o.items)
	if err != nil {
		return err
	}
	defer srv.close()
	bench, err := openBenchDB(ctx, o.cluster)
	if err != nil {
		return err
	}
	defer bench.close()
	fmt.Fprintf(progress, "%d feeds of %d items (%.0f MB), workers %v, %d runs each, on %d CPUs\n",
		o.feeds, o.items, float64(srv.bytes)/(1<<20), o.workers, o.runs, runtime.NumCPU())
	var all []measurement
	for run := 1; run <= o.runs; run++ {
		for _, w := range o.workers {
			ms, err := measure(ctx, o, bench, srv, dir, w, run)
			if err != nil {
				return fmt.Errorf("%d workers, run %d: %w", w, run, err)
			}
			for _, m := range ms {
				fmt.Fprintf(progress, "%d workers run %d %s: %d runs, %d items in %.1f s; CPU workers %.1f s, database %.1f s\n",
					m.Workers, m.Run, m.Round, m.Runs, m.Items, m.WallS, m.WorkerCPU, m.DBCPU)
			}
			all = append(all, ms...)
		}
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	printSummary(stdout, o, all)
	return nil
}

// measure runs the cold and the warm round with w workers on a new schema.
func measure(ctx context.Context, o options, bench *benchDB, srv *server, dir string, w, run int) ([]measurement, error) {
	url, drop, err := bench.newSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	// Migrated once, before the workers: a round measures runs, not setup.
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	st.Close()
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	cfg, err := writeConfig(dir, url, srv, o)
	if err != nil {
		return nil, err
	}
	var out []measurement
	for _, round := range []string{"cold", "warm"} {
		if round == "warm" {
			// Every source due again: its last success an interval back,
			// and the slot it ran forgotten (a slot runs once).
			for _, q := range []string{`UPDATE sources SET last_success_at = last_success_at - interval '25 hours'`, `DELETE FROM leases`} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					return nil, err
				}
			}
		}
		m, err := measureRound(ctx, o, bench, db, cfg, w)
		if err != nil {
			return nil, fmt.Errorf("%s round: %w", round, err)
		}
		m.Round, m.Run = round, run
		out = append(out, m)
	}
	return out, nil
}

// measureRound starts w workers, waits until every source has run once
// more and the search index has caught up, stops them, and measures.
func measureRound(ctx context.Context, o options, bench *benchDB, db *sql.DB, cfg string, w int) (measurement, error) {
	m := measurement{Workers: w}
	var itemsBefore, lastRun int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM items), (SELECT coalesce(max(id), 0) FROM fetch_runs)`).Scan(&itemsBefore, &lastRun); err != nil {
		return m, err
	}
	dbBefore, err := bench.cpu(ctx)
	if err != nil {
		return m, err
	}
	start := time.Now()
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			if p.ProcessState == nil {
				p.Process.Kill()
				p.Wait()
			}
		}
	}()
	for range w {
		p := exec.Command(o.bin, "run", "--config", cfg, "--quiet")
		p.Stderr = os.Stderr
		p.Env = append(os.Environ(), "NEWSMON_CONFIG=")
		if err := p.Start(); err != nil {
			return m, err
		}
		procs = append(procs, p)
	}
	progressed, last := time.Now(), -1
	for {
		var runs, sources, queued int
		if err := db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT source), (SELECT count(*) FROM search_queue)
			FROM fetch_runs WHERE id > $1`, lastRun).Scan(&runs, &sources, &queued); err != nil {
			return m, err
		}
		if sources >= o.feeds && queued == 0 {
			m.Runs = runs
			break
		}
		if runs+queued != last {
			progressed, last = time.Now(), runs+queued
		}
		if time.Since(progressed) > time.Minute || ctx.Err() != nil {
			return m, fmt.Errorf("gave up: %d of %d sources run, %d items awaiting the index, no progress for a minute", sources, o.feeds, queued)
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.WallS = time.Since(start).Seconds()
	for _, p := range procs {
		p.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			return m, fmt.Errorf("worker: %w", err)
		}
		ru := p.ProcessState.SysUsage().(*syscall.Rusage)
		m.WorkerCPU += time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	dbAfter, err := bench.cpu(ctx)
	if err != nil {
		return m, err
	}
	m.DBCPU = (dbAfter - dbBefore).Seconds()
	var items int
	if err := db.QueryRowContext(ctx, `SELECT count(*), pg_database_size(current_database()) FROM items`).Scan(&items, &m.DBBytes); err != nil {
		return m, err
	}
	m.Items = items - itemsBefore
	return m, nil
}

func writeConfig(dir, url string, srv *server, o options) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `database: %s
postgres: {lease: 1m}
log: {level: error}
fetch: {user_agent: newsmon-scalebench, timeout: 30s, concurrency: %d, allow_private_addresses: true}
daemon: {jitter: 0s, default_schedule: "@every 24h", shutdown_grace: 60s}
tracked:
  - {name: Ali Aarrass, aliases: [Ali Aarass, Aarras, علي أعراس]}
  - {name: Mohamed Hajib, aliases: [Mohammed Hajib]}
sources:
`, url, o.concurrency)
	for i := range o.feeds {
		fmt.Fprintf(&b, "  - {name: feed%05d, type: feed, url: %s, full_text: false}\n", i, srv.feedURL(i))
	}
	path := filepath.Join(dir, "config.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// summary is the median of the runs of one worker count and round.
type summary struct {
	workers                     int
	round                       string
	wall, items, runs           float64
	workerCPU, dbCPU, itemsPerS float64
	spread                      string // min–max of items (or runs) per second
}

func printSummary(w io.Writer, o options, all []measurement) {
	var sums []summary
	for _, round := range []string{"cold", "warm"} {
		for _, n := range o.workers {
			var wall, items, runs, wcpu, dcpu, rate []float64
			for _, m := range all {
				if m.Workers != n || m.Round != round {
					continue
				}
				wall, items, runs = append(wall, m.WallS), append(items, float64(m.Items)), append(runs, float64(m.Runs))
				wcpu, dcpu = append(wcpu, m.WorkerCPU), append(dcpu, m.DBCPU)
				per := float64(m.Items)
				if round == "warm" {
					per = float64(m.Runs)
				}
				rate = append(rate, per/m.WallS)
			}
			sorted := append([]float64(nil), rate...)
			sort.Float64s(sorted)
			sums = append(sums, summary{workers: n, round: round, wall: benchfeed.Median(wall), items: benchfeed.Median(items), runs: benchfeed.Median(runs),
				workerCPU: benchfeed.Median(wcpu), dbCPU: benchfeed.Median(dcpu), itemsPerS: benchfeed.Median(rate),
				spread: fmt.Sprintf("%.0f–%.0f", sorted[0], sorted[len(sorted)-1])})
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "median of %d runs; cold: items stored per second; warm: source runs per second (nothing new)\n\n", o.runs)
	fmt.Fprintln(tw, "round\tworkers\twall s\titems\truns\tper s\t(min–max)\tworkers CPU s\tdatabase CPU s\tdatabase share\tCPU ms per item or run\t")
	for _, s := range sums {
		per := s.items
		if s.round == "warm" {
			per = s.runs
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.0f\t%.0f\t%.0f\t%s\t%.1f\t%.1f\t%.0f%%\t%.2f\t\n", s.round, s.workers, s.wall, s.items, s.runs,
			s.itemsPerS, s.spread, s.workerCPU, s.dbCPU, 100*s.dbCPU/(s.dbCPU+s.workerCPU), 1000*(s.workerCPU+s.dbCPU)/per)
	}
	tw.Flush()
}
