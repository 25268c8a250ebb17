package main

import (
	"fmt"
	"github.com/newsmon/newsmon/internal/dbtest"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/newsmon/newsmon/internal/sqltest"
)

// fixtureServer serves testdata/feeds. The RSS feed supports conditional GET;
// the Atom and JSON feeds do not, so a second fetch gets the same items again.
func fixtureServer(t *testing.T) (*httptest.Server, *atomic.Value) {
	t.Helper()
	atom := &atomic.Value{}
	atom.Store(readFile(t, "testdata/feeds/maghreb-daily.atom"))
	mux := http.NewServeMux()
	mux.HandleFunc("/rights.rss", func(w http.ResponseWriter, r *http.Request) {
		const etag = `"rw-v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(readFile(t, "testdata/feeds/rights-watch.rss"))
	})
	mux.HandleFunc("/maghreb.atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(atom.Load().([]byte))
	})
	mux.HandleFunc("/campaign.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		w.Write(readFile(t, "testdata/feeds/campaign.json"))
	})
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Write(readFile(t, "testdata/feeds/broken.xml"))
	})
	mux.HandleFunc("/down.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, atom
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeConfig writes a config for the fixture server into a temp dir and
// returns its path and the database path.
func writeConfig(t *testing.T, srvURL string, sources string) (cfgPath, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = dbtest.New(t)
	cfg := fmt.Sprintf(`database: %s
fetch:
  user_agent: newsmon-test
  timeout: 5s
  concurrency: 1
  allow_private_addresses: true
tracked:
  - name: Ali Aarrass
    aliases: ["علي أعراس"]
  - name: Mohamed Hajib
sources:
%s`, dbPath, strings.ReplaceAll(sources, "SRV", srvURL))
	cfgPath = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, dbPath
}

const fixtureSources = `  - {name: rights, type: feed, url: SRV/rights.rss, full_text: false}
  - {name: maghreb, type: feed, url: SRV/maghreb.atom, full_text: false}
  - {name: campaign, type: feed, url: SRV/campaign.json, full_text: false}
  - {name: broken, type: feed, url: SRV/broken.xml}
  - {name: down, type: feed, url: SRV/down.xml}
`

func queryRows(t *testing.T, dbPath, query string) []string {
	t.Helper()
	return sqltest.Rows(t, dbPath, query)
}

func assertRows(t *testing.T, dbPath, query string, want ...string) {
	t.Helper()
	sqltest.AssertRows(t, dbPath, query, want...)
}

func TestFetchEndToEnd(t *testing.T) {
	srv, atom := fixtureServer(t)
	cfgPath, dbPath := writeConfig(t, srv.URL, fixtureSources)

	code, out, stderr := runCmd(t, "fetch", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("fetch exit %d; stdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	for _, want := range []string{"rights", "broken", "not a feed", "down", "HTTP 500"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Every item is stored, mentions or not; the repost of rw-101 in the Atom
	// feed (same URL behind tracking parameters) is not stored twice.
	assertRows(t, dbPath, `SELECT source, guid, canonical_url, title, published_at, author FROM items ORDER BY id`,
		"rights|rw-101|"+"https://rights.example.org/2021/aarrass-another-year|Belgian national Ali Aarrass marks another year behind bars|2021-05-04T09:00:00Z|Lena Vos",
		"rights|rw-102|https://rights.example.org/2021/harbour-strike|Harbour strike enters second week|2021-05-05T10:30:00Z|",
		"rights|rw-103|https://rights.example.org/2021/sister-speaks|Sister of jailed man speaks out|2021-05-06T08:15:00Z|",
		"maghreb|urn:md:2001|https://maghreb.example.com/articles/hajib-repond|Mohamed Hajib répond à ses détracteurs|2021-05-06T09:00:00Z|Karim B.",
		"maghreb|urn:md:2003|https://maghreb.example.com/articles/chaleur|Weather: heatwave expected|2021-05-06T06:00:00Z|",
		"campaign|c-1|https://campaign.example.net/posts/1|تضامن مع علي أعراس|2021-05-07T18:00:00Z|",
		"campaign|c-2|<nil>|Statement without a link|<nil>|",
	)
	// Feed HTML becomes text: tags and scripts gone.
	assertRows(t, dbPath, `SELECT text FROM items WHERE guid = 'rw-101'`,
		"Supporters of Ali Aarass gathered in Brussels on Monday.\n\nAarras’s family says the case was never properly investigated.")
	// The sister is not the person; spellings are recorded as written.
	assertRows(t, dbPath, `SELECT i.guid, m.person, m.spelling, m.count FROM mentions m JOIN items i ON i.id = m.item_id ORDER BY i.id, m.first_offset`,
		"rw-101|Ali Aarrass|Ali Aarrass|1",
		"rw-101|Ali Aarrass|Ali Aarass|1",
		"rw-101|Ali Aarrass|Aarras|1",
		"urn:md:2001|Mohamed Hajib|Mohamed Hajib|1",
		"urn:md:2001|Mohamed Hajib|Hajib|1",
		"c-1|Ali Aarrass|علي أعراس|1",
		"c-1|Ali Aarrass|علي اعراس|1",
		"c-2|Mohamed Hajib|MOHAMED HAJIB|1",
	)
	assertRows(t, dbPath, `SELECT source, status, http_status, items_seen, items_new, error != '' FROM fetch_runs ORDER BY id`,
		"rights|ok|200|3|3|0",
		"maghreb|ok|200|3|2|0",
		"campaign|ok|200|2|2|1", // the warning about the item without link or date
		"broken|error|200|0|0|1",
		"down|error|500|0|0|1",
	)
	assertRows(t, dbPath, `SELECT cause, error FROM fetch_runs WHERE source IN ('broken', 'down') ORDER BY id`,
		"not a feed|"+srv.URL+"/broken.xml: parse feed: failed to detect feed type",
		"HTTP 500|GET "+srv.URL+"/down.xml: HTTP 500 Internal Server Error",
	)

	// Second run: the RSS feed answers 304 to its validators, the others
	// repeat themselves; nothing is stored twice.
	code, out, _ = runCmd(t, "fetch", "--config", cfgPath)
	if code != exitOK {
		t.Fatalf("second fetch exit %d:\n%s", code, out)
	}
	assertRows(t, dbPath, `SELECT count(*) FROM items`, "7")
	assertRows(t, dbPath, `SELECT count(*) FROM mentions`, "8")
	assertRows(t, dbPath, `SELECT source, status, items_new FROM fetch_runs WHERE id > 5 ORDER BY id`,
		"rights|not_modified|0", "maghreb|ok|0", "campaign|ok|0", "broken|error|0", "down|error|0")
	assertRows(t, dbPath, `SELECT name, consecutive_failures, etag FROM sources ORDER BY name`,
		"broken|2|", "campaign|0|", "down|2|", "maghreb|0|", `rights|0|"rw-v1"`)

	// A changed item is updated in place, with its mentions redone.
	changed := strings.Replace(string(readFile(t, "testdata/feeds/maghreb-daily.atom")),
		"Forecasters expect temperatures above 40 degrees in the south.",
		"Forecasters expect a heatwave; Mohamed Hajib tweeted about it.", 1)
	atom.Store([]byte(changed))
	if code, out, _ = runCmd(t, "fetch", "--config", cfgPath, "--source", "maghreb"); code != exitOK {
		t.Fatalf("third fetch exit %d:\n%s", code, out)
	}
	assertRows(t, dbPath, `SELECT count(*) FROM items`, "7")
	assertRows(t, dbPath, `SELECT m.person, m.spelling FROM mentions m JOIN items i ON i.id = m.item_id WHERE i.guid = 'urn:md:2003'`,
		"Mohamed Hajib|Mohamed Hajib")
}

func TestFetchExitsOneWhenEverySourceFails(t *testing.T) {
	srv, _ := fixtureServer(t)
	cfgPath, _ := writeConfig(t, srv.URL, "  - {name: broken, type: feed, url: SRV/broken.xml}\n  - {name: down, type: feed, url: SRV/down.xml}\n")
	if code, out, _ := runCmd(t, "fetch", "--config", cfgPath); code != exitFailure {
		t.Errorf("exit %d, want %d:\n%s", code, exitFailure, out)
	}
}
