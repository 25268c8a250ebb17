package robust

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/internal/dbtest"
)

// Several workers on one PostgreSQL database, one of them killed with
// SIGKILL in the middle of a round of runs.
const (
	workerCount   = 3
	workerSources = 300
	// workerEvery is the sources' and the digest's schedule: slots at the
	// multiples of it (PostgreSQL aligns @every).
	workerEvery = 6 * time.Second
	// workerLease is postgres.lease: the killed worker's runs are taken
	// over within it and a third (its heartbeat, the others' scan).
	workerLease = 2 * time.Second
	// feedLatency keeps each run in flight a while, so that the kill
	// catches runs between their lease and their commit.
	feedLatency = 100 * time.Millisecond
)

// TestWorkersSurviveAKill runs three `newsmon run` workers on one
// PostgreSQL database with 300 local feeds, a webhook alert rule and a
// digest, all on 6-second slots, and kills one worker with SIGKILL while
// it runs its share of a slot. Then:
//
//   - every source ran exactly once per slot (fetch_runs.slot), the killed
//     worker's runs taken over by the others once their leases expired;
//   - a feed was requested once per slot, or twice for a run the kill cut
//     off after its request (at most one per run the killed worker had in
//     flight);
//   - no item is stored twice, although all 300 feeds carry the same wire
//     story at once;
//   - every alert row was delivered, each item in exactly one webhook
//     message and no message twice;
//   - each digest slot sent one digest.
//
// The killed worker holds neither the alerts lock nor the digest: a sender
// killed mid-delivery sends again under the same key by design (at least
// once), which is TestCrashDuringIngest's subject on SQLite.
//
// NEWSMON_KILL_TEST_RUNS=10 runs it ten times in a row.
func TestWorkersSurviveAKill(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("PostgreSQL only: runs in the PostgreSQL pass (NEWSMON_TEST_BACKEND=postgres)")
	}
	runs := 1
	if v := os.Getenv("NEWSMON_KILL_TEST_RUNS"); v != "" {
		var err error
		if runs, err = strconv.Atoi(v); err != nil || runs < 1 {
			t.Fatalf("NEWSMON_KILL_TEST_RUNS=%q: want a number", v)
		}
	}
	for i := range runs {
		t.Run(fmt.Sprint("run", i+1), func(t *testing.T) { killOneWorker(t) })
	}
}

func killOneWorker(t *testing.T) {
	db := dbtest.NewPostgres(t)
	feeds := newWorkerFeeds(t)
	hook := newHookSink(t)
	mail := &mailbox{}
	mailPort := startMailbox(t, mail)
	cfg := writeWorkersConfig(t, db, feeds.srv.URL, hook.srv.URL, mailPort, workerSources)

	// Start just after a slot: the catch-up at start runs the slot that
	// has just begun (s0), and the next comes a whole interval later.
	time.Sleep(time.Until(time.Now().Truncate(workerEvery).Add(workerEvery + 100*time.Millisecond)))
	s0 := time.Now().Truncate(workerEvery)
	s1, s2 := s0.Add(workerEvery), s0.Add(2*workerEvery)
	workers := map[int]*workerProc{}
	for range workerCount {
		w := startWorker(t, cfg)
		workers[w.cmd.Process.Pid] = w
	}
	waitFor(t, "the workers to create the schema", workerEvery, func() bool {
		return rows(t, db, `SELECT to_regclass('leases') IS NOT NULL`)[0] == "1"
	})
	waitFor(t, "slot s0 (the catch-up at start) to be run", workerEvery, slotDone(t, db, s0, workerSources))

	// Kill a worker that holds leases of s1 (runs in flight), and neither
	// the alerts lock nor the digest.
	time.Sleep(time.Until(s1.Add(300 * time.Millisecond)))
	var victim *workerProc
	waitFor(t, "a worker to kill: one with runs of s1 in flight", workerEvery/3, func() bool {
		victim = pickVictim(t, db, workers)
		return victim != nil
	})
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.cmd.Wait()
	killedAt := time.Now()
	delete(workers, victim.cmd.Process.Pid)
	// The leases it died with, before the others take them over.
	victim.held = count(t, db, `SELECT count(*) FROM leases WHERE worker = ?`, victim.name)
	t.Logf("killed %s %v after slot s1, holding %d leases", victim.name, killedAt.Sub(s1).Round(time.Millisecond), victim.held)

	waitFor(t, "slot s1 to be run, the killed worker's share taken over", workerEvery, slotDone(t, db, s1, workerSources))
	waitFor(t, "slot s2 to be run", time.Until(s2.Add(workerEvery)), slotDone(t, db, s2, workerSources))
	waitFor(t, "every alert to be delivered", 4*daemon.PostgresSendEvery, func() bool {
		return count(t, db, `SELECT count(*) FROM alerts WHERE status != 'sent'`) == 0
	})
	stopAt := time.Now()
	for _, w := range workers {
		w.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, w := range workers {
		if err := w.cmd.Wait(); err != nil {
			t.Errorf("worker %s: %v\n%s", w.name, err, w.logText())
		}
	}

	// Every source exactly once per slot, by some worker, all successful.
	for _, slot := range []time.Time{s0, s1, s2} {
		got := rows(t, db, `SELECT count(*), count(DISTINCT source), count(*) FILTER (WHERE status = 'ok') FROM fetch_runs WHERE slot = ?`,
			slot.UTC().Format(time.RFC3339))
		if want := fmt.Sprintf("%d|%d|%d", workerSources, workerSources, workerSources); got[0] != want {
			t.Errorf("slot %s: runs, sources, successes %s; want %s", slot.Format(time.TimeOnly), got[0], want)
		}
	}
	assertRows(t, db, `SELECT count(*) FROM (SELECT source, slot FROM fetch_runs GROUP BY source, slot HAVING count(*) > 1) d`, "0")
	if got := count(t, db, `SELECT count(DISTINCT worker) FROM fetch_runs`); got < workerCount-1 {
		t.Errorf("runs recorded by %d workers, want the %d that lived", got, workerCount-1)
	}
	took := 0
	for _, w := range workers {
		took += strings.Count(w.logText(), "taking over a run whose worker stopped")
	}
	if took == 0 || took > victim.held {
		t.Errorf("%d runs taken over, want 1 to %d (the leases the killed worker held)", took, victim.held)
	}

	// A feed is requested once per slot, and once more for a run the kill
	// cut off after its request.
	extra := 0
	for n := range workerSources {
		hits := feeds.hitsBefore(n, s2.Add(workerEvery))
		switch {
		case hits == 3:
		case hits == 4:
			extra++
		default:
			t.Errorf("feed %d requested %d times in 3 slots", n, hits)
		}
	}
	if extra > victim.held {
		t.Errorf("%d feeds requested twice in a slot, but the killed worker held %d leases", extra, victim.held)
	}

	// Each item once: every source's item of each slot's content, and one
	// wire item per slot, which all 300 feeds carried at once.
	assertRows(t, db, `SELECT count(*) - count(DISTINCT canonical_url) FROM items`, "0")
	k0 := s0.Unix() / int64(workerEvery/time.Second)
	for _, k := range []int64{k0 - 1, k0, k0 + 1, k0 + 2} {
		if got := count(t, db, `SELECT count(*) FROM items WHERE guid LIKE ?`, fmt.Sprintf("item-%%-%d", k)); got != workerSources {
			t.Errorf("content of slot %d: %d items, want %d", k, got, workerSources)
		}
		if k >= k0 {
			if got := count(t, db, `SELECT count(*) FROM items WHERE guid = ?`, fmt.Sprintf("wire-%d", k)); got != 1 {
				t.Errorf("wire story of slot %d stored %d times, want once", k, got)
			}
		}
	}

	// Alerts: the items naming Ali Aarrass that were new in s1 and s2 (a
	// source's first run alerts on nothing), each delivered in one message.
	// (A slot after s2 that began before the stop alerts too.)
	wantAlerts := count(t, db, `SELECT count(*) FROM items WHERE title LIKE 'Ali Aarrass:%'
		AND split_part(guid, '-', 3)::bigint > ?`, k0)
	if min := 2 * (workerSources / 10); wantAlerts < min {
		t.Errorf("%d items could alert, want at least %d", wantAlerts, min)
	}
	assertRows(t, db, `SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM alerts`, fmt.Sprintf("%d|%d", wantAlerts, wantAlerts))
	hook.check(t, wantAlerts, true)

	// Digests: one per digest slot that fired while the workers ran.
	digests := count(t, db, `SELECT count(*) FROM digests`)
	slots := int(stopAt.Truncate(workerEvery).Sub(s0) / workerEvery)
	if digests < slots-1 || digests > slots {
		t.Errorf("%d digests in %d digest slots (s1 to the stop)", digests, slots)
	}
	assertRows(t, db, `SELECT count(*) FROM digests WHERE status != 'sent'`, "0")
	if n := count(t, db, `SELECT count(*) FROM (SELECT 1 FROM digests GROUP BY floor(extract(epoch FROM created_at) / ?)
		HAVING count(*) > 1) d`, workerEvery.Seconds()); n != 0 {
		t.Errorf("%d digest slots sent more than one digest", n)
	}
	ids := map[string]bool{}
	for _, m := range mail.messages() {
		h, _ := mailParts(t, m)
		id := h.Get("Message-Id")
		if ids[id] {
			t.Errorf("digest %s mailed twice", id)
		}
		ids[id] = true
	}
	if len(ids) != digests {
		t.Errorf("%d digest mails for %d digests", len(ids), digests)
	}
}

// The worker sending alerts is killed: another takes the alerts lock and
// delivers what was queued, every alert in one message (one that was in
// flight at the kill may come again, under the same key).
func TestAlertSenderMovesOn(t *testing.T) {
	if !dbtest.Postgres() {
		t.Skip("PostgreSQL only: runs in the PostgreSQL pass (NEWSMON_TEST_BACKEND=postgres)")
	}
	const sources = 30
	db := dbtest.NewPostgres(t)
	feeds, hook := newWorkerFeeds(t), newHookSink(t)
	cfg := writeWorkersConfig(t, db, feeds.srv.URL, hook.srv.URL, startMailbox(t, &mailbox{}), sources)
	time.Sleep(time.Until(time.Now().Truncate(workerEvery).Add(workerEvery + 100*time.Millisecond)))
	s0 := time.Now().Truncate(workerEvery)
	workers := map[string]*workerProc{}
	for range 2 {
		w := startWorker(t, cfg)
		workers[w.name] = w
	}
	waitFor(t, "slot s0 to be run", workerEvery, slotDone(t, db, s0, sources))
	var sender *workerProc
	waitFor(t, "a worker to hold the alerts lock", 3*daemon.PostgresSendEvery, func() bool {
		holders := lockHolders(t, db, `AND l.objid = (hashtextextended('newsmon lock alerts in ' || current_schema(), 0) & 4294967295)::oid`)
		if len(holders) == 1 {
			sender = workers[holders[0]]
		}
		return sender != nil
	})
	// Kill it as the next slot queues alerts (s0 was each source's first
	// run, which alerts on nothing).
	time.Sleep(time.Until(s0.Add(workerEvery + 200*time.Millisecond)))
	if err := sender.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	sender.cmd.Wait()
	delete(workers, sender.name)
	waitFor(t, "slots s1 and s2 to be run by the survivor", 3*workerEvery, slotDone(t, db, s0.Add(2*workerEvery), sources))
	waitFor(t, "every alert to be delivered", 4*daemon.PostgresSendEvery, func() bool {
		return count(t, db, `SELECT count(*) FROM alerts WHERE status != 'sent'`) == 0
	})
	for _, w := range workers {
		w.cmd.Process.Signal(syscall.SIGTERM)
		if err := w.cmd.Wait(); err != nil {
			t.Errorf("worker %s: %v", w.name, err)
		}
	}
	alerts := count(t, db, `SELECT count(*) FROM alerts`)
	if alerts < 2*(sources/10) {
		t.Errorf("%d alerts queued, want at least %d (two slots of new items naming Ali Aarrass)", alerts, 2*(sources/10))
	}
	hook.check(t, alerts, false)
}

// workerProc is one `newsmon run` worker.
type workerProc struct {
	cmd  *exec.Cmd
	name string // host:pid, as the workers table has it
	log  string // the file its stderr goes to
	held int    // leases it held when it was killed
}

// logText is what the worker has logged so far.
func (w *workerProc) logText() string {
	b, _ := os.ReadFile(w.log)
	return string(b)
}

func startWorker(t *testing.T, cfg string) *workerProc {
	t.Helper()
	logf, err := os.CreateTemp(t.TempDir(), "worker-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close() // the child has its own
	cmd := exec.Command(binary, "run", "--config", cfg)
	cmd.Stderr = logf
	cmd.Env = append(os.Environ(), "NEWSMON_CONFIG=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	w := &workerProc{cmd: cmd, name: fmt.Sprintf("%s:%d", host, cmd.Process.Pid), log: logf.Name()}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("worker %s log:\n%s", w.name, w.logText())
		}
	})
	return w
}

// pickVictim returns the worker with the most leases held that holds
// neither the alerts lock nor the digest's lease, or nil when none holds
// a lease.
func pickVictim(t *testing.T, db string, workers map[int]*workerProc) *workerProc {
	t.Helper()
	busy := map[string]bool{}
	digest := rows(t, db, `SELECT worker FROM leases WHERE job = 'task digest' AND worker IS NOT NULL`)
	for _, name := range append(lockHolders(t, db, ""), digest...) {
		busy[name] = true
	}
	held := map[string]int{}
	for _, row := range rows(t, db, `SELECT worker, count(*) FROM leases WHERE worker IS NOT NULL AND job LIKE 'source %' GROUP BY worker`) {
		name, n, _ := strings.Cut(row, "|")
		held[name], _ = strconv.Atoi(n)
	}
	var victim *workerProc
	for _, w := range workers {
		if busy[w.name] {
			continue
		}
		if victim == nil || held[w.name] > held[victim.name] {
			victim = w
		}
	}
	if victim == nil || held[victim.name] == 0 {
		return nil
	}
	return victim
}

// slotDone says, for waitFor, whether n sources have run for slot (false
// until the workers have created the schema).
func slotDone(t *testing.T, db string, slot time.Time, n int) func() bool {
	return func() bool {
		return rows(t, db, `SELECT to_regclass('fetch_runs') IS NOT NULL`)[0] == "1" &&
			count(t, db, `SELECT count(DISTINCT source) FROM fetch_runs WHERE slot = ?`, slot.UTC().Format(time.RFC3339)) == n
	}
}

// lockHolders lists the workers holding a PostgreSQL advisory lock, of
// those the SQL condition and (ANDed on pg_locks l) selects.
func lockHolders(t *testing.T, db, and string) []string {
	t.Helper()
	return rows(t, db, `SELECT substr(a.application_name, length('newsmon ') + 1)
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() `+and)
}

func writeWorkersConfig(t *testing.T, db, feeds, hook string, mailPort, sources int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `database: %s
postgres: {lease: %s}
log: {level: warn}
fetch: {user_agent: newsmon-robust, timeout: 5s, concurrency: 16, allow_private_addresses: true}
daemon: {jitter: 0s, default_schedule: "@every %s", shutdown_grace: 10s}
tracked: [{name: Ali Aarrass}]
alerts:
  group_window: 0s
  health_notify: []
  rules:
    - {name: aarrass, person: Ali Aarrass, notify: [webhook], webhook: %s/hook}
smtp: {host: 127.0.0.1, port: %d, security: none, from: "newsmon <monitor@example.org>"}
digest: {schedule: "@every %s", to: [team@example.org], send_empty: true}
sources:
`, db, workerLease, workerEvery, hook, mailPort, workerEvery)
	for n := range sources {
		fmt.Fprintf(&b, "  - {name: feed%03d, type: feed, url: %s/feed/%d.rss, full_text: false}\n", n, feeds, n)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// workerFeeds serves /feed/N.rss: the items of the current slot k and of
// the one before (item-N-k, one in ten naming Ali Aarrass) and the wire
// story of slot k, the same in every feed. It counts requests per feed.
type workerFeeds struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[int][]time.Time
}

func newWorkerFeeds(t *testing.T) *workerFeeds {
	f := &workerFeeds{hits: map[int][]time.Time{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d.rss", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		now := time.Now()
		f.mu.Lock()
		f.hits[n] = append(f.hits[n], now)
		f.mu.Unlock()
		time.Sleep(feedLatency)
		k := now.Unix() / int64(workerEvery/time.Second)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(workerFeed(n, k, now))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *workerFeeds) hitsBefore(n int, end time.Time) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := 0
	for _, at := range f.hits[n] {
		if at.Before(end) {
			c++
		}
	}
	return c
}

func workerFeed(n int, k int64, now time.Time) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel><title>Worker test feed</title><link>https://feeds.example.org/</link>\n")
	item := func(guid, title, link, text string) {
		fmt.Fprintf(&b, "<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>%s</link><description>%s</description><pubDate>%s</pubDate></item>\n",
			guid, title, link, text, now.UTC().Format(time.RFC1123Z))
	}
	for _, slot := range []int64{k - 1, k} {
		title := fmt.Sprintf("Harbour bulletin %d of feed %d", slot, n)
		if n%10 == 0 {
			title = fmt.Sprintf("Ali Aarrass: hearing %d reported by feed %d", slot, n)
		}
		item(fmt.Sprintf("item-%d-%d", n, slot), title, fmt.Sprintf("https://feed%d.example.org/%d", n, slot),
			fmt.Sprintf("Bulletin number %d of feed %d.", slot, n))
	}
	item(fmt.Sprintf("wire-%d", k), fmt.Sprintf("Wire story %d", k), fmt.Sprintf("https://wire.example.org/%d", k), "The same wire story in every feed.")
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// hookSink receives the webhook alerts: each message's Idempotency-Key
// and item URLs.
type hookSink struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys map[string]int
	urls map[string][]string // item URL → the keys of the messages that carried it
}

func newHookSink(t *testing.T) *hookSink {
	h := &hookSink{keys: map[string]int{}, urls: map[string][]string{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Items []struct {
				URL string `json:"url"`
			} `json:"items"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		h.mu.Lock()
		h.keys[key]++
		for _, it := range body.Items {
			h.urls[it.URL] = append(h.urls[it.URL], key)
		}
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// check fails t unless want items were alerted, each in one message, and,
// when once is set, no message came twice (else a message may come again,
// under its key: a sender killed mid-delivery).
func (h *hookSink) check(t *testing.T, want int, once bool) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for key, n := range h.keys {
		if n > 1 && once {
			t.Errorf("webhook message %s delivered %d times", key, n)
		}
	}
	for u, keys := range h.urls {
		slices.Sort(keys)
		if keys = slices.Compact(keys); len(keys) > 1 {
			t.Errorf("item %s alerted in %d different messages", u, len(keys))
		}
	}
	if len(h.urls) != want {
		t.Errorf("%d items alerted by webhook, want %d", len(h.urls), want)
	}
}
