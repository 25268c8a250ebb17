// Package fetch talks HTTP for newsmon: it downloads feeds and pages with
// explicit limits and turns feeds into fetch's own Item type.
//
// Every request carries the configured User-Agent and a context; bodies are
// capped (a larger body is an error, never a silent cut or an out-of-memory);
// gzip is accepted; feeds use conditional GET with the validators the caller
// stored. Connections go through internal/netguard, which refuses every
// address that is not public (loopback, private, link-local…, also inside
// an IPv6 address) unless the caller allows them, and cloud metadata
// addresses always, so a hostile link or redirect cannot reach an intranet
// or the host's cloud credentials.
//
// The package does not extract article text, classify, or store anything.
package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/newsmon/newsmon/internal/netguard"
)

// Options are the identity and limits of every request.
type Options struct {
	UserAgent    string
	Timeout      time.Duration // whole request, body included
	MaxBodyBytes int64
	// MaxRedirects bounds redirect chains (loops end here).
	MaxRedirects int
	// Concurrency is how many requests the caller makes at once (at least
	// 4 kept): that many idle connections to one host are kept for reuse.
	Concurrency int
}

// Client is an HTTP client with newsmon's limits. It is safe for concurrent use.
type Client struct {
	opts    Options
	strict  *http.Client // refuses private addresses
	lenient *http.Client // allows them, for sources that opted in
}

// ErrTooLarge means a body exceeded Options.MaxBodyBytes.
var ErrTooLarge = errors.New("body exceeds the size limit")

// StatusError is an HTTP response outside 2xx and 304.
type StatusError struct {
	URL        string
	Code       int
	RetryAfter time.Duration // from a 429 or 503's Retry-After, when given
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		// Recorded in fetch_runs, so a user sees why the source waits.
		msg += fmt.Sprintf(" (Retry-After %s)", e.RetryAfter.Round(time.Second))
	}
	return msg
}

// NewClient builds a client; the zero fields of opts get safe values.
func NewClient(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 10 << 20
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 10
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "newsmon"
	}
	return &Client{
		opts:    opts,
		strict:  newHTTPClient(opts, false),
		lenient: newHTTPClient(opts, true),
	}
}

func newHTTPClient(opts Options, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: netguard.Control(allowPrivate)}
	transport := &http.Transport{
		// No proxy: the address guard must see the real destination.
		Proxy:             nil,
		DialContext:       dialer.DialContext,
		ForceAttemptHTTP2: true,
		MaxIdleConns:      100,
		// Sources often share a host (a site's feeds, a feed's pages):
		// with fewer idle connections than requests in flight, the
		// others were closed after each response and dialled again.
		MaxIdleConnsPerHost:    max(4, opts.Concurrency),
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  opts.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= opts.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects (a redirect loop?)", len(via))
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("refusing redirect to %s: only http and https", req.URL)
			}
			return nil
		},
	}
}

// Request says how to fetch one URL.
type Request struct {
	URL string
	// Validators from the previous fetch, for a conditional GET.
	ETag, LastModified string
	// Accept is sent as the Accept header.
	Accept string
	// AllowPrivate lets this request reach private addresses.
	AllowPrivate bool
}

// Response is a successful (2xx or 304) response with its body read in full.
type Response struct {
	URL          string // after redirects
	Status       int
	ContentType  string
	ETag         string
	LastModified string
	NotModified  bool // a 304: nothing changed since the validators
	Body         []byte
}

// Get fetches req.URL within the client's limits.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("GET %s: only http and https URLs are fetched", req.URL)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL, err)
	}
	hr.Header.Set("User-Agent", c.opts.UserAgent)
	// Asking for gzip ourselves turns off net/http's transparent
	// decompression, so that klauspost/compress's faster inflater does it:
	// unpacking feeds was an eighth of a cold fetch's CPU time.
	hr.Header.Set("Accept-Encoding", "gzip")
	if req.Accept != "" {
		hr.Header.Set("Accept", req.Accept)
	}
	if req.ETag != "" {
		hr.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hr.Header.Set("If-Modified-Since", req.LastModified)
	}
	hc := c.strict
	if req.AllowPrivate {
		hc = c.lenient
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL, withoutURL(err))
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return out, &StatusError{URL: req.URL, Code: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
	if resp.ContentLength > c.opts.MaxBodyBytes {
		return out, fmt.Errorf("GET %s: %w (Content-Length %d > %d bytes)", req.URL, ErrTooLarge, resp.ContentLength, c.opts.MaxBodyBytes)
	}
	var r io.Reader = resp.Body
	sizeHint := resp.ContentLength
	if enc := strings.ToLower(resp.Header.Get("Content-Encoding")); enc == "gzip" || enc == "x-gzip" {
		zr, err := newGzipReader(resp.Body)
		switch {
		case errors.Is(err, io.EOF): // an empty body
			out.Body = []byte{}
			return out, nil
		case err != nil:
			return out, fmt.Errorf("GET %s: read body: %w", req.URL, err)
		}
		defer gzipReaders.Put(zr)
		r = zr
		sizeHint *= 4 // feeds compress about three to one
	}
	// Read one byte past the limit to tell "exactly at" from "over".
	body, err := readAtMost(r, c.opts.MaxBodyBytes+1, sizeHint)
	if err != nil {
		return out, fmt.Errorf("GET %s: read body: %w", req.URL, err)
	}
	if int64(len(body)) > c.opts.MaxBodyBytes {
		return out, fmt.Errorf("GET %s: %w (%d bytes)", req.URL, ErrTooLarge, c.opts.MaxBodyBytes)
	}
	out.Body = body
	return out, nil
}

// gzipReaders keeps inflaters between responses: each holds a 32 KB window
// and Huffman tables, and a cold fetch of 1000 feeds allocated 60 MB of
// them (of 750 MB in all).
var gzipReaders sync.Pool

// newGzipReader is gzip.NewReader, reusing a pooled reader when there is
// one; the caller puts it back in gzipReaders when done with it.
func newGzipReader(r io.Reader) (*gzip.Reader, error) {
	zr, ok := gzipReaders.Get().(*gzip.Reader)
	if !ok {
		return gzip.NewReader(r)
	}
	if err := zr.Reset(r); err != nil {
		gzipReaders.Put(zr)
		return nil, err
	}
	return zr, nil
}

// readAtMost reads r to the end or to limit bytes, into a buffer sized for
// sizeHint bytes when that is known (> 0), so that a feed is not copied
// through a dozen doublings.
func readAtMost(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	if sizeHint <= 0 {
		sizeHint = 64 << 10
	}
	// ReadFrom wants MinRead bytes free before each read, the one that
	// finds the end included: without them a body of exactly sizeHint
	// bytes would be copied into a buffer twice its size.
	buf := bytes.NewBuffer(make([]byte, 0, min(sizeHint+bytes.MinRead, limit)))
	_, err := buf.ReadFrom(io.LimitReader(r, limit))
	return buf.Bytes(), err
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
