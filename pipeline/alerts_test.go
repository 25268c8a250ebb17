package pipeline

import (
	"testing"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

func TestAlertRuleMatch(t *testing.T) {
	item := store.LabeledItem{Source: "wire", Title: "Appeal for Aarrass", Text: "Supporters began a hunger strike, citing torture.",
		Stances: []store.ItemStance{{Person: "Ali Aarrass", Label: "supportive", Score: 0.6}, {Person: "Mohamed Hajib", Label: "critical", Score: -0.9},
			{Person: "Omar Human", Label: "critical", Score: 0.1, Human: true}},
		Topics: []string{"torture", "detention"}}
	tests := []struct {
		name string
		rule config.AlertRule
		want bool
	}{
		{"empty rule", config.AlertRule{}, true},
		{"person and stance together", config.AlertRule{Person: "ali aarrass", Stance: "supportive"}, true},
		{"stance of another person", config.AlertRule{Person: "Ali Aarrass", Stance: "critical"}, false},
		{"min score on the person", config.AlertRule{Person: "Ali Aarrass", MinScore: 0.8}, false},
		{"min score any person", config.AlertRule{MinScore: 0.8}, true},
		{"min score met by a person's label", config.AlertRule{Person: "Omar Human", MinScore: 0.8}, true},
		{"topics any", config.AlertRule{TopicsAny: []string{"protest", "Torture"}}, true},
		{"topics all missing one", config.AlertRule{TopicsAll: []string{"torture", "trial"}}, false},
		{"source", config.AlertRule{Source: "other"}, false},
		{"phrase", config.AlertRule{Query: `"HUNGER strike" appeal`}, true},
		{"phrase words apart", config.AlertRule{Query: `"strike hunger"`}, false},
		{"excluded word", config.AlertRule{Query: `appeal -torture`}, false},
		{"whole words only", config.AlertRule{Query: `tort`}, false},
	}
	for _, tt := range tests {
		r, err := CompileAlertRule(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.MatchStored(item); got != tt.want {
			t.Errorf("%s: match = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, err := CompileAlertRule(config.AlertRule{Query: `"open`}); err == nil {
		t.Error("unclosed quote compiled")
	}
}

func TestQueueAlertsMaxAge(t *testing.T) {
	r, _ := CompileAlertRule(config.AlertRule{Name: "r", Notify: []string{"email", "log"}})
	now := time.Now()
	st := []store.Stance{{Person: "Ali Aarrass", Label: "neutral"}}
	items := []store.Item{
		{Title: "fresh", Published: now.Add(-time.Hour), Stances: st},
		{Title: "old", Published: now.Add(-72 * time.Hour), Stances: st},
		{Title: "undated", Stances: st},
		{Title: "no mention", Published: now},
	}
	queueAlerts([]AlertRule{r}, "wire", items, now, 48*time.Hour)
	for i, want := range []int{2, 0, 2, 0} {
		if len(items[i].Alerts) != want {
			t.Errorf("%s: %d alerts, want %d", items[i].Title, len(items[i].Alerts), want)
		}
	}
}
