package robust

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
)

// A feed that gives all its items one GUID (a misconfigured CMS does) still
// yields one stored item per link: identity is the canonical URL first.
// Each item keeps its own url, no item gets another's text as a revision,
// and fetching the feed again stores nothing new.
func TestFeedWithOneGUIDForEveryItem(t *testing.T) {
	const n = 5000
	items := make([]rssItem, n)
	for i := range items {
		items[i] = rssItem{
			guid:        "https://news.example.org/feed",
			title:       fmt.Sprintf("Harbour report number %d", i),
			link:        fmt.Sprintf("https://news.example.org/report/%d?utm_source=rss", i),
			description: fmt.Sprintf("The harbour board published report %d today.", i),
		}
	}
	feed := &atomic.Value{}
	feed.Store(rss(items...))
	srv := feedServer(t, feed)
	s := writeConfig(t, srv.URL, options{allowPrivate: true}, "{name: wire, type: feed, url: SRV/feed.xml, full_text: false}")
	for run := range 2 {
		r := s.fetch(t)
		if r.code != 0 {
			t.Fatalf("fetch %d: %s", run+1, r)
		}
		r.checkMemory(t, "fetch")
	}
	assertRows(t, s.db, `SELECT count(*), count(DISTINCT canonical_url), count(DISTINCT guid) FROM items`,
		fmt.Sprintf("%d|%d|%d", n, n, n))
	assertRows(t, s.db, `SELECT count(*) FROM items WHERE url != canonical_url || '?utm_source=rss'
		OR title != 'Harbour report number ' || substr(canonical_url, length('https://news.example.org/report/') + 1)`, "0")
	assertRows(t, s.db, `SELECT count(*) FROM item_revisions`, "0")
	assertRows(t, s.db, `SELECT items_seen, items_new FROM fetch_runs ORDER BY id`,
		strconv.Itoa(n)+"|"+strconv.Itoa(n), strconv.Itoa(n)+"|0")
}
