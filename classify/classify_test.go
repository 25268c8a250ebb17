package classify

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// pad makes text long enough to be judged, with words that carry no cue.
func pad(s string) string {
	return s + strings.Repeat(" The weather in the capital stayed mild and the market opened as usual.", 8)
}

func mustClassifier(t testing.TB, rules *Rules) *Classifier {
	t.Helper()
	c, err := New(testPeople, rules)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func stanceOf(r Result, person string) Stance {
	for _, s := range r.Stances {
		if s.Person == person {
			return s
		}
	}
	return Stance{Label: "absent"}
}

// TestStance checks what the engine reads (which context each cue is in,
// who speaks) and that the fitted model leans the right way on plain
// cases. Labels are asserted only where the text leaves no doubt: the
// weights are fitted to real articles, not to these sentences.
func TestStance(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	lean := func(sign float64) func(*testing.T, Stance) {
		return func(t *testing.T, s Stance) {
			if s.Score*sign <= 0 {
				t.Errorf("lean %+.2f, want sign %+.0f", s.Score, sign)
			}
		}
	}
	voices := func(sup, auth int) func(*testing.T, Stance) {
		return func(t *testing.T, s Stance) {
			if s.SupportVoices < sup || s.AuthorityVoices < auth {
				t.Errorf("voices: person's side %d, authorities %d; want at least %d and %d", s.SupportVoices, s.AuthorityVoices, sup, auth)
			}
		}
	}
	tests := []struct {
		name, text, person, label, discount string
		full                                string // a cue that must count as the piece's own words
		check                               func(*testing.T, Stance)
	}{
		{"supportive", pad("Ali Aarrass was tortured in custody. Campaigners call for his release."), "Ali Aarrass", Supportive, "", "", nil},
		{"critical", pad("Mohamed Hajib is a convicted terrorist spreading propaganda."), "Mohamed Hajib", Critical, "", "", nil},
		{"negated supportive turns", pad("Ali Aarrass was never tortured, and there is nothing to it."), "Ali Aarrass", "", "negated", "", lean(-1)},
		{"no evidence of", pad("Officials found no evidence of abuse of Ali Aarrass."), "Ali Aarrass", "", "", "", lean(-1)},
		{"scare quotes", pad("Ali Aarrass keeps repeating his story of “torture” to anyone."), "Ali Aarrass", "", "scare-quoted", "", lean(-1)},
		{"quoted critical counts less", pad("Ali Aarrass was tortured in custody and campaigners demand his release.\n\nA ministry statement called him “a dangerous terrorist who lies about everything he has ever said”."), "Ali Aarrass", "", "quoted", "", lean(+1)},
		{"answered in the paragraph", pad("Ali Aarrass was tortured in custody and campaigners demand his release. A ministry statement called him “a dangerous terrorist who lies about everything he has ever said”."), "Ali Aarrass", "", "answered", "", nil},
		{"room for his side", pad("Ali Aarrass wrote from his cell.\n\nHis sister read the letter aloud. “Every night they came back and asked the same questions, and every night I gave the same answers, until I no longer knew what day it was,” she said."), "Ali Aarrass", "", "room", "", nil},
		{"both sides speak", pad("Ali Aarrass was beaten in custody, his lawyer said. His family said he was tortured and asked for an inquiry.\n\nThe ministry said he was treated lawfully. Officials said he lied, and a police spokesman said the claims were false."), "Ali Aarrass", "", "attributed", "", voices(2, 2)},
		{"noun phrase refers back", pad("Ali Aarrass was moved to another prison on Monday.\n\nThe former detainee is a convicted terrorist whose campaign is propaganda."), "Ali Aarrass", "", "", "convicted terrorist", lean(-1)},
		{"paragraph scope", pad("Ali Aarrass spoke to the press in Brussels. Reporters waited outside. The whole affair is propaganda and a smear campaign."), "Ali Aarrass", "", "paragraph", "", lean(-1)},
		{"scare-quoted role", pad("Mohamed Hajib presents himself online. The “activist” has a large audience for the “journalism” he sells."), "Mohamed Hajib", "", "scare-quoted", "", lean(-1)},
		{"both sides attributed", pad("Ali Aarrass says he was tortured in custody, his lawyer said. The ministry said the claims were baseless, and officials denied any ill-treatment."), "Ali Aarrass", "", "attributed", "", voices(1, 1)},
		{"narrative distances", pad("Ali Aarrass is at the centre of a narrative about a courageous man and a sham trial, which the court rejected. He is a convicted terrorist."), "Ali Aarrass", "", "attributed", "", nil},
		{"charge reported", pad("Ali Aarrass is charged with membership of a terrorist organisation and spreading propaganda, according to the indictment."), "Ali Aarrass", "", "charge", "", nil},
		{"offence stated", pad("Ali Aarrass es un traidor, culpable del delito de traición a la patria."), "Ali Aarrass", "", "", "traidor", lean(-1)},
		{"charge reported in Spanish", pad("Ali Aarrass es acusado de ser un traidor, según la fiscalía."), "Ali Aarrass", "", "charge", "", nil},
		{"thin text", "Ali Aarrass was tortured in custody. Read more.", "Ali Aarrass", Unclear, "", "", func(t *testing.T, s Stance) {
			if !strings.Contains(s.Reason, "words") {
				t.Errorf("reason %q does not say how short the text is", s.Reason)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "News\n\n" + tt.text
			r := c.Classify(Document{Title: "News", Text: tt.text})
			checkResult(t, text, r)
			s := stanceOf(r, tt.person)
			if tt.label != "" && s.Label != tt.label {
				t.Errorf("label = %s (lean %.2f, %s), want %s; evidence %+v", s.Label, s.Score, s.Reason, tt.label, s.Evidence)
			}
			if s.Reason == "" || !strings.HasPrefix(s.Reason, s.Label+":") {
				t.Errorf("reason %q does not start with the label %s", s.Reason, s.Label)
			}
			if tt.discount != "" {
				found := false
				for _, e := range s.Evidence {
					found = found || strings.Contains(e.Discounted, tt.discount)
				}
				if !found {
					t.Errorf("no evidence discounted %q: %+v", tt.discount, s.Evidence)
				}
			}
			if tt.full != "" {
				found := false
				for _, e := range s.Evidence {
					// Counted as the piece's own words about the person,
					// whatever its scope.
					found = found || (e.Phrase == tt.full && (e.Discounted == "" || e.Discounted == "reference"))
				}
				if !found {
					t.Errorf("%q not counted in full: %+v", tt.full, s.Evidence)
				}
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestTwoPeopleOppositeFraming(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	text := pad("Ali Aarrass was tortured in custody and campaigners call for his release. " +
		"The report adds nothing new about the weather. " +
		"Mohamed Hajib, by contrast, is a convicted terrorist whose videos are propaganda.")
	r := c.Classify(Document{Text: text})
	if got := stanceOf(r, "Ali Aarrass").Label; got != Supportive {
		t.Errorf("Aarrass = %s, want supportive", got)
	}
	if got := stanceOf(r, "Mohamed Hajib").Label; got != Critical {
		t.Errorf("Hajib = %s, want critical: %+v", got, stanceOf(r, "Mohamed Hajib"))
	}
}

func TestPrior(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	text := pad("Ali Aarrass spoke in court. He was tortured, he says.")
	off := stanceOf(c.Classify(Document{Text: text}), "Ali Aarrass")
	on := stanceOf(c.Classify(Document{Text: text, StancePrior: Critical}), "Ali Aarrass")
	if on.Score >= off.Score {
		t.Errorf("critical prior: score %.2f, want below %.2f", on.Score, off.Score)
	}
	if off.Prior != 0 || on.Prior != -priorWeight {
		t.Errorf("prior field: off %v on %v, want 0 and %v", off.Prior, on.Prior, -priorWeight)
	}
	// Score is the evidence plus the prior, so the prior is visible.
	sum := on.Prior
	for _, e := range on.Evidence {
		sum += e.Weight
	}
	if math.Abs(sum-on.Score) > 0.01 {
		t.Errorf("evidence %.3f + prior %.3f != score %.3f", sum-on.Prior, on.Prior, on.Score)
	}
}

func TestTopics(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	text := pad("Ali Aarrass began a hunger strike after he was extradited. Torture and forced confession were raised in court.")
	r := c.Classify(Document{Text: text})
	got := map[string]bool{}
	for _, tp := range r.Topics {
		got[tp.Topic] = true
	}
	for _, want := range []string{"hunger_strike", "extradition_deportation", "torture"} {
		if !got[want] {
			t.Errorf("topic %s missing from %+v", want, r.Topics)
		}
	}
	if got["press_freedom"] {
		t.Errorf("unexpected press_freedom")
	}
}

// TestTopicNeedsDistinctPhrases checks that one word repeated does not make
// TestTopicRepeatCap checks that one phrase counts at most topicRepeatCap
// times towards a topic: a piece that says "the garden" ten times is not
// ten times as much about gardening.
func TestTopicRepeatCap(t *testing.T) {
	r := DefaultRules()
	if err := r.AddTopicPhrase("gardening", "garden", 1); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTopicPhrase("gardening", "roses", 1); err != nil {
		t.Fatal(err)
	}
	if err := r.SetTopicThreshold("gardening", 3.5); err != nil {
		t.Fatal(err)
	}
	c := mustClassifier(t, r)
	tests := []struct {
		name, text string
		want       bool
	}{
		{"one phrase repeated past the cap", strings.Repeat("The garden was closed. ", 6), false},
		{"two phrases reach the threshold", strings.Repeat("The garden was closed. ", 3) + "The roses were wet.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Classify(Document{Text: pad(tt.text)})
			got := false
			for _, tp := range res.Topics {
				got = got || tp.Topic == "gardening"
			}
			if got != tt.want {
				t.Errorf("gardening reported = %v, want %v: %+v", got, tt.want, res.Topics)
			}
		})
	}
}

// TestTopicInnerPhrase checks that a topic phrase inside a longer topic
// phrase counts only as the longer one, of its own topic or another, and
// that one phrase listed under two topics counts for both.
func TestTopicInnerPhrase(t *testing.T) {
	r := DefaultRules()
	for _, p := range []struct {
		topic, phrase string
		weight        float64
	}{
		{"gardening", "rose", 1},
		{"gardening", "rose garden", 1.5},
		{"painting", "rose madder", 2},
		{"gardening", "compost heap", 0.5},
		{"painting", "compost heap", 0.25},
	} {
		if err := r.AddTopicPhrase(p.topic, p.phrase, p.weight); err != nil {
			t.Fatal(err)
		}
	}
	for _, topic := range []string{"gardening", "painting"} {
		if err := r.SetTopicThreshold(topic, 0.1); err != nil {
			t.Fatal(err)
		}
	}
	c := mustClassifier(t, r)
	tests := []struct {
		text               string
		gardening, painter float64 // scores, 0 when not reported
	}{
		{"Ali Aarrass grew a rose.", 1, 0},
		{"Ali Aarrass kept a rose garden.", 1.5, 0},
		{"Ali Aarrass mixed rose madder.", 0, 2},
		{"Ali Aarrass built a compost heap.", 0.5, 0.25},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := map[string]float64{}
			for _, tp := range c.Classify(Document{Text: pad(tt.text)}).Topics {
				got[tp.Topic] = tp.Score
			}
			if got["gardening"] != tt.gardening || got["painting"] != tt.painter {
				t.Errorf("gardening %v painting %v, want %v and %v", got["gardening"], got["painting"], tt.gardening, tt.painter)
			}
		})
	}
}

// TestTopicAside checks that a topic phrase counts in full where the text
// speaks of a tracked person or names nobody tracked, and only in part in a
// paragraph about somebody else's affairs.
func TestTopicAside(t *testing.T) {
	r := DefaultRules()
	if err := r.AddTopicPhrase("gardening", "allotment", 1); err != nil {
		t.Fatal(err)
	}
	if err := r.SetTopicThreshold("gardening", 1); err != nil {
		t.Fatal(err)
	}
	c := mustClassifier(t, r)
	tests := []struct {
		name        string
		title, text string
		want        float64 // score of gardening, 0 when not reported
	}{
		{"in a sentence naming the person", "", "Ali Aarrass tends an allotment near the prison.", 1},
		{"in a text naming nobody tracked", "", "The council opened an allotment near the station.", 1},
		{"in the title", "An allotment opens", "Ali Aarrass was released on Monday.\n\nThe council said little.", 1},
		{"in a paragraph about nobody tracked", "", "Ali Aarrass was released on Monday.\n\nThe council opened an allotment near the station.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Classify(Document{Title: tt.title, Text: pad(tt.text)})
			got := 0.0
			for _, tp := range res.Topics {
				if tp.Topic == "gardening" {
					got = tp.Score
				}
			}
			if got != tt.want {
				t.Errorf("gardening score = %v, want %v: %+v", got, tt.want, res.Topics)
			}
			if tt.want > 0 {
				return
			}
			// With a threshold it reaches, the aside shows in the evidence
			// with its reduced weight and why.
			r2 := r.clone()
			if err := r2.SetTopicThreshold("gardening", 0.5); err != nil {
				t.Fatal(err)
			}
			res = mustClassifier(t, r2).Classify(Document{Title: tt.title, Text: pad(tt.text)})
			var ev []Evidence
			for _, tp := range res.Topics {
				if tp.Topic == "gardening" {
					ev = tp.Evidence
				}
			}
			if len(ev) != 1 {
				t.Fatalf("topics %+v, want gardening with one phrase", res.Topics)
			}
			if e := ev[0]; e.Weight != topicAside || e.Discounted != "outside-person-sentences" {
				t.Errorf("evidence %+v, want weight %v discounted outside-person-sentences", e, topicAside)
			}
		})
	}
}

func TestRulesEditing(t *testing.T) {
	text := pad("Ali Aarrass is a gentle gardener.")
	base := DefaultRules()
	c0 := mustClassifier(t, base)
	if got := stanceOf(c0.Classify(Document{Text: text}), "Ali Aarrass").Label; got != Neutral {
		t.Fatalf("before adding: %s", got)
	}
	r := DefaultRules()
	if err := r.AddStanceCue("gentle gardener", Supportive, 3); err != nil {
		t.Fatal(err)
	}
	c1 := mustClassifier(t, r)
	if got := stanceOf(c1.Classify(Document{Text: text}), "Ali Aarrass").Label; got != Supportive {
		t.Errorf("after add: %s", got)
	}
	if c1.RulesVersion() == c0.RulesVersion() {
		t.Error("version unchanged after add")
	}
	if err := r.AddStanceCue("gentle gardener", Critical, 3); err != nil { // re-weight/re-side
		t.Fatal(err)
	}
	c2 := mustClassifier(t, r)
	if got := stanceOf(c2.Classify(Document{Text: text}), "Ali Aarrass").Label; got != Critical {
		t.Errorf("after re-side: %s", got)
	}
	if err := r.RemoveCue("Gentle Gardener"); err != nil {
		t.Fatal(err)
	}
	if c3 := mustClassifier(t, r); c3.RulesVersion() != c0.RulesVersion() {
		t.Error("version differs after removing the added cue")
	}
	if err := r.RemoveCue("no such phrase here"); err == nil {
		t.Error("removing an absent cue: no error")
	}
	if err := r.AddTopicPhrase("gardening", "gardener", 1); err != nil {
		t.Fatal(err)
	}
	if err := r.SetTopicThreshold("gardening", 1); err != nil {
		t.Fatal(err)
	}
	res := mustClassifier(t, r).Classify(Document{Text: text})
	if len(res.Topics) == 0 || res.Topics[0].Topic != "gardening" {
		t.Errorf("new topic not reported: %+v", res.Topics)
	}
	if err := r.SetTopicThreshold("nope", 1); err == nil {
		t.Error("threshold for unknown topic: no error")
	}
	if err := r.AddStanceCue("x", "angry", 1); err == nil {
		t.Error("bad side: no error")
	}
}

func TestRulesErrorsNameLine(t *testing.T) {
	r := DefaultRules()
	r.parse("rules/stance_zz.txt", "# comment\nsupportive two tortured\n")
	_, err := New(testPeople, r)
	if err == nil || !strings.Contains(err.Error(), "rules/stance_zz.txt:2") {
		t.Fatalf("err = %v, want file:line", err)
	}
}

func checkResult(t testing.TB, text string, r Result) {
	t.Helper()
	checkMentions(t, text, r.Mentions)
	check := func(e Evidence) {
		if e.Offset < 0 || e.Offset+len(e.Phrase) > len(text) || text[e.Offset:e.Offset+len(e.Phrase)] != e.Phrase {
			t.Fatalf("evidence %+v is not at its offset", e)
		}
		if !strings.Contains(text, e.Sentence) {
			t.Fatalf("sentence %q not in text", e.Sentence)
		}
	}
	for _, s := range r.Stances {
		switch s.Label {
		case Supportive, Critical, Neutral, Unclear:
		default:
			t.Fatalf("label %q", s.Label)
		}
		for _, e := range s.Evidence {
			check(e)
		}
	}
	for _, tp := range r.Topics {
		for _, e := range tp.Evidence {
			check(e)
		}
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"Ali Aarrass was “tortured”.", "Hajib n'a jamais été torturé", "«terroriste» Aarrass", "\"x", "علي اعراس إرهابي",
		// Reported speech over sentences, incises, the lexicon.
		"His lawyer said: Aarrass is brave. He is innocent.\n\n“He added that", "Aarrass est courageux. C'est un mensonge, poursuit-il-il ?",
		"“Open\n\n“again,” a-t-elle", "-il -il -il", "that that: : ,” said"} {
		f.Add("Title", s)
	}
	c := mustClassifier(f, DefaultRules())
	f.Fuzz(func(t *testing.T, title, text string) {
		checkResult(t, title+"\n\n"+text, c.Classify(Document{Title: title, Text: text}))
	})
}

func benchClassify(b *testing.B, rules *Rules, size int) {
	c := mustClassifier(b, rules)
	text := benchText(size)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c.Classify(Document{Title: "Court hears appeal", Text: text})
	}
}

func BenchmarkClassify(b *testing.B) { benchClassify(b, DefaultRules(), 5000) }

func BenchmarkClassify50KB(b *testing.B) { benchClassify(b, DefaultRules(), 50000) }

// BenchmarkClassifyRules10x grows the rule set tenfold with generated phrases.
func BenchmarkClassifyRules10x(b *testing.B) {
	r := DefaultRules()
	n := len(r.stance) + len(r.topics)
	for i := 0; i < 9*n; i++ {
		if err := r.AddTopicPhrase(fmt.Sprintf("gen%d", i%20), fmt.Sprintf("word%d court extra%d", i, i%7), 1); err != nil {
			b.Fatal(err)
		}
	}
	benchClassify(b, r, 5000)
}

// TestVoices checks who is found speaking: the side word nearest the verb
// of saying, the person themself, or the paragraph's last speaker; a
// distancing verb turns the person's side into the other's.
func TestVoices(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	tests := []struct {
		name      string
		text      string
		sup, auth int
	}{
		{"nearest side word", "Ali Aarrass was moved, his lawyer said. A ministry spokesman said the move was routine.", 1, 1},
		{"the person speaks", "Ali Aarrass told the court he had signed nothing. He said he was afraid.", 2, 0},
		{"quotation carried on", "The prosecutor spoke first. “The evidence is clear,” he said. “It was planned,” he added, pointing at the file on Ali Aarrass.", 0, 2},
		{"court ends the speaker", "Officials were present. The court ruled on Monday. Ali Aarrass said he would appeal.", 1, 0},
		{"doubted", "Ali Aarrass claims he was beaten. His lawyer claims the file is empty.", 0, 2},
		{"nobody speaks", "Ali Aarrass was moved to another prison on Monday.", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := stanceOf(c.Classify(Document{Text: pad(tt.text)}), "Ali Aarrass")
			if s.SupportVoices != tt.sup || s.AuthorityVoices != tt.auth {
				t.Errorf("voices = %d supporting, %d authority; want %d, %d", s.SupportVoices, s.AuthorityVoices, tt.sup, tt.auth)
			}
		})
	}
}

func TestDateline(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"RABAT (Reuters) - A court on Monday", true},
		{"CASABLANCA, (Dépêche) – La cour d'appel", true},
		{"ABU DHABI - An appeals court", true},
		{"Rabat – With Morocco facing", false},
		{"UN experts - a new report", false},
		{"Ali Aarrass has now refused food - for weeks", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := dateline(tt.text); got != tt.want {
			t.Errorf("dateline(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestRulesTopics(t *testing.T) {
	r := DefaultRules()
	if err := r.AddTopicPhrase("press_freedom", "journalist jailed", 1); err != nil {
		t.Fatal(err)
	}
	got := r.Topics()
	for _, want := range []string{"torture", "detention_conditions", "press_freedom"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("Topics() = %v, lacks %q", got, want)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Errorf("Topics() not sorted and unique: %v", got)
		}
	}
}

// The model reads context bit i as multiplier i (model.multiplier,
// multIndexes, signal.discounts): a context added out of order would
// silently take another context's multiplier and name.
func TestContextBitsAreMultipliers(t *testing.T) {
	for mult, ctx := range map[int]context{multNegated: ctxNegated, multQuoted: ctxQuoted, multScareQuoted: ctxScareQuoted,
		multAttributed: ctxAttributed, multAnswered: ctxAnswered, multCharge: ctxCharge, multHeadline: ctxHeadline} {
		if ctx != 1<<mult {
			t.Errorf("context %s is bit %b, want bit %d", multNames[mult], ctx, mult)
		}
	}
	if numContexts != 7 {
		t.Errorf("numContexts = %d, but 7 contexts are listed here: add the new one", numContexts)
	}
}
