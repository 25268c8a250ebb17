// Package dbtest gives each test a fresh database on the backend the test
// run asks for, so that the same tests run on SQLite and on PostgreSQL.
//
// By default a test's database is a SQLite file in t.TempDir(). With
// NEWSMON_TEST_BACKEND=postgres it is a new PostgreSQL database, created
// on the cluster NEWSMON_TEST_POSTGRES names (the URL of a user allowed
// to create databases; its password in PGPASSWORD) and dropped when the
// test ends. .ci/run starts such a cluster (.ci/pgcluster) and runs the
// suite both ways.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Environment variables of a test run.
const (
	// BackendEnv selects the backend: "sqlite" (the default) or "postgres".
	BackendEnv = "NEWSMON_TEST_BACKEND"
	// ClusterEnv is the URL of the PostgreSQL cluster tests create their
	// databases on.
	ClusterEnv = "NEWSMON_TEST_POSTGRES"
)

// Postgres reports whether this test run is the PostgreSQL pass.
func Postgres() bool { return os.Getenv(BackendEnv) == "postgres" }

// New returns the location of a fresh database for t: a SQLite file path
// (not yet created), or, in the PostgreSQL pass, the URL of a new, empty
// PostgreSQL database. The PostgreSQL pass skips t, saying why, when no
// cluster is configured.
func New(t testing.TB) string {
	t.Helper()
	if Postgres() {
		return NewPostgres(t)
	}
	return filepath.Join(t.TempDir(), "test.db")
}

// NewPostgres returns the URL of a new, empty PostgreSQL database,
// whatever the pass, for tests of PostgreSQL itself; it skips t when no
// cluster is configured.
//
// The database is a schema of its own in one database that every test
// shares (newsmon_tests, with the unaccent extension): creating a schema
// takes milliseconds where creating a database takes half a second. The
// URL's search_path puts the schema first, so that newsmon's tables, and
// its advisory locks (keyed by schema), are the test's own.
func NewPostgres(t testing.TB) string {
	t.Helper()
	cluster := os.Getenv(ClusterEnv)
	if cluster == "" {
		t.Skipf("PostgreSQL: no cluster configured; set %s to the URL of one (\".ci/pgcluster start\" starts a throwaway one, as .ci/run does)", ClusterEnv)
	}
	u, err := url.Parse(cluster)
	if err != nil {
		t.Fatalf("%s: %v", ClusterEnv, err)
	}
	u.Path = "/" + sharedDatabase
	db := testDB(t, cluster, u.String())
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// sharedDatabase is the database the tests' schemas are made in.
const sharedDatabase = "newsmon_tests"

// SQLiteOnly skips t in the PostgreSQL pass: it tests something only
// SQLite has (a file, its modes, pragmas, the lock file), said in why.
func SQLiteOnly(t testing.TB, why string) {
	t.Helper()
	if Postgres() {
		t.Skip("SQLite only: " + why)
	}
}

var pools struct {
	sync.Mutex
	dbs map[string]*sql.DB
}

// testDB returns a pool of the shared test database, which it creates on
// the cluster (through the URL cluster) if need be. Pools live as long as
// the test binary.
func testDB(t testing.TB, cluster, shared string) *sql.DB {
	t.Helper()
	pools.Lock()
	defer pools.Unlock()
	if db, ok := pools.dbs[shared]; ok {
		return db
	}
	admin, err := sql.Open("pgx", cluster)
	if err != nil {
		t.Fatalf("%s: %v", ClusterEnv, err)
	}
	defer admin.Close()
	ctx := context.Background()
	var exists bool
	if err := admin.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", sharedDatabase).Scan(&exists); err != nil {
		t.Fatalf("%s: cannot reach the cluster: %v", ClusterEnv, err)
	}
	if !exists {
		// Test binaries of several packages may race to create it.
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+sharedDatabase); err != nil && !strings.Contains(err.Error(), "already exists") {
			t.Fatalf("create %s: %v", sharedDatabase, err)
		}
	}
	db, err := sql.Open("pgx", shared)
	if err != nil {
		t.Fatalf("%s: %v", ClusterEnv, err)
	}
	if _, err := db.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"); err != nil &&
		!strings.Contains(err.Error(), "already exists") && !strings.Contains(err.Error(), "duplicate key") {
		t.Fatalf("create extension unaccent in %s: %v", sharedDatabase, err)
	}
	if pools.dbs == nil {
		pools.dbs = map[string]*sql.DB{}
	}
	pools.dbs[shared] = db
	return db
}

// IsPostgres reports whether location is a PostgreSQL URL: the test of
// config.IsPostgresURL, which helpers under internal/ may not import.
func IsPostgres(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}
