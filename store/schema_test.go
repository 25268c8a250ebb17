package store

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// The search index is the one part of the schema each database builds its
// own way (FTS5 against a tsvector with a GIN index and a queue); every
// other table, column, view and index has the same name on both.
var (
	sqliteOnly = []string{"table items_fts", "table search_index_state", "view items_indexed"}
	// items_fts is a table on both, with FTS5's columns on SQLite.
	postgresOnly = []string{"table items_fts", "table search_queue", "index items_fts_document"}
)

// TestSchemasMatch migrates a new database of each kind and compares
// their tables, columns, views and indexes, so that a migration added to
// one dialect and not the other fails here.
func TestSchemasMatch(t *testing.T) {
	ctx := context.Background()
	lite, err := Open(ctx, filepath.Join(t.TempDir(), "schema.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := Open(ctx, dbtest.NewPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	a, b := schemaOf(t, lite, sqliteOnly), schemaOf(t, pg, postgresOnly)
	for _, x := range []string{"column items.canonical_url", "view coverage", "column daily_counts.day", "index items_story", "table leases"} {
		if !slices.Contains(a, x) || !slices.Contains(b, x) {
			t.Fatalf("the schemas read lack %s: the comparison reads nothing", x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			t.Errorf("SQLite has %s, PostgreSQL does not", x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			t.Errorf("PostgreSQL has %s, SQLite does not", x)
		}
	}
}

// schemaOf lists "table T", "column T.C", "view V", "column V.C" and
// "index I", leaving out the objects in skip and their columns.
func schemaOf(t *testing.T, s *Store, skip []string) []string {
	t.Helper()
	q := s.dialect.pick(`SELECT type || ' ' || name FROM sqlite_schema
			WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'items_fts_%'
		UNION ALL SELECT 'column ' || m.name || '.' || c.name FROM sqlite_schema m, pragma_table_info(m.name) c
			WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'items_fts_%'
		UNION ALL SELECT 'index ' || name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`,
		`SELECT CASE table_type WHEN 'VIEW' THEN 'view ' ELSE 'table ' END || table_name
			FROM information_schema.tables WHERE table_schema = current_schema()
		UNION ALL SELECT 'column ' || table_name || '.' || column_name
			FROM information_schema.columns WHERE table_schema = current_schema()
		UNION ALL SELECT 'index ' || indexname FROM pg_indexes
			WHERE schemaname = current_schema() AND indexname NOT IN (SELECT conname FROM pg_constraint)`)
	rows, err := s.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		skipped := slices.ContainsFunc(skip, func(k string) bool {
			_, name, _ := strings.Cut(k, " ")
			return x == k || strings.HasPrefix(x, "column "+name+".")
		})
		if !skipped {
			out = append(out, x)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
