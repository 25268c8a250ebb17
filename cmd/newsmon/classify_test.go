package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestClassifyFileJSON(t *testing.T) {
	srv, _ := fixtureServer(t)
	cfgPath, _ := writeConfig(t, srv.URL, fixtureSources)
	code, out, stderr := runCmd(t, "classify", "--config", cfgPath, "--json", "testdata/classify/wire.txt")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got classificationOut
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	if len(got.Mentions) != 1 || got.Mentions[0].Person != "Mohamed Hajib" || got.Mentions[0].Count != 2 ||
		strings.Join(got.Mentions[0].Spellings, ",") != "Mohamed Hajib,Hajib" {
		t.Errorf("mentions = %+v", got.Mentions)
	}
	if len(got.Stances) != 1 || got.Stances[0].Person != "Mohamed Hajib" {
		t.Fatalf("stances = %+v", got.Stances)
	}
	text, _ := os.ReadFile("testdata/classify/wire.txt")
	for _, ev := range got.Stances[0].Evidence {
		if !strings.Contains(string(text), ev.Phrase) || !strings.Contains(ev.Sentence, ev.Phrase) {
			t.Errorf("evidence %+v not in the text", ev)
		}
	}
	if got.RulesVersion == "" {
		t.Error("no rules version")
	}
}

// A person added to the config after items were stored is found in history
// by reclassify.
func TestReclassifyFindsANewlyTrackedPerson(t *testing.T) {
	srv, _ := fixtureServer(t)
	cfgPath, dbPath := writeConfig(t, srv.URL, fixtureSources)
	if code, out, _ := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
		t.Fatalf("fetch: %s", out)
	}
	assertRows(t, dbPath, `SELECT count(*) FROM mentions WHERE person = 'Farida Aarrass'`, "0")

	cfg, _ := os.ReadFile(cfgPath)
	withFarida := strings.Replace(string(cfg), "tracked:\n", "tracked:\n  - name: Farida Aarrass\n", 1)
	if err := os.WriteFile(cfgPath, []byte(withFarida), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "reclassify", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("reclassify exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, "reclassified 7 items") {
		t.Errorf("output %q", out)
	}
	assertRows(t, dbPath, `SELECT i.guid, m.spelling FROM mentions m JOIN items i ON i.id = m.item_id WHERE m.person = 'Farida Aarrass'`,
		"rw-103|Farida Aarrass")
	assertRows(t, dbPath, `SELECT count(*) FROM stances s JOIN items i ON i.id = s.item_id WHERE i.guid = 'rw-103' AND s.person = 'Farida Aarrass'`, "1")
	// Running it again changes nothing.
	if _, out, _ = runCmd(t, "reclassify", "--config", cfgPath); !strings.HasSuffix(strings.TrimSpace(out), ": 0 labels changed") {
		t.Errorf("second reclassify: %q", out)
	}
}

func TestEvalOnCorpus(t *testing.T) {
	srv, _ := fixtureServer(t)
	cfgPath, _ := writeConfig(t, srv.URL, fixtureSources)
	code, out, stderr := runCmd(t, "eval", "--config", cfgPath, "--json", "../../classify/testdata/corpus")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Stance struct {
			MacroF1   float64                    `json:"macro_f1"`
			PerLabel  map[string]json.RawMessage `json:"per_label"`
			Confusion map[string]map[string]int  `json:"confusion"`
		} `json:"stance"`
		Mentions struct{ Precision, Recall float64 } `json:"mentions"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	total := 0
	for _, row := range rep.Stance.Confusion {
		for _, n := range row {
			total += n
		}
	}
	if total < 60 || len(rep.Stance.PerLabel) != 3 || rep.Mentions.Recall < 0.98 {
		t.Errorf("report: %d documents, per_label %v, mentions %+v", total, rep.Stance.PerLabel, rep.Mentions)
	}
}
