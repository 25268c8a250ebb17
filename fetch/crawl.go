package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"
)

// Crawl defaults, used where a CrawlOptions field is zero.
const (
	DefaultCrawlMaxDepth = 2
	DefaultCrawlMaxPages = 100
	DefaultCrawlDelay    = time.Second
)

// ErrRobotsDisallowed means robots.txt forbids fetching a URL.
var ErrRobotsDisallowed = errors.New("disallowed by robots.txt")

// CrawlOptions say where a crawl goes and how politely.
type CrawlOptions struct {
	StartURLs []string
	// AllowedDomains limits the crawl to these hosts; empty means the hosts
	// of the start URLs.
	AllowedDomains []string
	// Follow matches listing pages, whose links are followed. Start URLs
	// are always listing pages.
	Follow []*regexp.Regexp
	// Articles matches article pages. When empty, every linked page that
	// is not a listing page is an article.
	Articles []*regexp.Regexp
	// MaxDepth is how many links away from a start URL the crawl goes
	// (DefaultCrawlMaxDepth when 0).
	MaxDepth int
	// MaxPages bounds the requests of one crawl, robots.txt aside
	// (DefaultCrawlMaxPages when 0).
	MaxPages int
	// Per-domain politeness: at most Parallelism requests at once (1 when
	// 0), each followed by Delay plus up to RandomDelay before the next.
	// A negative Delay means none; 0 means DefaultCrawlDelay.
	Parallelism        int
	Delay, RandomDelay time.Duration
	// IgnoreRobots skips robots.txt; it is honoured by default.
	IgnoreRobots bool
	AllowPrivate bool
	// Skip reports article URLs (canonical) that need no fetch, such as
	// articles already stored. Listing pages are always fetched.
	Skip func(canonicalURL string) bool
}

// Page is the outcome of one URL of a crawl.
type Page struct {
	URL         string // canonical URL as queued
	FinalURL    string // after redirects
	Depth       int    // 0 for start URLs
	Article     bool   // matched as an article, not a listing page
	Status      int    // HTTP status; 0 when no response
	ContentType string // of Body, which is always UTF-8 or as the server sent it
	Body        []byte
	Err         error // nil when Body holds a 2xx response
}

// CrawlStats summarise a crawl.
type CrawlStats struct {
	Requests int // page requests made (robots.txt not counted)
	Skipped  int // article links not fetched because Skip said so
	Limited  int // links dropped because MaxPages was reached
}

// Crawl walks a site from opts.StartURLs with colly, calling visit once for
// every URL it requested, and for links robots.txt refused. Calls to visit
// are serialised. Links are followed only from listing pages; article pages
// are leaves. Crawl returns when the crawl is done or ctx is cancelled; an
// error means the crawl could not start.
func (c *Client) Crawl(ctx context.Context, opts CrawlOptions, visit func(Page)) (CrawlStats, error) {
	opts = crawlDefaults(opts)
	domains, err := crawlDomains(opts)
	if err != nil {
		return CrawlStats{}, err
	}
	col := colly.NewCollector(
		colly.UserAgent(c.opts.UserAgent),
		colly.AllowedDomains(domains...),
		colly.MaxBodySize(0), // the transport enforces the limit, with an error rather than a cut
		colly.StdlibContext(ctx),
		colly.Async(true),
	)
	// colly ignores robots.txt unless told otherwise.
	col.IgnoreRobotsTxt = opts.IgnoreRobots
	// The client's own transport (address guard, timeouts, and its pool of
	// connections, shared with Get and across crawls) under the body limit.
	hc := c.strict
	if opts.AllowPrivate {
		hc = c.lenient
	}
	col.WithTransport(&limitTransport{rt: hc.Transport, max: c.opts.MaxBodyBytes})
	col.SetRequestTimeout(c.opts.Timeout)
	col.SetRedirectHandler(hc.CheckRedirect)
	if err := col.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: opts.Parallelism,
		Delay: max(opts.Delay, 0), RandomDelay: opts.RandomDelay}); err != nil {
		return CrawlStats{}, fmt.Errorf("set crawl limits: %w", err)
	}

	cr := &crawler{col: col, opts: opts, visit: visit}
	col.OnRequest(func(r *colly.Request) {
		if ctx.Err() != nil {
			r.Abort()
			return
		}
		if int(cr.requests.Add(1)) > opts.MaxPages {
			cr.requests.Add(-1)
			cr.limited.Add(1)
			r.Abort()
		}
	})
	col.OnResponse(func(r *colly.Response) {
		ct := r.Headers.Get("Content-Type")
		if collyTranscoded(ct) {
			// colly already converted the body to UTF-8; say so, or the
			// extractor would decode it a second time.
			ct = utf8ContentType(ct)
		}
		p := pageOf(r.Request)
		p.Status, p.ContentType, p.Body = r.StatusCode, ct, r.Body
		cr.emit(p)
	})
	col.OnError(func(r *colly.Response, err error) {
		p := pageOf(r.Request)
		p.Status = r.StatusCode
		if r.StatusCode >= 300 {
			p.Err = &StatusError{URL: p.URL, Code: r.StatusCode} // its message names the URL
		} else {
			p.Err = fmt.Errorf("GET %s: %w", p.URL, withoutURL(err))
		}
		cr.emit(p)
	})
	col.OnHTML("a[href]", func(e *colly.HTMLElement) {
		if e.Request.Ctx.GetAny(ctxArticle) == true {
			return
		}
		depth, _ := e.Request.Ctx.GetAny(ctxDepth).(int)
		if depth >= opts.MaxDepth {
			return
		}
		link := CanonicalURL(e.Request.AbsoluteURL(e.Attr("href")))
		if link == "" {
			return
		}
		follow := matchAny(opts.Follow, link)
		article := !follow && (matchAny(opts.Articles, link) || len(opts.Articles) == 0)
		if !follow && !article {
			return
		}
		if article && opts.Skip != nil && opts.Skip(link) {
			cr.skipped.Add(1)
			return
		}
		cr.queue(link, depth+1, article)
	})

	for _, u := range opts.StartURLs {
		cr.queue(CanonicalURL(u), 0, false)
	}
	col.Wait()
	return CrawlStats{Requests: int(cr.requests.Load()), Skipped: int(cr.skipped.Load()), Limited: int(cr.limited.Load())}, nil
}

// Keys of what a request carries in its colly context. Each request gets a
// fresh context, because colly's Request.Visit would share the parent's.
const (
	ctxURL     = "newsmon.url"
	ctxDepth   = "newsmon.depth"
	ctxArticle = "newsmon.article"
)

type crawler struct {
	col   *colly.Collector
	opts  CrawlOptions
	mu    sync.Mutex // serialises visit
	visit func(Page)

	requests, skipped, limited atomic.Int64
}

func (cr *crawler) emit(p Page) {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	cr.visit(p)
}

// queue asks colly for link. Links colly refuses by design (already
// visited, another domain) are dropped; every other refusal is reported as
// the page's outcome: robots.txt forbids the page, or robots.txt itself
// could not be fetched (which colly checks before the page, so a start page
// on a host that cannot be reached fails here).
func (cr *crawler) queue(link string, depth int, article bool) {
	if int(cr.requests.Load()) >= cr.opts.MaxPages {
		cr.limited.Add(1)
		return
	}
	ctx := colly.NewContext()
	ctx.Put(ctxURL, link)
	ctx.Put(ctxDepth, depth)
	ctx.Put(ctxArticle, article)
	err := cr.col.Request(http.MethodGet, link, nil, ctx, nil)
	var (
		visited *colly.AlreadyVisitedError
		ue      *url.Error
	)
	switch {
	case err == nil, errors.As(err, &visited), errors.Is(err, colly.ErrForbiddenDomain), errors.Is(err, colly.ErrForbiddenURL),
		errors.Is(err, colly.ErrNoURLFiltersMatch), errors.Is(err, colly.ErrMaxDepth), errors.Is(err, colly.ErrMaxRequests):
		return
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		err = fmt.Errorf("GET %s: %w", link, ErrRobotsDisallowed)
	case errors.As(err, &ue) && strings.HasSuffix(ue.URL, "/robots.txt"):
		err = fmt.Errorf("GET %s: read robots.txt: %w", link, ue.Err)
	default:
		err = fmt.Errorf("GET %s: %w", link, err)
	}
	cr.emit(Page{URL: link, Depth: depth, Article: article, Err: err})
}

func pageOf(r *colly.Request) Page {
	p := Page{}
	p.URL, _ = r.Ctx.GetAny(ctxURL).(string)
	p.Depth, _ = r.Ctx.GetAny(ctxDepth).(int)
	p.Article, _ = r.Ctx.GetAny(ctxArticle).(bool)
	if r.URL != nil {
		p.FinalURL = r.URL.String()
	}
	return p
}

func crawlDefaults(o CrawlOptions) CrawlOptions {
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultCrawlMaxDepth
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultCrawlMaxPages
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 1
	}
	if o.Delay == 0 {
		o.Delay = DefaultCrawlDelay
	}
	return o
}

// crawlDomains returns the allowed hosts: the configured ones, else the
// start URLs' hosts (with port, as colly compares them).
func crawlDomains(o CrawlOptions) ([]string, error) {
	if len(o.StartURLs) == 0 {
		return nil, errors.New("crawl: no start URLs")
	}
	var out []string
	for _, s := range o.StartURLs {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("crawl: bad start URL %q", s)
		}
		if len(o.AllowedDomains) == 0 {
			out = append(out, u.Hostname())
		}
	}
	return append(out, o.AllowedDomains...), nil
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// collyTranscoded mirrors colly's Response.fixCharset: a declared charset
// other than UTF-8 on a textual type is converted to UTF-8.
func collyTranscoded(contentType string) bool {
	ct := strings.ToLower(contentType)
	for _, media := range []string{"image/", "video/", "audio/", "font/"} {
		if strings.Contains(ct, media) {
			return false
		}
	}
	return strings.Contains(ct, "charset") && !strings.Contains(ct, "utf-8") && !strings.Contains(ct, "utf8")
}

func utf8ContentType(contentType string) string {
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "text/html; charset=utf-8"
	}
	params["charset"] = "utf-8"
	return mime.FormatMediaType(media, params)
}

// limitTransport fails a response body that exceeds max bytes, so that an
// oversized page is an error for that URL and never a silently cut page.
type limitTransport struct {
	rt  http.RoundTripper
	max int64
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w (Content-Length %d > %d bytes)", ErrTooLarge, resp.ContentLength, t.max)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.max}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, ErrTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
