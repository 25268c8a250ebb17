package robust

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// Crash test sizes: enough sources that a kill can land between runs, and
// enough items per run that it can land inside one.
const (
	crashSources   = 6
	crashPerSource = 120
)

// distinctItems makes n items whose texts share no phrases, so story
// grouping keeps each its own story and each can alert. Items with an even
// index name Ali Aarrass; every title carries a unique reference "ref
// S<source>N<n>" to find it again in the mails.
func distinctItems(rng *rand.Rand, source, from, n int) []rssItem {
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, 4+rng.IntN(6))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = word()
		}
		return strings.Join(w, " ")
	}
	out := make([]rssItem, n)
	for i := range out {
		k := from + i
		who := "the harbour board"
		if k%2 == 0 {
			who = "Ali Aarrass"
		}
		out[i] = rssItem{
			guid:        fmt.Sprintf("s%d-%d", source, k),
			title:       fmt.Sprintf("ref S%dN%d %s %s", source, k, who, words(5)),
			link:        fmt.Sprintf("https://news.example.org/s%d/%d", source, k),
			description: words(30),
		}
	}
	return out
}

// daemon is a running "newsmon run".
type daemonProc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

func startDaemon(t *testing.T, s setup) *daemonProc {
	t.Helper()
	var errb bytes.Buffer
	cmd := exec.Command(binary, "run", "--config", s.cfg, "--log-level", "info")
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemonProc{cmd: cmd, stderr: &errb}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return d
}

// waitFor polls cond every 20 ms until it holds or the deadline passes.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(t *testing.T, db, query string, args ...any) int {
	t.Helper()
	got := rows(t, db, query, args...)
	n, err := strconv.Atoi(got[0])
	if err != nil {
		t.Fatalf("%s: %q", query, got)
	}
	return n
}

// A daemon killed with SIGKILL while it stores a large fetch and sends its
// alerts loses nothing and duplicates nothing: after a restart the database
// is intact, every item of the feeds is stored once, every alert is sent,
// and each reached the mail server in exactly one message (a message the
// crash interrupted is sent again under the same Message-ID). This is the
// daemon's own recovery at start; TestCrashPoints kills one-shot runs at
// exact points.
func TestCrashDuringIngest(t *testing.T) {
	dbtest.SQLiteOnly(t, "kills at SQLite write points (crash points hook SQLite)")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)

	box := &mailbox{delay: 150 * time.Millisecond}
	port := startMailbox(t, box)
	var feeds [crashSources]atomic.Value
	var slow atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d.xml", &i); err != nil || i < 0 || i >= crashSources {
			http.NotFound(w, r)
			return
		}
		if slow.Load() {
			// Staggered so runs finish one after another, giving the kill
			// a window with some runs stored and others not.
			time.Sleep(time.Duration(50+80*i) * time.Millisecond)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feeds[i].Load().([]byte))
	}))
	t.Cleanup(srv.Close)

	var sources []string
	for i := range crashSources {
		feeds[i].Store(rss(distinctItems(rng, i, 0, 3)...))
		sources = append(sources, fmt.Sprintf("{name: wire%d, type: feed, url: SRV/feed/%d.xml, full_text: false}", i, i))
	}
	tail := fmt.Sprintf(`daemon: {jitter: 0s, default_schedule: "@every 1h", shutdown_grace: 5s}
smtp: {host: 127.0.0.1, port: %d, security: none, from: "newsmon <monitor@example.org>"}
alerts:
  max_age: 87600h
  group_window: 0s
  rules:
    - name: aarrass
      person: Ali Aarrass
      notify: [email, log]
      email: [desk@ngo.example]
`, port)
	s := writeConfig(t, srv.URL, options{allowPrivate: true, tail: tail}, sources...)

	// Prime: the first run of a source alerts on nothing.
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("priming fetch: %s", r)
	}
	primeRuns := count(t, s.db, `SELECT count(*) FROM fetch_runs`)
	assertRows(t, s.db, `SELECT count(*) FROM alerts`, "0")

	// New items everywhere; the sources look overdue so the daemon runs
	// them all at start.
	for i := range crashSources {
		feeds[i].Store(rss(append(distinctItems(rng, i, 0, 3), distinctItems(rng, i, 3, crashPerSource)...)...))
	}
	rows(t, s.db, `UPDATE sources SET last_success_at = '2000-01-01T00:00:00Z'`)
	slow.Store(true)

	d := startDaemon(t, s)
	extra := time.Duration(rng.IntN(300)) * time.Millisecond
	waitFor(t, "a first run to be stored", 30*time.Second, func() bool {
		return count(t, s.db, `SELECT count(*) FROM fetch_runs`) > primeRuns
	})
	time.Sleep(extra)
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	d.cmd.Wait()
	done := count(t, s.db, `SELECT count(*) FROM fetch_runs`) - primeRuns
	claimed := count(t, s.db, `SELECT count(*) FROM alerts WHERE status = 'sending'`)
	t.Logf("killed %v after the first stored run: %d of %d runs stored, %d alerts queued, %d claimed for sending, %d mails received",
		extra, done, crashSources, count(t, s.db, `SELECT count(*) FROM alerts`), claimed, len(box.messages()))
	if done >= crashSources {
		t.Logf("every run finished before the kill; the crash hit only the sender")
	}
	assertRows(t, s.db, `PRAGMA integrity_check`, "ok")

	// Restart: the runs that did not finish run again, the sender recovers.
	slow.Store(false)
	d = startDaemon(t, s)
	wantItems := crashSources * (3 + crashPerSource)
	wantAlerts := 2 * crashSources * (crashPerSource / 2) // even n from 3 to 122, email and log
	waitFor(t, "every item stored and every alert settled", 60*time.Second, func() bool {
		return count(t, s.db, `SELECT count(*) FROM items`) == wantItems &&
			count(t, s.db, `SELECT count(*) FROM alerts`) == wantAlerts &&
			count(t, s.db, `SELECT count(*) FROM alerts WHERE status IN ('pending', 'sending')`) == 0
	})
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Errorf("daemon after SIGTERM: %v\n%s", err, d.stderr)
	}
	if claimed > 0 && !strings.Contains(d.stderr.String(), "sending it again under the same key") {
		t.Errorf("%d alerts were claimed at the crash but the restart logged no recovery:\n%s", claimed, d.stderr)
	}

	assertRows(t, s.db, `PRAGMA integrity_check`, "ok")
	assertRows(t, s.db, `SELECT count(*), count(DISTINCT guid) FROM items`, fmt.Sprintf("%d|%d", wantItems, wantItems))
	for i := range crashSources {
		assertRows(t, s.db, `SELECT count(*) FROM items WHERE guid LIKE 's`+strconv.Itoa(i)+`-%'`, strconv.Itoa(3+crashPerSource))
	}
	// Every alert row is sent; none is lost (all expected rows exist).
	assertRows(t, s.db, `SELECT status, count(*) FROM alerts GROUP BY status`, fmt.Sprintf("sent|%d", wantAlerts))
	assertRows(t, s.db, `SELECT count(*) FROM alerts a JOIN items i ON i.id = a.item_id WHERE i.title NOT LIKE '%Ali Aarrass%' OR i.guid LIKE '%-0' OR i.guid LIKE '%-1' OR i.guid LIKE '%-2'`, "0")

	// Each email alert reached the mail server in exactly one message: a
	// message sent again after the crash has the same Message-ID.
	byRef, ids := mailedRefs(t, box)
	t.Logf("%d messages, %d delivered again under the same Message-ID", len(box.messages()), repeated(ids))
	for _, r := range rows(t, s.db, `SELECT i.title FROM alerts a JOIN items i ON i.id = a.item_id WHERE a.channel = 'email'`) {
		k := refPattern.FindString(r)
		if n := len(byRef[k]); n != 1 {
			t.Errorf("%s was mailed in %d different messages, want 1", k, n)
		}
		delete(byRef, k)
	}
	for k := range byRef {
		t.Errorf("%s was mailed but has no email alert", k)
	}
}
