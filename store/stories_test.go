package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/internal/dbtest"
	"github.com/newsmon/newsmon/internal/sqltest"
)

func openTest(t testing.TB) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dbtest.New(t))
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

// storyItem builds an item from a fixture text, fingerprinted and keyed as
// the pipeline does.
func storyItem(t testing.TB, source, name string) Item {
	text := readStory(t, name)
	keys, _ := classify.StoryKeys(text)
	return Item{
		GUID: source + "/" + name, URL: "https://" + source + ".example/" + name,
		CanonicalURL: "https://" + source + ".example/" + name,
		Title:        "Aarrass: " + name, Text: text, ContentHash: fmt.Sprintf("h-%s-%d", name, len(text)),
		Fingerprint: classify.Fingerprint(text), StoryKeys: keys[:],
	}
}

// queryRow runs q on the database file and returns its rows, each as its
// columns joined by "|", joined by newlines.
func queryRow(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	return strings.Join(sqltest.Rows(t, s.Path(), q, args...), "\n")
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
	want := s.dialect.pick("USING INDEX items_story (story_id=?)", "Index Scan on items_story")
	if plan := explain(t, s, storiesSQL(s.dialect), "[1,2]"); !strings.Contains(plan, want) {
		t.Errorf("stories plan: %s", plan)
	}
}

func TestStoryLookupUsesKeyIndex(t *testing.T) {
	s := openTest(t)
	for _, until := range []any{nil, 1767916800} { // ingest, reclassify
		plan := explain(t, s, s.dialect.pick(candidatesSQL, candidatesPostgres), "[1,2,3]", 1767225600, until, 5, storyCandidates)
		wants := []string{"SEARCH k USING PRIMARY KEY (key=? AND seen>?)", "SEARCH i USING INTEGER PRIMARY KEY (rowid=?)",
			"SEARCH u USING PRIMARY KEY (seen>?)"}
		if s.Postgres() {
			wants = []string{"on story_keys k", "using story_keys_pkey", "using items_pkey", "on story_keyless_pkey"}
		}
		for _, want := range wants {
			if !strings.Contains(plan, want) {
				t.Errorf("story lookup plan (until %v) lacks %q: %s", until, want, plan)
			}
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
		s.db.QueryRow(`SELECT coalesce(CAST(story_id = id AS INTEGER), -1) FROM items WHERE guid = ?`, guid).Scan(&got)
		if got != want {
			t.Errorf("%s: story_id = id is %s, want %s", guid, got, want)
		}
	}
	assertStories("plain", "-1")
	assertStories("named", "1")
}

// Many copies of one story behind the same keys (a feed repeating a wire
// text): each lookup reads only the latest copies, which lead to the story
// as well as all of them would.
func TestStoriesWithManyCopies(t *testing.T) {
	s := openTest(t)
	day := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	first := saveItems(t, s, "wire", day, storyItem(t, "wire", "wire")).NewItems[0]
	copies := make([]Item, storyCandidates+50)
	for i := range copies {
		copies[i] = storyItem(t, "daily", "wire")
		copies[i].GUID, copies[i].CanonicalURL = fmt.Sprint("copy-", i), fmt.Sprint("https://daily.example/copy-", i)
	}
	res := saveItems(t, s, "daily", day.Add(time.Hour), copies...)
	repost := saveItems(t, s, "portal", day.Add(2*time.Hour), storyItem(t, "portal", "repost2"))
	for _, ni := range append(res.NewItems, repost.NewItems...) {
		if !ni.JoinedStory || ni.StoryID != first.ID {
			t.Fatalf("item %d: story %d (joined %v), want the first copy's %d", ni.ID, ni.StoryID, ni.JoinedStory, first.ID)
		}
	}
}

// Items fingerprinted before migration 0013 have no story keys, and the
// store cannot make them; the migration lists those of the story window,
// and the lookup reads them too, so that their reposts still join them.
func TestStoriesOfItemsWithoutKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old := openBefore(t, path, 13)
	now := time.Now().UTC().Truncate(time.Second)
	text := readStory(t, "wire")
	insert := `INSERT INTO items (id, source, guid, title, text, fetched_at, updated_at, content_hash, simhash, story_id)
		VALUES (?1, 'wire', ?1, 'Aarrass', ?2, ?3, ?3, 'h', ?4, ?1)`
	if _, err := old.db.ExecContext(ctx, `INSERT INTO sources (name, type, url, created_at) VALUES ('wire', 'feed', '', ''), ('daily', 'feed', '', '')`); err != nil {
		t.Fatal(err)
	}
	for id, age := range map[int]time.Duration{1: 30 * 24 * time.Hour, 2: 24 * time.Hour} {
		if _, err := old.db.ExecContext(ctx, insert, id, text, formatTime(now.Add(-age)), int64(classify.Fingerprint(text))); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := queryRow(t, s, `SELECT group_concat(item_id) FROM story_keyless`); got != "2" {
		t.Errorf("items listed without keys: %s, want 2 (the item of a day ago, not of a month ago)", got)
	}
	repost := saveItems(t, s, "daily", now, storyItem(t, "daily", "repost1")).NewItems[0]
	if !repost.JoinedStory || repost.StoryID != 2 {
		t.Errorf("repost of an earlier item: %+v, want story 2", repost)
	}
	if _, err := s.Prune(ctx, now.Add(StoryWindow), 0); err != nil {
		t.Fatal(err)
	}
	if got := queryRow(t, s, `SELECT count(*) FROM story_keyless`); got != "0" {
		t.Errorf("%s items listed without keys after the window, want 0", got)
	}
}

// openBefore creates a database at path as a newsmon without migration
// version and later ones left it.
func openBefore(t *testing.T, path string, version int) *Store {
	t.Helper()
	ms, err := loadMigrations(sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m migration) bool { return m.version >= version })
	s, err := openWith(context.Background(), path, ms[:i], false, options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Prune drops the story keys of items first seen before the story window:
// no lookup reads them any more.
func TestPruneDropsPastStoryKeys(t *testing.T) {
	s := openTest(t)
	now := time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC)
	for _, age := range []time.Duration{5 * StoryWindow, StoryWindow + time.Hour, StoryWindow - time.Hour, 0} {
		it := storyItem(t, "wire", "wire")
		it.GUID = fmt.Sprint(age.Hours())
		it.CanonicalURL = "https://wire.example/" + it.GUID
		saveItems(t, s, "wire", now.Add(-age), it)
	}
	if _, err := s.Prune(context.Background(), now, 0); err != nil {
		t.Fatal(err)
	}
	if got := queryRow(t, s, `SELECT i.guid FROM items i WHERE EXISTS (SELECT 1 FROM story_keys k WHERE k.item_id = i.id) ORDER BY i.id`); got != "335\n0" {
		t.Errorf("items with story keys after prune: %q, want the two first seen within %v", got, StoryWindow)
	}
}
