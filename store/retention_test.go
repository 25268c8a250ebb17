package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPruneKeepsLabelsAndShrinksFile(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	old := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	var items []Item
	for i := 0; i < 300; i++ {
		items = append(items, Item{GUID: fmt.Sprintf("g%d", i), Title: fmt.Sprintf("Aarrass item %d", i),
			Text: strings.Repeat(fmt.Sprintf("zanzibar%d word filler text about the case. ", i), 200), ContentHash: fmt.Sprint(i),
			Mentions: []Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}},
			Stances:  []Stance{{Person: "Ali Aarrass", Label: "supportive", Score: 0.5, Evidence: ev("release", "Free him."), RulesVersion: "t"}}})
	}
	saveItems(t, s, "wire", old, items...)
	recent := Item{GUID: "new", Title: "Recent Aarrass item", Text: "zanzibar0 recent text stays", ContentHash: "n"}
	saveItems(t, s, "wire", old.AddDate(0, 0, 100), recent)
	if _, err := s.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}

	res, err := s.Prune(ctx, old.AddDate(0, 0, 101), 30)
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != 300 {
		t.Errorf("pruned %d items, want 300", res.Items)
	}
	if !s.Postgres() { // PostgreSQL keeps the space for later items (autovacuum)
		if res.SizeAfter >= res.SizeBefore/2 {
			t.Errorf("database %d bytes before, %d after: want less than half", res.SizeBefore, res.SizeAfter)
		}
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != res.SizeAfter {
			t.Errorf("file is %d bytes, Prune reports %d", fi.Size(), res.SizeAfter)
		}
	}
	var stances, withText int
	s.db.QueryRow("SELECT count(*) FROM stances").Scan(&stances)
	s.db.QueryRow("SELECT count(*) FROM items WHERE text != ''").Scan(&withText)
	if stances != 300 || withText != 1 {
		t.Errorf("after prune: %d stances (want 300), %d items with text (want 1)", stances, withText)
	}
	// The pruned text is gone from the search index; titles still match.
	hits, err := s.Search(ctx, SearchQuery{Match: "zanzibar0"})
	if err != nil {
		t.Fatal(err)
	}
	if titles(hits) != "Recent Aarrass item" {
		t.Errorf("search for pruned text found %q", titles(hits))
	}
	if hits, _ := s.Search(ctx, SearchQuery{Match: "title:Aarrass"}); len(hits) != 50 { // default limit
		t.Errorf("title search found %d, want 50", len(hits))
	}
	// A second prune has nothing to drop and uses incremental vacuum.
	if res, err = s.Prune(ctx, old.AddDate(0, 0, 101), 30); err != nil || res.Items != 0 {
		t.Errorf("second prune: %+v %v", res, err)
	}
	if s.Postgres() {
		return
	}
	var mode int
	s.db.QueryRow("PRAGMA auto_vacuum").Scan(&mode)
	if mode != 2 {
		t.Errorf("auto_vacuum = %d, want 2 (incremental)", mode)
	}
}

func TestBackupDuringWrites(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			it := Item{GUID: fmt.Sprint(i), Title: "item", Text: strings.Repeat("text ", 500), ContentHash: fmt.Sprint(i)}
			if _, err := s.SaveRun(ctx, Run{Source: "wire", StartedAt: start, FinishedAt: start, Status: StatusOK, Items: []Item{it}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := s.Backup(ctx, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Error("backup over an existing file succeeded")
	}
	b, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var check string
	var n int
	b.db.QueryRow("PRAGMA integrity_check").Scan(&check)
	b.db.QueryRow("SELECT count(*) FROM items").Scan(&n)
	if check != "ok" || n == 0 {
		t.Errorf("backup: integrity_check = %q, %d items", check, n)
	}
	var ftsCheck error
	_, ftsCheck = b.db.Exec("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
	if ftsCheck != nil {
		t.Errorf("backup search index: %v", ftsCheck)
	}
}

func TestRevisionsKeepPreviousLabels(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 8, 9, 0, 0, 0, time.UTC)
	it := Item{GUID: "appeal", CanonicalURL: "https://campaign.example/appeal", Title: "Appeal", Text: "Write to the minister.", ContentHash: "v1",
		Stances: []Stance{{Person: "Ali Aarrass", Label: "neutral", Score: 0, Evidence: []byte("[]"), RulesVersion: "t"}}}
	first := saveItems(t, s, "campaign", at, it)
	it.Text, it.ContentHash = "UPDATE 9 November: he is on hunger strike. Write to the minister.", "v2"
	it.Stances = []Stance{{Person: "Ali Aarrass", Label: "supportive", Score: 0.6, Evidence: ev("hunger strike", "he is on hunger strike"), RulesVersion: "t"}}
	second := saveItems(t, s, "campaign", at.Add(24*time.Hour), it)
	if second.New != 0 || second.Updated != 1 || len(second.ChangedItems) != 1 {
		t.Fatalf("second save: %+v", second)
	}
	ch := second.ChangedItems[0]
	if ch.ID != first.NewItems[0].ID || len(ch.PreviousStances) != 1 || ch.PreviousStances[0].Label != "neutral" {
		t.Errorf("changed item = %+v", ch)
	}
	revs, err := s.Revisions(ctx, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 1 || revs[0].Text != "Write to the minister." || revs[0].ContentHash != "v1" ||
		!revs[0].ContentSince.Equal(at) || !revs[0].ReplacedAt.Equal(at.Add(24*time.Hour)) {
		t.Errorf("revisions = %+v", revs)
	}
	var label string
	s.db.QueryRow("SELECT label FROM stances WHERE item_id = ?", ch.ID).Scan(&label)
	if label != "supportive" {
		t.Errorf("current stance %q, want supportive", label)
	}
}
