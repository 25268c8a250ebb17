package pipeline

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/internal/sqltest"
	"github.com/newsmon/newsmon/store"
)

// A run lasts until it is stored: when the writer is busy (another process
// holds the lock), the wait shows in the run's Duration and in its
// fetch_runs row, not just the fetch.
func TestRunDurationIncludesStoring(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>https://news.example.org/1</link><guid>1</guid></item></channel></rss>`)
	}))
	defer srv.Close()
	cfg := config.Default()
	cfg.Fetch.AllowPrivate = true
	cfg.Tracked = []config.Person{{Name: "Ali Aarrass"}}
	cfg.Sources = []config.Source{{Name: "wire", Type: "feed", URL: srv.URL, FullText: new(false)}}
	path := filepath.Join(t.TempDir(), "news.db")
	p := newPipeline(t, cfg, path)

	// Another process holds the write lock for hold.
	const hold = 1200 * time.Millisecond
	release := sqltest.HoldWriteLock(t, path)
	go func() {
		time.Sleep(hold)
		release()
	}()
	sum := p.RunSource(ctx, cfg.Sources[0])
	if sum.Err != nil || sum.New != 1 {
		t.Fatalf("run: %+v", sum)
	}
	if sum.Duration < hold/2 {
		t.Errorf("Duration %v, though storing waited %v for the lock", sum.Duration, hold)
	}
	// Stored to the second.
	sqltest.AssertRows(t, path, `SELECT unixepoch(finished_at) - unixepoch(started_at) >= 1 FROM fetch_runs`, "1")
}

// newPipeline opens a store at path and a pipeline for cfg on it, with
// cfg's sources synced; the store is closed when the test ends.
func newPipeline(t testing.TB, cfg config.Config, path string) *Pipeline {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SyncSources(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}
