package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestSearchIndexCatchesUp checks IndexPending: stored items are searchable
// once it has run, an item changed before indexing is indexed in its last
// version, one changed after is replaced in the index, pruned text leaves
// it, and the index stays consistent throughout.
func TestSearchIndexCatchesUp(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire", at,
		Item{GUID: "a", Title: "Harbour strike", Text: "Dock workers walked out over pay.", Summary: "Dock workers walked out over pay.", ContentHash: "a1"},
		Item{GUID: "b", Title: "Court ruling", Text: "A judge adjourned the hearing.", Summary: "Judge adjourns.", ContentHash: "b1"},
	)
	// Changed before it was ever indexed: only the new text may be found.
	saveItems(t, s, "wire", at.Add(time.Minute),
		Item{GUID: "b", Title: "Court ruling", Text: "A judge postponed the verdict.", Summary: "Judge adjourns.", ContentHash: "b2"})
	saveItems(t, s, "daily", at.Add(time.Hour),
		Item{GUID: "c", Title: "Festival opens", Text: "Musicians from twelve countries play this week.", ContentHash: "c1"})

	search := func(match string) int {
		t.Helper()
		hits, err := s.Search(ctx, SearchQuery{Match: match})
		if err != nil {
			t.Fatal(err)
		}
		return len(hits)
	}
	checkIntegrity := func() { t.Helper(); checkSearchIndex(t, s) }
	if got := search("dock"); got != 0 {
		t.Errorf("before IndexPending: %d hits for dock, want 0 (ingest does not index)", got)
	}
	if n, err := s.PendingIndex(ctx); err != nil || n != 3 {
		t.Errorf("PendingIndex = %d, %v; want 3", n, err)
	}
	if n, err := s.IndexPending(ctx); err != nil || n != 3 {
		t.Fatalf("IndexPending = %d, %v; want 3", n, err)
	}
	if n, err := s.IndexPending(ctx); err != nil || n != 0 {
		t.Errorf("second IndexPending = %d, %v; want 0", n, err)
	}
	if n, err := s.PendingIndex(ctx); err != nil || n != 0 {
		t.Errorf("PendingIndex after catching up = %d, %v; want 0", n, err)
	}
	for _, tt := range []struct {
		match string
		want  int
	}{
		{"dock", 1},
		{"postponed", 1},
		{"adjourned", 0}, // replaced before indexing
		{"musicians", 1},
		{`"walked out"`, 1},
	} {
		if got := search(tt.match); got != tt.want {
			t.Errorf("search %s: %d hits, want %d", tt.match, got, tt.want)
		}
	}
	checkIntegrity()
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

	// Changed after indexing: the update trigger replaces it in the index
	// (on PostgreSQL, queues it for the next IndexPending).
	saveItems(t, s, "daily", at.Add(2*time.Hour),
		Item{GUID: "c", Title: "Festival opens", Text: "Dancers from nine countries perform tonight.", ContentHash: "c2"})
	if s.Postgres() {
		if n, err := s.IndexPending(ctx); err != nil || n != 1 {
			t.Errorf("IndexPending after an update = %d, %v; want 1", n, err)
		}
	}
	if got, want := [2]int{search("musicians"), search("dancers")}, [2]int{0, 1}; got != want {
		t.Errorf("after an update of an indexed item: musicians, dancers = %v hits, want %v", got, want)
	}
	checkIntegrity()
	if _, err := s.Prune(ctx, at.Add(60*24*time.Hour), 30); err != nil {
		t.Fatal(err)
	}
	if got := search("dock OR dancers OR postponed"); got != 0 {
		t.Errorf("after pruning every text: %d hits, want 0", got)
	}
	checkIntegrity()

}

// TestIndexPendingBatches stores more than one batch and a reused rowid
// (SQLite gives the largest id again once its row is deleted): everything
// ends up searchable exactly once.
func TestIndexPendingBatches(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	items := make([]Item, IndexBatch+7)
	for i := range items {
		items[i] = Item{GUID: fmt.Sprint("g", i), Title: fmt.Sprint("Bulletin ", i), Text: "Weather and traffic for the region.", ContentHash: "h"}
	}
	saveItems(t, s, "wire", at, items...)
	if n, err := s.IndexPending(ctx); err != nil || n != len(items) {
		t.Fatalf("IndexPending = %d, %v; want %d", n, err, len(items))
	}
	// Drop the newest item, then store one that takes its id (SQLite; a
	// PostgreSQL sequence never gives an id twice, and queues the item).
	if _, err := s.db.Exec(`DELETE FROM items WHERE id = (SELECT max(id) FROM items)`); err != nil {
		t.Fatal(err)
	}
	saveItems(t, s, "wire", at.Add(time.Hour), Item{GUID: "late", Title: "Ferry timetable", Text: "Crossings resume on Friday.", ContentHash: "l"})
	wantPending := s.dialect.pick("0", "1")
	if n, err := s.PendingIndex(ctx); err != nil || fmt.Sprint(n) != wantPending {
		t.Errorf("PendingIndex after a reused id = %d, %v; want %s", n, err, wantPending)
	}
	if _, err := s.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	for match, want := range map[string]int{"ferry": 1, "weather": len(items) - 1, "bulletin": len(items) - 1} {
		hits, err := s.Search(ctx, SearchQuery{Match: match, Limit: 3 * IndexBatch})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != want {
			t.Errorf("search %s: %d hits, want %d", match, len(hits), want)
		}
	}
	checkSearchIndex(t, s)
}

// checkSearchIndex fails t unless the search index agrees with the items:
// FTS5's integrity-check, or, on PostgreSQL, every item not queued has
// its title and text's vector in items_fts.
func checkSearchIndex(t *testing.T, s *Store) {
	t.Helper()
	if !s.Postgres() {
		if _, err := s.db.Exec("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)"); err != nil {
			t.Errorf("search index: %v", err)
		}
		return
	}
	var stale, orphans int
	err := s.db.QueryRow(`SELECT count(*) FROM items i LEFT JOIN items_fts f ON f.rowid = i.id
		WHERE NOT EXISTS (SELECT 1 FROM search_queue q WHERE q.item_id = i.id)
		AND (f.rowid IS NULL OR f.document != setweight(to_tsvector('newsmon', i.title), 'A') ||
			setweight(to_tsvector('newsmon', left(i.text, ?)), 'B'))`, maxIndexedChars).Scan(&stale)
	if err == nil {
		err = s.db.QueryRow(`SELECT count(*) FROM items_fts f WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = f.rowid)`).Scan(&orphans)
	}
	if err != nil || stale != 0 || orphans != 0 {
		t.Errorf("search index: %d items missing or stale, %d entries without an item (%v)", stale, orphans, err)
	}
}
