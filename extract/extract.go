// Package extract turns a fetched HTML page into clean article text and
// metadata: title, publication date (UTC), author, site name, language and
// canonical URL. It also converts any page encoding to UTF-8.
//
// The main-content extraction is done by codeberg.org/readeck/go-readability
// (a port of Mozilla's Readability.js); this package adds what it does not:
// charset repair, limits against hostile input, dates, authors and
// canonical links read from the page's metadata and bylines, and removal of
// leftover boilerplate and dateline paragraphs.
//
// Why readeck/go-readability rather than go-trafilatura, which scores a
// little higher: go-trafilatura imports go-dateparser, whose locale tables
// are compiled at program start: "newsmon help" peaked at 67 MB RSS and
// spent 0.7 s in package init, against a project target of 57 MB peak for
// a whole fetch run. With readeck it peaks at 18 MB and inits in 0.04 s. On the 181-page Zyte
// benchmark (go run ./tools/extractbench) the bare libraries score F1 0.960
// (go-trafilatura), 0.952 (readeck) and 0.934 (go-shiori/go-readability,
// deprecated upstream in favour of readeck); FromHTML scored 0.959 on
// trafilatura and scores 0.955 on readeck, allocating a quarter as much
// (374 MB against 1,488 MB for the 181 pages). Dates written out in
// bylines, which trafilatura found through go-dateparser, are read here by
// a small parser for English, French and Arabic month names (textdate.go).
//
// Everything here is a pure function of its input; it is safe for
// concurrent use.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
)

// Article is what extraction found on a page.
type Article struct {
	Title     string
	Text      string    // main article text, paragraphs separated by "\n\n", no boilerplate
	Published time.Time // UTC; zero when unknown
	Author    string
	Site      string // site name (og:site_name, JSON-LD publisher, or host)
	Language  string // BCP-47 primary subtag, e.g. "en", "fr", "ar" (html lang, meta, or detected)
	Canonical string // <link rel=canonical> or og:url, absolute, when present
}

// Options are explicit limits on the work done for one page.
type Options struct {
	// MaxBytes refuses larger input with ErrTooLarge.
	MaxBytes int64
	// MaxDepth is the deepest element nesting kept; deeper elements are
	// dropped before extraction, so pathological nesting costs nothing.
	MaxDepth int
	// MaxElements refuses, with ErrTooLarge, documents with more elements.
	MaxElements int
}

// DefaultOptions returns limits that fit real news pages with a wide margin:
// the largest page of a 181-page benchmark set is under 2 MB and 10,000
// elements, nested fewer than 60 deep.
func DefaultOptions() Options {
	return Options{MaxBytes: 8 << 20, MaxDepth: 256, MaxElements: 100_000}
}

var (
	// ErrNotHTML is returned for input that is not an HTML page.
	ErrNotHTML = errors.New("not an HTML page")
	// ErrTooLarge is returned when input exceeds an Options limit.
	ErrTooLarge = errors.New("page exceeds extraction limits")
)

// FromHTML decodes body (any charset) and extracts the article, with
// DefaultOptions. contentType is the HTTP Content-Type header value ("" when
// unknown); pageURL resolves relative links and may be nil.
//
// A page on which no article text is found is not an error: the Article
// then has its metadata and an empty Text.
func FromHTML(body []byte, contentType string, pageURL *url.URL) (Article, error) {
	return FromHTMLOptions(body, contentType, pageURL, DefaultOptions())
}

// FromHTMLOptions is FromHTML with explicit limits.
func FromHTMLOptions(body []byte, contentType string, pageURL *url.URL, opts Options) (Article, error) {
	a, err := fromHTML(body, contentType, pageURL, opts)
	if err != nil {
		return Article{}, fmt.Errorf("extract article from %s: %w", describe(pageURL), err)
	}
	return a, nil
}

func fromHTML(body []byte, contentType string, pageURL *url.URL, opts Options) (Article, error) {
	if opts.MaxBytes > 0 && int64(len(body)) > opts.MaxBytes {
		return Article{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), opts.MaxBytes)
	}
	if !looksLikeHTML(body, contentType) {
		return Article{}, ErrNotHTML
	}
	text, err := Decode(body, contentType)
	if err != nil {
		return Article{}, err
	}
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		// Reading a string cannot fail, so the parser refused the tree
		// itself: elements nested beyond its fixed limit of 512.
		return Article{}, fmt.Errorf("parse html: %w: %w", ErrTooLarge, err)
	}
	if n := limitTree(doc, opts.MaxDepth); opts.MaxElements > 0 && n > opts.MaxElements {
		return Article{}, fmt.Errorf("%w: %d elements, limit %d", ErrTooLarge, n, opts.MaxElements)
	}

	// Metadata first: the readability pass below rewrites the tree and
	// drops the bylines and <time> elements the dates are read from.
	meta := readPageMeta(doc, pageURL)
	parser := readability.NewParser()
	res, err := parser.ParseAndMutate(doc, pageURL)
	if err != nil {
		// Only its own element limit, which is not set, makes it fail.
		return Article{}, fmt.Errorf("find main content: %w", err)
	}

	a := Article{
		Title:     cleanSpace(firstNonEmpty(res.Title(), meta.title)),
		Text:      cleanText(nodeText(res.Node)),
		Published: meta.published,
		Author:    cleanSpace(firstNonEmpty(meta.author, meta.markupAuthor, trimByline(res.Byline()))),
		Site:      cleanSpace(firstNonEmpty(meta.site, res.SiteName())),
		Canonical: meta.canonical,
	}
	// The library drops a heading that repeats the title only when it
	// recognises it; drop the rest so Text never repeats Title.
	if rest, ok := strings.CutPrefix(a.Text, a.Title); ok && a.Title != "" && (rest == "" || strings.HasPrefix(rest, "\n\n")) {
		a.Text = strings.TrimPrefix(rest, "\n\n")
	}
	if a.Published.IsZero() {
		a.Published = firstDate(meta.textDate, urlDate(pageURL))
		// A byline usually gives only the day; an unmarked <time> on that
		// same day gives the time as well.
		if ft := meta.firstTime; a.Published.IsZero() || sameDay(ft, a.Published) {
			a.Published = ft
		}
	}
	if a.Site == "" && pageURL != nil {
		a.Site = strings.TrimPrefix(pageURL.Hostname(), "www.")
	}
	a.Language = chooseLanguage(firstNonEmpty(meta.lang, res.Language()), a.Text)
	return a, nil
}

func firstDate(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func sameDay(a, b time.Time) bool {
	return !a.IsZero() && a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// looksLikeHTML rejects declared non-HTML types and bodies whose first bytes
// show another format. Text-ish or missing types are sniffed, since servers
// often mislabel pages.
func looksLikeHTML(body []byte, contentType string) bool {
	if mt, _, _ := strings.Cut(strings.ToLower(contentType), ";"); mt != "" {
		switch mt = strings.TrimSpace(mt); mt {
		case "text/html", "application/xhtml+xml":
			return true
		case "text/plain", "application/octet-stream", "application/xml", "text/xml", "binary/octet-stream":
		default:
			return false
		}
	}
	sniffed := http.DetectContentType(body)
	if strings.HasPrefix(sniffed, "text/html") {
		return true
	}
	if !strings.HasPrefix(sniffed, "text/") {
		return false
	}
	// Plain text: accept it when it contains markup an article page would.
	head := bytes.ToLower(body[:min(len(body), 64<<10)])
	for _, tag := range []string{"<html", "<body", "<p>", "<p ", "<div", "<article"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}

// limitTree detaches elements nested deeper than maxDepth (when positive)
// and returns the number of elements kept. It is iterative so that it is
// safe on the very trees it protects against.
func limitTree(doc *html.Node, maxDepth int) int {
	type item struct {
		n     *html.Node
		depth int
	}
	count := 0
	stack := []item{{doc, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.n.Type == html.ElementNode {
			count++
		}
		for c := it.n.FirstChild; c != nil; {
			next := c.NextSibling
			if maxDepth > 0 && it.depth+1 > maxDepth {
				it.n.RemoveChild(c)
			} else {
				stack = append(stack, item{c, it.depth + 1})
			}
			c = next
		}
	}
	return count
}

func describe(u *url.URL) string {
	if u == nil {
		return "page"
	}
	return u.Redacted()
}
