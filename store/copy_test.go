package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// A database copied from SQLite to PostgreSQL and back holds the same
// rows (each table verified on the way), finds the same things, and the
// copies go on taking new items after the copied ones.
func TestCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	lite := docFixture(t)
	if lite.Postgres() {
		t.Skip("the round trip starts from SQLite: the SQLite pass runs it")
	}
	// Text PostgreSQL cannot hold as it is, and a revision.
	saveItems(t, lite, "daily", time.Now().UTC().Truncate(time.Second), Item{GUID: "nul", Title: "Odd\x00title", Text: "Body with a NUL\x00 byte", ContentHash: "z"})
	pg, err := Open(ctx, dbtest.NewPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	forth, err := lite.CopyTo(ctx, pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Open(ctx, filepath.Join(t.TempDir(), "back.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	again, err := pg.CopyTo(ctx, back, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(forth) != len(copyTables) || len(again) != len(copyTables) {
		t.Fatalf("copied %d and %d tables, want %d", len(forth), len(again), len(copyTables))
	}
	rows := map[string]int64{}
	for i := range forth {
		if forth[i] != again[i] {
			t.Errorf("%s: %+v there, %+v back", forth[i].Table, forth[i], again[i])
		}
		rows[forth[i].Table] = forth[i].Rows
	}
	for _, table := range []string{"sources", "items", "stances", "topics", "item_revisions", "fetch_runs"} {
		if rows[table] == 0 {
			t.Errorf("the fixture has no %s: the copy was not tested on them", table)
		}
	}
	for _, s := range []*Store{lite, pg, back} {
		hits, err := s.Search(ctx, SearchQuery{Match: `"hunger strike"`})
		if err != nil || len(hits) == 0 {
			t.Errorf("%s: search after the copy: %d hits, %v", s.dialect, len(hits), err)
		}
		var text string
		if err := s.db.QueryRow(`SELECT text FROM items WHERE guid = 'nul'`).Scan(&text); err != nil {
			t.Fatal(err)
		}
		want := "Body with a NUL\uFFFD byte"
		if s == lite {
			want = "Body with a NUL\x00 byte"
		}
		if text != want {
			t.Errorf("%s: NUL item text %q, want %q", s.dialect, text, want)
		}
	}
	// New items take ids after the copied ones.
	var maxID int64
	if err := lite.db.QueryRow(`SELECT max(id) FROM items`).Scan(&maxID); err != nil || maxID == 0 {
		t.Fatalf("max copied item id: %d %v", maxID, err)
	}
	for _, s := range []*Store{pg, back} {
		res := saveItems(t, s, "wire", time.Now(), Item{GUID: "after", Title: "After the copy", Text: "x", ContentHash: "a"})
		if len(res.NewItems) != 1 || res.NewItems[0].ID <= maxID {
			t.Errorf("%s: new item after the copy: %+v, want an id above %d", s.dialect, res.NewItems, maxID)
		}
	}
}

// A copy goes only into an empty database.
func TestCopyRefusesADatabaseWithData(t *testing.T) {
	ctx := context.Background()
	src, dst := openTest(t), openTest(t) // openTest records sources
	if _, err := src.CopyTo(ctx, dst, nil); err == nil || !strings.Contains(err.Error(), "already holds data (5 rows in sources)") {
		t.Errorf("copy into a database with data: %v", err)
	}
}

// Every table of the schema is copied, or kept out on purpose.
func TestCopyCoversTheSchema(t *testing.T) {
	s := openTest(t)
	for _, x := range schemaOf(t, s, nil) {
		table, ok := strings.CutPrefix(x, "table ")
		if !ok || strings.HasPrefix(table, "items_fts_") {
			continue
		}
		if !slices.Contains(copyTables, table) && !slices.Contains(notCopied, table) {
			t.Errorf("table %s is neither copied nor listed as not copied (store/copy.go)", table)
		}
	}
}
