package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// An old database, written when only the first migration existed, upgrades
// in place at Open and keeps its data.
func TestOpenUpgradesAnOldDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := loadMigrations(sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Skip("only one migration")
	}
	old, err := openWith(ctx, path, ms[:1], false, options{})
	if err != nil {
		t.Fatal(err)
	}
	// Data written by that old version, in its own schema.
	if _, err := old.db.ExecContext(ctx, `INSERT INTO sources (name, type, url, created_at) VALUES ('s', 'feed', 'https://a.example.org/rss', '2021-01-01T00:00:00Z');
		INSERT INTO items (source, guid, canonical_url, title, fetched_at, updated_at, content_hash)
		VALUES ('s', 'g', 'https://a.example.org/1', 'kept', '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z', 'h')`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil || v != ms[len(ms)-1].version {
		t.Errorf("schema version %d, %v; want %d", v, err, ms[len(ms)-1].version)
	}
	var n int
	if err := st.db.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Errorf("%d migrations recorded, want %d (%v)", n, len(ms), err)
	}
	var title string
	if err := st.db.QueryRowContext(ctx, "SELECT title FROM items").Scan(&title); err != nil || title != "kept" {
		t.Errorf("item after upgrade: %q, %v", title, err)
	}
}

func TestOpenRefusesANewerDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.ExecContext(ctx, "INSERT INTO schema_migrations VALUES (9999, '9999_future', '2030-01-01T00:00:00Z')"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := Open(ctx, path); err == nil || !strings.Contains(err.Error(), "upgrade newsmon") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Every pooled connection has the pragmas, not just the first one.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		if conns[i], err = st.db.Conn(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
		var fk, busy, spill, pageSize, walLimit int
		var mode string
		conns[i].QueryRowContext(ctx, "PRAGMA journal_size_limit").Scan(&walLimit)
		if walLimit != walSizeLimit {
			t.Errorf("conn %d: journal_size_limit=%d, want %d", i, walLimit, walSizeLimit)
		}
		conns[i].QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
		conns[i].QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
		conns[i].QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		conns[i].QueryRowContext(ctx, "PRAGMA cache_spill").Scan(&spill) // in pages
		conns[i].QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize)
		if fk != 1 || busy != int(BusyTimeout.Milliseconds()) || mode != "wal" || spill*pageSize < spillKiB<<10*9/10 { // pages count SQLite's overhead too
			t.Errorf("conn %d: foreign_keys=%d busy_timeout=%d journal_mode=%s cache_spill=%d pages of %d bytes",
				i, fk, busy, mode, spill, pageSize)
		}
	}
}
