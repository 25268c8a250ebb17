package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsmon/newsmon/internal/benchfeed"
)

// server serves /feeds/N.xml, generated once and kept gzipped (as most
// news sites serve them), and answers every request in full: conditional
// GET is ignored, so that a warm round parses every feed.
type server struct {
	srv   *httptest.Server
	gz    [][]byte
	bytes int64 // uncompressed, all feeds
}

func newServer(feeds, items int) (*server, error) {
	s := &server{gz: make([][]byte, feeds)}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	base := "http://" + s.srv.Listener.Addr().String()
	posted := time.Now().UTC().Truncate(time.Hour)
	var mu sync.Mutex
	err := benchfeed.Parallel(0, feeds, func(i int) error {
		plain := benchfeed.Feed(benchfeed.Spec{Index: i, Items: items, Atom: i%5 == 4, Base: base, Posted: posted})
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write(plain); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		s.gz[i] = b.Bytes()
		mu.Lock()
		s.bytes += int64(len(plain))
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate feeds: %w", err)
	}
	s.srv.Start()
	return s, nil
}

func (s *server) close() { s.srv.Close() }

func (s *server) feedURL(i int) string { return fmt.Sprintf("%s/feeds/%d.xml", s.srv.URL, i) }

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/feeds/")
	n, err := strconv.Atoi(strings.TrimSuffix(name, ".xml"))
	if !ok || err != nil || n < 0 || n >= len(s.gz) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Encoding", "gzip")
	w.Write(s.gz[n])
}
