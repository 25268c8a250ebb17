package classify

import (
	"strings"
	"testing"
)

func TestCountWords(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"", 0},
		{"  \n… — ", 0},
		{"Ali Aarrass was moved.", 4},
		{"l'avocat d'Aarrass", 4}, // elided articles are words too
		{"Abd El-Fattah, 2026", 4},
		{"علي أعراس في السجن", 4},
	} {
		if got := CountWords(tc.text); got != tc.want {
			t.Errorf("CountWords(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

// CountWords must agree with the count Classify holds against the minimum:
// a text of exactly n words is judged with minimum n, not with n+1.
func TestCountWordsMatchesMinWords(t *testing.T) {
	text := "Ali Aarrass was tortured in custody, l'avocat says." + strings.Repeat(" The market opened as usual.", 5)
	n := CountWords(text)
	for _, tc := range []struct {
		min         int
		wantUnclear bool
	}{{n, false}, {n + 1, true}} {
		r := DefaultRules()
		if err := r.SetMinWords(tc.min); err != nil {
			t.Fatal(err)
		}
		st := stanceOf(mustClassifier(t, r).Classify(Document{Title: "Custody", Text: text}), "Ali Aarrass")
		if got := st.Label == Unclear; got != tc.wantUnclear {
			t.Errorf("min_words %d with %d words: label %q, want unclear = %v", tc.min, n, st.Label, tc.wantUnclear)
		}
	}
}

func TestTopicLabel(t *testing.T) {
	for id, want := range map[string]string{
		"detention_conditions": "detention conditions",
		"trial_justice":        "trial and justice",
		"torture":              "torture",
		"labour_rights":        "labour rights", // added in config.yaml
	} {
		if got := TopicLabel(id); got != want {
			t.Errorf("TopicLabel(%q) = %q, want %q", id, got, want)
		}
	}
	// Every built-in topic with a label of its own exists.
	r := DefaultRules()
	for id := range topicLabels {
		if _, ok := r.thresholds[id]; !ok {
			t.Errorf("topicLabels names %q, which rules/topics.txt does not define", id)
		}
	}
}
