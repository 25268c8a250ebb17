package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsmon/newsmon/internal/dbtest"
	"github.com/newsmon/newsmon/internal/sqltest"
)

// newsmon copy moves a database to the other kind and back: SQLite to
// PostgreSQL and back to SQLite (or the other way round in the PostgreSQL
// pass), each copy verified, and the last one searchable.
func TestCopyToTheOtherKindAndBack(t *testing.T) {
	cfgPath, dbPath := fetchedDB(t)
	other := dbtest.NewPostgres(t)
	third := filepath.Join(t.TempDir(), "back.db")
	if dbtest.Postgres() {
		other, third = filepath.Join(t.TempDir(), "there.db"), dbtest.NewPostgres(t)
	}
	code, out, errs := runCmd(t, "copy", "--config", cfgPath, "--to", other)
	if code != exitOK || !strings.Contains(out, "verified: every table holds the same rows") || !strings.Contains(out, "\nitems ") {
		t.Fatalf("copy --to %s: exit %d\n%s\n%s", other, code, out, errs)
	}
	code, out, errs = runCmd(t, "copy", "--config", cfgPath, "--from", other, "--to", third)
	if code != exitOK || !strings.Contains(out, "verified:") {
		t.Fatalf("copy --from %s --to %s: exit %d\n%s\n%s", other, third, code, out, errs)
	}
	const q = `SELECT count(*), count(DISTINCT canonical_url), sum(length(title)) FROM items`
	want := sqltest.Rows(t, dbPath, q)
	for _, db := range []string{other, third} {
		if got := sqltest.Rows(t, db, q); strings.Join(got, "") != strings.Join(want, "") {
			t.Errorf("items of %s: %v, want %v", db, got, want)
		}
	}
	// The copy is a database newsmon uses as it is: search finds in it.
	body, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg3 := filepath.Join(t.TempDir(), "third.yaml")
	if err := os.WriteFile(cfg3, []byte(strings.Replace(string(body), "database: "+dbPath, "database: "+third, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, "search", "--config", cfg3, "Brussels"); code != exitOK || !strings.Contains(out, "«Brussels»") {
		t.Errorf("search in the copy: exit %d\n%s\n%s", code, out, errs)
	}

	// Never into a database that holds data, nor over a file.
	if code, _, errs := runCmd(t, "copy", "--config", cfgPath, "--to", other); code != exitFailure ||
		!(strings.Contains(errs, "already holds data") || strings.Contains(errs, "exists: copy only into a new file")) {
		t.Errorf("copy into %s again: exit %d, %q", other, code, errs)
	}
}
