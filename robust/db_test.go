package robust

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// feedServer serves whatever feed holds at /feed.xml.
func feedServer(t *testing.T, feed *atomic.Value) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed.Load().([]byte))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A user's long write transaction makes newsmon wait for the lock, not fail
// or drop items: the fetch finishes after the lock goes and stores everything.
func TestBusyDatabase(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's write lock")
	s, feed := fetchedSetup(t, newsItems("first", 3)...)
	feed.Store(rss(newsItems("second", 20)...))

	const hold = 2 * time.Second
	release := holdWriteLock(t, s.db)
	released := make(chan time.Time, 1)
	go func() {
		time.Sleep(hold)
		release()
		released <- time.Now()
	}()
	start := time.Now()
	r := s.fetch(t)
	finished := time.Now()
	releasedAt := <-released
	if r.code != 0 {
		t.Fatalf("fetch under a held lock: %s", r)
	}
	if finished.Before(releasedAt) {
		t.Errorf("fetch finished %v after starting, before the lock was released: it cannot have written", finished.Sub(start))
	}
	assertRows(t, s.db, `SELECT count(*) FROM items`, "23")
	assertRows(t, s.db, `SELECT source, status, items_seen, items_new, error FROM fetch_runs ORDER BY id`,
		"wire|ok|3|3|", "wire|ok|20|20|")
}

// fetchedSetup serves items at one feed, "wire", and fetches it once; the
// returned value changes what the feed serves.
func fetchedSetup(t *testing.T, items ...rssItem) (setup, *atomic.Value) {
	t.Helper()
	feed := &atomic.Value{}
	feed.Store(rss(items...))
	srv := feedServer(t, feed)
	s := writeConfig(t, srv.URL, options{allowPrivate: true}, "{name: wire, type: feed, url: SRV/feed.xml, full_text: false}")
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("first fetch: %s", r)
	}
	return s, feed
}

// mountTmpfs mounts a tmpfs of the given size at a fresh directory, or skips
// the test when this machine does not allow it (mounting needs root).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a size-limited tmpfs here (needs root): %v: %s", err, out)
	}
	// Registered after TempDir's cleanup, so it runs before the removal.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes zeros to path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	// Small writes fill the last partial block.
	for {
		if _, err := f.Write(buf[:512]); err != nil {
			return
		}
	}
}

// With the disk full, a fetch fails saying so and leaves the database as it
// was; once space returns, the next fetch stores everything. The disk fills
// either before newsmon opens the database (SQLite cannot create its -shm
// file) or with another connection keeping it open, so that the failure
// comes at the run's write transaction.
func TestDiskFull(t *testing.T) {
	dbtest.SQLiteOnly(t, "a SQLite file on a full file system")
	for _, tc := range []struct {
		name       string
		holdOpen   bool
		wantOutput string
	}{
		{"at open", false, "no space left"},
		{"at write", true, "full"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mnt := mountTmpfs(t, "4m")
			feed := &atomic.Value{}
			feed.Store(rss(newsItems("first", 2)...))
			srv := feedServer(t, feed)
			s := writeConfig(t, srv.URL, options{allowPrivate: true, dbDir: mnt}, "{name: wire, type: feed, url: SRV/feed.xml, full_text: false}")
			if r := s.fetch(t); r.code != 0 {
				t.Fatalf("first fetch: %s", r)
			}
			if tc.holdOpen {
				db, err := sql.Open("sqlite", "file:"+s.db)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Exec("SELECT count(*) FROM items"); err != nil {
					t.Fatal(err)
				}
			}
			// Large descriptions so the run needs far more than the last free blocks.
			big := newsItems("big", 300)
			for i := range big {
				big[i].description = strings.Repeat("Harbour workers extend their strike for another week. ", 40)
			}
			feed.Store(rss(big...))
			filler := filepath.Join(mnt, "filler")
			fill(t, filler)

			r := s.fetch(t)
			if r.code == 0 {
				t.Errorf("fetch on a full disk exited 0: %s", r)
			}
			if out := r.stdout + r.stderr; !strings.Contains(out, tc.wantOutput) {
				t.Errorf("output does not say %q:\n%s", tc.wantOutput, r)
			}
			t.Logf("the error: %s%s", r.stdout, r.stderr)
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			// Nothing of the failed run is half-written.
			assertRows(t, s.db, `PRAGMA integrity_check`, "ok")
			assertRows(t, s.db, `SELECT count(*) FROM items WHERE guid LIKE 'big-%'`, "0")

			if r := s.fetch(t); r.code != 0 {
				t.Fatalf("fetch after space returned: %s", r)
			}
			assertRows(t, s.db, `SELECT count(*) FROM items WHERE guid LIKE 'big-%'`, "300")
			assertRows(t, s.db, `SELECT count(*) FROM items`, "302")
		})
	}
}

// On a read-only database, fetch says so and stores nothing; once writable
// again, the next fetch stores everything.
func TestReadOnlyDatabase(t *testing.T) {
	dbtest.SQLiteOnly(t, "a read-only SQLite file")
	mnt := mountTmpfs(t, "16m")
	feed := &atomic.Value{}
	feed.Store(rss(newsItems("first", 2)...))
	srv := feedServer(t, feed)
	s := writeConfig(t, srv.URL, options{allowPrivate: true, dbDir: mnt}, "{name: wire, type: feed, url: SRV/feed.xml, full_text: false}")
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("first fetch: %s", r)
	}
	feed.Store(rss(newsItems("second", 5)...))
	// Root ignores file modes, so make the whole file system read-only.
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only: %v: %s", err, out)
	}
	r := s.fetch(t)
	if out, err := exec.Command("mount", "-o", "remount,rw", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount rw: %v: %s", err, out)
	}
	if r.code == 0 {
		t.Errorf("fetch on a read-only database exited 0: %s", r)
	}
	if out := strings.ToLower(r.stdout + r.stderr); !strings.Contains(out, "read-only") && !strings.Contains(out, "readonly") {
		t.Errorf("output does not say the database is read-only:\n%s", r)
	}
	assertRows(t, s.db, `SELECT count(*) FROM items WHERE guid LIKE 'second-%'`, "0")
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("fetch once writable: %s", r)
	}
	assertRows(t, s.db, `SELECT count(*) FROM items WHERE guid LIKE 'second-%'`, "5")
	assertRows(t, s.db, `PRAGMA integrity_check`, "ok")
}
