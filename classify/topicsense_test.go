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

// TestShippedTopicSenses checks phrases of the shipped topic list that say
// in which sense the words inside them are meant: the press quoted as a
// source, a rights group cited for a fact, words of the courts, and the
// calls that campaigns make. Thresholds are lowered so that every phrase
// that counts shows in the evidence.
func TestShippedTopicSenses(t *testing.T) {
	r := DefaultRules().Clone()
	for _, topic := range r.Topics() {
		if err := r.SetTopicThreshold(topic, 0.001); err != nil {
			t.Fatal(err)
		}
	}
	c := mustClassifier(t, r)
	tests := []struct {
		text, topic string
		has, lacks  string // a phrase the topic's evidence must hold, or must not hold
	}{
		{"Ali Aarrass told reporters he would appeal.", "press_freedom", "", "reporters"},
		{"Ali Aarrass a tenu une conférence de presse.", "press_freedom", "", "presse"},
		{"Ali Aarrass spoke on Monday, state media reported.", "press_freedom", "", "media"},
		{"Reporters Without Borders ranked the country low as Ali Aarrass stood trial.", "press_freedom", "reporters without borders ranked", ""},
		{"Reporters Without Borders ranked the country low as Ali Aarrass stood trial.", "activism_campaign", "", "reporters without borders"},
		{"Ali Aarrass was moved to another cell, according to Amnesty International.", "activism_campaign", "", "amnesty international"},
		{"Ali Aarrass fue trasladado, según Amnistía Internacional.", "activism_campaign", "", "amnistía internacional"},
		{"Ali Aarrass was spared the partial mobilization.", "activism_campaign", "", "mobilization"},
		{"Prosecutors demanded ten years for Ali Aarrass.", "activism_campaign", "", "demanded"},
		{"The judge refused to release him on bail, Ali Aarrass said.", "activism_campaign", "", "release him"},
		{"Campaigners urge the authorities to drop all charges against Ali Aarrass.", "activism_campaign", "urge the authorities", ""},
		{"Campaigners urge the authorities to drop all charges against Ali Aarrass.", "activism_campaign", "drop all charges", ""},
		{"Ali Aarrass thanked the campaign to free him.", "activism_campaign", "campaign to free", ""},
		{"Ali Aarrass a à peine dormi.", "trial_justice", "", "peine"},
		{"The justice minister spoke of Ali Aarrass.", "trial_justice", "", "justice"},
		{"Ali Aarrass, a human rights lawyer, spoke.", "trial_justice", "", "lawyer"},
		{"Ali Aarrass once led a national liberation front.", "trial_justice", "", "liberation"},
		{"Ali Aarrass spoke for the victims of terrorism.", "terrorism", "", "terrorism"},
		{"Ali Aarrass is barred from leaving the country.", "trial_justice", "barred from leaving the country", ""},
		{"Ali Aarrass reste sous interdiction de quitter le pays.", "extradition_deportation", "", "quitter le pays"},
		{"Ali Aarrass was detained in March.", "detention_conditions", "", "detained in"},
		{"Ali Aarrass met a former foreign minister.", "diplomacy", "", "foreign minister"},
	}
	for _, tt := range tests {
		t.Run(tt.topic+"/"+tt.text, func(t *testing.T) {
			got := evidenceOf(c.Classify(Document{Text: pad(tt.text)}), tt.topic)
			if tt.has != "" && !slices.Contains(got, tt.has) {
				t.Errorf("%s evidence %q lacks %q", tt.topic, got, tt.has)
			}
			if tt.lacks != "" && slices.Contains(got, tt.lacks) {
				t.Errorf("%s evidence %q holds %q", tt.topic, got, tt.lacks)
			}
		})
	}
}
