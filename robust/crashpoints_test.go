package robust

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// Crash points: newsmon killed with SIGKILL at exact points of its work,
// in each of the three things it does that must survive a crash: storing
// a fetch (ingest), sending alerts and sending the digest.
//
// The kills come from a binary built with -tags crashpoints (see
// store/crashpoints.go), which kills itself at its N-th write to the
// database, and from the test's SMTP server, which kills the sender as a
// message arrives (delivered, but the sender never hears so) or as it
// begins one. Every kill sequence starts from a copy of the state before
// its phase, so that the points are spread over the whole of the phase's
// work: the phase is measured once, uninterrupted, to count its writes.
// Some sequences kill the recovery run too. Then the phase runs to the
// end and the outcome must be the one of an uninterrupted run: every item
// stored once; every alert delivered, and never as two different
// messages (a message delivered again after a crash has the same
// Message-ID); exactly one digest, holding every item.
//
// NEWSMON_CRASH_POINTS=N runs N kill sequences instead of the default.

const (
	cpSources   = 4
	cpPerSource = 40
	cpPrimed    = 3 // items per source before the new ones
)

// defaultKillSequences is how many kill sequences run by default: each
// kills at least once, and a quarter kill their recovery run as well.
const defaultKillSequences = 100

// crashBin is newsmon built with -tags crashpoints, once.
var crashBin struct {
	once sync.Once
	path string
	err  error
}

func crashpointsBinary(t *testing.T) string {
	t.Helper()
	crashBin.once.Do(func() {
		crashBin.path = filepath.Join(filepath.Dir(binary), "newsmon-crashpoints")
		build := exec.Command("go", "build", "-tags", "crashpoints", "-o", crashBin.path, "./cmd/newsmon")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			crashBin.err = fmt.Errorf("build newsmon with crash points: %v\n%s", err, out)
		}
	})
	if crashBin.err != nil {
		t.Fatal(crashBin.err)
	}
	return crashBin.path
}

// crashWorld is what every kill sequence shares: the feeds and what an
// uninterrupted run ends with.
type crashWorld struct {
	feedURL   string
	bin       string
	items     int
	alerts    int
	emailRefs map[string][]string // rule → refs of the items it alerts on
	digest    []string            // refs of every item naming someone
}

// crashCase is one database, config and SMTP server that a kill sequence
// runs against.
type crashCase struct {
	w           *crashWorld
	dir, cfg    string
	db          string
	box         *mailbox
	pid         atomic.Int64
	killAtStep  atomic.Value // "mail#N" or "data#N": the mailbox kills the sender there
	steps       map[string]int
	stepsMu     sync.Mutex
	mailboxKill atomic.Bool // the last kill came from the mailbox
}

// newCase starts a case from the database files in snapshot ("" for none).
func (w *crashWorld) newCase(t *testing.T, snapshot string) *crashCase {
	t.Helper()
	c := &crashCase{w: w, dir: t.TempDir(), steps: map[string]int{}}
	c.db = filepath.Join(c.dir, "newsmon.db")
	c.cfg = filepath.Join(c.dir, "config.yaml")
	c.killAtStep.Store("")
	if snapshot != "" {
		copyDatabase(t, snapshot, c.dir)
	}
	c.box = &mailbox{step: c.onMailStep}
	port := startMailbox(t, c.box)
	var b strings.Builder
	fmt.Fprintf(&b, "database: %s\nlog: {level: warn}\n", c.db)
	b.WriteString("fetch: {user_agent: newsmon-robust, timeout: 5s, concurrency: 2, allow_private_addresses: true}\n")
	b.WriteString("tracked: [{name: Ali Aarrass}, {name: Mohamed Hajib}]\nsources:\n")
	for i := range cpSources {
		fmt.Fprintf(&b, "  - {name: wire%d, type: feed, url: %s/feed/%d.xml, full_text: false}\n", i, w.feedURL, i)
	}
	fmt.Fprintf(&b, `smtp: {host: 127.0.0.1, port: %d, security: none, from: "newsmon <monitor@example.org>"}
alerts:
  max_age: 87600h
  group_window: 0s
  rules:
    - {name: aarrass, person: Ali Aarrass, notify: [email, log], email: [desk@ngo.example]}
    - {name: hajib, person: Mohamed Hajib, notify: [email, log], email: [legal@ngo.example]}
digest: {to: [team@ngo.example]}
`, port)
	if err := os.WriteFile(c.cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// onMailStep kills the sender when the mailbox reaches the step asked for.
func (c *crashCase) onMailStep(step string) {
	c.stepsMu.Lock()
	c.steps[step]++
	at := fmt.Sprintf("%s#%d", step, c.steps[step])
	c.stepsMu.Unlock()
	if at == c.killAtStep.Load().(string) {
		if pid := c.pid.Load(); pid > 0 {
			c.mailboxKill.Store(true)
			syscall.Kill(int(pid), syscall.SIGKILL)
		}
	}
}

// run runs newsmon ARGS on the case: killed at its database write
// crashAfter (0: never), counting its writes into countFile when set.
func (c *crashCase) run(t *testing.T, args []string, crashAfter int64, countFile string) (killed bool, r result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.w.bin, append(args, "--config", c.cfg)...)
	cmd.Env = append(os.Environ(), "NEWSMON_CONFIG=", "NEWSMON_CRASH_AFTER="+strconv.FormatInt(crashAfter, 10), "NEWSMON_CRASH_COUNT="+countFile)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	c.mailboxKill.Store(false)
	c.stepsMu.Lock()
	clear(c.steps)
	c.stepsMu.Unlock()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.pid.Store(int64(cmd.Process.Pid))
	cmd.Wait()
	c.pid.Store(0)
	if ctx.Err() != nil {
		t.Fatalf("newsmon %s: still running after a minute", strings.Join(args, " "))
	}
	r = result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ws.Signaled() && ws.Signal() == syscall.SIGKILL, r
}

// measure runs ARGS uninterrupted and returns how many database writes it
// made.
func (c *crashCase) measure(t *testing.T, args []string) int64 {
	t.Helper()
	countFile := filepath.Join(c.dir, "writes")
	if killed, r := c.run(t, args, 0, countFile); killed || r.code != 0 {
		t.Fatalf("uninterrupted %s: %s", strings.Join(args, " "), r)
	}
	b, err := os.ReadFile(countFile)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf("write count %q: %v", b, err)
	}
	return n
}

// snapshot copies the case's database files to a new folder.
func (c *crashCase) snapshot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyDatabase(t, c.dir, dir)
	return dir
}

// copyDatabase copies newsmon.db and its -wal, not its -shm (SQLite
// rebuilds that), from one folder to another; no process may have it open.
func copyDatabase(t *testing.T, from, to string) {
	t.Helper()
	for _, name := range []string{"newsmon.db", "newsmon.db-wal"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if os.IsNotExist(err) && name != "newsmon.db" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// crashPhase is one thing newsmon does, started from a saved state.
type crashPhase struct {
	name     string
	args     []string
	snapshot string // the state before it
	writes   int64  // database writes of an uninterrupted run
	// slack is how many fewer writes a run may make: sources that finish
	// together share a commit (see store/groupcommit.go), one fewer.
	slack int64
	// check asserts the outcome once the phase has run to the end, and
	// returns how many messages arrived twice (the same Message-ID).
	check func(t *testing.T, c *crashCase) int
}

// killSequence is one case: kill the phase's first run at database write
// first (or at the mailbox step smtp), its second run at write second (0:
// let it run), then run it to the end.
type killSequence struct {
	phase         *crashPhase
	first, second int64
	smtp          string
}

func (k killSequence) String() string {
	s := k.phase.name + "/"
	if k.smtp != "" {
		s += "smtp-" + strings.ReplaceAll(k.smtp, "#", "")
	} else {
		s += fmt.Sprintf("write%d", k.first)
	}
	if k.second > 0 {
		s += fmt.Sprintf("+write%d", k.second)
	}
	return s
}

func TestCrashPoints(t *testing.T) {
	dbtest.SQLiteOnly(t, "crash points hook SQLite; PostgreSQL workers are killed in TestWorkersSurviveAKill")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("seed %d", seed)
	sequences := defaultKillSequences
	if v := os.Getenv("NEWSMON_CRASH_POINTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3 {
			t.Fatalf("NEWSMON_CRASH_POINTS=%q: want a number of kill sequences, at least 3", v)
		}
		sequences = n
	}

	w := &crashWorld{bin: crashpointsBinary(t), emailRefs: map[string][]string{}}
	var feeds [cpSources]atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d.xml", &i); err != nil || i < 0 || i >= cpSources {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "application/rss+xml")
		rw.Write(feeds[i].Load().([]byte))
	}))
	t.Cleanup(srv.Close)
	w.feedURL = srv.URL

	// Items name Ali Aarrass (n%4 == 0), Mohamed Hajib (n%4 == 1) or
	// nobody; the first cpPrimed of each source are stored before the
	// crashes, by a source's first run, which alerts on nothing.
	items := make([][]rssItem, cpSources)
	for i := range cpSources {
		items[i] = distinctItems(rng, i, 0, cpPrimed+cpPerSource)
		for n := range items[i] {
			switch n % 4 {
			case 0:
			case 1:
				items[i][n].title = strings.Replace(items[i][n].title, "the harbour board", "Mohamed Hajib", 1)
			default:
				items[i][n].title = strings.Replace(items[i][n].title, "Ali Aarrass", "the harbour board", 1)
			}
			ref := fmt.Sprintf("ref S%dN%d", i, n)
			if n%4 < 2 {
				w.digest = append(w.digest, ref)
			}
			if n >= cpPrimed && n%4 < 2 {
				rule := []string{"aarrass", "hajib"}[n%4]
				w.emailRefs[rule] = append(w.emailRefs[rule], ref)
				w.alerts += 2 // email and log
			}
		}
		feeds[i].Store(rss(items[i][:cpPrimed]...))
	}
	w.items = cpSources * (cpPrimed + cpPerSource)

	// The phases, each measured uninterrupted from the state the one
	// before left.
	base := w.newCase(t, "")
	if killed, r := base.run(t, []string{"fetch"}, 0, ""); killed || r.code != 0 {
		t.Fatalf("priming fetch: %s", r)
	}
	for i := range cpSources {
		feeds[i].Store(rss(items[i]...))
	}
	ingest := &crashPhase{name: "ingest", args: []string{"fetch"}, check: w.checkIngest, snapshot: base.snapshot(t), slack: cpSources}
	alerts := &crashPhase{name: "alerts", args: []string{"alerts", "send"}, check: w.checkAlerts}
	digest := &crashPhase{name: "digest", args: []string{"digest", "--send"}, check: w.checkDigest}
	for i, p := range []*crashPhase{ingest, alerts, digest} {
		c := w.newCase(t, p.snapshot)
		p.writes = c.measure(t, p.args)
		if repeats := p.check(t, c); repeats != 0 {
			t.Fatalf("uninterrupted %s: %d messages arrived twice", p.name, repeats)
		}
		if i < 2 {
			[]*crashPhase{ingest, alerts, digest}[i+1].snapshot = c.snapshot(t)
		}
		t.Logf("%s: %d database writes uninterrupted", p.name, p.writes)
	}

	plans := killPlans(rng, sequences, ingest, alerts, digest)
	var kills, mailboxKills, repeats, notKilled atomic.Int64
	perPhase := map[string]*atomic.Int64{"ingest": {}, "alerts": {}, "digest": {}}
	t.Run("kills", func(t *testing.T) {
		for i, k := range plans {
			t.Run(fmt.Sprintf("%02d-%s", i, k), func(t *testing.T) {
				t.Parallel()
				c := w.newCase(t, k.phase.snapshot)
				c.killAtStep.Store(k.smtp)
				n := 0
				for _, at := range []int64{k.first, k.second} {
					if at == 0 && (k.smtp == "" || n > 0) {
						continue
					}
					killed, r := c.run(t, k.phase.args, at, "")
					c.killAtStep.Store("")
					if !killed {
						// The run had fewer writes than the plan (runs
						// of several sources commit in varying groups).
						notKilled.Add(1)
						t.Logf("not killed (%s): exit %d", k, r.code)
						break
					}
					n++
					if c.mailboxKill.Load() {
						mailboxKills.Add(1)
					}
				}
				kills.Add(int64(n))
				perPhase[k.phase.name].Add(int64(n))
				if killed, r := c.run(t, k.phase.args, 0, ""); killed || r.code != 0 {
					t.Fatalf("%s after %d kills: %s", strings.Join(k.phase.args, " "), n, r)
				}
				repeats.Add(int64(k.phase.check(t, c)))
			})
		}
	})
	t.Logf("%d kill sequences: %d kills (ingest %d, alerts %d, digest %d; %d of them by the mail server mid-message), "+
		"%d planned kills not reached; %d messages delivered a second time under the same Message-ID",
		len(plans), kills.Load(), perPhase["ingest"].Load(), perPhase["alerts"].Load(), perPhase["digest"].Load(),
		mailboxKills.Load(), notKilled.Load(), repeats.Load())
	if want := int64(sequences); kills.Load() < want {
		t.Errorf("%d kills, want at least %d", kills.Load(), want)
	}
	for name, n := range perPhase {
		if n.Load() == 0 {
			t.Errorf("no kill in %s", name)
		}
	}
}

// killPlans spreads n kill sequences over the phases: about half in
// ingest, a third in sending alerts, the rest in sending the digest (whose
// few writes each get several sequences). Kill points are spread evenly
// over each phase's writes, with a random offset inside each stride; one
// sequence in four also kills the recovery run, and the mail server kills
// the sender as a message begins and as it arrives.
func killPlans(rng *rand.Rand, n int, ingest, alerts, digest *crashPhase) []killSequence {
	var out []killSequence
	spread := func(p *crashPhase, count int, smtp []string) {
		for _, s := range smtp {
			out = append(out, killSequence{phase: p, smtp: s})
		}
		count -= len(smtp)
		last := p.writes - p.slack // every run gets this far
		for j := range count {
			stride := max(1, last/int64(count))
			k := killSequence{phase: p, first: min(last, 1+int64(j)*last/int64(count)+rng.Int64N(stride))}
			if j%4 == 3 {
				// The recovery run redoes what the first lost; it may
				// have fewer writes than this.
				k.second = 1 + rng.Int64N(last)
			}
			out = append(out, k)
		}
	}
	nDigest := max(1, n/6)
	nAlerts := max(1, n/3)
	spread(ingest, n-nAlerts-nDigest, nil)
	spread(alerts, nAlerts, []string{"mail#1", "data#1", "data#2"})
	spread(digest, nDigest, []string{"mail#1", "data#1"})
	return out
}

var refPattern = regexp.MustCompile(`ref S\d+N\d+`)

// checkIngest: every item of the feeds stored once, every alert queued once.
func (w *crashWorld) checkIngest(t *testing.T, c *crashCase) int {
	t.Helper()
	assertRows(t, c.db, `PRAGMA integrity_check`, "ok")
	assertRows(t, c.db, `SELECT count(*), count(DISTINCT guid), count(DISTINCT canonical_url) FROM items`,
		fmt.Sprintf("%d|%d|%d", w.items, w.items, w.items))
	assertRows(t, c.db, `SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM alerts`,
		fmt.Sprintf("%d|%d", w.alerts, w.alerts))
	return 0
}

// checkAlerts: every alert sent, each item's email alert in exactly one
// message (by Message-ID), and nothing else mailed.
func (w *crashWorld) checkAlerts(t *testing.T, c *crashCase) int {
	t.Helper()
	assertRows(t, c.db, `SELECT status, count(*) FROM alerts GROUP BY status`, fmt.Sprintf("sent|%d", w.alerts))
	byRef, ids := mailedRefs(t, c.box)
	want := 0
	for rule, refs := range w.emailRefs {
		want += len(refs)
		for _, ref := range refs {
			switch n := len(byRef[ref]); {
			case n == 0:
				t.Errorf("%s (rule %s) was never mailed", ref, rule)
			case n > 1:
				t.Errorf("%s (rule %s) was mailed in %d different messages", ref, rule, n)
			}
		}
	}
	if len(byRef) != want {
		t.Errorf("%d items mailed, want %d", len(byRef), want)
	}
	return repeated(ids)
}

// checkDigest: one digest sent and recorded, holding every item that names
// someone.
func (w *crashWorld) checkDigest(t *testing.T, c *crashCase) int {
	t.Helper()
	assertRows(t, c.db, `SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'sending') FROM digests`, "1|0")
	ids := map[string]int{}
	for _, raw := range c.box.messages() {
		h, parts := mailParts(t, raw)
		if !strings.HasPrefix(h.Get("Subject"), "newsmon digest") {
			t.Errorf("unexpected mail %q", h.Get("Subject"))
			continue
		}
		ids[h.Get("Message-Id")]++
		got := refPattern.FindAllString(parts["text/plain"], -1)
		for _, ref := range w.digest {
			if !slices.Contains(got, ref) {
				t.Errorf("digest %s lacks %s", h.Get("Message-Id"), ref)
			}
		}
	}
	if len(ids) != 1 {
		t.Errorf("%d different digests mailed (%v), want 1", len(ids), ids)
	}
	return repeated(ids)
}

// mailedRefs reads the item references ("ref S1N4") in each message box
// received: the Message-IDs each reference arrived under, and how many
// copies of each Message-ID arrived.
func mailedRefs(t *testing.T, box *mailbox) (byRef map[string]map[string]bool, ids map[string]int) {
	t.Helper()
	byRef, ids = map[string]map[string]bool{}, map[string]int{}
	for _, raw := range box.messages() {
		h, parts := mailParts(t, raw)
		id := h.Get("Message-Id")
		ids[id]++
		for _, ref := range refPattern.FindAllString(parts["text/plain"], -1) {
			if byRef[ref] == nil {
				byRef[ref] = map[string]bool{}
			}
			byRef[ref][id] = true
		}
	}
	return byRef, ids
}

// repeated counts the copies beyond the first of each Message-ID.
func repeated(ids map[string]int) int {
	n := 0
	for _, k := range ids {
		n += k - 1
	}
	return n
}
