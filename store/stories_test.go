package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/classify"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var defs []SourceDef
	for _, n := range []string{"wire", "daily", "portal", "campaign", "state"} {
		defs = append(defs, SourceDef{Name: n, Type: "feed", URL: "https://" + n + ".example/feed"})
	}
	if err := s.SyncSources(ctx, defs); err != nil {
		t.Fatal(err)
	}
	return s
}

func readStory(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "stories", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// storyItem builds an item from a fixture text, fingerprinted as the
// pipeline does.
func storyItem(t testing.TB, source, name string) Item {
	text := readStory(t, name)
	return Item{
		GUID: source + "/" + name, URL: "https://" + source + ".example/" + name,
		CanonicalURL: "https://" + source + ".example/" + name,
		Title:        "Aarrass: " + name, Text: text, ContentHash: fmt.Sprintf("h-%s-%d", name, len(text)),
		Fingerprint: classify.Fingerprint(text),
	}
}

func saveItems(t testing.TB, s *Store, source string, at time.Time, items ...Item) RunResult {
	t.Helper()
	res, err := s.SaveRun(context.Background(), Run{Source: source, StartedAt: at, FinishedAt: at, Status: StatusOK, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestStoriesGroupNearDuplicates(t *testing.T) {
	s := openTest(t)
	day := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	wire := saveItems(t, s, "wire", day, storyItem(t, "wire", "wire"))
	reposts := saveItems(t, s, "daily", day.Add(3*time.Hour), storyItem(t, "daily", "repost1"), storyItem(t, "daily", "other1"))
	later := saveItems(t, s, "portal", day.Add(26*time.Hour), storyItem(t, "portal", "repost2"), storyItem(t, "portal", "other2"))
	// The same wire text after StoryWindow has passed since the story's last
	// item starts a story of its own.
	stale := storyItem(t, "campaign", "wire")
	stale.GUID, stale.CanonicalURL = "campaign/late", "https://campaign.example/late"
	late := saveItems(t, s, "campaign", day.Add(StoryWindow+48*time.Hour), stale)

	w := wire.NewItems[0]
	if w.JoinedStory || w.StoryID != w.ID {
		t.Errorf("wire story: %+v, want a story of its own", w)
	}
	tests := []struct {
		name       string
		got        NewItem
		wantJoined bool
	}{
		{"repost1", reposts.NewItems[0], true},
		{"other1", reposts.NewItems[1], false},
		{"repost2", later.NewItems[0], true},
		{"other2", later.NewItems[1], false},
		{"wire after the window", late.NewItems[0], false},
	}
	for _, tt := range tests {
		if tt.got.JoinedStory != tt.wantJoined {
			t.Errorf("%s: joined = %v, want %v", tt.name, tt.got.JoinedStory, tt.wantJoined)
		}
		if tt.wantJoined && tt.got.StoryID != w.ID {
			t.Errorf("%s: story %d, want the wire story %d", tt.name, tt.got.StoryID, w.ID)
		}
		if !tt.wantJoined && tt.got.StoryID != tt.got.ID {
			t.Errorf("%s: story %d, want its own (%d)", tt.name, tt.got.StoryID, tt.got.ID)
		}
	}
	story, err := s.Story(context.Background(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	var outlets []string
	for _, it := range story {
		outlets = append(outlets, it.Source)
	}
	if fmt.Sprint(outlets) != "[wire daily portal]" {
		t.Errorf("story outlets = %v, want [wire daily portal]", outlets)
	}
}

// Stories reads several stories at once, each first seen first, and an
// item naming no one (no story) is in none.
func TestStoriesReadsSeveral(t *testing.T) {
	s := openTest(t)
	day := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	named := func(it Item) Item {
		it.Mentions = []Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}}
		return it
	}
	wire := saveItems(t, s, "wire", day, named(storyItem(t, "wire", "wire")), named(storyItem(t, "wire", "other1")))
	saveItems(t, s, "daily", day.Add(time.Hour), named(storyItem(t, "daily", "repost1")),
		Item{GUID: "plain", Title: "Harbour", Text: "Dock workers walked out.", ContentHash: "p"})
	saveItems(t, s, "portal", day.Add(2*time.Hour), named(storyItem(t, "portal", "repost2")))
	w, o := wire.NewItems[0].StoryID, wire.NewItems[1].StoryID
	got, err := s.Stories(context.Background(), []int64{w, o, 999})
	if err != nil {
		t.Fatal(err)
	}
	outlets := func(items []StoryItem) string {
		var out []string
		for _, it := range items {
			out = append(out, it.Source+" "+it.URL)
		}
		return strings.Join(out, ", ")
	}
	if g := outlets(got[w]); g != "wire https://wire.example/wire, daily https://daily.example/repost1, portal https://portal.example/repost2" {
		t.Errorf("wire story: %s", g)
	}
	if g := outlets(got[o]); g != "wire https://wire.example/other1" {
		t.Errorf("other story: %s", g)
	}
	if len(got) != 2 {
		t.Errorf("%d stories, want 2 (no story 999)", len(got))
	}
	if plan := explain(t, s.db, storiesSQL, "[1,2]"); !strings.Contains(plan, "USING INDEX items_story (story_id=?)") {
		t.Errorf("stories plan: %s", plan)
	}
}

func TestStoryLookupUsesRecentIndex(t *testing.T) {
	s := openTest(t)
	for _, until := range []any{nil, "2026-01-09T00:00:00Z"} { // ingest, reclassify
		plan := explain(t, s.db, candidatesSQL, "2026-01-01T00:00:00Z", 5, maxStoryCandidates, until)
		if !strings.Contains(plan, "COVERING INDEX items_simhash_recent (fetched_at>?)") {
			t.Errorf("story lookup plan (until %v): %s", until, plan)
		}
	}
}

// TestStoriesOnlyForNamedItems checks that an item naming no one and
// without a fingerprint gets no story row update, and one naming someone
// gets a story of its own even without a fingerprint.
func TestStoriesOnlyForNamedItems(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	res := saveItems(t, s, "wire", at,
		Item{GUID: "plain", Title: "Harbour", Text: "Dock workers walked out.", ContentHash: "1"},
		Item{GUID: "named", Title: "Aarrass", Text: "Ali Aarrass spoke.", ContentHash: "2",
			Mentions: []Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}}})
	for _, ni := range res.NewItems {
		if ni.StoryID != ni.ID || ni.JoinedStory {
			t.Errorf("new item %+v, want a story of its own", ni)
		}
	}
	assertStories := func(guid, want string) {
		var got string
		s.db.QueryRow(`SELECT coalesce(story_id = id, 'NULL') FROM items WHERE guid = ?`, guid).Scan(&got)
		if got != want {
			t.Errorf("%s: story_id = id is %s, want %s", guid, got, want)
		}
	}
	assertStories("plain", "NULL")
	assertStories("named", "1")
}
