package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// docFixture is labelledFixture plus a story carried by two outlets and an
// item whose stance changed on a re-fetch.
func docFixture(t testing.TB) *Store {
	s := labelledFixture(t)
	now := time.Now().UTC().Truncate(time.Second)
	wire := storyItem(t, "wire", "wire")
	wire.Published = now.Add(-4 * 24 * time.Hour)
	wire.Mentions = []Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 3}}
	wire.Stances = []Stance{{Person: "Ali Aarrass", Label: "neutral", Score: 0, Evidence: []byte("[]"), RulesVersion: "test"}}
	saveItems(t, s, "wire", now.Add(-4*24*time.Hour), wire)
	repost := storyItem(t, "portal", "repost1")
	saveItems(t, s, "portal", now.Add(-3*24*time.Hour), repost)
	wire.Text += " UPDATE: he has been taken to hospital; his family fears for his life."
	wire.ContentHash = "wire-v2"
	wire.Stances = []Stance{{Person: "Ali Aarrass", Label: "supportive", Score: 0.5, Evidence: ev("fears for his life", "his family fears for his life"), RulesVersion: "test"}}
	saveItems(t, s, "wire", now.Add(-2*24*time.Hour), wire)
	if _, err := s.IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// readmeSQL returns the sql blocks of the "Querying the database" section
// of docs/database.md, the SQL examples users copy, or those of "Querying
// PostgreSQL".
func readmeSQL(t *testing.T, d dialect) (string, []string) {
	t.Helper()
	heading := d.pick("\n## Querying the database", "\n## Querying PostgreSQL")
	path := filepath.Join("..", "docs", "database.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	_, section, ok := strings.Cut(text, heading)
	if !ok {
		t.Fatalf("%s has no %q section", path, heading)
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next]
	}
	var blocks []string
	for {
		_, rest, ok := strings.Cut(section, "```sql\n")
		if !ok {
			break
		}
		block, after, ok := strings.Cut(rest, "```")
		if !ok {
			t.Fatalf("%s: unterminated sql block", path)
		}
		blocks = append(blocks, block)
		section = after
	}
	return path, blocks
}

func TestReadmeQueries(t *testing.T) {
	s := docFixture(t)
	path, blocks := readmeSQL(t, s.dialect)
	if _, sqlite := readmeSQL(t, sqliteDialect); len(blocks) < 8 || len(blocks) != len(sqlite) {
		t.Fatalf("%s has %d sql examples for %s, want at least 8 and one per SQLite example (%d)", path, len(blocks), s.dialect, len(sqlite))
	}
	for i, q := range blocks {
		rows, err := s.db.Query(q)
		if err != nil {
			t.Errorf("%s example %d: %v\n%s", path, i+1, err, q)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s example %d: %v", path, i+1, err)
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s example %d returned no rows on the fixture:\n%s", path, i+1, q)
		}
	}
}

// The queries the README, the digest and search lean on use indexes, not
// table scans, so they stay fast at a million items (see TestMillion).
func TestQueryPlansUseIndexes(t *testing.T) {
	s := openTest(t)
	tests := []struct {
		name, query, want, wantPostgres string
	}{
		{"coverage of a person", "SELECT * FROM coverage WHERE person = 'Ali Aarrass'", "INDEX stances_person", "on stances_person"},
		{"digest since T", `SELECT i.id, s.person, s.label FROM items i JOIN stances s ON s.item_id = i.id
			WHERE i.fetched_at >= '2026-11-22T00:00:00Z'`, "INDEX items_fetched_at", "on items_fetched_at"},
		{"story outlets", "SELECT id FROM items WHERE story_id = 7", "INDEX items_story", "using items_story"},
		{"revisions of an item", "SELECT * FROM item_revisions WHERE item_id = 7", "INDEX item_revisions_item", "on item_revisions_item"},
		{"full-text", s.dialect.pick("SELECT rowid FROM items_fts WHERE items_fts MATCH 'strike'",
			"SELECT rowid FROM items_fts WHERE document @@ to_tsquery('newsmon', 'strike')"), "VIRTUAL TABLE INDEX", "on items_fts_document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, s, tt.query)
			if want := s.dialect.pick(tt.want, tt.wantPostgres); !strings.Contains(plan, want) {
				t.Errorf("plan lacks %q: %s", want, plan)
			}
		})
	}
}
