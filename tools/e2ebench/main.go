// Command e2ebench measures `newsmon fetch` end to end against a local
// fixture server, cold (empty database) and warm (nothing changed), and the
// full-text indexing that fetch leaves for later (the "index" phase: the
// first `newsmon search` after the cold fetch, which catches up), and,
// when newsboat is installed, runs `newsboat -x reload` on the same feeds in
// the same run to compare.
//
//	go run ./tools/e2ebench [-feeds 1000] [-items 30] [-server URL] [-pages]
//	                        [-concurrency 8] [-newsboat auto|on|off] [-runs 3] [-json]
//
// The server on 127.0.0.1 serves deterministic generated feeds (RSS 2.0,
// every fifth one Atom; 2–5 KB HTML descriptions; about 2% of items name a
// tracked person in one of several spellings) pre-compressed with gzip, with
// ETag and Last-Modified so a warm run gets 304s, and, for -pages, an
// article page of 40–90 KB per item. With -server the feeds are another
// server's instead, listed at URL/urls.txt (see external.go). Each client is
// a subprocess, so its peak RSS is its own. The tool does not touch the
// internet.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

type options struct {
	feeds, items, concurrency, runs int
	pages, jsonOut, keep            bool
	newsboat                        string
	newsmonBin                      string
	server                          string          // an external feed server's base URL
	phases                          map[string]bool // cold, index (newsmon only), warm
}

// report is the -json output.
type report struct {
	Machine machine `json:"machine"`
	// Server is the external feed server (-server); empty for the
	// generated feeds.
	Server       string        `json:"server,omitempty"`
	Feeds        int           `json:"feeds"`
	ItemsPerFeed int           `json:"items_per_feed,omitempty"`
	Items        int64         `json:"items"`
	Pages        bool          `json:"pages"`
	Concurrency  int           `json:"concurrency"`
	FeedBytes    int64         `json:"feed_bytes"`
	FeedBytesGz  int64         `json:"feed_bytes_gzipped"`
	Runs         []measurement `json:"runs"`
	Summary      []summary     `json:"summary"`
	// ColdRatio is newsboat's median cold wall time over newsmon's.
	ColdRatio float64 `json:"cold_ratio,omitempty"`
	WarmRatio float64 `json:"warm_ratio,omitempty"`
	// ColdCPURatio is newsboat's median cold CPU time over newsmon's.
	ColdCPURatio float64 `json:"cold_cpu_ratio,omitempty"`
	LoadAfter    string  `json:"load_average_after"`
}

func main() {
	var o options
	flag.IntVar(&o.feeds, "feeds", 1000, "number of feeds")
	flag.IntVar(&o.items, "items", 30, "items per feed")
	flag.BoolVar(&o.pages, "pages", false, "full_text on: fetch and extract every item's page")
	flag.IntVar(&o.concurrency, "concurrency", 8, "newsmon fetch.concurrency (sources at once)")
	flag.IntVar(&o.runs, "runs", 3, "measurements of each client and phase (best and median are reported)")
	flag.StringVar(&o.newsboat, "newsboat", "auto", "compare with newsboat: auto (if on PATH), on, off")
	flag.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (databases, logs)")
	flag.StringVar(&o.newsmonBin, "newsmon", "", "use this newsmon binary instead of building ./cmd/newsmon")
	flag.StringVar(&o.server, "server", "", "fetch the feeds listed at `URL`/urls.txt instead of generating them (-feeds and -items are then ignored)")
	phases := flag.String("phases", "cold,index,warm", "phases to measure (index and warm need cold; newsboat has no index phase)")
	flag.Parse()
	if o.feeds < 1 || o.items < 1 || o.runs < 1 || o.concurrency < 1 {
		fmt.Fprintln(os.Stderr, "e2ebench: -feeds, -items, -runs and -concurrency must be at least 1")
		os.Exit(2)
	}
	o.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "cold", "index", "warm":
			o.phases[p] = true
		default:
			fmt.Fprintf(os.Stderr, "e2ebench: -phases: unknown phase %q (expected cold, index, warm)\n", p)
			os.Exit(2)
		}
	}
	if !o.phases["cold"] {
		fmt.Fprintln(os.Stderr, "e2ebench: -phases must include cold: the other phases start from its database")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "e2ebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout, progress io.Writer) error {
	newsboat := ""
	switch o.newsboat {
	case "off":
	case "auto", "on":
		if p, err := exec.LookPath("newsboat"); err == nil {
			newsboat = p
		} else if o.newsboat == "on" {
			return fmt.Errorf("-newsboat on: %w", err)
		}
	default:
		return fmt.Errorf("-newsboat: expected auto, on or off, got %q", o.newsboat)
	}
	dir, err := os.MkdirTemp("", "e2ebench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(progress, "keeping", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.newsmonBin
	if bin == "" {
		bin = filepath.Join(dir, "newsmon")
		fmt.Fprintln(progress, "building newsmon…")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/newsmon")
		build.Stdout, build.Stderr = progress, progress
		if err := build.Run(); err != nil {
			return fmt.Errorf("build newsmon (run from the repository root): %w", err)
		}
	}
	srv, err := openFeeds(ctx, o, progress)
	if err != nil {
		return err
	}
	defer srv.close()
	plain, gz := srv.sizes()
	fmt.Fprintf(progress, "%d feeds, %d items, %.1f MB of feeds, %.1f MB gzipped, at %s\n", len(srv.feedURLs()), srv.items(), mb(plain), mb(gz), srv.url())

	cfgPath, dbPath, err := writeNewsmonConfig(dir, srv, o)
	if err != nil {
		return err
	}
	var nbDir string
	if newsboat != "" {
		if nbDir, err = writeNewsboatFiles(dir, srv); err != nil {
			return err
		}
	}
	rep := report{Machine: describeMachine(newsboat), Server: o.server, Feeds: len(srv.feedURLs()), Items: srv.items(),
		Pages: o.pages, Concurrency: o.concurrency, FeedBytes: plain, FeedBytesGz: gz}
	if o.server == "" {
		rep.ItemsPerFeed = o.items
	}
	measure := func(client, phase string, fn func() (time.Duration, time.Duration, int64, []byte, error), db ...string) (measurement, error) {
		if err := srv.resetCounts(); err != nil {
			return measurement{}, fmt.Errorf("reset the server's counts before %s %s: %w", client, phase, err)
		}
		wall, cpu, rss, out, err := fn()
		c, cerr := srv.counts()
		if cerr != nil {
			return measurement{}, errors.Join(err, fmt.Errorf("%s %s: %w", client, phase, cerr))
		}
		m := measurement{Client: client, Phase: phase, WallSec: wall.Seconds(), CPUSec: cpu.Seconds(), MaxRSSMB: float64(rss) / 1024,
			Feeds200: c.feeds200, Feeds304: c.feeds304, Pages: c.pages, BytesOut: c.bytesOut, Items: c.items, DBBytes: fileSizes(db...)}
		m.ItemsPerSec = float64(m.Items) / wall.Seconds()
		m.PagesPerSec = float64(m.Pages) / wall.Seconds()
		if client == "newsmon" && phase != "index" {
			m.Stored, m.Failed = parseFetchTable(out)
		}
		fmt.Fprintf(progress, "%-8s %-4s %7.2fs wall %7.2fs CPU  %6.1f MB RSS  %5d×200 %5d×304 %6d pages  %s\n",
			client, phase, m.WallSec, m.CPUSec, m.MaxRSSMB, m.Feeds200, m.Feeds304, m.Pages, failNote(m, err))
		return m, err
	}
	dbFiles := []string{dbPath, dbPath + "-wal", dbPath + "-shm"}
	nbCache := filepath.Join(nbDir, "cache.db")
	for r := range o.runs {
		fmt.Fprintf(progress, "run %d of %d (load average %s)\n", r+1, o.runs, loadAverage())
		for _, phase := range []string{"cold", "warm"} {
			if !o.phases[phase] {
				continue
			}
			if phase == "cold" {
				for _, f := range dbFiles {
					os.Remove(f)
				}
			}
			m, err := measure("newsmon", phase, func() (time.Duration, time.Duration, int64, []byte, error) {
				return child(ctx, dir, "newsmon-"+phase, nil, bin, "fetch", "--config", cfgPath)
			}, dbFiles...)
			if err != nil {
				return err
			}
			rep.Runs = append(rep.Runs, m)
			if phase != "cold" || !o.phases["index"] {
				continue
			}
			// fetch stores items without indexing them for full-text
			// search; the daemon, or the first search, catches up. Its
			// cost is measured on its own, right after the cold fetch.
			m, err = measure("newsmon", "index", func() (time.Duration, time.Duration, int64, []byte, error) {
				return child(ctx, dir, "newsmon-index", nil, bin, "search", "--config", cfgPath, "--limit", "1", "Aarrass")
			}, dbFiles...)
			if err != nil {
				return err
			}
			rep.Runs = append(rep.Runs, m)
		}
		if newsboat == "" || o.pages {
			continue // newsboat does not fetch pages: compare feeds only
		}
		for _, phase := range []string{"cold", "warm"} {
			if !o.phases[phase] {
				continue
			}
			if phase == "cold" {
				os.Remove(nbCache)
			}
			m, err := measure("newsboat", phase, func() (time.Duration, time.Duration, int64, []byte, error) {
				return child(ctx, nbDir, "newsboat-"+phase, []string{"HOME=" + nbDir, "XDG_CONFIG_HOME=" + nbDir, "XDG_DATA_HOME=" + nbDir},
					newsboat, "-x", "reload", "-u", filepath.Join(nbDir, "urls"), "-c", nbCache, "-C", filepath.Join(nbDir, "config"))
			}, nbCache)
			if err != nil {
				return err
			}
			rep.Runs = append(rep.Runs, m)
		}
	}
	rep.Summary = summarise(rep.Runs)
	rep.ColdRatio = ratio(rep.Summary, "cold")
	rep.WarmRatio = ratio(rep.Summary, "warm")
	rep.ColdCPURatio = cpuRatio(rep.Summary, "cold")
	rep.LoadAfter = loadAverage()
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

// openFeeds starts the generator's server, or reads the feed list of the
// external one.
func openFeeds(ctx context.Context, o options, progress io.Writer) (feedSource, error) {
	if o.server != "" {
		fmt.Fprintf(progress, "reading the feeds of %s…\n", o.server)
		return newExternal(ctx, o.server)
	}
	fmt.Fprintf(progress, "generating %d feeds × %d items…\n", o.feeds, o.items)
	return newServer(o.feeds, o.items)
}

func failNote(m measurement, err error) string {
	switch {
	case err != nil:
		return "FAILED: " + err.Error()
	case m.Failed > 0:
		return fmt.Sprintf("%d sources failed", m.Failed)
	case m.Phase == "index":
		return "search index caught up"
	case m.Client == "newsmon":
		return fmt.Sprintf("%d new items", m.Stored)
	}
	return ""
}

func ratio(sums []summary, phase string) float64 {
	return ratioOf(sums, phase, func(s summary) float64 { return s.MedianWall })
}

func cpuRatio(sums []summary, phase string) float64 {
	return ratioOf(sums, phase, func(s summary) float64 { return s.MedianCPU })
}

func ratioOf(sums []summary, phase string, f func(summary) float64) float64 {
	var nm, nb float64
	for _, s := range sums {
		if s.Phase != phase {
			continue
		}
		switch s.Client {
		case "newsmon":
			nm = f(s)
		case "newsboat":
			nb = f(s)
		}
	}
	if nm == 0 || nb == 0 {
		return 0
	}
	return nb / nm
}

func printReport(w io.Writer, rep report) {
	m := rep.Machine
	from := fmt.Sprintf("%d feeds × %d items", rep.Feeds, rep.ItemsPerFeed)
	if rep.Server != "" {
		from = fmt.Sprintf("%d feeds, %d items, from %s", rep.Feeds, rep.Items, rep.Server)
	}
	fmt.Fprintf(w, "\n%s (%.1f MB, %.1f MB gzipped), pages %v, concurrency %d\n",
		from, mb(rep.FeedBytes), mb(rep.FeedBytesGz), rep.Pages, rep.Concurrency)
	fmt.Fprintf(w, "machine: %s, %d CPUs, %s RAM, %s, %s; load average %s before, %s after\n\n",
		m.CPU, m.CPUs, m.Memory, m.GoVersion, orNone(m.Newsboat), m.LoadBefore, rep.LoadAfter)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CLIENT\tPHASE\tRUNS\tBEST WALL\tMEDIAN WALL\tMEDIAN CPU\tITEMS/S\tPAGES/S\tPEAK RSS (best/median)\tDB SIZE\t304s\tFAILED\t")
	for _, s := range rep.Summary {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.2fs\t%.2fs\t%.2fs\t%.0f\t%.0f\t%.1f / %.1f MB\t%.1f MB\t%d\t%d\t\n",
			s.Client, s.Phase, s.Runs, s.BestWall, s.MedianWall, s.MedianCPU, s.ItemsPerSec, s.PagesPerSec, s.BestRSS, s.MedianRSS, mb(s.DBBytes), s.Feeds304, s.Failed)
	}
	tw.Flush()
	if rep.ColdRatio > 0 {
		fmt.Fprintf(w, "\nnewsboat / newsmon (median wall): cold %.1f×, warm %.1f×; cold CPU time %.1f×\n", rep.ColdRatio, rep.WarmRatio, rep.ColdCPURatio)
	}
}

func orNone(s string) string {
	if s == "" {
		return "no newsboat"
	}
	return s
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// machine describes where the figures were measured.
type machine struct {
	CPU        string `json:"cpu"`
	CPUs       int    `json:"cpus"`
	Memory     string `json:"memory"`
	GoVersion  string `json:"go"`
	Newsboat   string `json:"newsboat,omitempty"`
	LoadBefore string `json:"load_average_before"`
}

func describeMachine(newsboat string) machine {
	m := machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadBefore: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.Memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	if newsboat != "" {
		if out, err := exec.Command(newsboat, "--version").Output(); err == nil {
			m.Newsboat, _, _ = strings.Cut(string(out), " - ")
		}
	}
	return m
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// writeNewsmonConfig writes a config with one source per feed.
func writeNewsmonConfig(dir string, srv feedSource, o options) (cfgPath, dbPath string, err error) {
	dbPath = filepath.Join(dir, "newsmon.db")
	var b strings.Builder
	fmt.Fprintf(&b, "database: %s\nlog:\n  level: warn\nfetch:\n  allow_private_addresses: true\n  concurrency: %d\n", dbPath, o.concurrency)
	b.WriteString("tracked:\n  - name: Ali Aarrass\n    aliases: [\"Ali Aarass\", \"Aarras\", \"علي أعراس\"]\n  - name: Mohamed Hajib\n    aliases: [\"Mohammed Hajib\"]\nsources:\n")
	for i, u := range srv.feedURLs() {
		fmt.Fprintf(&b, "  - {name: feed%04d, type: feed, url: %q, full_text: %v}\n", i, u, o.pages)
	}
	cfgPath = filepath.Join(dir, "newsmon.yaml")
	return cfgPath, dbPath, os.WriteFile(cfgPath, []byte(b.String()), 0o644)
}

// writeNewsboatFiles writes newsboat's urls and (default) config into a
// directory that serves as its HOME.
func writeNewsboatFiles(dir string, srv feedSource) (string, error) {
	nb := filepath.Join(dir, "newsboat")
	if err := os.MkdirAll(nb, 0o755); err != nil {
		return "", err
	}
	var urls strings.Builder
	for _, u := range srv.feedURLs() {
		urls.WriteString(u + "\n")
	}
	if err := os.WriteFile(filepath.Join(nb, "urls"), []byte(urls.String()), 0o644); err != nil {
		return "", err
	}
	// newsboat's defaults (one reload thread), as a user would run it.
	return nb, os.WriteFile(filepath.Join(nb, "config"), []byte("# e2ebench: newsboat defaults\n"), 0o644)
}
