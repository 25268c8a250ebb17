package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/newsmon/newsmon/internal/benchfeed"
)

// feedSource is where a run's feeds come from: the benchmark's own
// generator (server) or a server someone else wrote (external, -server),
// whose feeds are shaped differently.
type feedSource interface {
	feedURLs() []string
	// sizes are the feeds' total bytes as XML and as sent gzipped.
	sizes() (plain, gz int64)
	// items is the number of items in all the feeds.
	items() int64
	resetCounts() error
	// counts says what the server saw since resetCounts.
	counts() (serverCounts, error)
	url() string
	close()
}

// serverCounts are what a server saw during one measurement.
type serverCounts struct {
	feeds200, feeds304, pages, bytesOut int64
	// items is the number of items in the feeds answered with a 200.
	items int64
}

// external is a feed server outside this program: it lists its feeds at
// /urls.txt (one URL a line, as newsboat reads them) and, if it counts
// requests, reports the counts at /__stats and zeroes them at
// /__reset-stats, as ../shared/bench/feedserver does. Without those, the
// counts stay zero and only times, memory and stored items are reported.
type external struct {
	base       string
	urls       []string
	plain, gz  int64
	totalItems int64
	hasStats   bool
	client     *http.Client
}

// feedserverStats is the JSON of /__stats.
type feedserverStats struct {
	ItemsTotal int64 `json:"items_total"`
	OK200      int64 `json:"ok_200"`
	NotMod304  int64 `json:"not_modified_304"`
	BodyBytes  int64 `json:"body_bytes"`
	Items      int64 `json:"items_served"`
	Articles   int64 `json:"article_pages"`
}

// newExternal reads the server's feed list and downloads every feed once,
// gzipped, to learn their sizes (and that they are there).
func newExternal(ctx context.Context, base string) (*external, error) {
	e := &external{base: strings.TrimSuffix(base, "/"), client: &http.Client{Transport: &http.Transport{DisableCompression: true}}}
	list, err := e.get(ctx, "/urls.txt")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(list), "\n") {
		if u := strings.TrimSpace(line); u != "" && !strings.HasPrefix(u, "#") {
			e.urls = append(e.urls, u)
		}
	}
	if len(e.urls) == 0 {
		return nil, fmt.Errorf("%s/urls.txt lists no feeds", e.base)
	}
	if err := e.measureSizes(ctx); err != nil {
		return nil, err
	}
	if st, err := e.stats(ctx); err == nil {
		e.hasStats, e.totalItems = true, st.ItemsTotal
	}
	return e, nil
}

func (e *external) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s%s: %s", e.base, path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// measureSizes fetches every feed as a client that accepts gzip would.
func (e *external) measureSizes(ctx context.Context) error {
	var plain, gz atomic.Int64
	// Downloads wait on the network more than on a core: 8 at once.
	err := benchfeed.Parallel(8, len(e.urls), func(i int) error {
		p, z, err := e.feedSize(ctx, e.urls[i])
		plain.Add(p)
		gz.Add(z)
		return err
	})
	if err != nil {
		return err
	}
	e.plain, e.gz = plain.Load(), gz.Load()
	return nil
}

func (e *external) feedSize(ctx context.Context, u string) (plain, sent int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return int64(len(body)), int64(len(body)), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("GET %s: %w", u, err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil {
		return 0, 0, fmt.Errorf("GET %s: inflate: %w", u, err)
	}
	return n, int64(len(body)), nil
}

func (e *external) stats(ctx context.Context) (feedserverStats, error) {
	var st feedserverStats
	b, err := e.get(ctx, "/__stats")
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(b, &st)
}

func (e *external) feedURLs() []string       { return e.urls }
func (e *external) sizes() (plain, gz int64) { return e.plain, e.gz }
func (e *external) items() int64             { return e.totalItems }
func (e *external) url() string              { return e.base }
func (e *external) close()                   {}

// resetCounts and counts fail rather than report zeros: a measurement
// whose server counts are wrong is worse than none.
func (e *external) resetCounts() error {
	if !e.hasStats {
		return nil
	}
	_, err := e.get(context.Background(), "/__reset-stats")
	return err
}

func (e *external) counts() (serverCounts, error) {
	if !e.hasStats {
		return serverCounts{}, nil
	}
	st, err := e.stats(context.Background())
	if err != nil {
		return serverCounts{}, fmt.Errorf("read the server's counts: %w", err)
	}
	return serverCounts{feeds200: st.OK200, feeds304: st.NotMod304, pages: st.Articles, bytesOut: st.BodyBytes, items: st.Items}, nil
}
