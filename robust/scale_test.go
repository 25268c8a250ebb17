package robust

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// mentioningFeed renders n distinct items that all name Ali Aarrass, each
// with about 50 words of text (enough for a fingerprint, so every item
// goes through story assignment), drawn from a vocabulary large enough
// that no two items are near-duplicates: 18,000 items make 9.7 MB.
func mentioningFeed(prefix string, n int) []byte {
	rng := rand.New(rand.NewPCG(16, uint64(n)))
	vocab := make([]string, 4000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	items := make([]rssItem, n)
	var b strings.Builder
	for i := range items {
		b.Reset()
		b.WriteString("Supporters of Ali Aarrass said")
		for range 48 {
			b.WriteByte(' ')
			b.WriteString(vocab[rng.IntN(len(vocab))])
		}
		b.WriteByte('.')
		items[i] = rssItem{
			guid:        fmt.Sprintf("%s-%d", prefix, i),
			title:       fmt.Sprintf("Ali Aarrass: report %d", i),
			link:        fmt.Sprintf("https://news.example.org/%s/%d", prefix, i),
			description: b.String(),
		}
	}
	return rss(items...)
}

// A feed of 18,000 items that all name a tracked person, under the default
// body limit, is stored in full, with its fetch_runs row, within the
// memory bound. Such a feed used to run the save into its 35 s deadline:
// nothing was stored, no run was recorded, and the source was not counted
// as failing.
func TestManyMentioningItems(t *testing.T) {
	const n = 18_000
	feed := mentioningFeed("m", n)
	if len(feed) > 10<<20 {
		t.Fatalf("feed is %d bytes, over the default body limit", len(feed))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed)
	}))
	t.Cleanup(srv.Close)
	s := writeConfig(t, srv.URL, options{allowPrivate: true, timeout: "20s"},
		"{name: mentions, type: feed, url: SRV/feed.xml, full_text: false}")
	r := s.fetch(t)
	if r.code != 0 {
		t.Fatalf("fetch of %d mentioning items (%.1f MB): %s", n, float64(len(feed))/(1<<20), r)
	}
	r.checkMemory(t, fmt.Sprintf("fetch of %d mentioning items", n))
	assertRows(t, s.db, `SELECT count(*), count(story_id), count(simhash) FROM items`, fmt.Sprintf("%d|%d|%d", n, n, n))
	assertRows(t, s.db, `SELECT count(DISTINCT item_id) FROM mentions`, fmt.Sprint(n))
	assertRows(t, s.db, `SELECT status, items_seen, items_new, error FROM fetch_runs`, fmt.Sprintf("ok|%d|%d|", n, n))
	assertRows(t, s.db, `SELECT consecutive_failures, last_error FROM sources WHERE name = 'mentions'`, "0|")
}
