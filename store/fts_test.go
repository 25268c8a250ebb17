package store

import (
	"context"
	"testing"
	"time"
)

// TestSearchIndexFollowsRuns checks the batched index insert of SaveRun:
// new items are searchable, an item repeated with other content in the same
// run is indexed once in its last version, summaries equal to the text are
// stored once, and the index stays consistent.
func TestSearchIndexFollowsRuns(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire",
		at,
		Item{GUID: "a", Title: "Harbour strike", Text: "Dock workers walked out over pay.", Summary: "Dock workers walked out over pay.", ContentHash: "a1"},
		Item{GUID: "b", Title: "Court ruling", Text: "A judge adjourned the hearing.", Summary: "Judge adjourns.", ContentHash: "b1"},
		Item{GUID: "b", Title: "Court ruling", Text: "A judge postponed the verdict.", Summary: "Judge adjourns.", ContentHash: "b2"},
	)
	saveItems(t, s, "daily", at.Add(time.Hour),
		Item{GUID: "c", Title: "Festival opens", Text: "Musicians from twelve countries play this week.", ContentHash: "c1"})

	tests := []struct {
		match string
		want  int
	}{
		{"dock", 1},
		{"postponed", 1},
		{"adjourned", 0}, // replaced within the run
		{"musicians", 1},
		{`"walked out"`, 1},
	}
	for _, tt := range tests {
		hits, err := s.Search(ctx, SearchQuery{Match: tt.match})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != tt.want {
			t.Errorf("search %s: %d hits, want %d", tt.match, len(hits), tt.want)
		}
	}
	if _, err := s.db.Exec("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)"); err != nil {
		t.Errorf("search index: %v", err)
	}
	var summaries []string
	rows, err := s.db.Query("SELECT summary FROM items ORDER BY guid")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		rows.Scan(&v)
		summaries = append(summaries, v)
	}
	rows.Close()
	if len(summaries) != 3 || summaries[0] != "" || summaries[1] != "Judge adjourns." || summaries[2] != "" {
		t.Errorf("stored summaries %q, want \"\" where equal to the text", summaries)
	}
}
