package main

import (
	"fmt"
	"github.com/newsmon/newsmon/internal/dbtest"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/sqltest"
)

// newsDesk serves one new item naming a tracked person at every fetch of
// every feed, so that every run after a source's first queues an alert.
type newsDesk struct {
	mu       sync.Mutex
	hits     map[string]int
	inFlight map[string]int
	maxIn    map[string]int
}

func (n *newsDesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	n.hits[r.URL.Path]++
	k := n.hits[r.URL.Path]
	n.inFlight[r.URL.Path]++
	n.maxIn[r.URL.Path] = max(n.maxIn[r.URL.Path], n.inFlight[r.URL.Path])
	n.mu.Unlock()
	defer func() { n.mu.Lock(); n.inFlight[r.URL.Path]--; n.mu.Unlock() }()
	guid := fmt.Sprintf("%s-%d", strings.Trim(r.URL.Path, "/"), k)
	w.Header().Set("Content-Type", "application/rss+xml")
	// Texts of their own, or every item would be a repost of the first
	// (one story), and a repost does not alert again.
	var words strings.Builder
	h := fnv.New64a()
	for i := range 200 {
		fmt.Fprintf(h, "%s %d", guid, i)
		fmt.Fprintf(&words, " w%x", h.Sum64()%100000)
	}
	fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><guid>%s</guid><title>Aarrass update %[1]s</title><link>https://news.example/%[1]s</link><pubDate>%s</pubDate><description>%s%s</description></item></channel></rss>`,
		guid, time.Now().UTC().Format(time.RFC1123Z), "Supporters of Ali Aarrass wrote again.", words.String())
}

func (n *newsDesk) count(path string) (hits, maxInFlight int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.hits[path], n.maxIn[path]
}

// TestRunSurvivesSIGHUPStorm runs the daemon binary with three sources
// that fire every second and alert on every run, and a digest every 3 s,
// and sends it 100 SIGHUPs in 10 s, alternating two configs. Every job
// must go on running exactly once at a time, no alert may be lost or sent
// twice, and SIGTERM must end it with status 0 within the grace period.
func TestRunSurvivesSIGHUPStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("a 15 s storm")
	}
	desk := &newsDesk{hits: map[string]int{}, inFlight: map[string]int{}, maxIn: map[string]int{}}
	srv := httptest.NewServer(desk)
	defer srv.Close()
	sink, port := startSink(t)
	dir := t.TempDir()
	dbPath := dbtest.New(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	addr := freeAddr(t)
	const grace = 5 * time.Second
	writeCfg := func(variant string) {
		t.Helper()
		cfg := fmt.Sprintf(`database: %s
listen: %s
fetch: {user_agent: newsmon-test, timeout: 5s, concurrency: 4, allow_private_addresses: true}
daemon: {jitter: 0s, shutdown_grace: %s}
tracked: [{name: Ali Aarrass}]
sources:
  - {name: s1, type: feed, url: %[4]s/s1.rss, schedule: "@every 1s", full_text: false}
  - {name: s2, type: feed, url: %[4]s/s2.rss, schedule: "@every 1s", full_text: false}
  - {name: s3, type: feed, url: %[4]s/s3.rss, schedule: "@every 1s", full_text: false}
smtp: {host: 127.0.0.1, port: %[5]d, security: none, from: "newsmon <alerts@newsmon.example>"}
alerts:
  group_window: 0s
  max_attempts: 5
  rules:
    - {name: desk, person: Ali Aarrass, notify: [email], email: [desk@ngo.example]}
digest:
  to: [team@ngo.example]
  schedule: "@every 3s"
  subject: "Digest %[6]s {date}"
`, dbPath, addr, grace, srv.URL, port, variant)
		// Written beside and renamed over, as editors and config tools
		// save: a reload never reads a half-written file.
		if err := os.WriteFile(cfgPath+".new", []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(cfgPath+".new", cfgPath); err != nil {
			t.Fatal(err)
		}
	}
	writeCfg("A")
	started := time.Now()
	cmd, out, done := startDaemon(t, "--config", cfgPath)
	eventually(t, "/healthz", func() bool { code, _ := httpGet("http://" + addr + "/healthz"); return code == 200 })
	eventually(t, "every source to have run twice", func() bool {
		for _, s := range []string{"/s1.rss", "/s2.rss", "/s3.rss"} {
			if h, _ := desk.count(s); h < 2 {
				return false
			}
		}
		return true
	})
	hitsBefore, _ := desk.count("/s1.rss")
	stormStart := time.Now().Truncate(time.Second)

	for i := range 100 {
		writeCfg([]string{"A", "B"}[i%2])
		if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // the pace of the storm, not an assertion
	}
	stormEnd := time.Now()
	eventually(t, "a digest", func() bool { msgs, _ := sink.received("team@ngo.example"); return len(msgs) > 0 })
	eventually(t, "alerts during the storm", func() bool { msgs, _ := sink.received("desk@ngo.example"); return len(msgs) > 0 })

	stopAt := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("daemon exit: %v\n%s", err, out)
		}
	case <-time.After(grace + 10*time.Second):
		t.Fatalf("daemon still running %v after SIGTERM:\n%s", time.Since(stopAt), out)
	}
	// Runs are a few milliseconds: nothing should have needed the grace.
	if took := time.Since(stopAt); took > grace {
		t.Errorf("shutdown took %v, longer than the %v grace", took, grace)
	}
	log := out.String()
	reloads := strings.Count(log, `msg="config reloaded"`)
	t.Logf("%d of 100 SIGHUPs reloaded (the others coalesced)", reloads)
	if reloads < 10 {
		t.Errorf("only %d reloads took effect", reloads)
	}
	if strings.Contains(log, "level=ERROR") || strings.Contains(log, "keeping the old") || strings.Contains(log, "panicked") {
		t.Errorf("errors in the log:\n%s", log)
	}

	// Sources kept running through the storm, never two runs of one at once.
	for _, s := range []string{"/s1.rss", "/s2.rss", "/s3.rss"} {
		hits, maxIn := desk.count(s)
		if maxIn != 1 {
			t.Errorf("%s had %d runs at once", s, maxIn)
		}
		if s == "/s1.rss" && hits < hitsBefore+5 {
			t.Errorf("s1 ran %d times in the 10 s storm, want it to keep its every-second schedule", hits-hitsBefore)
		}
	}
	// The digest kept its schedule through the storm, and ran once per
	// fire: no more digests than 3 s slots in the daemon's life (a fire
	// run twice, by an old and a new schedule, would double them; a slow
	// machine only delays fires).
	during, all := 0, 0
	for _, row := range sqltest.Rows(t, dbPath, `SELECT created_at FROM digests ORDER BY id`) {
		at, err := time.Parse(time.RFC3339, row)
		if err != nil {
			t.Fatal(err)
		}
		if at.After(stormStart) && at.Before(stormEnd) {
			during++
		}
		all++
	}
	if slots := int(stopAt.Sub(started)/(3*time.Second)) + 1; all > slots {
		t.Errorf("%d digests in %v: more than one per 3 s fire", all, stopAt.Sub(started))
	}
	if during < 2 {
		t.Errorf("%d digests during the 10 s storm, want the every-3s schedule kept", during)
	}
	if _, maxIn := sink.received("team@ngo.example"); maxIn != 1 {
		t.Errorf("%d digests were being sent at once", maxIn)
	}

	// Every item after each source's first run queued one alert; each
	// sent alert reached the desk exactly once (one sender, never two
	// passes over the same rows), and the rest are still pending.
	assertRows(t, dbPath, `SELECT (SELECT count(*) FROM items) - (SELECT count(*) FROM alerts)`, "3")
	assertRows(t, dbPath, `SELECT count(*) FROM alerts WHERE status NOT IN ('sent', 'pending')`, "0")
	checkDelivered := func(when string) {
		t.Helper()
		msgs, maxIn := sink.received("desk@ngo.example")
		if maxIn != 1 {
			t.Errorf("%s: %d alert messages were being sent at once", when, maxIn)
		}
		// Quoted-printable breaks long lines with "=" at the end; links
		// have no "=" of their own.
		for i, m := range msgs {
			msgs[i] = strings.ReplaceAll(m, "=\r\n", "")
		}
		for _, row := range sqltest.Rows(t, dbPath, `SELECT i.guid, a.status FROM alerts a JOIN items i ON i.id = a.item_id ORDER BY a.id`) {
			guid, status, _ := strings.Cut(row, "|")
			link := regexp.MustCompile(`https://news\.example/` + guid + `\b`)
			n := 0
			for _, m := range msgs {
				if link.MatchString(m) {
					n++
				}
			}
			switch {
			case status == "sent" && n != 1:
				t.Errorf("%s: alert for %s is sent and was in %d messages", when, guid, n)
			case status != "sent" && n != 0:
				t.Errorf("%s: alert for %s is %s and was in %d messages", when, guid, status, n)
			}
		}
	}
	checkDelivered("after the storm")

	// What was still pending at shutdown goes out with the next sender.
	if code, so, se := runCmd(t, "alerts", "send", "--config", cfgPath); code != exitOK {
		t.Fatalf("alerts send: %d %s %s", code, so, se)
	}
	assertRows(t, dbPath, `SELECT count(*) FROM alerts WHERE status != 'sent'`, "0")
	checkDelivered("after alerts send")
}
