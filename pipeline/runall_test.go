package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/internal/sqltest"
)

// RunAll fetches fetch.concurrency sources at once. A fetched run waits for
// the writer without holding its slot, so that the next sources are fetched
// meanwhile and stored together: with the write lock held elsewhere, every
// source is still fetched, and all are stored once it is released.
func TestRunAllFetchesWhileTheWriterWaits(t *testing.T) {
	ctx := context.Background()
	var requests, inFlight, maxInFlight atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := maxInFlight.Load(); n > m && !maxInFlight.CompareAndSwap(m, n); m = maxInFlight.Load() {
		}
		time.Sleep(5 * time.Millisecond) // long enough for fetches to overlap
		requests.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Item of %[1]s</title><link>https://news.example.org%[1]s</link><guid>%[1]s</guid></item></channel></rss>`, r.URL.Path)
	}))
	defer srv.Close()
	const sources = 12
	cfg := config.Default()
	cfg.Fetch.AllowPrivate = true
	cfg.Fetch.Concurrency = 2
	cfg.Tracked = []config.Person{{Name: "Ali Aarrass"}}
	for i := range sources {
		cfg.Sources = append(cfg.Sources, config.Source{Name: fmt.Sprintf("s%d", i), Type: "feed", URL: fmt.Sprintf("%s/%d", srv.URL, i), FullText: new(false)})
	}
	path := filepath.Join(t.TempDir(), "news.db")
	p := newPipeline(t, cfg, path)

	release := sqltest.HoldWriteLock(t, path)
	done := make(chan []Summary)
	go func() { done <- p.RunAll(ctx, cfg.Sources) }()
	deadline := time.Now().Add(10 * time.Second)
	for requests.Load() < sources && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	fetched := requests.Load()
	release()
	sums := <-done
	if fetched < sources {
		t.Errorf("%d of %d sources fetched while the writer waited for the lock, want all", fetched, sources)
	}
	if m := maxInFlight.Load(); m > 2 {
		t.Errorf("%d fetches at once, want at most fetch.concurrency (2)", m)
	}
	for _, s := range sums {
		if s.Err != nil || s.New != 1 {
			t.Errorf("%s: %+v, want one new item", s.Source, s)
		}
	}
	sqltest.AssertRows(t, path, `SELECT count(*) FROM items`, fmt.Sprint(sources))
}
