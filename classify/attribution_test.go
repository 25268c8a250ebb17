package classify

import (
	"strings"
	"testing"
)

// TestReportedSpeech checks that words reported over several sentences are
// read as their speaker's, in English, French and Spanish: a cue in such a
// sentence is attributed (or quoted), not the piece's own, and the
// sentence counts as a voice of the speaker's side.
func TestReportedSpeech(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	tests := []struct {
		name      string
		text      string
		phrase    string // a cue that must count as somebody's words
		discount  string // how it is discounted
		sup, auth int    // voices found
	}{
		{"colon lead-in", "Ali Aarrass was moved on Monday.\n\nHis lawyer said: nothing in the file holds. My client was tortured for days.",
			"was tortured", "attributed", 2, 0},
		{"closing incise", "Ali Aarrass was moved on Monday.\n\nThe trial was a sham. My client was tortured for days, his lawyer said.",
			"sham", "attributed", 2, 0},
		{"quotation over sentences", "Ali Aarrass was moved on Monday.\n\n“My client was tortured for days. The trial was a sham. We will appeal,” his lawyer said.",
			"sham", "quoted", 3, 0},
		{"quotation over paragraphs", "Ali Aarrass was moved on Monday.\n\n“My client was tortured for days and nobody listened to him at all.\n\n“We will appeal,” his lawyer said.",
			"was tortured", "quoted", 1, 0},
		{"added that: the speaker, not the person named", "Ali Aarrass was moved on Monday.\n\nThe prosecutor said the file was complete. He added that Aarrass was a dangerous terrorist.",
			"terrorist", "attributed", 0, 2},
		{"a follow-up opens a paragraph", "Ali Aarrass was moved on Monday.\n\nThe prosecutor said the file was complete.\n\nHe also said the evidence showed a terrorist plot.",
			"terrorist", "attributed", 0, 2},
		{"French incise", "Ali Aarrass a été transféré lundi.\n\nSon avocat a dénoncé le transfert. Il s'agit d'une détention arbitraire, poursuit-il.",
			"détention arbitraire", "attributed", 2, 0},
		{"French incise carries back", "Ali Aarrass a été transféré lundi.\n\nLe procès est une mascarade. Il a été torturé, a-t-il ajouté.",
			"mascarade", "attributed", 2, 0},
		{"Spanish follow-up", "Ali Aarrass fue trasladado el lunes.\n\nSu abogado dijo que el juicio fue una farsa.\n\nAñadió que se trata de un preso político.",
			"preso político", "attributed", 2, 0},
		{"Spanish colon lead-in", "Ali Aarrass fue trasladado el lunes.\n\nSu abogado declaró: nadie lo escuchó. Es un preso político.",
			"preso político", "attributed", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := speechStance(c, tt.text)
			if e := cueEvidence(t, s, tt.phrase); !strings.Contains(e.Discounted, tt.discount) {
				t.Errorf("%q discounted %q, want %q", e.Phrase, e.Discounted, tt.discount)
			}
			if s.SupportVoices != tt.sup || s.AuthorityVoices != tt.auth {
				t.Errorf("voices = %d supporting, %d authority; want %d, %d", s.SupportVoices, s.AuthorityVoices, tt.sup, tt.auth)
			}
		})
	}
}

// TestOwnWordsStayOwn checks the other way: sentences that only look like
// reported speech stay the piece's own words.
func TestOwnWordsStayOwn(t *testing.T) {
	c := mustClassifier(t, DefaultRules())
	tests := []struct{ name, text, phrase string }{
		{"a question with an inverted subject", "Ali Aarrass a été transféré lundi.\n\nEst-il un prisonnier politique ? Le procès est une mascarade.", "prisonnier politique"},
		{"a verb of saying mid-sentence is no incise", "Ali Aarrass was moved on Monday.\n\nThe trial was a sham. Officials said little about the move on Monday to another prison.", "sham"},
		{"a colon ends with its paragraph", "Ali Aarrass was moved on Monday. His lawyer said: nothing holds.\n\nThe trial was a sham.", "sham"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cueEvidence(t, speechStance(c, tt.text), tt.phrase)
			if strings.Contains(e.Discounted, "attributed") || strings.Contains(e.Discounted, "quoted") {
				t.Errorf("%q discounted %q: the piece's own words", e.Phrase, e.Discounted)
			}
		})
	}
}

// speechStance classifies text, a paragraph or a few, followed by a
// paragraph of padding, and returns the stance towards Ali Aarrass.
func speechStance(c *Classifier, text string) Stance {
	return stanceOf(c.Classify(Document{Text: pad(text + "\n\n")}), "Ali Aarrass")
}

// cueEvidence is the evidence of the cue phrase in s.
func cueEvidence(t *testing.T, s Stance, phrase string) Evidence {
	t.Helper()
	for _, e := range s.Evidence {
		if strings.EqualFold(e.Phrase, phrase) {
			return e
		}
	}
	t.Fatalf("cue %q not found: %+v", phrase, s.Evidence)
	return Evidence{}
}
