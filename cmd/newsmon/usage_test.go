package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// Flags work before and after the positional arguments of every command
// that takes some; "--" ends the flags.
func TestFlagsBeforeAndAfterArguments(t *testing.T) {
	cfgPath, _ := fetchedDB(t)
	backups := t.TempDir()
	tests := []struct {
		cmd   []string // the command, and its subcommand if any
		arg   string   // the positional argument; BACKUP is a new file each time
		flags []string
		want  string // in the output of both orders
	}{
		{[]string{"search"}, "Brussels", []string{"--person", "Ali Aarrass"}, "1 result"},
		{[]string{"classify"}, "testdata/classify/wire.txt", []string{"--json"}, `"rules_version"`},
		{[]string{"extract"}, "testdata/site/aarrass-appeal.html", []string{"--json"}, `"author": "Ines Marchal"`},
		{[]string{"status"}, "rights", []string{"--json"}, `"source": "rights"`},
		{[]string{"eval"}, "../../classify/testdata/corpus", []string{"--json"}, `"macro_f1"`},
		{[]string{"backup"}, "BACKUP", nil, "backed up"},
		{[]string{"alerts", "test"}, "critical", []string{"--since", "7d"}, "nothing was sent"},
	}
	cfg := string(readFile(t, cfgPath)) + "alerts:\n  rules:\n    - {name: critical, stance: critical, notify: [log]}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(strings.Join(tt.cmd, " "), func(t *testing.T) {
			for order, flagsFirst := range []bool{false, true} {
				arg := strings.Replace(tt.arg, "BACKUP", filepath.Join(backups, fmt.Sprintf("%d-%d.db", i, order)), 1)
				flags := append([]string{"--config", cfgPath}, tt.flags...)
				args := append([]string{}, tt.cmd...)
				if flagsFirst {
					args = append(append(args, flags...), arg)
				} else {
					args = append(append(args, arg), flags...)
				}
				code, out, errOut := runCmd(t, args...)
				if code != exitOK || !strings.Contains(out, tt.want) {
					t.Errorf("newsmon %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
				}
			}
		})
	}

	// Flags before the command are the command's.
	if code, out, errOut := runCmd(t, "--config", cfgPath, "search", "Brussels"); code != exitOK || !strings.Contains(out, "1 result") {
		t.Errorf("newsmon --config … search: exit %d\n%s%s", code, out, errOut)
	}
	// The README's example, as written.
	if code, out, errOut := runCmd(t, "search", "torture", "--person", "Ali Aarrass", "--config", cfgPath); code != exitOK || !strings.Contains(out, "0 results") {
		t.Errorf("search torture --person: exit %d\n%s%s", code, out, errOut)
	}
	// "--" ends the flags: what follows is an argument even if it looks like one.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "-wire.txt"), readFile(t, "testdata/classify/wire.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmdIn(t, dir, nil, "classify", "--config", cfgPath, "--json", "--", "-wire.txt"); code != exitOK || !strings.Contains(out, "Mohamed Hajib") {
		t.Errorf("classify -- -wire.txt: exit %d\n%s%s", code, out, errOut)
	}
	// Too many arguments: say what is wanted.
	if code, _, errOut := runCmd(t, "search", "torture", "Ali", "--config", cfgPath); code != exitUsage || !strings.Contains(errOut, "want exactly one QUERY") {
		t.Errorf("two queries: exit %d, %s", code, errOut)
	}
}

// --since takes a duration or a date in every command that has it.
func TestSinceTakesADurationOrADate(t *testing.T) {
	cfgPath, _ := fetchedDB(t)
	// All fixture items are from May 2021 but one with no date, first seen
	// now: a week back finds only it, a date before 2021 finds all.
	for _, tt := range []struct {
		args      []string
		week, all string
	}{
		{[]string{"search", "Statement OR Aarrass OR Hajib OR أعراس"}, "1 result", "5 results"},
		{[]string{"export", "--format", "jsonl"}, `"title":"Statement without a link"`, `"title":"تضامن مع علي أعراس"`},
		{[]string{"reclassify"}, "reclassified 1 items", "reclassified 7 items"},
	} {
		for _, since := range []struct{ value, want string }{{"7d", tt.week}, {"168h", tt.week}, {"2020-01-01", tt.all}, {"2020-01-01T00:00:00Z", tt.all}} {
			args := append(append([]string{}, tt.args...), "--since", since.value, "--config", cfgPath)
			code, out, errOut := runCmd(t, args...)
			if code != exitOK || !strings.Contains(out, since.want) {
				t.Errorf("newsmon %s: exit %d, want %q in:\n%s%s", strings.Join(args, " "), code, since.want, out, errOut)
			}
		}
		args := append(append([]string{}, tt.args...), "--since", "last week", "--config", cfgPath)
		if code, _, errOut := runCmd(t, args...); code != exitUsage || !strings.Contains(errOut, "want a duration back from now (7d, 12h) or a date (2026-01-31)") {
			t.Errorf("newsmon %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
		}
	}
}

// A filter that names nothing is an error with a suggestion, not an empty
// result; a person may be named by any alias in any case.
func TestMistypedFiltersAreErrors(t *testing.T) {
	cfgPath, _ := fetchedDB(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "Aarrass", "--stance", "hostile"}, `--stance "hostile" matches no stance; known: supportive, critical, neutral, unclear`},
		{[]string{"search", "Aarrass", "--topic", "tortur"}, `--topic "tortur" matches no topic (did you mean "torture"?)`},
		{[]string{"search", "Aarrass", "--person", "Ali Arass"}, `--person "Ali Arass" matches no tracked person or alias (did you mean "Ali Aarrass"?)`},
		{[]string{"search", "Aarrass", "--source", "right"}, `--source "right" matches no source (did you mean "rights"?)`},
		{[]string{"export", "--person", "Mohammed Hajib"}, `--person "Mohammed Hajib" matches no tracked person or alias (did you mean "Mohamed Hajib"?)`},
	} {
		args := append(tt.args, "--config", cfgPath)
		code, out, errOut := runCmd(t, args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("newsmon %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", strings.Join(args, " "), code, out, errOut, tt.want)
		}
	}
	// Any alias, any case, finds the person.
	for _, person := range []string{"Ali Aarrass", "ali aarrass", "علي أعراس", "ALI AARRASS"} {
		code, out, errOut := runCmd(t, "export", "--person", person, "--config", cfgPath)
		if lines := strings.Split(strings.TrimSpace(out), "\n"); code != exitOK || len(lines) != 3 || strings.Contains(out, "Hajib") {
			t.Errorf("export --person %q: exit %d, %d lines\n%s%s", person, code, len(lines), out, errOut)
		}
	}
	if code, out, _ := runCmd(t, "search", "Aarrass", "--stance", "UNCLEAR", "--topic", "Torture", "--config", cfgPath); code != exitOK || !strings.Contains(out, "0 results") {
		t.Errorf("known values in another case: exit %d\n%s", code, out)
	}

	// A person no longer tracked, and a source no longer configured, still
	// have their stored items.
	cfg := strings.Replace(string(readFile(t, cfgPath)), "  - name: Mohamed Hajib\n", "", 1)
	cfg = strings.Replace(cfg, "  - {name: maghreb, type: feed, url:", "  - {name: maghreb-renamed, type: feed, url:", 1)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "search", "Hajib", "--person", "mohamed hajib", "--source", "maghreb", "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "1 result") {
		t.Errorf("untracked person and removed source: exit %d\n%s%s", code, out, errOut)
	}
}

// The JSON of every command uses one vocabulary (docs/commands.md).
func TestJSONVocabulary(t *testing.T) {
	cfgPath, _ := fetchedDB(t)
	keysOf := func(t *testing.T, what, line string) []string {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", what, err, line)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return keys
	}
	firstLine := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

	_, out, _ := runCmd(t, "search", "Brussels", "--json", "--config", cfgPath)
	search := keysOf(t, "search", firstLine(out))
	_, out, _ = runCmd(t, "export", "--format", "jsonl", "--config", cfgPath)
	export := keysOf(t, "export", firstLine(out))
	_, out, _ = runCmd(t, "status", "--json", "--config", cfgPath)
	status := keysOf(t, "status", out)
	var rep struct{ Sources []map[string]any }
	json.Unmarshal([]byte(out), &rep)
	source, _ := json.Marshal(rep.Sources[0])
	statusSource := keysOf(t, "status source", string(source))

	want := map[string][]string{
		"search":        {"date", "item_id", "rank", "snippet", "source", "story_id", "title", "url"},
		"export":        {"date", "human_label", "item_id", "person", "score", "source", "stance", "story_id", "title", "topics", "url"},
		"status":        {"daemon", "database", "search_index_pending", "sources", "time_zone"},
		"status source": {"backing_off", "cause", "consecutive_failures", "error", "items_last_day", "last_run", "last_success", "next_run", "schedule", "source", "type", "url"},
	}
	if dbtest.Postgres() { // the worker that ran the source
		want["status source"] = append(want["status source"], "worker")
		sort.Strings(want["status source"])
	}
	got := map[string][]string{"search": search, "export": export, "status": status, "status source": statusSource}
	snake := regexp.MustCompile(`^[a-z]+(_[a-z0-9]+)*$`)
	for what, keys := range got {
		if strings.Join(keys, ",") != strings.Join(want[what], ",") {
			t.Errorf("%s keys %v, want %v", what, keys, want[what])
		}
		for _, k := range keys {
			if !snake.MatchString(k) {
				t.Errorf("%s key %q is not snake_case", what, k)
			}
		}
	}
	// The same thing has the same name and form: a time is RFC 3339 UTC.
	// Two sources carry the story with the same date, and which is stored
	// first depends on which fetch ends first: look for the original.
	_, out, _ = runCmd(t, "search", "Brussels", "--json", "--config", cfgPath)
	var original map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var hit map[string]any
		if err := json.Unmarshal([]byte(line), &hit); err != nil {
			t.Fatalf("search --json line %q: %v", line, err)
		}
		if hit["source"] == "rights" {
			original = hit
		}
	}
	if original["date"] != "2021-05-04T09:00:00Z" {
		t.Errorf("search hit from rights: %v, in:\n%s", original, out)
	}
}

// --excel writes a CSV Excel opens as UTF-8: a byte-order mark, CRLF line
// ends, Arabic and accented titles byte for byte.
func TestExportForExcel(t *testing.T) {
	cfgPath, _ := fetchedDB(t)
	out := filepath.Join(t.TempDir(), "coverage.csv")
	if code, _, errOut := runCmd(t, "export", "--excel", "--out", out, "--config", cfgPath); code != exitOK {
		t.Fatalf("export --excel: exit %d: %s", code, errOut)
	}
	b := readFile(t, out)
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFitem_id,date,source,")) {
		t.Errorf("no UTF-8 byte-order mark before the header: %q", b[:min(len(b), 40)])
	}
	if n, crlf := bytes.Count(b, []byte("\n")), bytes.Count(b, []byte("\r\n")); n == 0 || n != crlf {
		t.Errorf("%d lines, %d end in CRLF", n, crlf)
	}
	for _, title := range []string{"تضامن مع علي أعراس", "Mohamed Hajib répond à ses détracteurs"} {
		if !bytes.Contains(b, []byte(title)) {
			t.Errorf("%q not in the file as UTF-8", title)
		}
	}
	_, plain, _ := runCmd(t, "export", "--config", cfgPath)
	if strings.HasPrefix(plain, "\uFEFF") || strings.Contains(plain, "\r\n") {
		t.Error("the default CSV has a byte-order mark or CRLF")
	}
	if code, _, errOut := runCmd(t, "export", "--excel", "--format", "jsonl", "--config", cfgPath); code != exitUsage || !strings.Contains(errOut, "--excel is for --format csv") {
		t.Errorf("--excel with jsonl: exit %d, %s", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "--version")
	code2, out2, _ := runCmd(t, "version")
	if code != exitOK || code2 != exitOK || out != out2 {
		t.Fatalf("--version (exit %d) %q and version (exit %d) %q differ", code, out, code2, out2)
	}
	line := regexp.MustCompile(`^newsmon \S+ \((revision ([0-9a-f]{40})(, [0-9TZ:-]+)?(, modified)?|no VCS information)\) (go\S+)\n$`)
	m := line.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("version line %q", out)
	}
	if m[5] != runtime.Version() {
		t.Errorf("Go version %q, want %q", m[5], runtime.Version())
	}
	// Built from a git clone (as CI builds), the revision is HEAD's.
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil || m[2] == "" {
		t.Logf("revision not compared (git: %v; binary: %q)", err, out)
		return
	}
	if m[2] != strings.TrimSpace(string(head)) {
		t.Errorf("revision %s, want HEAD %s", m[2], head)
	}
}

func TestVersionLine(t *testing.T) {
	info := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "3bcfe4cf7e4e62d202acf44132632badee1c6e45"},
		{Key: "vcs.time", Value: "2026-12-03T06:12:10Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	want := "newsmon v1.2.3 (revision 3bcfe4cf7e4e62d202acf44132632badee1c6e45, 2026-12-03T06:12:10Z, modified) " + runtime.Version()
	if got := versionLine(info); got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	if got := versionLine(nil); got != "newsmon (unknown) (no VCS information) "+runtime.Version() {
		t.Errorf("versionLine(nil) = %q", got)
	}
}

// Help is asked for with -h anywhere and goes to stdout with status 0; a
// mistake goes to stderr with status 2 and a guess at what was meant.
func TestHelpAndTypos(t *testing.T) {
	for _, tt := range []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"alerts", "-h"}, exitOK, "newsmon alerts test RULE [--since 30d|DATE]", ""},
		{[]string{"help", "alerts"}, exitOK, "newsmon alerts send", ""},
		{[]string{"alerts", "test", "-h"}, exitOK, "--since VALUE", ""},
		{[]string{"help", "search"}, exitOK, "Flags (before or after the arguments):", ""},
		{[]string{"search", "-h"}, exitOK, "--person STRING", ""},
		{[]string{}, exitUsage, "", "Usage: newsmon COMMAND"},
		{[]string{"serach", "torture"}, exitUsage, "", `unknown command "serach" (did you mean "search"?)`},
		{[]string{"alerts", "sned"}, exitUsage, "", `unknown subcommand "sned" (did you mean "send"?)`},
		{[]string{"search", "torture", "--preson", "X"}, exitUsage, "", "unknown flag --preson (did you mean --person?)"},
		{[]string{"fetch", "--quite"}, exitUsage, "", "unknown flag --quite (did you mean --quiet?)"},
		{[]string{"status", "--jsno"}, exitUsage, "", "unknown flag --jsno (did you mean --json?)"},
		{[]string{"check", "my.yaml"}, exitUsage, "", `newsmon check: takes no arguments, got "my.yaml" (the config is --config FILE)`},
		{[]string{"export", "out.csv"}, exitUsage, "", `(write to a file with --out FILE)`},
	} {
		code, out, errOut := runCmd(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("newsmon %s: exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.code, out, errOut)
		}
	}
}

// fetch takes the log flags run takes: --quiet leaves the table alone on a
// terminal, --log-level debug shows everything.
func TestFetchLogFlags(t *testing.T) {
	srv, _ := fixtureServer(t)
	cfgPath, _ := writeConfig(t, srv.URL, fixtureSources)
	code, out, errOut := runCmd(t, "fetch", "--quiet", "--config", cfgPath)
	if code != exitOK || errOut != "" || !strings.Contains(out, "not a feed") {
		t.Errorf("fetch --quiet: exit %d, stderr %q\n%s", code, errOut, out)
	}
	code, _, errOut = runCmd(t, "fetch", "--log-level", "debug", "--log-format", "json", "--config", cfgPath)
	if code != exitOK || !strings.Contains(errOut, `"level":"DEBUG"`) || !strings.Contains(errOut, `"cause":"not a feed"`) {
		t.Errorf("fetch --log-level debug: exit %d, stderr:\n%s", code, errOut)
	}
	if code, _, errOut = runCmd(t, "fetch", "--quiet", "--log-level", "info", "--config", cfgPath); code != exitUsage || !strings.Contains(errOut, "contradict") {
		t.Errorf("--quiet --log-level info: exit %d, %s", code, errOut)
	}
}

// status names why each source fails in a word or two; the whole error is
// one command away, and in the JSON.
func TestStatusShowsCauses(t *testing.T) {
	srv, _ := fixtureServer(t)
	closed := freeAddr(t) // nothing listens there once freeAddr returns
	cfgPath, _ := writeConfig(t, srv.URL, fixtureSources+
		"  - {name: refused, type: feed, url: http://"+closed+"/feed.xml}\n"+
		"  - {name: crawl, type: page, start_urls: [http://"+closed+"/news/]}\n")
	if code, out, errOut := runCmd(t, "fetch", "--quiet", "--config", cfgPath); code != exitOK {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, "status", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = line
		}
	}
	for source, cause := range map[string]string{"broken": "not a feed", "down": "HTTP 500", "refused": "refused", "crawl": "refused"} {
		if !strings.HasSuffix(rows[source], "  "+cause) {
			t.Errorf("status row of %s does not end in its cause %q:\n%s", source, cause, rows[source])
		}
	}
	if strings.Contains(out, "dial tcp") || strings.Contains(out, `Get "`) {
		t.Errorf("status table shows raw errors:\n%s", out)
	}

	// A crawl whose start page cannot be reached says why, in full, with
	// the URL once.
	code, out, _ = runCmd(t, "status", "crawl", "--config", cfgPath)
	start := "http://" + closed + "/news/"
	if code != exitOK || !strings.Contains(out, "cause:        refused") || !strings.Contains(out, "connection refused") ||
		strings.Count(out, start) != 3 { // the url line, the error line, the run's row
		t.Errorf("status crawl: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "status", "refused", "--json", "--config", cfgPath)
	var src struct {
		Cause, Error string
		Runs         []struct{ Cause, Error, Status string }
	}
	if err := json.Unmarshal([]byte(out), &src); err != nil || code != exitOK {
		t.Fatalf("status refused --json: exit %d, %v\n%s", code, err, out)
	}
	feedURL := "http://" + closed + "/feed.xml"
	if src.Cause != "refused" || !strings.HasSuffix(src.Error, "connection refused") || strings.Count(src.Error, feedURL) != 1 ||
		len(src.Runs) != 1 || src.Runs[0].Cause != "refused" || src.Runs[0].Status != "error" {
		t.Errorf("status refused --json = %+v", src)
	}
	if code, _, errOut = runCmd(t, "status", "refusd", "--config", cfgPath); code != exitUsage || !strings.Contains(errOut, `(did you mean "refused"?)`) {
		t.Errorf("status of an unknown source: exit %d, %s", code, errOut)
	}
}

// alerts send says which alerts wait for the group window, and until when.
func TestAlertsSendSaysWhatWaits(t *testing.T) {
	var feed atomic.Value
	feed.Store(rssItem("first", "Campaign for Aarrass goes on", time.Now().Add(-time.Hour)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>%s</channel></rss>`, feed.Load())
	}))
	t.Cleanup(srv.Close)
	cfgPath, dbPath := writeConfig(t, srv.URL, "  - {name: news, type: feed, url: SRV/feed.rss, full_text: false}\n")
	cfg := string(readFile(t, cfgPath)) + `alerts:
  group_window: 2h
  rules:
    - {name: any-aarrass, person: Ali Aarrass, notify: [log]}
`
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// A source's first run alerts on nothing (its archive is not news);
	// the item the second run brings does.
	for _, guid := range []string{"", "second"} {
		if guid != "" {
			feed.Store(feed.Load().(string) + rssItem(guid, "Rights groups call for an inquiry", time.Now().Add(-time.Minute)))
		}
		if code, out, errOut := runCmd(t, "fetch", "--quiet", "--config", cfgPath); code != exitOK {
			t.Fatalf("fetch: exit %d\n%s%s", code, out, errOut)
		}
	}
	assertRows(t, dbPath, `SELECT rule, status FROM alerts`, "any-aarrass|pending")

	before := time.Now()
	code, out, errOut := runCmd(t, "alerts", "send", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("alerts send: exit %d\n%s%s", code, out, errOut)
	}
	m := regexp.MustCompile(`waiting: 1 alert of rule "any-aarrass" by log, gathered for alerts.group_window \(2h0m0s\), until (\S+ \S+) \(in ([0-9hms]+)\)`).FindStringSubmatch(out)
	if !strings.Contains(out, "delivered 0 alerts") || m == nil {
		t.Fatalf("alerts send said:\n%s", out)
	}
	until, err := time.ParseInLocation("2006-01-02 15:04:05", m[1], time.UTC)
	if err != nil || until.Before(before.Add(2*time.Hour-time.Minute)) || until.After(time.Now().Add(2*time.Hour)) {
		t.Errorf("waits until %s (%v), want two hours after the alert was queued", m[1], err)
	}
}

// check refuses a schedule that never fires and warns of one that fires
// every second; YAML layout mistakes point at the line to fix.
func TestCheckSchedulesAndLayout(t *testing.T) {
	for _, tt := range []struct {
		name, config   string
		code           int
		stdout, stderr string
	}{
		{"never fires", "tracked: [{name: A B}]\nsources:\n  - {name: a, type: feed, url: 'https://a.example.org/', schedule: '0 0 31 2 *'}\n",
			exitUsage, "", `config.yaml:3: sources[0].schedule: schedule "0 0 31 2 *" never fires`},
		{"every second", "tracked: [{name: A B}]\nsources:\n  - {name: a, type: feed, url: 'https://a.example.org/', schedule: '@every 1s'}\n",
			exitOK, `warning: config.yaml:3: sources[0].schedule: schedule "@every 1s" runs every 1s`, ""},
		{"tab", "tracked:\n\t- name: A B\n", exitUsage, "", "config.yaml:2: tabs are not allowed for indentation: indent with spaces"},
		{"layout", "tracked:\n  - name: A B\n    aliases: [a]\n   bogus: 1\n", exitUsage, "", "config.yaml:4: this line's indentation does not fit the list above it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmdIn(t, dir, nil, "check")
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) || strings.Contains(out, "0001") {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
		})
	}
}
