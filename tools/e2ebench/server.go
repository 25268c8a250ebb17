package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/newsmon/newsmon/internal/benchfeed"
)

// fixture is a feed as served: the plain and the pre-compressed body, so the
// server spends no CPU compressing while a client is being measured.
type fixture struct {
	plain, gz []byte
	etag      string
	atom      bool
}

// counters are what the server saw; reset between measurements.
type counters struct {
	feeds200, feeds304, pages, bytesOut, gzipped atomic.Int64
}

func (c *counters) reset() {
	c.feeds200.Store(0)
	c.feeds304.Store(0)
	c.pages.Store(0)
	c.bytesOut.Store(0)
	c.gzipped.Store(0)
}

// server serves /feeds/N.xml with gzip, ETag and Last-Modified, and the
// article pages /a/FEED/ITEM.html, on 127.0.0.1.
type server struct {
	srv          *httptest.Server
	feeds        []fixture
	itemsPerFeed int
	modified     time.Time
	count        counters
}

// newServer generates the feeds (in parallel, deterministically) and starts
// serving them.
func newServer(nFeeds, nItems int) (*server, error) {
	s := &server{feeds: make([]fixture, nFeeds), itemsPerFeed: nItems, modified: time.Date(2024, 5, 4, 9, 0, 0, 0, time.UTC)}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	// Feed URLs are known only once the listener exists; it is bound now
	// and serving starts after the feeds are built.
	base := "http://" + s.srv.Listener.Addr().String()
	err := benchfeed.Parallel(0, nFeeds, func(i int) error {
		atom := i%5 == 4
		plain := benchfeed.Feed(benchfeed.Spec{Index: i, Items: nItems, Atom: atom, Base: base, Posted: s.modified})
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
		if _, err := zw.Write(plain); err != nil {
			return err
		}
		zw.Close()
		sum := sha256.Sum256(plain)
		s.feeds[i] = fixture{plain: plain, gz: gz.Bytes(), etag: `"` + hex.EncodeToString(sum[:8]) + `"`, atom: atom}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compress feeds: %w", err)
	}
	s.srv.Start()
	return s, nil
}

func (s *server) close()      { s.srv.Close() }
func (s *server) url() string { return s.srv.URL }

// feedURL is the address of feed i.
func (s *server) feedURL(i int) string { return fmt.Sprintf("%s/feeds/%d.xml", s.srv.URL, i) }

func (s *server) feedURLs() []string {
	urls := make([]string, len(s.feeds))
	for i := range urls {
		urls[i] = s.feedURL(i)
	}
	return urls
}

func (s *server) items() int64 { return int64(len(s.feeds) * s.itemsPerFeed) }

func (s *server) resetCounts() error { s.count.reset(); return nil }

func (s *server) counts() (serverCounts, error) {
	c := serverCounts{feeds200: s.count.feeds200.Load(), feeds304: s.count.feeds304.Load(),
		pages: s.count.pages.Load(), bytesOut: s.count.bytesOut.Load()}
	c.items = c.feeds200 * int64(s.itemsPerFeed)
	return c, nil
}

// sizes returns the total plain and gzipped bytes of the feeds.
func (s *server) sizes() (plain, gz int64) {
	for _, f := range s.feeds {
		plain += int64(len(f.plain))
		gz += int64(len(f.gz))
	}
	return plain, gz
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/feeds/"):
		s.serveFeed(w, r)
	case strings.HasPrefix(r.URL.Path, "/a/"):
		s.servePage(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *server) serveFeed(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/feeds/"), ".xml"))
	if err != nil || i < 0 || i >= len(s.feeds) {
		http.NotFound(w, r)
		return
	}
	f := s.feeds[i]
	lastMod := s.modified.Format(http.TimeFormat)
	h := w.Header()
	h.Set("ETag", f.etag)
	h.Set("Last-Modified", lastMod)
	h.Set("Vary", "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm == f.etag {
			s.count.feeds304.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !s.modified.After(t) {
			s.count.feeds304.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if f.atom {
		h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/rss+xml; charset=utf-8")
	}
	body := f.plain
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = f.gz
		h.Set("Content-Encoding", "gzip")
		s.count.gzipped.Add(1)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	s.count.feeds200.Add(1)
	s.count.bytesOut.Add(int64(len(body)))
	w.Write(body)
}

func (s *server) servePage(w http.ResponseWriter, r *http.Request) {
	var feed, item int
	if _, err := fmt.Sscanf(r.URL.Path, "/a/%d/%d.html", &feed, &item); err != nil || feed < 0 || item < 0 {
		http.NotFound(w, r)
		return
	}
	// Pages are generated per request (they would take gigabytes to hold),
	// and sent uncompressed to keep the server's CPU share small.
	body := benchfeed.Page(feed, item)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	s.count.pages.Add(1)
	s.count.bytesOut.Add(int64(len(body)))
	w.Write(body)
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip (named
// or by "*", with a non-zero q).
func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}
