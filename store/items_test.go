package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestUnchanged(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire", at,
		Item{GUID: "w1", CanonicalURL: "https://wire.example/1", Title: "One", Text: "one", ContentHash: "h1"},
		Item{GUID: "w2", Title: "No link", Text: "two", ContentHash: "h2"},
	)
	saveItems(t, s, "daily", at, Item{GUID: "d1", CanonicalURL: "https://daily.example/1", Title: "Daily", Text: "d", ContentHash: "d1"})
	tests := []struct {
		name   string
		source string
		key    ItemKey
		want   bool
	}{
		{"same link, same content", "wire", ItemKey{"w1", "https://wire.example/1", "h1"}, true},
		{"same link, changed content", "wire", ItemKey{"w1", "https://wire.example/1", "h1b"}, false},
		{"same link, new guid", "wire", ItemKey{"other", "https://wire.example/1", "h1"}, true},
		{"same guid and content, another link", "wire", ItemKey{"w1", "https://wire.example/1b", "h1"}, false},
		{"same guid, same content, no link", "wire", ItemKey{"w2", "", "h2"}, true},
		{"same guid, changed content", "wire", ItemKey{"w2", "", "h2b"}, false},
		{"guid of another source", "daily", ItemKey{"w2", "", "h2"}, false},
		{"another source's article, other content", "wire", ItemKey{"x", "https://daily.example/1", "zz"}, true},
		{"new", "wire", ItemKey{"w3", "https://wire.example/3", "h3"}, false},
		{"quotes and brackets in keys", "wire", ItemKey{`a"]'`, `https://wire.example/"x"`, `h"`}, false},
	}
	keys := make([]ItemKey, 0, len(tests))
	for _, tt := range tests {
		got, err := s.Unchanged(context.Background(), tt.source, []ItemKey{tt.key})
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != tt.want {
			t.Errorf("%s: unchanged = %v, want %v", tt.name, got[0], tt.want)
		}
		if tt.source == "wire" {
			keys = append(keys, tt.key)
		}
	}
	// Many keys at once answer in order, as one at a time do.
	got, err := s.Unchanged(context.Background(), "wire", keys)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, tt := range tests {
		if tt.source != "wire" {
			continue
		}
		if got[i] != tt.want {
			t.Errorf("batch, %s: unchanged = %v, want %v", tt.name, got[i], tt.want)
		}
		i++
	}
	if got, err := s.Unchanged(context.Background(), "wire", nil); err != nil || len(got) != 0 {
		t.Errorf("no keys: %v, %v", got, err)
	}
}

// A run's statements run without the caller's context (see runWriter.save),
// so the loop itself must notice that the caller gave up, and the run's
// transaction must leave nothing behind.
func TestSaveStopsWhenCallerCancels(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	at := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	run := Run{Source: "wire", StartedAt: at, FinishedAt: at, Status: StatusOK, Items: []Item{
		{GUID: "w1", Title: "One", Text: "one", ContentHash: "h1"},
		{GUID: "w2", Title: "Two", Text: "two", ContentHash: "h2"},
	}}
	err := s.write(context.Background(), func(tx *sql.Tx) error {
		rw, err := s.prepareRunWriter(context.Background(), tx)
		if err != nil {
			return err
		}
		defer rw.close()
		cancel() // after the transaction began, before the first item
		_, err = rw.save(ctx, &runPart{run: run, first: true, last: true, total: len(run.Items)})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("save with a cancelled context: err = %v, want context.Canceled", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM items`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d items stored by a cancelled run, want 0", n)
	}
	// The store is still usable: the held write connection was not broken.
	if res := saveItems(t, s, "wire", at, run.Items...); res.New != 2 {
		t.Errorf("saving again: %d new, want 2", res.New)
	}
}

// A write connection that has gone away is replaced, and the write that
// found it so still goes through.
func TestWriteAfterWriteConnectionBroke(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire", at, Item{GUID: "w1", Title: "One", Text: "one", ContentHash: "h1"})
	s.writeMu.Lock()
	s.writer.Close() // as if the driver had dropped it
	s.writeMu.Unlock()
	if res := saveItems(t, s, "wire", at, Item{GUID: "w2", Title: "Two", Text: "two", ContentHash: "h2"}); res.New != 1 {
		t.Errorf("write after the connection broke: %d new, want 1", res.New)
	}
}

// Identity is the canonical URL first: items that share a GUID but not a
// link are different items, each with its own url, and no revisions.
// Only items without a link are known by their GUID.
func TestItemsSharingAGUID(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	const n = 500
	items := make([]Item, n)
	for i := range items {
		u := fmt.Sprintf("https://wire.example/story/%d", i)
		items[i] = Item{GUID: "same", URL: u + "?utm_source=feed", CanonicalURL: u, Title: fmt.Sprintf("Story %d", i),
			Text: fmt.Sprintf("text %d", i), ContentHash: fmt.Sprintf("h%d", i)}
	}
	if res := saveItems(t, s, "wire", at, items...); res.New != n || res.Updated != 0 {
		t.Fatalf("first run: %d new, %d updated; want %d new", res.New, res.Updated, n)
	}
	// Again: each is known by its link, unchanged; and Unchanged says so.
	keys := make([]ItemKey, n)
	for i, it := range items {
		keys[i] = ItemKey{GUID: it.GUID, CanonicalURL: it.CanonicalURL, ContentHash: it.ContentHash}
	}
	unchanged, err := s.Unchanged(ctx, "wire", keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range unchanged {
		if !u {
			t.Fatalf("item %d: not known after it was stored", i)
		}
	}
	items[7].Title, items[7].ContentHash = "Story 7, corrected", "h7b"
	if res := saveItems(t, s, "wire", at.Add(time.Hour), items...); res.New != 0 || res.Updated != 1 {
		t.Errorf("second run: %d new, %d updated; want 0 and 1", res.New, res.Updated)
	}
	var count, mismatched, revisions, guids int
	if err := s.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE url != canonical_url || '?utm_source=feed'),
		(SELECT count(*) FROM item_revisions), count(DISTINCT guid) FROM items`).Scan(&count, &mismatched, &revisions, &guids); err != nil {
		t.Fatal(err)
	}
	if count != n || mismatched != 0 || revisions != 1 || guids != n {
		t.Errorf("%d items, %d with a url not their canonical_url, %d revisions, %d distinct guids; want %d, 0, 1, %d",
			count, mismatched, revisions, guids, n, n)
	}

	// Without a link, the GUID is the identity: a new version updates.
	noLink := Item{GUID: "same", Title: "No link", Text: "first", ContentHash: "n1"}
	saveItems(t, s, "daily", at, noLink)
	noLink.Text, noLink.ContentHash = "second", "n2"
	if res := saveItems(t, s, "daily", at.Add(time.Hour), noLink); res.New != 0 || res.Updated != 1 {
		t.Errorf("item without a link, changed: %d new, %d updated; want 0 and 1", res.New, res.Updated)
	}
}
