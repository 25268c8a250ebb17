package robust

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// A relative database path in the config is taken from the config file's
// folder, so commands run from elsewhere (cron, sudo) find the same
// database. Commands that only read never create one: with no database
// they fail naming the file they looked for, and leave no file behind.
func TestDatabaseFoundFromAnyFolder(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite file paths")
	feed := &atomic.Value{}
	feed.Store(rss(newsItems("wire", 6)...))
	srv := feedServer(t, feed)
	dir, elsewhere := t.TempDir(), t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	body := fmt.Sprintf(`database: newsmon.db
fetch: {user_agent: newsmon-robust, timeout: 5s, allow_private_addresses: true}
tracked: [{name: Ali Aarrass}]
sources:
  - {name: wire, type: feed, url: %s/feed.xml, full_text: false}
alerts:
  rules: [{name: any, person: Ali Aarrass, notify: [log]}]
`, srv.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "newsmon.db")
	noDatabase := func(what string) {
		t.Helper()
		for _, p := range []string{want, filepath.Join(elsewhere, "newsmon.db")} {
			if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after %s: %s exists (%v)", what, p, err)
			}
		}
	}

	for _, args := range [][]string{
		{"status"},
		{"search", "--config", cfg, "Aarrass"},
		{"export"},
		{"alerts", "list"},
		{"alerts", "test", "any"},
		{"alerts", "send"},
		{"digest", "--preview"},
		{"classify", "--item", "1"},
		{"reclassify"},
		{"prune"},
		{"backup", "--config", cfg, filepath.Join(elsewhere, "backup.db")},
	} {
		name := strings.Join(args, " ")
		if !strings.Contains(name, "--config") {
			args = append(args, "--config", cfg)
		}
		r := newsmonIn(t, elsewhere, args...)
		if r.code == 0 {
			t.Errorf("%s without a database exited 0: %s", name, r)
		}
		if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "no such database file") || !strings.Contains(r.stderr, cfg) {
			t.Errorf("%s does not say which file it looked for and why:\n%s", name, r.stderr)
		}
		noDatabase(name)
	}

	// fetch creates the database beside the config, wherever it runs from,
	// and the read-only commands then find it, also with the config named
	// relatively.
	if r := newsmonIn(t, elsewhere, "fetch", "--config", cfg); r.code != 0 {
		t.Fatalf("fetch: %s", r)
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "newsmon.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("fetch created a database in the folder it ran from (%v)", err)
	}
	assertRows(t, want, `SELECT count(*) FROM items`, "6")
	rel, err := filepath.Rel(elsewhere, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := newsmonIn(t, elsewhere, "status", "--config", rel)
	if r.code != 0 || !strings.Contains(r.stdout, "database: "+want) || !strings.Contains(r.stdout, "wire") {
		t.Errorf("status from another folder: %s", r)
	}
}

// status only reads: it opens the database and answers while another
// process holds a long write transaction, instead of queueing behind it.
func TestStatusDoesNotWaitForAWriter(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's write lock")
	s, _ := fetchedSetup(t, newsItems("wire", 3)...)
	release := holdWriteLock(t, s.db)
	defer release()
	start := time.Now()
	r := newsmon(t, "status", "--config", s.cfg)
	t.Logf("status took %v with the write lock held elsewhere", time.Since(start))
	if r.code != 0 || !strings.Contains(r.stdout, "wire") {
		t.Errorf("status while another process writes: %s", r)
	}
}

// A second daemon on the same database file is refused however its config
// spells the path: through a symlink to the file, a symlinked folder, or a
// relative path.
func TestOneDaemonPerDatabaseFile(t *testing.T) {
	dbtest.SQLiteOnly(t, "the lock file of a SQLite database")
	feed := &atomic.Value{}
	feed.Store(rss(newsItems("wire", 3)...))
	srv := feedServer(t, feed)
	s := writeConfig(t, srv.URL, options{allowPrivate: true, tail: "daemon: {jitter: 0s}\n"}, "{name: wire, type: feed, url: SRV/feed.xml, full_text: false}")
	first := startDaemon(t, s)
	waitFor(t, "the first daemon's run", 30*time.Second, func() bool {
		return count(t, s.db, `SELECT count(*) FROM sqlite_schema WHERE name = 'fetch_runs'`) > 0 &&
			count(t, s.db, `SELECT count(*) FROM fetch_runs`) > 0
	})

	cfgBody, err := os.ReadFile(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	fileLink := filepath.Join(other, "link.db")
	dirLink := filepath.Join(other, "dirlink")
	for link, target := range map[string]string{fileLink: s.db, dirLink: s.dir} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	rel, err := filepath.Rel(other, s.db)
	if err != nil {
		t.Fatal(err)
	}
	for name, spelling := range map[string]string{
		"symlink to the file":  fileLink,
		"symlinked folder":     filepath.Join(dirLink, "newsmon.db"),
		"relative to a config": "./" + rel,
	} {
		cfg := filepath.Join(other, "config.yaml")
		body := strings.Replace(string(cfgBody), "database: "+s.db, "database: "+spelling, 1)
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		cmd := exec.CommandContext(ctx, binary, "run", "--config", cfg)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		if timedOut {
			t.Errorf("%s (%s): a second daemon started on the same database", name, spelling)
			continue
		}
		if !strings.Contains(errb.String(), "another daemon is already running") ||
			!strings.Contains(errb.String(), fmt.Sprintf("pid %d", first.cmd.Process.Pid)) {
			t.Errorf("%s (%s): second daemon %v, said %q; want a refusal naming pid %d", name, spelling, err, errb.String(), first.cmd.Process.Pid)
		}
	}

	// status finds the daemon through any spelling as well.
	r := newsmon(t, "status", "--config", filepath.Join(other, "config.yaml"))
	if !strings.Contains(r.stdout, fmt.Sprintf("daemon: running (pid %d)", first.cmd.Process.Pid)) {
		t.Errorf("status through another spelling does not see the daemon: %s", r)
	}
}

// A backup killed mid-way leaves no file under its name, so the next backup
// to that name succeeds; the file it writes is a complete database,
// readable by its owner only. A symlink at the name, even dangling, is
// refused and never followed.
func TestBackupKilledMidway(t *testing.T) {
	dbtest.SQLiteOnly(t, "VACUUM INTO")
	s, _ := fetchedSetup(t, newsItems("wire", 3)...)
	// Bulk, so that copying it takes long enough to be killed in.
	rows(t, s.db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
		INSERT INTO items (source, guid, url, title, text, fetched_at, updated_at, content_hash)
		SELECT 'wire', 'bulk-' || i, '', 'bulk ' || i, hex(randomblob(1500)), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', i FROM n`)
	items := rows(t, s.db, `SELECT count(*) FROM items`)[0]

	dest := filepath.Join(t.TempDir(), "backup.db")
	killed := false
	for attempt := 0; attempt < 5 && !killed; attempt++ {
		cmd := exec.Command(binary, "backup", "--config", s.cfg, dest)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once the copy has begun to be written.
		for cmd.ProcessState == nil {
			tmp, _ := filepath.Glob(dest + ".partial*")
			if len(tmp) > 0 {
				if fi, err := os.Stat(tmp[0]); err == nil && fi.Size() > 1<<20 {
					killed = cmd.Process.Signal(syscall.SIGKILL) == nil
					break
				}
			}
			if _, err := os.Stat(dest); err == nil {
				break // finished before the kill: try again
			}
			time.Sleep(time.Millisecond)
		}
		cmd.Wait()
		if !killed {
			os.Remove(dest)
		}
	}
	if !killed {
		t.Fatal("every backup finished before it could be killed")
	}
	if _, err := os.Lstat(dest); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a killed backup left %s (%v)", dest, err)
	}
	left, _ := filepath.Glob(dest + ".partial*")
	t.Logf("the killed backup left %v", left)

	r := newsmon(t, "backup", "--config", s.cfg, dest)
	if r.code != 0 {
		t.Fatalf("backup after a killed one: %s", r)
	}
	if left, _ := filepath.Glob(dest + ".partial*"); len(left) > 0 {
		t.Errorf("the backup after a killed one left %v", left)
	}
	assertRows(t, dest, `PRAGMA integrity_check`, "ok")
	assertRows(t, dest, `SELECT count(*) FROM items`, items)
	fi, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("backup mode %v, want -rw-------", m)
	}

	planted := filepath.Join(t.TempDir(), "planted.db")
	link := filepath.Join(filepath.Dir(dest), "link.db")
	if err := os.Symlink(planted, link); err != nil {
		t.Fatal(err)
	}
	if r := newsmon(t, "backup", "--config", s.cfg, link); r.code == 0 || !strings.Contains(r.stderr, "file exists") {
		t.Errorf("backup to a dangling symlink: %s", r)
	}
	if _, err := os.Lstat(planted); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup wrote through a dangling symlink (%v)", err)
	}
}

// Files newsmon writes with data from the database (the database itself,
// exports, digest previews) are readable by their owner only.
func TestCreatedFilesArePrivate(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite file modes")
	s, _ := fetchedSetup(t, newsItems("wire", 3)...)
	out := t.TempDir()
	for _, args := range [][]string{
		{"export", "--out", filepath.Join(out, "coverage.csv")},
		{"digest", "--preview", "--out", filepath.Join(out, "digest.html")},
		{"digest", "--preview", "--out", filepath.Join(out, "digest.eml")},
	} {
		if r := newsmon(t, append(args, "--config", s.cfg)...); r.code != 0 {
			t.Fatalf("%s: %s", strings.Join(args, " "), r)
		}
	}
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	for _, p := range append(files, s.db) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want -rw-------", filepath.Base(p), m)
		}
	}
	if len(files) != 3 {
		t.Errorf("wrote %v, want 3 files", files)
	}
}
