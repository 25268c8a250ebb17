package main

import (
	"encoding/json"
	"github.com/newsmon/newsmon/internal/sqltest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fetchedDB runs the fetch fixture once and returns the config path.
func fetchedDB(t *testing.T) (cfgPath, dbPath string) {
	t.Helper()
	srv, _ := fixtureServer(t)
	cfgPath, dbPath = writeConfig(t, srv.URL, fixtureSources)
	if code, out, errs := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
		t.Fatalf("fetch exit %d:\n%s\n%s", code, out, errs)
	}
	return cfgPath, dbPath
}

func TestSearchExportBackupPrune(t *testing.T) {
	cfgPath, dbPath := fetchedDB(t)

	code, out, errs := runCmd(t, "search", "--config", cfgPath, "Brussels")
	if code != exitOK || !strings.Contains(out, "Belgian national Ali Aarrass") || !strings.Contains(out, "«Brussels»") || !strings.Contains(out, "\n1 result\n") {
		t.Errorf("search exit %d:\n%s\n%s", code, out, errs)
	}
	code, out, _ = runCmd(t, "search", "--config", cfgPath, "--person", "Mohamed Hajib", "--json", "répond OR Statement")
	var titles []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var h struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("search --json line %q: %v", line, err)
		}
		titles = append(titles, h.Title)
	}
	if code != exitOK || strings.Join(titles, "|") != "Statement without a link|Mohamed Hajib répond à ses détracteurs" {
		t.Errorf("search --person exit %d: %v", code, titles)
	}
	if code, _, errs = runCmd(t, "search", "--config", cfgPath, `"unclosed`); code != exitUsage || !strings.Contains(errs, "invalid search query") {
		t.Errorf("bad query: exit %d, stderr %q", code, errs)
	}

	code, out, errs = runCmd(t, "export", "--config", cfgPath, "--format", "csv", "--person", "Ali Aarrass")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 3 || !strings.HasPrefix(lines[0], "item_id,date,source,person") || !strings.Contains(out, "Ali Aarrass") || strings.Contains(out, "Hajib") {
		t.Errorf("export csv exit %d:\n%s\n%s", code, out, errs)
	}
	outFile := filepath.Join(t.TempDir(), "all.jsonl")
	if code, _, errs = runCmd(t, "export", "--config", cfgPath, "--format", "jsonl", "--since", "2021-05-06", "--out", outFile); code != exitOK {
		t.Fatalf("export jsonl exit %d: %s", code, errs)
	}
	b, _ := os.ReadFile(outFile)
	if n := strings.Count(string(b), "\n"); n != 3 { // Hajib 05-06, the Arabic item 05-07, the undated one first seen now
		t.Errorf("jsonl since 2021-05-06 has %d rows:\n%s", n, b)
	}

	backup := filepath.Join(t.TempDir(), "copy.db")
	if code, _, errs = runCmd(t, "backup", "--config", cfgPath, backup); code != exitOK {
		t.Fatalf("backup exit %d: %s", code, errs)
	}
	assertRows(t, backup, "PRAGMA integrity_check", "ok")
	assertRows(t, backup, "SELECT count(*) FROM items", "7")

	// Retention counts from when newsmon first saw an item: age all but one.
	sqltest.Exec(t, dbPath, "UPDATE items SET fetched_at = '2021-06-01T00:00:00Z' WHERE guid != 'c-1'")
	code, out, errs = runCmd(t, "prune", "--config", cfgPath, "--text-days", "1")
	if code != exitOK || !strings.Contains(out, "dropped the text of 6 items") {
		t.Errorf("prune exit %d:\n%s\n%s", code, out, errs)
	}
	if code, out, errs = runCmd(t, "search", "--config", cfgPath, "Brussels"); code != exitOK || !strings.Contains(out, "0 results") {
		t.Errorf("search after prune: exit %d, pruned text still found?\n%s\n%s", code, out, errs)
	}
}
