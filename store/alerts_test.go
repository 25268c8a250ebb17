package store

import (
	"context"
	"testing"
	"time"
)

// A repost of a story that already alerted for a rule does not alert for
// that rule again, but still does for a rule that has not seen the story.
func TestRepostOfAlertedStoryDoesNotAlertAgain(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	for _, src := range []string{"wire", "daily"} {
		saveItems(t, s, src, day.Add(-time.Hour)) // a first, empty run: later runs alert
	}
	wire := storyItem(t, "wire", "wire")
	wire.Alerts = []AlertRef{{"critical", "log"}, {"critical", "email"}}
	first := saveItems(t, s, "wire", day, wire)
	if got := first.AlertsQueued; got["log"] != 1 || got["email"] != 1 {
		t.Errorf("first report queued %v, want one log and one email alert", got)
	}
	repost := storyItem(t, "daily", "repost1")
	repost.Alerts = []AlertRef{{"critical", "log"}, {"torture", "log"}}
	other := storyItem(t, "daily", "other1")
	other.Alerts = []AlertRef{{"critical", "log"}}
	res := saveItems(t, s, "daily", day.Add(3*time.Hour), repost, other)
	if !res.NewItems[0].JoinedStory {
		t.Fatal("fixture: repost1 did not join the wire story")
	}
	if got := res.AlertsQueued["log"]; got != 2 {
		t.Errorf("second run queued %d log alerts, want 2 (torture on the repost, critical on the other story)", got)
	}
	as, err := s.ListAlerts(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	count := map[[2]any]int{}
	for _, a := range as {
		count[[2]any{a.ItemID, a.Rule}]++
	}
	rid, oid := res.NewItems[0].ID, res.NewItems[1].ID
	if count[[2]any{rid, "critical"}] != 0 {
		t.Error("the repost alerted again for rule critical")
	}
	if count[[2]any{rid, "torture"}] != 1 || count[[2]any{oid, "critical"}] != 1 {
		t.Errorf("alerts by (item, rule) = %v, want torture on the repost and critical on the other story", count)
	}
}
