package classify

import (
	"math"
	"strings"
	"testing"
)

// TestLexicon checks when a word of the evaluative lexicon counts for a
// person: in the piece's own words, in a sentence naming the person or
// referring back to them, at most cueRepeatCap times a word, and never
// when the word is also a stance cue (the cue counts it).
func TestLexicon(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	tests := []struct {
		name, text, person string
		pos, neg           int
	}{
		{"own words", "Ali Aarrass is an honest and dedicated man.", "Ali Aarrass", 2, 0},
		{"referred back", "Ali Aarrass lives in Brussels. He is an honest man.", "Ali Aarrass", 1, 0},
		{"quoted", "“Ali Aarrass is an honest man,” the neighbour wrote.", "Ali Aarrass", 0, 0},
		{"attributed", "Officials said Ali Aarrass was a fraudster.", "Ali Aarrass", 0, 0},
		{"negated", "Ali Aarrass is not dishonest.", "Ali Aarrass", 0, 0},
		{"a charge", "Ali Aarrass was charged with being a fraudster.", "Ali Aarrass", 0, 0},
		{"somebody else", "Ali Aarrass met Mohamed Hajib, a fraudster.", "Ali Aarrass", 0, 0},
		{"the other one", "Ali Aarrass met Mohamed Hajib, a fraudster.", "Mohamed Hajib", 0, 1},
		{"repeated", "Ali Aarrass is honest. Ali Aarrass is honest. Ali Aarrass is honest.", "Ali Aarrass", 2, 0},
		{"a stance cue", "Ali Aarrass is brave.", "Ali Aarrass", 0, 0},
		{"French", "Ali Aarrass est un homme intègre et généreux.", "Ali Aarrass", 2, 0},
		{"Spanish", "Ali Aarrass es un estafador.", "Ali Aarrass", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			found := false
			c.inspect(Document{Text: pad(tt.text)}, func(_ *reading, _ []Mention, obs []observation, _ []hit) {
				for _, o := range obs {
					if c.m.people[o.person].Name != tt.person {
						continue
					}
					found = true
					if o.lexPositive != tt.pos || o.lexNegative != tt.neg {
						t.Errorf("praise %d, blame %d; want %d, %d", o.lexPositive, o.lexNegative, tt.pos, tt.neg)
					}
					if want := math.Log1p(float64(tt.pos)); o.feat[featLexPos] != want {
						t.Errorf("feature %v, want %v", o.feat[featLexPos], want)
					}
				}
			})
			if !found {
				t.Fatalf("%s not observed", tt.person)
			}
		})
	}
}

// TestLexiconEvidence checks that the words of the lexicon show in the
// evidence, with the lean their feature adds, and in the reason.
func TestLexiconEvidence(t *testing.T) {
	w, err := ShippedWeights()
	if err != nil {
		t.Fatal(err)
	}
	w.Stance.Features[Supportive]["lexicon_positive"] = 1
	w.Stance.Features[Critical]["lexicon_positive"] = -1
	r := DefaultRules()
	r.SetWeights(w)
	c := mustClassifier(t, r)
	text := pad("Ali Aarrass, an honest and dedicated man, was tortured in custody.")
	s := stanceOf(c.Classify(Document{Text: text}), "Ali Aarrass")
	var lex []Evidence
	sum := 0.0
	for _, e := range s.Evidence {
		sum += e.Weight
		if strings.Contains(e.Discounted, "lexicon") {
			lex = append(lex, e)
		}
	}
	if len(lex) != 2 || lex[0].Phrase != "honest" || lex[1].Phrase != "dedicated" {
		t.Fatalf("lexicon evidence %+v, want honest and dedicated", lex)
	}
	// Each word shows half of what the feature moves supportive against
	// critical (2 × log 3), shared between the two words.
	if want := round(math.Log1p(2) / 2); lex[0].Weight != want {
		t.Errorf("weight %v, want %v", lex[0].Weight, want)
	}
	if math.Abs(sum+s.Prior-s.Score) > 0.01 {
		t.Errorf("evidence %.3f + prior %.3f != score %.3f", sum, s.Prior, s.Score)
	}
	if !strings.Contains(s.Reason, "praise 2, blame 0") {
		t.Errorf("reason %q does not count the lexicon", s.Reason)
	}
}

func TestLexiconRuleErrors(t *testing.T) {
	for _, tt := range []struct{ data, want string }{
		{"# comment\npositive\n", "rules/lexicon_zz.txt:2"},
		{"kind gentle\n", `lexicon side "kind"`},
		{"negative honest\n", `"honest" is negative here and positive elsewhere`},
	} {
		r := DefaultRules()
		r.parse("rules/lexicon_zz.txt", tt.data)
		if _, err := New(testPeople, r); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.data, err, tt.want)
		}
	}
}
