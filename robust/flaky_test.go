package robust

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// flakyServer misbehaves in a different way on each path; /good.xml is a
// healthy feed sharing the same server.
func flakyServer(t *testing.T) *httptest.Server {
	t.Helper()
	good := rss(newsItems("good", 4)...)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	truncatedGzip := gz.Bytes()[:gz.Len()/2]

	mux := http.NewServeMux()
	mux.HandleFunc("/good.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(good)
	})
	// Half the body, then the connection is dropped.
	mux.HandleFunc("/reset.xml", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n", len(good))
		buf.Write(good[:len(good)/2])
		buf.Flush()
	})
	mux.HandleFunc("/truncated-gzip.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(truncatedGzip)
	})
	// Content-Length promises more than is sent, on a connection that stays
	// open, so only the request timeout ends the wait.
	mux.HandleFunc("/short.xml", func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n", len(good)+1000)
		buf.Write(good)
		buf.Flush()
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/limited.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/unavailable.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var flakySources = []string{
	"{name: good, type: feed, url: SRV/good.xml, full_text: false}",
	"{name: reset, type: feed, url: SRV/reset.xml, full_text: false}",
	"{name: gzip, type: feed, url: SRV/truncated-gzip.xml, full_text: false}",
	"{name: short, type: feed, url: SRV/short.xml, full_text: false}",
	"{name: limited, type: feed, url: SRV/limited.xml, full_text: false}",
	"{name: unavailable, type: feed, url: SRV/unavailable.xml, full_text: false}",
}

// A run over misbehaving servers completes, records each failure on its own
// source with a message saying what went wrong, and stores the healthy
// source's items.
func TestFlakyServers(t *testing.T) {
	srv := flakyServer(t)
	s := writeConfig(t, srv.URL, options{allowPrivate: true, timeout: "1s", extraFetch: "  max_body_bytes: 1MB\n"}, flakySources...)
	// A 503 storm: the same failures, run after run.
	for range 3 {
		r := s.fetch(t)
		if r.code != 0 {
			t.Fatalf("fetch: %s", r)
		}
	}
	assertRows(t, s.db, `SELECT count(*) FROM items`, "4")
	assertRows(t, s.db, `SELECT name, consecutive_failures FROM sources ORDER BY name`,
		"good|0", "gzip|3", "limited|3", "reset|3", "short|3", "unavailable|3")
	for _, tc := range []struct {
		source, status, want string
	}{
		{"good", "ok", ""},
		{"reset", "error", "unexpected EOF"},
		{"gzip", "error", "unexpected EOF"},
		{"short", "error", "Timeout"},
		{"limited", "error", "HTTP 429 Too Many Requests (Retry-After 2m0s)"},
		{"unavailable", "error", "HTTP 503 Service Unavailable (Retry-After "},
	} {
		got := rows(t, s.db, `SELECT status, error FROM fetch_runs WHERE source = ? ORDER BY id DESC LIMIT 1`, tc.source)
		if len(got) != 1 {
			t.Errorf("%s: %d fetch_runs rows", tc.source, len(got))
			continue
		}
		status, msg, _ := strings.Cut(got[0], "|")
		if status != tc.status || !strings.Contains(msg, tc.want) || (tc.want == "" && msg != "") {
			t.Errorf("%s: fetch_runs status %q error %q, want %q containing %q", tc.source, status, msg, tc.status, tc.want)
		}
	}
}

// The daemon backs off by Summary.RetryAfter; the pipeline must carry the
// server's value there.
func TestRetryAfterInSummary(t *testing.T) {
	srv := flakyServer(t)
	s := writeConfig(t, srv.URL, options{allowPrivate: true}, flakySources[4], flakySources[5], flakySources[0])
	cfg, err := config.Load(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := pipeline.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SyncSources(ctx); err != nil {
		t.Fatal(err)
	}
	sums := p.RunAll(ctx, cfg.Sources)
	if got := sums[0].RetryAfter; got != 2*time.Minute {
		t.Errorf("429 with Retry-After: 120: Summary.RetryAfter = %v, want 2m", got)
	}
	if got := sums[1].RetryAfter; got < 59*time.Minute || got > time.Hour {
		t.Errorf("503 with Retry-After an hour ahead: Summary.RetryAfter = %v", got)
	}
	if sums[2].Err != nil || sums[2].RetryAfter != 0 || sums[2].New != 4 {
		t.Errorf("healthy source: %+v", sums[2])
	}
}
