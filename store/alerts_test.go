package store

import (
	"context"
	"fmt"
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

// Claiming, failing and sending act on every alert named, and only on them.
func TestAlertLifecycleOverSeveralAlerts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire", day.Add(-time.Hour)) // a first, empty run: later runs alert
	var items []Item
	for _, id := range []string{"a", "b", "c"} {
		it := Item{GUID: id, Title: id, Text: id, ContentHash: id}
		it.Alerts = []AlertRef{{"critical", "email"}}
		items = append(items, it)
	}
	saveItems(t, s, "wire", day, items...)
	status := func() map[string]int {
		t.Helper()
		as, err := s.ListAlerts(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, a := range as {
			n[a.Status]++
		}
		return n
	}
	claimed, err := s.ClaimDueAlerts(ctx, day.Add(time.Hour), time.Minute)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("claimed %d alerts (err %v), want 3", len(claimed), err)
	}
	if got := status(); got[AlertSending] != 3 {
		t.Fatalf("after claiming: %v, want 3 sending", got)
	}
	ids := []int64{claimed[0].ID, claimed[1].ID}
	if err := s.MarkAlertsFailed(ctx, ids, "smtp: 451", day.Add(2*time.Hour), 2); err != nil {
		t.Fatal(err)
	}
	if got := status(); got[AlertPending] != 2 || got[AlertSending] != 1 {
		t.Fatalf("after one failure of two: %v, want 2 pending, 1 still sending", got)
	}
	if err := s.MarkAlertsFailed(ctx, ids, "smtp: 451", day.Add(3*time.Hour), 2); err != nil {
		t.Fatal(err)
	}
	if got := status(); got[AlertFailed] != 2 {
		t.Fatalf("after the second failure (max 2 attempts): %v, want 2 failed", got)
	}
	if err := s.MarkAlertsSent(ctx, []int64{claimed[2].ID}, day.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := status(); got[AlertSent] != 1 || got[AlertFailed] != 2 {
		t.Fatalf("at the end: %v, want 1 sent, 2 failed", got)
	}
}

// An alert a label withdrew does not stand for its story, and queueing it
// again obeys the story rule like a new alert: once another item of the
// story has alerted for the rule, it stays unsent.
func TestSetItemAlertsKeepsTheStoryRule(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	for _, src := range []string{"wire", "daily"} {
		saveItems(t, s, src, day.Add(-time.Hour)) // a first, empty run: later runs alert
	}
	ref := AlertRef{"critical", "log"}
	wire := storyItem(t, "wire", "wire")
	wire.Alerts = []AlertRef{ref}
	a := saveItems(t, s, "wire", day, wire).NewItems[0].ID
	repost := storyItem(t, "daily", "repost1")
	b := saveItems(t, s, "daily", day.Add(time.Hour), repost).NewItems[0]
	if !b.JoinedStory {
		t.Fatal("fixture: repost1 did not join the wire story")
	}
	change := func(id int64, want []AlertRef, queue bool, wantCh AlertsChange) {
		t.Helper()
		ch, err := s.SetItemAlerts(ctx, id, want, queue, day.Add(2*time.Hour))
		if err != nil || ch != wantCh {
			t.Fatalf("SetItemAlerts(%d, %v) = %+v, %v; want %+v", id, want, ch, err, wantCh)
		}
	}
	change(a, nil, true, AlertsChange{Withdrawn: 1})
	change(b.ID, []AlertRef{ref}, true, AlertsChange{Queued: 1})
	change(a, []AlertRef{ref}, true, AlertsChange{})
	if got := queryRow(t, s, `SELECT item_id, status FROM alerts ORDER BY id`); got != fmt.Sprintf("%d|pending", b.ID) {
		t.Errorf("alerts:\n%s\nwant only the repost's, pending", got)
	}
}
