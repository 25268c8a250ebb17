package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/newsmon/newsmon/internal/dbtest"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon/config"
)

// TestRunHelperProcess is not a test: it is newsmon's main, run in a child
// process by the daemon tests so that they can send it real signals.
func TestRunHelperProcess(t *testing.T) {
	if os.Getenv("NEWSMON_HELPER") != "1" {
		t.Skip("helper process for the daemon tests")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(dispatch(ctx, e, strings.Split(os.Getenv("NEWSMON_ARGS"), "\x1f")))
}

// syncBuffer is a bytes.Buffer safe to read while a child writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startDaemon runs "newsmon run" in a child process.
func startDaemon(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer, chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunHelperProcess$")
	cmd.Env = append(os.Environ(), "NEWSMON_HELPER=1", "NEWSMON_ARGS="+strings.Join(append([]string{"run"}, args...), "\x1f"))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-done
		}
	})
	return cmd, out, done
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func httpGet(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestRunDaemon(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	hits := map[string]int{}
	count := func(p string) int { mu.Lock(); defer mu.Unlock(); return hits[p] }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/slow.rss" { // held until the test lets it go
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		if r.URL.Path != "/slow.rss" { // other items than slow's, so that slow owns its own
			w.Header().Set("Content-Type", "application/feed+json")
			w.Write(readFile(t, "testdata/feeds/campaign.json"))
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(readFile(t, "testdata/feeds/rights-watch.rss"))
	}))
	defer srv.Close()

	dir := t.TempDir()
	dbPath := dbtest.New(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	addr := freeAddr(t)
	writeCfg := func(extra string) {
		t.Helper()
		cfg := fmt.Sprintf(`database: %s
listen: %s
fetch: {user_agent: newsmon-test, timeout: 10s, concurrency: 4, allow_private_addresses: true}
daemon: {jitter: 0s, shutdown_grace: 5s}
tracked: [{name: Ali Aarrass}]
sources:
  - {name: slow, type: feed, url: %[3]s/slow.rss, schedule: "@hourly", full_text: false}
  - {name: tick, type: feed, url: %[3]s/tick.rss, schedule: "@every 1s", full_text: false}
%s`, dbPath, addr, srv.URL, extra)
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCfg("")

	cmd, out, done := startDaemon(t, "--config", cfgPath, "--log-format", "json")
	eventually(t, "/healthz", func() bool { code, _ := httpGet("http://" + addr + "/healthz"); return code == 200 })
	eventually(t, "the slow run to start", func() bool { return count("/slow.rss") == 1 })
	if !strings.Contains(out.String(), `"msg":"daemon started"`) {
		t.Errorf("--log-format json not applied:\n%s", out)
	}

	// A second daemon on the same SQLite database is refused at once (on
	// PostgreSQL it is a second worker: robust/workers_test.go).
	if !dbtest.Postgres() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var o2, e2 bytes.Buffer
		if code := dispatch(ctx, &env{stdout: &o2, stderr: &e2, getenv: func(string) string { return "" }}, []string{"run", "--config", cfgPath}); code != exitFailure {
			t.Errorf("second daemon exit %d, want %d", code, exitFailure)
		}
		if want := fmt.Sprintf("another daemon is already running on %s", dbPath); !strings.Contains(e2.String(), want) ||
			!strings.Contains(e2.String(), fmt.Sprintf("pid %d", cmd.Process.Pid)) {
			t.Errorf("second daemon said %q, want %q and the pid", e2.String(), want)
		}
	}

	// status reads the database while the daemon runs.
	code, so, se := runCmd(t, "status", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("status exit %d: %s", code, se)
	}
	running := fmt.Sprintf("daemon: running (pid %d)", cmd.Process.Pid)
	if dbtest.Postgres() {
		running = fmt.Sprintf("workers: 1 running: %s (since", workerName(cmd.Process.Pid))
	}
	for _, want := range []string{running, "SOURCE", "LAST SUCCESS", "ITEMS 24H", "slow", "@hourly", "tick", "@every 1s"} {
		if !strings.Contains(so, want) {
			t.Errorf("status lacks %q:\n%s", want, so)
		}
	}

	// The first tick run may still be storing; wait for it to be counted.
	eventually(t, "/metrics to count a tick run", func() bool {
		code, body := httpGet("http://" + addr + "/metrics")
		return code == 200 && strings.Contains(body, `newsmon_runs_total{source="tick",status="ok"}`)
	})

	// SIGHUP with a broken config: logged, and the old schedule goes on.
	writeCfg("  - {name: extra, type: feed, url: %s/extra.rss, schedule: \"every minute\"}\n")
	cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, "the reload error", func() bool { return strings.Contains(out.String(), "keeping the old one") })
	ticks := count("/tick.rss")
	eventually(t, "tick to keep running", func() bool { return count("/tick.rss") >= ticks+2 })

	// SIGHUP with a good config adds the new source.
	writeCfg(fmt.Sprintf("  - {name: extra, type: feed, url: %s/extra.rss, schedule: \"@every 1s\", full_text: false}\n", srv.URL))
	cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, "the new source to run", func() bool { return count("/extra.rss") >= 1 })

	// SIGTERM while the slow run is in flight: it is let finish, its items
	// are committed, and the process exits 0.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	eventually(t, "shutdown to begin", func() bool { return strings.Contains(out.String(), "waiting for runs in flight") })
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("daemon exit: %v\n%s", err, out)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("daemon did not exit:\n%s", out)
	}
	if !strings.Contains(out.String(), "daemon stopped") {
		t.Errorf("no clean stop in the log:\n%s", out)
	}
	assertRows(t, dbPath, `SELECT status, items_new FROM fetch_runs WHERE source = 'slow'`, "ok|3")
	assertRows(t, dbPath, `SELECT count(*) FROM items WHERE source = 'slow'`, "3")

	_, so, _ = runCmd(t, "status", "--config", cfgPath)
	if !strings.Contains(so, "daemon: not running") && !strings.Contains(so, "workers: none running") {
		t.Errorf("status after exit:\n%s", so)
	}
}

// workerName is how a newsmon process of this machine names itself in a
// shared database (store.DefaultWorker).
func workerName(pid int) string {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return fmt.Sprintf("%s:%d", host, pid)
}

func TestOverrideLog(t *testing.T) {
	for _, tc := range []struct {
		format, level string
		want          config.Log
		err           string
	}{
		{"", "", config.Log{Format: "text", Level: "info"}, ""},
		{"json", "debug", config.Log{Format: "json", Level: "debug"}, ""},
		{"xml", "", config.Log{}, "--log-format"},
		{"", "loud", config.Log{}, "--log-level"},
	} {
		l := config.Log{Format: "text", Level: "info"}
		err := overrideLog(&l, tc.format, tc.level)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q %q: err %v, want %s", tc.format, tc.level, err, tc.err)
		case tc.err == "" && (err != nil || l != tc.want):
			t.Errorf("%q %q: got %+v, %v; want %+v", tc.format, tc.level, l, err, tc.want)
		}
	}
}
