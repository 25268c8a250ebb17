package classify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const corpusDir = "testdata/corpus"

func corpusPeople(t testing.TB) []Person {
	t.Helper()
	return peopleIn(t, corpusDir)
}

// peopleIn reads the tracked people of a labelled folder.
func peopleIn(t testing.TB, dir string) []Person {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "people.json"))
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	var raw []struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	people := make([]Person, len(raw))
	for i, r := range raw {
		people[i] = Person{Name: r.Name, Aliases: r.Aliases}
	}
	return people
}

// TestQualityBar checks the classifier against the labelled corpus.
func TestQualityBar(t *testing.T) {
	c, err := New(corpusPeople(t), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(c, corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + sb.String())
	// A floor, not a target: this corpus was written for the project, and
	// the weights are fitted to real articles (docs/classifier.md).
	if rep.Stance.MacroF1 < 0.80 {
		t.Errorf("stance macro-F1 = %.3f, want >= 0.80", rep.Stance.MacroF1)
	}
	if rep.Mentions.Precision < 0.98 || rep.Mentions.Recall < 0.98 {
		t.Errorf("mentions precision %.3f recall %.3f, want >= 0.98", rep.Mentions.Precision, rep.Mentions.Recall)
	}
}

// TestHeldoutRegressionGuard keeps the score on the held-out corpus
// (testdata/heldout: another writer, other people, written for the
// project) from sliding back. It is a floor a little under the measured
// figures, not a quality target: the weights are fitted to real articles
// (../shared/stance-corpus), and this corpus measures how the rules carry
// over to its author's style.
func TestHeldoutRegressionGuard(t *testing.T) {
	const dir = "testdata/heldout"
	c, err := New(peopleIn(t, dir), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(c, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stance.MacroF1 < 0.80 {
		t.Errorf("held-out stance macro-F1 = %.3f, want >= 0.80", rep.Stance.MacroF1)
	}
	if rep.Topics.MicroF1 < 0.62 {
		t.Errorf("held-out topic micro-F1 = %.3f, want >= 0.62", rep.Topics.MicroF1)
	}
	if rep.Mentions.Precision < 0.98 || rep.Mentions.Recall < 0.98 {
		t.Errorf("held-out mentions precision %.3f recall %.3f, want >= 0.98", rep.Mentions.Precision, rep.Mentions.Recall)
	}
}

// TestThinItems checks that teasers and paywall stubs (testdata/thin, moved
// out of the labelled corpus because an "unclear" prediction counts as wrong
// there) are not judged: too little text to read a framing from.
func TestThinItems(t *testing.T) {
	c, err := New(corpusPeople(t), DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("testdata/thin/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no thin fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var d LabelledDoc
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			res := c.Classify(Document{Title: d.Title, Text: d.Text})
			found := false
			for _, s := range res.Stances {
				if s.Person == d.Person {
					found = true
					if s.Label != Unclear {
						t.Errorf("%s: label %s (score %.2f), want unclear", d.Person, s.Label, s.Score)
					}
				}
			}
			if !found {
				t.Errorf("%s not found in %q", d.Person, d.Text)
			}
		})
	}
}
