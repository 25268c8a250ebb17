// Package robust holds newsmon's fault and hostile-input tests. It builds the
// newsmon binary once, drives it as a subprocess against test servers and
// real SQLite files, and measures the subprocess's peak memory; a few tests
// call packages directly where a subprocess cannot see the result (the
// Retry-After in a pipeline.Summary, a webhook body).
//
// It has no non-test code.
package robust

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/newsmon/newsmon/internal/dbtest"
	"github.com/newsmon/newsmon/internal/sqltest"
)

// binary is the newsmon binary built by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "newsmon-robust-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "newsmon")
	build := exec.Command("go", "build", "-o", binary, "./cmd/newsmon")
	build.Dir = ".."
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build newsmon:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is one finished run of the binary.
type result struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
}

// newsmon runs the binary with args and waits up to a minute for it.
func newsmon(t *testing.T, args ...string) result {
	t.Helper()
	return newsmonIn(t, "", args...)
}

// newsmonIn is newsmon run from the folder dir ("": this test's).
func newsmonIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "NEWSMON_CONFIG=")
	var err error
	var hwm int64
	if err = cmd.Start(); err == nil {
		done, peak := make(chan struct{}), make(chan int64)
		go func() { peak <- watchPeak(cmd.Process.Pid, done) }()
		err = cmd.Wait()
		close(done)
		hwm = <-peak
	}
	r := result{stdout: out.String(), stderr: errb.String(), code: -1}
	if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
		// Rusage.Maxrss is not used: Go starts children with vfork, and
		// Linux carries the parent's (this test's) peak across the exec.
		r.maxRSS = hwm
	}
	if ctx.Err() != nil {
		t.Fatalf("newsmon %s: still running after a minute", strings.Join(args, " "))
	}
	if r.code < 0 {
		t.Fatalf("newsmon %s: %v\nstderr:\n%s", strings.Join(args, " "), err, r.stderr)
	}
	return r
}

// maxRSSBound is the peak memory any run may reach, whatever the input. It is
// generous (a run normally stays under 60 MB) but far below what holding a
// 200 MB page or inflating a gzip bomb would take.
const maxRSSBound = 300 << 20

func (r result) checkMemory(t *testing.T, what string) {
	t.Helper()
	if r.maxRSS == 0 {
		t.Logf("%s: peak RSS not reported", what)
		return
	}
	t.Logf("%s: peak RSS %.1f MB", what, float64(r.maxRSS)/(1<<20))
	if r.maxRSS > maxRSSBound {
		t.Errorf("%s: peak RSS %d MB, want under %d MB", what, r.maxRSS>>20, maxRSSBound>>20)
	}
}

// watchPeak polls the process's VmHWM (its peak resident set since exec)
// until done is closed, and returns the last value seen, in bytes. Growth in
// the last few milliseconds before exit can be missed; the bound has room.
func watchPeak(pid int, done <-chan struct{}) int64 {
	var peak int64
	path := fmt.Sprintf("/proc/%d/status", pid)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
					peak = max(peak, kb*1024)
				}
			}
		}
		select {
		case <-done:
			return peak
		case <-tick.C:
		}
	}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// setup is a config file and its database in one directory.
type setup struct {
	dir, cfg, db string
}

// options for writeConfig.
type options struct {
	dbDir        string // where the database goes; the config's dir when empty
	allowPrivate bool   // fetch.allow_private_addresses
	extraFetch   string // more keys under fetch:, each line indented two spaces
	timeout      string // fetch.timeout; 5s when empty
	concurrency  int    // fetch.concurrency; 2 when 0
	tail         string // more top-level YAML (alerts:, smtp:, daemon:), after sources:
}

// writeConfig writes a config whose sources are given as YAML list entries
// (one per line, without the leading "  - "), with SRV replaced by srv.
func writeConfig(t *testing.T, srv string, o options, sources ...string) setup {
	t.Helper()
	dir := t.TempDir()
	dbDir := o.dbDir
	if dbDir == "" {
		dbDir = dir
	}
	s := setup{dir: dir, cfg: filepath.Join(dir, "config.yaml"), db: filepath.Join(dbDir, "newsmon.db")}
	if o.dbDir == "" && dbtest.Postgres() {
		s.db = dbtest.New(t)
	}
	if o.timeout == "" {
		o.timeout = "5s"
	}
	if o.concurrency == 0 {
		o.concurrency = 2
	}
	var b strings.Builder
	fmt.Fprintf(&b, "database: %s\nlog: {level: warn}\nfetch:\n  user_agent: newsmon-robust\n  timeout: %s\n  concurrency: %d\n  allow_private_addresses: %v\n%s",
		s.db, o.timeout, o.concurrency, o.allowPrivate, o.extraFetch)
	b.WriteString("tracked:\n  - name: Ali Aarrass\n    aliases: [\"علي أعراس\"]\n  - name: Mohamed Hajib\nsources:\n")
	for _, src := range sources {
		b.WriteString("  - " + strings.ReplaceAll(src, "SRV", srv) + "\n")
	}
	b.WriteString(o.tail)
	if err := os.WriteFile(s.cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// fetch runs "newsmon fetch" on the setup.
func (s setup) fetch(t *testing.T, args ...string) result {
	t.Helper()
	return newsmon(t, append([]string{"fetch", "--config", s.cfg}, args...)...)
}

// rows runs query on the database and returns each row's columns joined by |.
func rows(t *testing.T, dbPath, query string, args ...any) []string {
	t.Helper()
	return sqltest.Rows(t, dbPath, query, args...)
}

func assertRows(t *testing.T, dbPath, query string, want ...string) {
	t.Helper()
	sqltest.AssertRows(t, dbPath, query, want...)
}

// holdWriteLock takes the database's write lock as a sqlite3 shell would
// after BEGIN IMMEDIATE, until the returned function is called.
func holdWriteLock(t *testing.T, dbPath string) (release func()) {
	t.Helper()
	return sqltest.HoldWriteLock(t, dbPath)
}

// rssItem is one item of a generated feed.
type rssItem struct {
	guid, title, link, description string
}

// rss renders items as an RSS 2.0 document; fields are inserted as given, so
// a test can put raw markup, CDATA or entities in them.
func rss(items ...rssItem) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Robust test feed</title><link>https://feeds.example.org/</link>\n")
	for _, it := range items {
		fmt.Fprintf(&b, "<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>%s</link><description>%s</description><pubDate>Mon, 03 May 2021 09:00:00 GMT</pubDate></item>\n",
			it.guid, it.title, it.link, it.description)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// newsItems makes n plain items; every third mentions Ali Aarrass.
func newsItems(prefix string, n int) []rssItem {
	out := make([]rssItem, n)
	for i := range out {
		title := fmt.Sprintf("Port authority publishes quarterly tonnage figures %d", i)
		if i%3 == 0 {
			title = fmt.Sprintf("Lawyers for Ali Aarrass file a new appeal %d", i)
		}
		out[i] = rssItem{
			guid:        fmt.Sprintf("%s-%d", prefix, i),
			title:       title,
			link:        fmt.Sprintf("https://news.example.org/%s/%d", prefix, i),
			description: "A short summary written for the robustness tests.",
		}
	}
	return out
}
