package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// siteServer serves testdata/site: a news site with sections, articles in
// heavy boilerplate, an Arabic page in windows-1256, a feed linking to the
// articles, robots.txt, and pages that fail: a huge one, a redirect loop, a
// slow one and a PDF. It counts requests per path.
func siteServer(t *testing.T) (*httptest.Server, func(path string) int) {
	t.Helper()
	var mu sync.Mutex
	hits := map[string]int{}
	files := map[string]string{
		"/": "home.html", "/section/maghreb": "section-maghreb.html", "/section/europe": "section-europe.html",
		"/news/aarrass-appeal": "aarrass-appeal.html", "/news/hajib-hearing": "hajib-hearing.html",
		"/news/olive-harvest": "olive-harvest.html", "/news/embargoed-report": "olive-harvest.html",
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch p := r.URL.Path; {
		case files[p] != "":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(readFile(t, filepath.Join("testdata/site", files[p])))
		case p == "/robots.txt":
			w.Write(readFile(t, "testdata/site/robots.txt"))
		case p == "/feed.rss":
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(strings.ReplaceAll(string(readFile(t, "testdata/site/feed.rss")), "SRV", srv.URL)))
		case p == "/news/aarrass-ar":
			w.Header().Set("Content-Type", "text/html; charset=windows-1256")
			w.Write(readFile(t, "testdata/site/aarrass-ar.html"))
		case p == "/news/dossier-big":
			w.Header().Set("Content-Type", "text/html")
			chunk := []byte(strings.Repeat("<p>Ali Aarrass dossier page padding.</p>", 100))
			for range 100 { // about 400 KB, over the 256KB limit
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case p == "/news/loop":
			http.Redirect(w, r, "/news/loop-again", http.StatusFound)
		case p == "/news/loop-again":
			http.Redirect(w, r, "/news/loop", http.StatusFound)
		case p == "/news/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		case p == "/files/ruling.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4 not a web page"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return hits[path]
	}
}

func writePagesConfig(t *testing.T, srvURL string) (cfgPath, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = dbtest.New(t)
	cfg := strings.ReplaceAll(`database: DB
fetch:
  user_agent: newsmon-test
  timeout: 500ms
  max_body_bytes: 256KB
  concurrency: 1
  allow_private_addresses: true
tracked:
  - name: Ali Aarrass
    aliases: ["علي أعراس"]
  - name: Mohamed Hajib
sources:
  - {name: wire, type: feed, url: SRV/feed.rss}
  - name: ledger
    type: page
    start_urls: [SRV/]
    follow: ["/section/"]
    articles: ["/news/"]
    max_depth: 2
    max_pages: 20
    delay: 20ms
`, "SRV", srvURL)
	cfg = strings.ReplaceAll(cfg, "DB", dbPath)
	cfgPath = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, dbPath
}

func TestPagesEndToEnd(t *testing.T) {
	srv, hits := siteServer(t)
	cfgPath, dbPath := writePagesConfig(t, srv.URL)
	for run := 1; run <= 2; run++ {
		if code, out, stderr := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
			t.Fatalf("run %d: fetch exit %d; stdout:\n%s\nstderr:\n%s", run, code, out, stderr)
		}
	}
	S := srv.URL
	// Feed items keep their place whatever happened to their page; the
	// crawl adds the article naming a tracked person, not the olive harvest.
	assertRows(t, dbPath, `SELECT source, guid, title, published_at, author, language FROM items ORDER BY id`,
		"wire|wire-1|Hearing in Mohamed Hajib defamation case postponed|2024-04-02T14:00:00Z|Tobias Lenz|en",
		"wire|wire-2|محامو علي أعراس يطعنون في الحكم|2024-03-13T10:00:00Z||en",
		"wire|wire-3|Ali Aarrass: the full dossier|2024-03-14T09:00:00Z||en",
		"wire|wire-4|Mohamed Hajib statement|2024-03-15T09:00:00Z||en",
		"wire|wire-5|Ali Aarrass campaign update|2024-03-16T09:00:00Z||en",
		"wire|wire-6|Ali Aarrass court papers (PDF)|2024-03-17T09:00:00Z||en",
		"ledger|"+S+"/news/aarrass-appeal|Lawyers lodge new appeal for Ali Aarrass|2024-03-12T07:30:00Z|Ines Marchal|en",
	)
	texts := map[string]string{}
	for _, row := range queryRows(t, dbPath, `SELECT guid, text FROM items`) {
		guid, text, _ := strings.Cut(row, "|")
		texts[guid] = text
	}
	for guid, want := range map[string]string{
		"wire-1":                   "asked the judges to order the website to remove the texts",
		"wire-2":                   "قدم محامو علي أعراس يوم الثلاثاء طعنا جديدا",
		"wire-3":                   "Everything published about Ali Aarrass", // feed text: the page was too big
		S + "/news/aarrass-appeal": "spelled Aarass in court papers",
	} {
		if !strings.Contains(texts[guid], want) {
			t.Errorf("%s: text lacks %q:\n%s", guid, want, texts[guid])
		}
	}
	for guid, text := range texts {
		for _, junk := range []string{"cookies", "newsletter", "Copyright", "Most read", "Privacy policy", "Donate", "جميع الحقوق محفوظة", "\uFFFD"} {
			if strings.Contains(text, junk) {
				t.Errorf("%s: boilerplate %q left in the text:\n%s", guid, junk, text)
			}
		}
	}
	// Spellings found in the full text, not only the teaser.
	assertRows(t, dbPath, `SELECT m.spelling FROM mentions m JOIN items i ON i.id = m.item_id WHERE i.guid = '`+S+`/news/aarrass-appeal' ORDER BY m.first_offset`,
		"Ali Aarrass", "Aarass", "Aarras")

	// Nothing fetched twice, except listing pages, which each crawl revisits.
	for path, want := range map[string]int{
		"/news/aarrass-appeal": 1, "/news/hajib-hearing": 1, "/news/aarrass-ar": 1, "/news/olive-harvest": 1,
		"/news/dossier-big": 1, "/news/slow": 1, "/files/ruling.pdf": 1,
		"/news/loop":             5, // one attempt: 10 redirects between the two loop pages, then it stops
		"/news/embargoed-report": 0, "/": 2, "/section/maghreb": 2, "/section/europe": 2,
	} {
		if got := hits(path); got != want {
			t.Errorf("%s requested %d times, want %d", path, got, want)
		}
	}
	// Every failure is recorded for its URL.
	assertRows(t, dbPath, `SELECT replace(url, '`+S+`', ''), kind, status, http_status, error != '' FROM page_failures ORDER BY url`,
		"/files/ruling.pdf|feed_item|error|200|1",
		"/news/dossier-big|feed_item|error|200|1",
		"/news/embargoed-report|article|blocked|<nil>|1",
		"/news/loop|feed_item|error|<nil>|1",
		"/news/slow|feed_item|error|<nil>|1",
	)
	assertRows(t, dbPath, `SELECT replace(url, '`+S+`', ''), kind, status FROM page_fetches WHERE status = 'ok' ORDER BY url`,
		"/|listing|ok",
		"/news/aarrass-appeal|article|ok",
		"/news/aarrass-ar|feed_item|ok",
		"/news/hajib-hearing|feed_item|ok",
		"/news/olive-harvest|article|ok",
		"/section/europe|listing|ok",
		"/section/maghreb|listing|ok",
	)
	// Each crawl is a fetch_runs row.
	assertRows(t, dbPath, `SELECT source, status, http_status, items_seen, items_new FROM fetch_runs ORDER BY id`,
		"wire|ok|200|6|6", "ledger|ok|200|2|1", "wire|ok|200|6|0", "ledger|ok|200|0|0")
}

func TestExtractCommand(t *testing.T) {
	srv, _ := siteServer(t)
	code, out, stderr := runCmd(t, "extract", "--config", filepath.Join(t.TempDir(), "none.yaml"), "--json", "--allow-private", srv.URL+"/news/aarrass-ar")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`"title": "محامو علي أعراس يطعنون في الحكم"`, `"language": "ar"`, `"published": "2024-03-13T10:00:00Z"`, "طعنا جديدا"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	code, out, _ = runCmd(t, "extract", "--config", filepath.Join(t.TempDir(), "none.yaml"), "testdata/site/aarrass-appeal.html")
	if code != exitOK || !strings.Contains(out, "Author:    Ines Marchal") || !strings.Contains(out, "Lawyers for Ali Aarrass filed") || strings.Contains(out, "newsletter") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
	if code, _, stderr = runCmd(t, "extract", "--config", filepath.Join(t.TempDir(), "none.yaml"), "--allow-private", srv.URL+"/files/ruling.pdf"); code != exitFailure || !strings.Contains(stderr, "not an HTML page") {
		t.Errorf("PDF: exit %d, stderr %q", code, stderr)
	}
}
