package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/netguard"
)

// testSite is a small news site: a home page linking two sections, each
// section linking articles, one section deeper than the others, and a
// robots.txt that disallows /private/.
type testSite struct {
	mu       sync.Mutex
	hits     map[string]int
	arrivals []time.Time
	agents   map[string]bool
	srv      *httptest.Server
}

func newTestSite(t *testing.T) *testSite {
	s := &testSite{hits: map[string]int{}, agents: map[string]bool{}}
	page := func(links ...string) string {
		var b strings.Builder
		b.WriteString("<html><body><p>Rights news.</p>")
		for _, l := range links {
			fmt.Fprintf(&b, `<a href="%s">link</a>`, l)
		}
		b.WriteString("</body></html>")
		return b.String()
	}
	pages := map[string]string{
		"/":                      page("/section/maghreb", "/section/europe", "/private/drafts", "https://elsewhere.example/x"),
		"/section/maghreb":       page("/news/aarrass-appeal", "/news/hajib-hearing", "/news/aarrass-appeal#comments", "/section/maghreb/page2"),
		"/section/maghreb/page2": page("/news/deep-one", "/section/maghreb/page3"),
		"/section/maghreb/page3": page("/news/too-deep"),
		"/section/europe":        page("/news/hajib-hearing?utm_source=x", "/news/europe-brief"),
		"/private/drafts":        page("/news/secret"),
		"/news/aarrass-appeal":   page("/news/not-followed-from-article"),
		"/news/hajib-hearing":    page(),
		"/news/europe-brief":     page(),
		"/news/deep-one":         page(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.agents[r.UserAgent()] = true
		if r.URL.Path != "/robots.txt" {
			s.arrivals = append(s.arrivals, time.Now())
		}
		s.mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *testSite) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func crawlAll(t *testing.T, opts CrawlOptions) ([]Page, CrawlStats) {
	t.Helper()
	c := NewClient(Options{UserAgent: "newsmon-test/1", Timeout: 2 * time.Second, MaxBodyBytes: 1 << 20})
	opts.AllowPrivate = true
	var pages []Page
	stats, err := c.Crawl(context.Background(), opts, func(p Page) { pages = append(pages, p) })
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	return pages, stats
}

var (
	sectionRE = regexp.MustCompile(`/section/`)
	newsRE    = regexp.MustCompile(`/news/`)
)

func TestCrawlFollowsSectionsAndStopsAtDepth(t *testing.T) {
	s := newTestSite(t)
	pages, _ := crawlAll(t, CrawlOptions{StartURLs: []string{s.srv.URL + "/"}, Follow: []*regexp.Regexp{sectionRE},
		Articles: []*regexp.Regexp{newsRE}, MaxDepth: 2, Delay: -1})
	got := map[string]bool{}
	for _, p := range pages {
		path := strings.TrimPrefix(p.URL, s.srv.URL)
		got[path] = p.Article
		if p.Err == nil && p.Status != 200 {
			t.Errorf("%s: status %d without error", path, p.Status)
		}
	}
	want := map[string]bool{"/": false, "/section/maghreb": false, "/section/europe": false,
		"/section/maghreb/page2": false, "/news/aarrass-appeal": true, "/news/hajib-hearing": true,
		"/news/europe-brief": true}
	for path, art := range want {
		if a, ok := got[path]; !ok || a != art {
			t.Errorf("%s: visited %v article %v, want visited as article=%v", path, ok, a, art)
		}
	}
	for _, path := range []string{"/news/deep-one", "/section/maghreb/page3", "/news/too-deep", "/news/not-followed-from-article"} {
		if _, ok := got[path]; ok {
			t.Errorf("%s visited beyond max depth or from an article", path)
		}
	}
	// The article reached by two links (one with a tracking parameter,
	// one with a fragment) is fetched once.
	if n := s.hitsOf("/news/hajib-hearing"); n != 1 {
		t.Errorf("/news/hajib-hearing fetched %d times, want 1", n)
	}
	if n := s.hitsOf("/news/aarrass-appeal"); n != 1 {
		t.Errorf("/news/aarrass-appeal fetched %d times, want 1", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.agents) != 1 || !s.agents["newsmon-test/1"] {
		t.Errorf("User-Agents seen %v, want only newsmon-test/1", s.agents)
	}
}

func TestCrawlObeysRobotsTxt(t *testing.T) {
	s := newTestSite(t)
	pages, _ := crawlAll(t, CrawlOptions{StartURLs: []string{s.srv.URL + "/"}, Follow: []*regexp.Regexp{regexp.MustCompile(`/section/|/private/`)},
		Articles: []*regexp.Regexp{newsRE}, Delay: -1})
	if n := s.hitsOf("/private/drafts"); n != 0 {
		t.Errorf("robots.txt disallows /private/, but it was fetched %d times", n)
	}
	var refused bool
	for _, p := range pages {
		if strings.HasSuffix(p.URL, "/private/drafts") {
			refused = errors.Is(p.Err, ErrRobotsDisallowed)
		}
	}
	if !refused {
		t.Error("the refused URL is not reported with ErrRobotsDisallowed")
	}

	// Switched off per source, the same page is fetched.
	s2 := newTestSite(t)
	crawlAll(t, CrawlOptions{StartURLs: []string{s2.srv.URL + "/"}, Follow: []*regexp.Regexp{regexp.MustCompile(`/private/`)},
		Articles: []*regexp.Regexp{newsRE}, Delay: -1, IgnoreRobots: true})
	if n := s2.hitsOf("/private/drafts"); n != 1 {
		t.Errorf("with robots_txt off, /private/drafts fetched %d times, want 1", n)
	}
}

func TestCrawlDelayBetweenRequests(t *testing.T) {
	s := newTestSite(t)
	const delay = 150 * time.Millisecond
	crawlAll(t, CrawlOptions{StartURLs: []string{s.srv.URL + "/"}, Follow: []*regexp.Regexp{sectionRE},
		Articles: []*regexp.Regexp{newsRE}, MaxPages: 5, Parallelism: 1, Delay: delay})
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.arrivals) != 5 {
		t.Fatalf("%d requests, want 5 (max pages)", len(s.arrivals))
	}
	for i := 1; i < len(s.arrivals); i++ {
		if gap := s.arrivals[i].Sub(s.arrivals[i-1]); gap < delay {
			t.Errorf("gap %d between requests is %v, want >= %v", i, gap, delay)
		}
	}
}

func TestCrawlMaxPagesAndSkip(t *testing.T) {
	s := newTestSite(t)
	pages, stats := crawlAll(t, CrawlOptions{StartURLs: []string{s.srv.URL + "/"}, Follow: []*regexp.Regexp{sectionRE},
		Articles: []*regexp.Regexp{newsRE}, MaxPages: 3, Delay: -1})
	if stats.Requests != 3 || len(pages) != 3 {
		t.Errorf("requests %d, pages reported %d, want 3 and 3", stats.Requests, len(pages))
	}
	if stats.Limited == 0 {
		t.Error("no link reported as dropped by the page limit")
	}

	s2 := newTestSite(t)
	_, stats = crawlAll(t, CrawlOptions{StartURLs: []string{s2.srv.URL + "/"}, Follow: []*regexp.Regexp{sectionRE},
		Articles: []*regexp.Regexp{newsRE}, Delay: -1,
		Skip: func(u string) bool { return strings.HasSuffix(u, "/news/aarrass-appeal") }})
	if n := s2.hitsOf("/news/aarrass-appeal"); n != 0 {
		t.Errorf("a skipped article was fetched %d times", n)
	}
	if n := s2.hitsOf("/section/maghreb"); n != 1 {
		t.Errorf("the listing page was fetched %d times, want 1", n)
	}
	if stats.Skipped == 0 {
		t.Error("no skipped link counted")
	}
}

func TestCrawlFailuresAreReported(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<a href="/a/big">x</a><a href="/a/loop">x</a><a href="/a/slow">x</a><a href="/a/gone">x</a>`))
	})
	mux.HandleFunc("/a/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.(http.Flusher).Flush() // no Content-Length: the limit must hold while reading
		chunk := []byte(strings.Repeat("<p>padding</p>", 1000))
		for i := 0; i < 200; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/a/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/a/loop2", http.StatusFound)
	})
	mux.HandleFunc("/a/loop2", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/a/loop", http.StatusFound)
	})
	mux.HandleFunc("/a/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := NewClient(Options{UserAgent: "t", Timeout: 300 * time.Millisecond, MaxBodyBytes: 100 << 10})
	errs := map[string]error{}
	start := time.Now()
	_, err := c.Crawl(context.Background(), CrawlOptions{StartURLs: []string{srv.URL}, AllowPrivate: true, Delay: -1, Parallelism: 4},
		func(p Page) { errs[strings.TrimPrefix(p.URL, srv.URL)] = p.Err })
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("crawl took %v: the slow page was not cut off by the timeout", time.Since(start))
	}
	for _, path := range []string{"/a/big", "/a/loop", "/a/slow", "/a/gone"} {
		if errs[path] == nil {
			t.Errorf("%s: no error reported", path)
		}
	}
	if !errors.Is(errs["/a/big"], ErrTooLarge) {
		t.Errorf("/a/big: %v, want ErrTooLarge", errs["/a/big"])
	}
	var se *StatusError
	if !errors.As(errs["/a/gone"], &se) || se.Code != 404 {
		t.Errorf("/a/gone: %v, want HTTP 404", errs["/a/gone"])
	}
}

func TestCrawlRefusesPrivateAddresses(t *testing.T) {
	s := newTestSite(t)
	c := NewClient(Options{UserAgent: "t", Timeout: time.Second})
	var got []Page
	_, err := c.Crawl(context.Background(), CrawlOptions{StartURLs: []string{s.srv.URL + "/"}, Delay: -1, IgnoreRobots: true},
		func(p Page) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !errors.Is(got[0].Err, netguard.ErrForbiddenAddress) {
		t.Fatalf("got %+v, want one page refused with netguard.ErrForbiddenAddress", got)
	}
	if n := s.hitsOf("/"); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}
