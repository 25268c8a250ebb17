package classify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// evidenceOf returns the phrases, in lower case, that counted for topic.
func evidenceOf(res Result, topic string) []string {
	var out []string
	for _, tp := range res.Topics {
		if tp.Topic != topic {
			continue
		}
		for _, e := range tp.Evidence {
			out = append(out, strings.ToLower(e.Phrase))
		}
	}
	return out
}

// TestTopicPhraseOfOtherSense checks that a topic phrase of weight 0 hides
// the topic phrases inside it, counts for nothing, shows in no evidence,
// and that fitting leaves it at 0 even where the documents it occurs in
// carry the topic.
func TestTopicPhraseOfOtherSense(t *testing.T) {
	r := DefaultRules()
	if err := r.AddTopicPhrase("gardening", "rose", 1); err != nil {
		t.Fatal(err)
	}
	// Only the rule files hold phrases of weight 0.
	r.parse("rules/topics_test.txt", "gardening 0 rose madder\n")
	if err := r.SetTopicThreshold("gardening", 0.1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string // gardening evidence; nil: not reported
	}{
		{"Ali Aarrass grew a rose.", []string{"rose"}},
		{"Ali Aarrass mixed rose madder.", nil},
		{"Ali Aarrass grew a rose and mixed rose madder.", []string{"rose"}},
	}
	check := func(t *testing.T, c *Classifier) {
		for _, tt := range tests {
			got := evidenceOf(c.Classify(Document{Text: pad(tt.text)}), "gardening")
			if !slices.Equal(got, tt.want) {
				t.Errorf("%q: gardening evidence %q, want %q", tt.text, got, tt.want)
			}
		}
	}
	check(t, mustClassifier(t, r))

	// Every document holding "rose madder" is about gardening: with a weak
	// pull towards the rule weights a fitted phrase would take a weight.
	var docs []LabelledDoc
	for i := range 12 {
		d := LabelledDoc{File: fmt.Sprintf("d%02d.json", i), Person: "Ali Aarrass", People: []string{"Ali Aarrass"}, Stance: Neutral, Topics: []string{}}
		d.Text = pad("Ali Aarrass spoke to the court about the case.")
		if i%2 == 0 {
			d.Text = pad("Ali Aarrass mixed rose madder in the prison workshop.")
			d.Topics = []string{"gardening"}
		}
		docs = append(docs, d)
	}
	w, err := Fit(testPeople, r, docs, FitOptions{Topic: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range w.Topics["gardening"].Phrases {
		if p.Phrase == "rose madder" && p.Weight != 0 {
			t.Errorf("fitted weight of %q = %v, want it left at 0", p.Phrase, p.Weight)
		}
	}
	fitted := r.Clone()
	fitted.SetWeights(w)
	if err := fitted.SetTopicThreshold("gardening", 0.1); err != nil {
		t.Fatal(err)
	}
	check(t, mustClassifier(t, fitted))
}
