package main

import (
	"context"
	"fmt"
	"github.com/newsmon/newsmon/internal/dbtest"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/store"
)

// A failing source raises a source-health alert through the log channel,
// counted on /metrics; a reload takes new alert settings without a restart.
func TestRunHealthAlertsMetricsAndReload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream down", http.StatusBadGateway)
	}))
	defer srv.Close()
	dir := t.TempDir()
	dbPath := dbtest.New(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	addr := freeAddr(t)
	writeCfg := func(alerts string) {
		t.Helper()
		cfg := fmt.Sprintf(`database: %s
listen: %s
fetch: {user_agent: newsmon-test, timeout: 5s, allow_private_addresses: true}
daemon: {jitter: 0s, shutdown_grace: 2s, max_backoff: 1s}
tracked: [{name: Ali Aarrass}]
sources:
  - {name: broken, type: feed, url: %s/feed.rss, schedule: "@every 1s"}
alerts:
  source_failures: 2
  group_window: 0s
%s`, dbPath, addr, srv.URL, alerts)
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCfg("  health_notify: [log]\n")
	cmd, out, _ := startDaemon(t, "--config", cfgPath)
	eventually(t, "the source-health alert in the log", func() bool {
		return strings.Contains(out.String(), `msg="source health" source=broken kind=source_failing`)
	})
	eventually(t, "alert metrics", func() bool {
		_, body := httpGet("http://" + addr + "/metrics")
		return strings.Contains(body, `newsmon_alerts_queued_total{channel="log"} 1`) &&
			strings.Contains(body, `newsmon_alerts_delivered_total{channel="log",outcome="sent"} 1`)
	})
	_, body := httpGet("http://" + addr + "/metrics")
	for _, want := range []string{"# TYPE newsmon_digests_total counter", "# TYPE newsmon_digest_last_success_timestamp_seconds gauge"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// alerts send refuses while the daemon holds the database (on
	// PostgreSQL, the alerts lock).
	code, _, se := runCmd(t, "alerts", "send", "--config", cfgPath)
	refusal := fmt.Sprintf("the daemon (pid %d)", cmd.Process.Pid)
	if dbtest.Postgres() {
		refusal = "a newsmon run worker is sending the alerts of " + dbPath + " itself; not sending"
	}
	if code != exitFailure || !strings.Contains(se, refusal) {
		t.Errorf("alerts send during the daemon: exit %d, %q; want a refusal: %s", code, se, refusal)
	}

	writeCfg("  health_notify: [log]\n  rules:\n    - {name: added, person: Ali Aarrass, notify: [log]}\n")
	cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, "the reload", func() bool {
		return strings.Contains(out.String(), `msg="config reloaded" sources=1 rules=1`)
	})
	if strings.Contains(out.String(), "level=ERROR") {
		t.Errorf("errors in the log:\n%s", out.String())
	}
}

func TestAlertsSendRefusesWhileLocked(t *testing.T) {
	dbtest.SQLiteOnly(t, "the lock file of a SQLite database (PostgreSQL: TestRunHealthAlertsMetricsAndReload)")
	cfgPath, dbPath := writeConfig(t, "http://127.0.0.1:1", "  - {name: a, type: feed, url: SRV/a.rss}\n")
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	lock, err := daemon.LockDatabase(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	code, _, se := runCmd(t, "alerts", "send", "--config", cfgPath)
	if code != exitFailure || !strings.Contains(se, "sends alerts itself; not sending") {
		t.Errorf("alerts send under the lock: exit %d, %q; want a refusal", code, se)
	}
	lock.Unlock()
	code, so, se := runCmd(t, "alerts", "send", "--config", cfgPath)
	if code != exitOK || !strings.Contains(so, "delivered 0 alerts") {
		t.Errorf("alerts send without the lock: exit %d, %q %q", code, so, se)
	}
}
