package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/sqltest"
)

// OpenExisting never creates a database: a missing file is ErrNoDatabase
// and stays missing.
func TestOpenExistingRefusesAMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	st, err := OpenExisting(context.Background(), path)
	if err == nil {
		st.Close()
		t.Fatal("OpenExisting opened a database that did not exist")
	}
	if !errors.Is(err, ErrNoDatabase) {
		t.Errorf("error %v, want ErrNoDatabase", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after OpenExisting, %s: %v (want it still missing)", path, err)
	}
}

// A new database and its -wal and -shm files are readable by the owner
// only, whatever the umask lets through.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SyncSources(context.Background(), []SourceDef{{Name: "wire", Type: "feed", URL: "https://wire.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", filepath.Base(p), m)
		}
	}
}

// A database the owner made group-readable keeps its mode.
func TestOpenKeepsTheModeOfAnExistingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if st, err = Open(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	st.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o640 {
		t.Errorf("mode %v after reopening, want -rw-r-----", m)
	}
}

// A new database gets pageSize, an empty file too (a new database whose
// creation was cut short); a database created with another page size keeps
// it and opens as before.
func TestOpenSetsThePageSizeOfANewDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old := filepath.Join(dir, "old.db")
	db, err := sql.Open("sqlite", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{filepath.Join(dir, "new.db"): pageSize, empty: pageSize, old: 4096} {
		st, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := st.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&got); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if got != want {
			t.Errorf("%s: page size %d, want %d", filepath.Base(path), got, want)
		}
	}
}

// Opening an up-to-date database does not take the write lock: a command
// that only reads opens it while another process holds a long write
// transaction.
func TestOpenDoesNotWaitForTheWriteLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	sqltest.HoldWriteLock(t, path)

	// Waiting for the lock would end in the busy timeout, long after this
	// deadline.
	octx, cancel := context.WithTimeout(ctx, BusyTimeout/3)
	defer cancel()
	for _, open := range []func(context.Context, string, ...Option) (*Store, error){Open, OpenExisting} {
		start := time.Now()
		st, err := open(octx, path)
		if err != nil {
			t.Fatalf("open while another process holds the write lock (after %v): %v", time.Since(start), err)
		}
		if _, err := st.Health(octx, time.Now()); err != nil {
			t.Errorf("read while another process holds the write lock: %v", err)
		}
		st.Close()
	}
}
