package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change, e.g.
// migrations/sqlite/0002_daemon.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations returns d's migrations in order. Each dialect numbers its
// own: PostgreSQL's 0001 is SQLite's 0001 to 0016 at once, the schema as it
// stood when PostgreSQL came. A migration of either that changes the
// schema has its counterpart in the other (TestSchemasMatch).
func loadMigrations(d dialect) ([]migration, error) {
	dir := "migrations/" + d.String() + "/"
	paths, err := fs.Glob(migrationFiles, dir+"*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, p := range paths {
		base := strings.TrimSuffix(strings.TrimPrefix(p, dir), ".sql")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", p)
		}
		body, err := migrationFiles.ReadFile(p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("two migrations numbered %d", ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies, in order, the migrations the database has not recorded
// yet, all in one transaction so that a failed upgrade leaves the database as
// it was. A database written by a newer newsmon is refused rather than misread.
//
// It looks first, with a read, whether anything is to be done: the write
// transaction waits for the write lock, which a running daemon may hold
// for seconds, and a command that only reads must not queue behind it.
func (s *Store) applyMigrations(ctx context.Context, ms []migration) error {
	if current, err := s.schemaCurrent(ctx, ms); err != nil || current {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if s.dialect == postgresDialect {
			// Workers that start together migrate one after the other; the
			// later ones find the work done.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+lockKeySQL("?")+`)`, lockKey("migrate")); err != nil {
				return fmt.Errorf("wait for another worker's migration: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.dialect.pick(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TEXT NOT NULL)`, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    bigint PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL)`)); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return fmt.Errorf("read schema versions: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("read schema versions: %w", err)
			}
			applied[v] = true
		}
		rows.Close()
		known := map[int]bool{}
		for _, m := range ms {
			known[m.version] = true
		}
		for v := range applied {
			if !known[v] {
				return fmt.Errorf("database has schema version %d, which this newsmon does not know: upgrade newsmon", v)
			}
		}
		// Every migration not yet recorded is applied, in order, even one
		// numbered below the latest applied: branches can land out of order.
		for _, m := range ms {
			if applied[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("apply %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, formatTime(time.Now())); err != nil {
				return fmt.Errorf("record %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// SchemaVersion returns the latest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

// schemaCurrent reports whether the database has recorded exactly the
// migrations ms, read without taking the write lock. Anything else (a new
// database, a migration missing or unknown) is for applyMigrations to sort
// out, or to refuse, under the lock.
func (s *Store) schemaCurrent(ctx context.Context, ms []migration) (bool, error) {
	has, err := s.hasMigrationsTable(ctx)
	if err != nil || !has {
		return false, err
	}
	var n, known int
	err = s.db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE `+s.dialect.inIDs("version", "?")+`)
		FROM schema_migrations`, versionList(ms)).Scan(&n, &known)
	if err != nil {
		return false, fmt.Errorf("read schema versions: %w", err)
	}
	return n == len(ms) && known == n, nil
}

// hasMigrationsTable reports whether the database has newsmon's
// schema_migrations table, as any newsmon database has.
func (s *Store) hasMigrationsTable(ctx context.Context) (bool, error) {
	var has bool
	err := s.db.QueryRowContext(ctx, s.dialect.pick(
		`SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`,
		`SELECT to_regclass('schema_migrations') IS NOT NULL`)).Scan(&has)
	if err != nil {
		return false, fmt.Errorf("read schema: %w", err)
	}
	return has, nil
}

func versionList(ms []migration) string {
	vs := make([]string, len(ms))
	for i, m := range ms {
		vs[i] = strconv.Itoa(m.version)
	}
	return "[" + strings.Join(vs, ",") + "]"
}
