package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
)

// Item is one entry of a feed, in fetch's own terms: no gofeed type leaves
// this package.
type Item struct {
	GUID      string // the feed's id; derived from link or content when absent
	Link      string // absolute
	Title     string // plain text
	Summary   string // plain text
	Content   string // plain text of the full content, when the feed has it
	Author    string
	Published time.Time // UTC; zero when the feed gives no date
	// Hash identifies the content as the feed gave it.
	Hash string
}

// Feed is a parsed feed.
type Feed struct {
	Title    string
	Language string
	Items    []Item
}

// Item size limits, applied as items are parsed so that a hostile feed (a
// 10 MB title) cannot make every later stage copy megabytes per item. Text
// beyond a limit is cut at a rune boundary; the content hash is of the cut
// text, so the item stays stable from run to run.
const (
	// MaxTitleBytes caps an item's title as plain text.
	MaxTitleBytes = 2000
	// MaxTextBytes caps an item's summary and content as plain text.
	MaxTextBytes = 1 << 20
	// maxMarkupFactor bounds the HTML read to make one capped text: markup
	// is rarely more than three quarters of a fragment.
	maxMarkupFactor = 4
)

// ParseFeed parses an RSS 0.9x/1.0/2.0, Atom or JSON Feed document.
// baseURL resolves relative item links. Titles over MaxTitleBytes and
// summaries or contents over MaxTextBytes are cut. A document that nests
// elements more than 256 deep, or holds more than one element or JSON
// value per 16 bytes (beyond the first 4096), is refused with ErrFeedShape
// before it is parsed, so that parsing costs memory in proportion to the
// document's size.
//
// The common shapes of RSS 2.0 and Atom 1.0 are read by a hand-written
// scanner (parseCommon), several times faster than gofeed, which reads XML
// a byte at a time; everything else goes to gofeed. The scanner declines any
// document it cannot read exactly as gofeed would, so which path ran never
// shows in the result.
func ParseFeed(body []byte, baseURL string) (*Feed, error) {
	if f, ok := parseCommon(body, baseURL); ok {
		return f, nil
	}
	return parseGeneral(body, baseURL)
}

// parseGeneral parses any feed gofeed knows, if its shape is within bounds.
func parseGeneral(body []byte, baseURL string) (*Feed, error) {
	body = dropControls(body)
	if err := checkShape(body); err != nil {
		return nil, &FeedError{Err: err}
	}
	// A Parser is cheap, and a fresh one per call keeps goroutines apart.
	// The image scan parses every description as an HTML document to find
	// a picture newsmon does not use: a tenth of the cost of ingesting.
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	parsed, err := p.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, &FeedError{Err: err}
	}
	f := newFeed(parsed.Title, parsed.Language, len(parsed.Items))
	for _, pi := range parsed.Items {
		if pi == nil {
			continue
		}
		e := entry{
			title:     pi.Title,
			summary:   pi.Description,
			content:   pi.Content,
			link:      pi.Link,
			firstLink: firstOf(pi.Links),
			guid:      pi.GUID,
		}
		if len(pi.Authors) > 0 && pi.Authors[0] != nil {
			e.author = pi.Authors[0].Name
		}
		switch {
		case pi.PublishedParsed != nil:
			e.published = *pi.PublishedParsed
		case pi.UpdatedParsed != nil:
			e.published = *pi.UpdatedParsed
		}
		f.Items = append(f.Items, e.item(baseURL))
	}
	return f, nil
}

func newFeed(title, language string, items int) *Feed {
	return &Feed{Title: cappedText(title, MaxTitleBytes), Language: language, Items: make([]Item, 0, items)}
}

// entry is an item as a feed parser hands it over, before fetch makes an
// Item of it: both parsers fill one, so that an Item is built in one place.
type entry struct {
	title, summary, content string // markup as the feed gave it, decoded once
	link                    string // the item's own link
	firstLink               string // the first of its links, used when link is blank
	author                  string
	published               time.Time // zero when the feed gives no date
	guid                    string
}

func (e *entry) item(baseURL string) Item {
	it := Item{
		Title:     cappedText(e.title, MaxTitleBytes),
		Summary:   cappedText(e.summary, MaxTextBytes),
		Content:   cappedText(e.content, MaxTextBytes),
		Link:      resolve(baseURL, firstNonEmpty(e.link, e.firstLink)),
		Author:    e.author,
		Published: e.published.UTC(),
	}
	if it.Summary == it.Content {
		it.Content = ""
	}
	it.Hash = hashStrings(it.Title, it.Summary, it.Content)
	it.GUID = strings.TrimSpace(e.guid)
	if it.GUID == "" {
		it.GUID = it.Link
	}
	if it.GUID == "" {
		// Neither id nor link: the content itself is the identity, so
		// the item is still stored, once.
		it.GUID = "sha256:" + it.Hash
	}
	return it
}

// cappedText is TextOf of at most maxMarkupFactor×limit bytes of fragment,
// cut to limit bytes.
func cappedText(fragment string, limit int) string {
	return truncateUTF8(TextOf(truncateUTF8(fragment, maxMarkupFactor*limit)), limit)
}

// truncateUTF8 returns at most n bytes of s, cut at a rune boundary. The
// result is cloned when cut, so the rest of s can be freed.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.Clone(s[:n])
}

func hashStrings(parts ...string) string {
	h := sha256.New()
	// Through one small buffer: []byte(p) would copy each part, kilobytes
	// for a summary, into memory of its own.
	var buf [1024]byte
	for _, p := range parts {
		for {
			n := copy(buf[:], p)
			p = p[n:]
			if len(p) == 0 && n < len(buf) {
				buf[n] = 0
				h.Write(buf[:n+1])
				break
			}
			h.Write(buf[:n])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return strings.TrimSpace(a)
	}
	return strings.TrimSpace(b)
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
