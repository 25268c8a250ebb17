package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// fetchedWithStance fetches the fixture feeds and returns the config, the
// database and an item with a classifier stance for Ali Aarrass, and that
// stance.
func fetchedWithStance(t *testing.T) (cfgPath, dbPath, item, label string) {
	t.Helper()
	srv, _ := fixtureServer(t)
	cfgPath, dbPath = writeConfig(t, srv.URL, fixtureSources)
	if code, out, stderr := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
		t.Fatalf("fetch exit %d\n%s\n%s", code, out, stderr)
	}
	rows := queryRows(t, dbPath, `SELECT item_id || ' ' || label FROM stances WHERE person = 'Ali Aarrass' ORDER BY item_id LIMIT 1`)
	if len(rows) == 0 {
		t.Fatal("no item with a stance for Ali Aarrass")
	}
	item, label, _ = strings.Cut(rows[0], " ")
	return cfgPath, dbPath, item, label
}

// other returns a stance that differs from label.
func other(label string) string {
	if label == "critical" {
		return "supportive"
	}
	return "critical"
}

// A person's label is kept apart from the classifier's, wins in the views
// and in search and export, survives reclassify, and can be cleared.
func TestLabelWinsAndSurvivesReclassify(t *testing.T) {
	cfgPath, dbPath, item, classifier := fetchedWithStance(t)
	want := other(classifier)
	code, out, stderr := runCmd(t, "label", item, "ali aarrass", want, "--topics", "torture,trial_justice", "--by", "ana", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("label exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "Ali Aarrass "+want+" (was "+classifier+"), labelled by ana") {
		t.Errorf("label says %q", out)
	}
	check := func(when string) {
		t.Helper()
		assertRows(t, dbPath, `SELECT stance || ' ' || human_label || ' ' || topics FROM coverage WHERE item_id = `+item+` AND person = 'Ali Aarrass'`,
			want+" 1 torture,trial_justice")
		assertRows(t, dbPath, `SELECT label FROM stances WHERE item_id = `+item+` AND person = 'Ali Aarrass'`, classifier)
		code, out, _ := runCmd(t, "export", "--format", "jsonl", "--person", "Ali Aarrass", "--config", cfgPath)
		if code != exitOK || !strings.Contains(out, `"item_id":`+item+`,`) {
			t.Fatalf("%s: export exit %d: %s", when, code, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var row struct {
				ItemID int64  `json:"item_id"`
				Stance string `json:"stance"`
				Human  bool   `json:"human_label"`
			}
			json.Unmarshal([]byte(line), &row)
			if strconv.FormatInt(row.ItemID, 10) == item && (row.Stance != want || !row.Human) {
				t.Errorf("%s: export row %s, want %s by a person", when, line, want)
			}
		}
	}
	check("after labelling")
	if code, out, stderr := runCmd(t, "reclassify", "--config", cfgPath); code != exitOK {
		t.Fatalf("reclassify exit %d\n%s\n%s", code, out, stderr)
	}
	check("after reclassify")
	assertRows(t, dbPath, `SELECT kind || ' ' || labelled_by FROM label_history WHERE item_id = `+item+` ORDER BY id`, "stance ana", "topics ana")

	if code, out, _ := runCmd(t, "label", item, "Ali Aarrass", "--clear", "--config", cfgPath); code != exitOK || !strings.Contains(out, "classifier's shows again") {
		t.Fatalf("clear exit %d: %s", code, out)
	}
	assertRows(t, dbPath, `SELECT stance || ' ' || human_label FROM coverage WHERE item_id = `+item+` AND person = 'Ali Aarrass'`, classifier+" 0")
}

func TestLabelRefusesMistakes(t *testing.T) {
	cfgPath, _, item, _ := fetchedWithStance(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"label", item, "Ali Arass", "critical"}, exitUsage, `did you mean "Ali Aarrass"`},
		{[]string{"label", item, "Ali Aarrass", "hostile"}, exitUsage, "stance"},
		{[]string{"label", item, "Ali Aarrass", "unclear"}, exitUsage, "supportive, critical or neutral"},
		{[]string{"label", item, "--topics", "tortur"}, exitUsage, `did you mean "torture"`},
		{[]string{"label", "999999", "Ali Aarrass", "neutral"}, exitFailure, "no item 999999"},
		{[]string{"label", "x12", "Ali Aarrass", "neutral"}, exitUsage, "not an item number"},
		{[]string{"label", item}, exitUsage, "want ITEM_ID PERSON STANCE"},
	}
	for _, tt := range tests {
		code, out, stderr := runCmd(t, append(tt.args, "--config", cfgPath)...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q (stdout %q)", tt.args, code, stderr, tt.code, tt.want, out)
		}
	}
}

// Labels export as a corpus that eval and rules fit read.
func TestExportEvalCorpus(t *testing.T) {
	cfgPath, dbPath, item, classifier := fetchedWithStance(t)
	if code, out, stderr := runCmd(t, "label", item, "Ali Aarrass", other(classifier), "--config", cfgPath); code != exitOK {
		t.Fatalf("label exit %d\n%s\n%s", code, out, stderr)
	}
	rows := queryRows(t, dbPath, `SELECT item_id FROM stances WHERE person = 'Mohamed Hajib' ORDER BY item_id LIMIT 1`)
	if len(rows) > 0 {
		if code, out, stderr := runCmd(t, "label", rows[0], "Mohamed Hajib", "neutral", "--topics", "", "--config", cfgPath); code != exitOK {
			t.Fatalf("label exit %d\n%s\n%s", code, out, stderr)
		}
	}
	dir := filepath.Join(t.TempDir(), "corpus")
	code, out, stderr := runCmd(t, "export", "--format", "eval", "--out", dir, "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("export exit %d\n%s\n%s", code, out, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "item-*.json"))
	if len(files) != 1+len(rows) {
		t.Fatalf("exported %d files, want %d: %s", len(files), 1+len(rows), out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "item-"+item+"-ali-aarrass.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Person, Stance, Text string
		People               []string
		Topics               []string
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Person != "Ali Aarrass" || doc.Stance != other(classifier) || doc.Text == "" || len(doc.People) == 0 || doc.People[0] != "Ali Aarrass" || doc.Topics != nil {
		t.Errorf("exported %s", b)
	}
	code, out, stderr = runCmd(t, "eval", "--no-lpo", dir, "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "documents about") {
		t.Fatalf("eval of the export: exit %d\n%s\n%s", code, out, stderr)
	}
}

const projectCorpus = "../../classify/testdata/corpus"

// rules fit writes weights that config reads and eval uses; eval reports
// leave-people-out figures and every document's result.
func TestRulesFitAndEval(t *testing.T) {
	dir := t.TempDir()
	weights := filepath.Join(dir, "weights.json")
	code, out, stderr := runCmd(t, "rules", "fit", projectCorpus, "--out", weights, "--groups", "3")
	if code != exitOK {
		t.Fatalf("rules fit exit %d\n%s\n%s", code, out, stderr)
	}
	for _, w := range []string{"Leave-people-out (3 groups)", "In-sample", "stance macro-F1", "Weights written to"} {
		if !strings.Contains(out, w) {
			t.Errorf("rules fit output lacks %q:\n%s", w, out)
		}
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("tracked:\n  - name: Ali Aarrass\nclassify:\n  weights: weights.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCmd(t, "eval", "--json", "--groups", "3", projectCorpus, "--config", cfg)
	if code != exitOK {
		t.Fatalf("eval exit %d\n%s\n%s", code, out, stderr)
	}
	var rep struct {
		Stance struct {
			MacroF1 float64 `json:"macro_f1"`
		}
		Docs []struct {
			File, Person, Gold, Predicted string
			Score                         float64
			TopCues                       []struct{ Phrase string } `json:"top_cues"`
		}
		LeavePeopleOut *struct {
			Groups int
			Stance struct {
				MacroF1 float64 `json:"macro_f1"`
			}
			Docs []json.RawMessage
		} `json:"leave_people_out"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Docs) == 0 || rep.LeavePeopleOut == nil || len(rep.LeavePeopleOut.Docs) != len(rep.Docs) || rep.LeavePeopleOut.Groups != 3 {
		t.Fatalf("eval --json: %d docs, leave-people-out %+v", len(rep.Docs), rep.LeavePeopleOut)
	}
	cues := 0
	for _, d := range rep.Docs {
		if d.File == "" || d.Person == "" || d.Gold == "" || d.Predicted == "" {
			t.Errorf("incomplete document result %+v", d)
		}
		cues += len(d.TopCues)
	}
	if cues == 0 || rep.Stance.MacroF1 <= 0 || rep.LeavePeopleOut.Stance.MacroF1 <= 0 {
		t.Errorf("no cues or no scores: %d cues, F1 %.2f / %.2f", cues, rep.Stance.MacroF1, rep.LeavePeopleOut.Stance.MacroF1)
	}

	// --errors: the wrong stances, most confident first.
	code, out, _ = runCmd(t, "eval", "--errors", "--groups", "3", projectCorpus, "--config", cfg)
	if code != exitOK || !strings.Contains(out, "stances wrong, most confident first") {
		t.Fatalf("eval --errors exit %d:\n%s", code, out)
	}
	var confidences []float64
	for _, m := range regexp.MustCompile(`\(confidence ([0-9.]+),`).FindAllStringSubmatch(out, -1) {
		c, _ := strconv.ParseFloat(m[1], 64)
		confidences = append(confidences, c)
	}
	if len(confidences) == 0 {
		t.Fatalf("no errors listed:\n%s", out)
	}
	for i := 1; i < len(confidences); i++ {
		if confidences[i] > confidences[i-1] {
			t.Fatalf("errors not sorted by confidence: %v", confidences)
		}
	}

	// A weights file that is not one is a config problem naming the key.
	os.WriteFile(weights, []byte(`{"format": 1, "stance": {"context": {"sideways": 1}}}`), 0o644)
	code, _, stderr = runCmd(t, "eval", "--no-lpo", projectCorpus, "--config", cfg)
	if code != exitUsage || !strings.Contains(stderr, "classify.weights") || !strings.Contains(stderr, "sideways") {
		t.Errorf("bad weights file: exit %d, stderr %q", code, stderr)
	}
}

func TestRulesFitSuggest(t *testing.T) {
	code, out, stderr := runCmd(t, "rules", "fit", "--suggest", "-n", "5", projectCorpus)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "Candidate cues from") || !regexp.MustCompile(`(?m)^(supportive|critical|neutral)$`).MatchString(out) {
		t.Errorf("suggestions:\n%s", out)
	}
}

// A label wins in the alerts not sent yet: the item's rules are matched
// again, an alert whose rule no longer matches is withdrawn, one whose
// rule now matches is queued (unless the item is old news or its story
// already has that alert), and clearing the label turns both back.
func TestLabelWithdrawsAndQueuesAlerts(t *testing.T) {
	now := time.Now()
	var feed atomic.Value
	feed.Store(rssItem("archive", "Archive piece on Aarrass", now.Add(-400*24*time.Hour)) +
		rssItem("early", "Campaign for Aarrass goes on", now.Add(-time.Hour)))
	srv := rssServer(t, &feed)
	sink, port := startSink(t)
	dbPath := dbtest.New(t)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	writeCfg := func(rules string) {
		t.Helper()
		cfg := fmt.Sprintf("database: %s\nfetch:\n  allow_private_addresses: true\ntracked:\n  - name: Ali Aarrass\n"+
			"sources:\n  - name: news\n    type: feed\n    url: %s/feed.rss\n    full_text: false\n"+
			"smtp:\n  host: 127.0.0.1\n  port: %d\n  security: none\n  from: alerts@newsmon.example\n"+
			"alerts:\n  group_window: 0s\n%s", dbPath, srv.URL, port, rules)
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fetch := func() {
		t.Helper()
		if code, out, errOut := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
			t.Fatalf("fetch: %d\n%s\n%s", code, out, errOut)
		}
	}
	label := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCmd(t, append(append([]string{"label"}, args...), "--config", cfgPath)...)
		if code != exitOK {
			t.Fatalf("label %v: %d\n%s\n%s", args, code, out, errOut)
		}
		return out
	}
	alerts := `SELECT i.guid || ' ' || a.rule || ' ' || a.status FROM alerts a JOIN items i ON i.id = a.item_id ORDER BY i.guid, a.rule`

	writeCfg("")
	fetch() // a source's first run stores without alerting
	classifier := queryRows(t, dbPath, `SELECT s.label FROM stances s JOIN items i ON i.id = s.item_id WHERE i.guid = 'archive'`)[0]
	writeCfg(fmt.Sprintf("  rules:\n"+
		"    - {name: as-classified, person: Ali Aarrass, stance: %s, notify: [email], email: [desk@ngo.example]}\n"+
		"    - {name: relabelled, person: Ali Aarrass, stance: %s, min_score: 0.99, notify: [email], email: [other@ngo.example]}\n",
		classifier, other(classifier)))
	feed.Store(feed.Load().(string) + rssItem("fresh", "Rights groups want an inquiry for Aarrass", now.Add(-2*time.Hour)))
	fetch()
	assertRows(t, dbPath, alerts, "fresh as-classified pending")
	id := func(guid string) string {
		return queryRows(t, dbPath, `SELECT id FROM items WHERE guid = '`+guid+`'`)[0]
	}

	out := label(id("fresh"), "Ali Aarrass", other(classifier))
	if !strings.Contains(out, "1 alert queued") || !strings.Contains(out, "1 alert withdrawn before sending") {
		t.Errorf("label says:\n%s", out)
	}
	assertRows(t, dbPath, alerts, "fresh as-classified withdrawn", "fresh relabelled pending")

	// Old news queues nothing; nor does a copy of a story that has the alert.
	for _, guid := range []string{"archive", "early"} {
		if out := label(id(guid), "Ali Aarrass", other(classifier)); strings.Contains(out, "alert") {
			t.Errorf("label %s says:\n%s", guid, out)
		}
	}
	assertRows(t, dbPath, alerts, "fresh as-classified withdrawn", "fresh relabelled pending")

	label(id("fresh"), "Ali Aarrass", "--clear")
	assertRows(t, dbPath, alerts, "fresh as-classified pending", "fresh relabelled withdrawn")
	// A withdrawn alert no longer stands for its story.
	if out := label(id("early"), "Ali Aarrass", other(classifier)); !strings.Contains(out, "1 alert queued") {
		t.Errorf("label early after the story's alert was withdrawn says:\n%s", out)
	}
	if code, out, errOut := runCmd(t, "alerts", "send", "--config", cfgPath); code != exitOK {
		t.Fatalf("alerts send: %d\n%s\n%s", code, out, errOut)
	}
	if msgs, _ := sink.received("desk@ngo.example"); len(msgs) != 1 {
		t.Errorf("desk got %d alerts, want 1", len(msgs))
	}
	if msgs, _ := sink.received("other@ngo.example"); len(msgs) != 1 || !strings.Contains(msgs[0], "Campaign for Aarrass") {
		t.Errorf("other got %d alerts, want the one for early:\n%s", len(msgs), msgs)
	}
	assertRows(t, dbPath, alerts, "early relabelled sent", "fresh as-classified sent", "fresh relabelled withdrawn")
}

// eval --groupings averages leave-people-out over several ways of
// grouping the people; each is the figure --groups gives alone (the one
// --groups also asked for is fitted once).
func TestEvalGroupings(t *testing.T) {
	type report struct {
		LeavePeopleOut struct {
			Stance struct {
				MacroF1 float64 `json:"macro_f1"`
			}
		} `json:"leave_people_out"`
		Groupings []struct {
			Groups        int     `json:"groups"`
			StanceMacroF1 float64 `json:"stance_macro_f1"`
		}
	}
	evalJSON := func(args ...string) report {
		t.Helper()
		code, out, stderr := runCmd(t, append([]string{"eval", "--json"}, append(args, projectCorpus)...)...)
		if code != exitOK {
			t.Fatalf("eval %v exit %d\n%s\n%s", args, code, out, stderr)
		}
		var rep report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := evalJSON("--groups", "2", "--groupings", "2,3")
	if len(rep.Groupings) != 2 || rep.Groupings[0].Groups != 2 || rep.Groupings[1].Groups != 3 {
		t.Fatalf("groupings %+v, want 2 and 3 groups", rep.Groupings)
	}
	if alone := evalJSON("--groups", "3"); rep.Groupings[1].StanceMacroF1 != alone.LeavePeopleOut.Stance.MacroF1 {
		t.Errorf("3 groups in --groupings gave %v, --groups 3 gave %v", rep.Groupings[1].StanceMacroF1, alone.LeavePeopleOut.Stance.MacroF1)
	}
	if rep.Groupings[0].StanceMacroF1 != rep.LeavePeopleOut.Stance.MacroF1 {
		t.Errorf("2 groups in --groupings gave %v, --groups 2 gave %v", rep.Groupings[0].StanceMacroF1, rep.LeavePeopleOut.Stance.MacroF1)
	}
	code, out, _ := runCmd(t, "eval", "--groupings", "2,3", projectCorpus)
	if code != exitOK || !strings.Contains(out, "Leave-people-out by the number of groups") || !strings.Contains(out, "mean") {
		t.Errorf("eval text exit %d:\n%s", code, out)
	}
	for _, bad := range []string{"1", "x", "2,0"} {
		if code, _, stderr := runCmd(t, "eval", "--groupings", bad, projectCorpus); code != exitUsage || !strings.Contains(stderr, "--groupings") {
			t.Errorf("--groupings %s: exit %d, %s", bad, code, stderr)
		}
	}
}
