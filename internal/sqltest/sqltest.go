// Package sqltest reads a newsmon database the way a user's sqlite3 (or
// psql) session would, for tests that assert on the rows a command left
// behind.
package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/newsmon/newsmon/internal/dbtest"
)

// Rows runs query on the database (a SQLite file, or a PostgreSQL URL)
// and returns each row's columns joined by "|", NULL as "<nil>". It waits
// up to 10 s for a SQLite writer's lock. PostgreSQL's values are shown as
// SQLite's would be: a timestamp as its stored ISO-8601 text, a boolean as
// 1 or 0; ? parameters are rewritten as $N.
func Rows(t testing.TB, dbPath, query string, args ...any) []string {
	t.Helper()
	db, query := open(t, dbPath, query)
	defer db.Close()
	rs, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case bool:
				v = 0
				if x {
					v = 1
				}
			case time.Time:
				v = x.UTC().Format("2006-01-02T15:04:05Z")
				if x.Nanosecond() != 0 {
					v = x.UTC().Format("2006-01-02T15:04:05.000Z")
				}
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Exec runs a statement on the database, as Rows runs a query.
func Exec(t testing.TB, dbPath, query string, args ...any) {
	t.Helper()
	db, query := open(t, dbPath, query)
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// AssertRows fails the test unless query returns exactly want, in order.
func AssertRows(t testing.TB, dbPath, query string, want ...string) {
	t.Helper()
	got := Rows(t, dbPath, query)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s\n got:\n  %s\nwant:\n  %s", query, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// open opens the database at location, and returns query as it takes
// its parameters.
func open(t testing.TB, location, query string) (*sql.DB, string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+(&url.URL{Path: location}).EscapedPath()+"?_pragma=busy_timeout(10000)" // escaped: a '#' or '?' in a folder name (a subtest's) would end the path
	if dbtest.IsPostgres(location) {
		driver, dsn, query = "pgx", location, dollars(query)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db, query
}

// dollars rewrites ? parameters as $1, $2, ..., outside quoted text.
func dollars(q string) string {
	var b strings.Builder
	n := 0
	var quote rune
	for _, r := range q {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HoldWriteLock takes the database's write lock from a connection of its
// own, as a sqlite3 shell does after BEGIN IMMEDIATE, until release is
// called (at the latest when the test ends).
func HoldWriteLock(t testing.TB, dbPath string) (release func()) {
	t.Helper()
	dbtest.SQLiteOnly(t, "PostgreSQL has no database-wide write lock")
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: dbPath}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		db.Close()
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}
