package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func ev(phrase, sentence string) []byte {
	return []byte(fmt.Sprintf(`[{"phrase":%q,"sentence":%q,"offset":0,"weight":1}]`, phrase, sentence))
}

// labelledFixture stores a small labelled corpus dated relative to now, so
// that the README's examples with date('now', ...) find rows.
func labelledFixture(t testing.TB) *Store {
	t.Helper()
	s := openTest(t)
	now := time.Now().UTC().Truncate(time.Second)
	type doc struct {
		source, guid, title, text string
		age                       time.Duration
		person, label             string
		score                     float64
		topics                    []string
	}
	docs := []doc{
		{"campaign", "c1", "Ali Aarrass on hunger strike", "Ali Aarrass began a hunger strike to protest his isolation; supporters call for his release.", 2 * 24 * time.Hour, "Ali Aarrass", "supportive", 0.8, []string{"hunger_strike", "detention_conditions"}},
		{"state", "s1", "Prison denies hunger strike claims", "The administration says Ali Aarrass is eating normally and calls the reports lies spread abroad.", 3 * 24 * time.Hour, "Ali Aarrass", "critical", -0.7, []string{"hunger_strike"}},
		{"wire", "w1", "Court hears Aarrass appeal", "A court in Rabat heard the appeal of Ali Aarrass on Monday; the ruling is expected next week.", 10 * 24 * time.Hour, "Ali Aarrass", "neutral", 0, []string{"trial_justice"}},
		{"daily", "d1", "Mohamed Hajib answers critics", "Mohamed Hajib said in a video that the accusations against him were invented.", 5 * 24 * time.Hour, "Mohamed Hajib", "supportive", 0.4, []string{"press_freedom"}},
		{"state", "s2", "Hajib accused of foreign agenda", "An editorial says Mohamed Hajib serves a foreign agenda with his hunger strike threats.", 40 * 24 * time.Hour, "Mohamed Hajib", "critical", -0.9, []string{"hunger_strike"}},
		{"daily", "d2", "Harbour strike continues", "Dock workers stayed out for a second week over pay.", 1 * 24 * time.Hour, "", "", 0, nil},
	}
	for _, d := range docs {
		it := Item{GUID: d.guid, URL: "https://" + d.source + ".example/" + d.guid, CanonicalURL: "https://" + d.source + ".example/" + d.guid,
			Title: d.title, Text: d.text, ContentHash: "h-" + d.guid, Published: now.Add(-d.age)}
		if d.person != "" {
			it.Mentions = []Mention{{Person: d.person, Spelling: d.person, Count: 1}}
			cue := strings.Fields(d.text)[len(strings.Fields(d.text))-1]
			it.Stances = []Stance{{Person: d.person, Label: d.label, Score: d.score, Evidence: ev(cue, d.text), RulesVersion: "test"}}
			for _, tp := range d.topics {
				it.Topics = append(it.Topics, Topic{Topic: tp, Score: 1, Evidence: ev(strings.ReplaceAll(tp, "_", " "), d.text), RulesVersion: "test"})
			}
		}
		saveItems(t, s, d.source, now.Add(-d.age), it)
	}
	if _, err := s.IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func titles(hits []SearchHit) string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Title)
	}
	return strings.Join(out, " | ")
}

func TestSearch(t *testing.T) {
	s := labelledFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		q    SearchQuery
		want string
	}{
		{"words, newest first", SearchQuery{Match: "hunger strike"},
			"Ali Aarrass on hunger strike | Prison denies hunger strike claims | Hajib accused of foreign agenda"},
		{"phrase", SearchQuery{Match: `"foreign agenda"`}, "Hajib accused of foreign agenda"},
		{"NOT", SearchQuery{Match: "strike NOT hunger"}, "Harbour strike continues"},
		{"NEAR a name", SearchQuery{Match: "NEAR(Aarrass appeal, 3)"}, "Court hears Aarrass appeal"},
		{"person", SearchQuery{Match: "hunger", Person: "Mohamed Hajib"}, "Hajib accused of foreign agenda"},
		{"person and stance", SearchQuery{Match: "hunger", Person: "Ali Aarrass", Stance: "critical"}, "Prison denies hunger strike claims"},
		{"topic", SearchQuery{Match: "Aarrass", Topic: "trial_justice"}, "Court hears Aarrass appeal"},
		{"source", SearchQuery{Match: "hunger", Source: "campaign"}, "Ali Aarrass on hunger strike"},
		{"since", SearchQuery{Match: "hunger", Since: time.Now().Add(-30 * 24 * time.Hour)},
			"Ali Aarrass on hunger strike | Prison denies hunger strike claims"},
		// Title matches weigh 5x: the two pieces naming him in their titles
		// come before the newer one naming him only in its text.
		{"by rank", SearchQuery{Match: "Aarrass", ByRank: true}, "Ali Aarrass on hunger strike | Court hears Aarrass appeal | Prison denies hunger strike claims"},
		{"by date", SearchQuery{Match: "Aarrass"}, "Ali Aarrass on hunger strike | Prison denies hunger strike claims | Court hears Aarrass appeal"},
		// A page holds the matches stored most recently (w1 and s1 were stored
		// after c1), shown by date.
		{"page of the latest stored", SearchQuery{Match: "Aarrass", Limit: 2}, "Prison denies hunger strike claims | Court hears Aarrass appeal"},
		{"no match", SearchQuery{Match: "volcano"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(hits); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	hits, err := s.Search(ctx, SearchQuery{Match: "isolation"})
	if err != nil || len(hits) != 1 {
		t.Fatalf("isolation: %v %v", hits, err)
	}
	if !strings.Contains(hits[0].Snippet, SnippetOpen+"isolation"+SnippetClose) {
		t.Errorf("snippet %q does not highlight the match", hits[0].Snippet)
	}
}

func TestSearchBadQuery(t *testing.T) {
	s := labelledFixture(t)
	for _, q := range []string{`"unclosed`, "AND OR", "NEAR(", "nosuchcolumn:word", "  "} {
		_, err := s.Search(context.Background(), SearchQuery{Match: q})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("%q: err = %v, want ErrBadQuery", q, err)
		}
	}
}
