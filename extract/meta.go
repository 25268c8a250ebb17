package extract

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/itlightning/dateparse"
	"golang.org/x/net/html"
)

// pageMeta is the metadata read directly from the page's markup. It fills
// in what the extraction library misses and takes precedence over it.
// Machine-readable dates come first because they carry a time and zone
// that a byline written for people usually lacks.
type pageMeta struct {
	title     string
	published time.Time
	author    string
	site      string
	lang      string
	canonical string
	// firstTime is the first unmarked <time datetime>, used only when the
	// byline has no date either: it may belong to a related-article list.
	firstTime time.Time
	// textDate is the first date written out in a byline (day only).
	textDate time.Time
	// markupAuthor is the first rel=author, itemprop=author or class=author
	// name outside
	// comments and related-article lists.
	markupAuthor string
}

// maxJSONLD bounds the size of one JSON-LD block that is decoded.
const maxJSONLD = 256 << 10

// metaDateNames are <meta name|property|itemprop> keys holding the
// publication date, best first.
var metaDateNames = []string{
	"article:published_time", "og:article:published_time", "datepublished",
	"pubdate", "publishdate", "publish-date", "parsely-pub-date", "sailthru.date",
	"dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "date",
}

func readPageMeta(doc *html.Node, base *url.URL) pageMeta {
	var m pageMeta
	metas := map[string]string{}
	var ld []any
	var titleTag, firstTime, pubTime string

	walk(doc, func(n *html.Node) {
		switch n.Data {
		case "html":
			if m.lang == "" {
				m.lang = attr(n, "lang")
			}
		case "title":
			if titleTag == "" {
				titleTag = textOf(n)
			}
		case "meta":
			key := strings.ToLower(firstNonEmpty(attr(n, "property"), attr(n, "name"), attr(n, "itemprop"), attr(n, "http-equiv")))
			val := firstNonEmpty(attr(n, "content"), attr(n, "datetime"))
			if key != "" && val != "" {
				if _, seen := metas[key]; !seen {
					metas[key] = strings.TrimSpace(val)
				}
			}
		case "link":
			if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				m.canonical = absolute(base, attr(n, "href"))
			}
		case "script":
			if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
				if s := textOf(n); len(s) <= maxJSONLD {
					var v any
					if json.Unmarshal([]byte(s), &v) == nil {
						ld = append(ld, v)
					}
				}
			}
		case "a", "span", "div", "p":
			if m.markupAuthor == "" && (hasToken(attr(n, "rel"), "author") || strings.EqualFold(attr(n, "itemprop"), "author") ||
				hasToken(attr(n, "class"), "author") || hasToken(attr(n, "class"), "author-name")) {
				m.markupAuthor = markupName(n)
			}
		case "time":
			dt := attr(n, "datetime")
			if dt == "" {
				return
			}
			if firstTime == "" {
				firstTime = dt
			}
			if pubTime == "" && (hasAttr(n, "pubdate") || strings.EqualFold(attr(n, "itemprop"), "datePublished") ||
				strings.Contains(strings.ToLower(attr(n, "class")), "publish")) {
				pubTime = dt
			}
		}
	})

	art := findLDArticle(ld)
	m.title = firstNonEmpty(metas["og:title"], ldString(art["headline"]), titleTag)
	m.author = firstNonEmpty(ldName(art["author"]), metas["author"], metas["article:author"])
	if strings.HasPrefix(m.author, "http") { // article:author is often a profile URL
		m.author = ""
	}
	m.site = firstNonEmpty(metas["og:site_name"], ldName(art["publisher"]), metas["application-name"])
	m.lang = firstNonEmpty(m.lang, metas["content-language"], metas["og:locale"], metas["language"])
	if m.canonical == "" {
		m.canonical = absolute(base, metas["og:url"])
	}

	candidates := []string{ldString(art["datePublished"])}
	for _, k := range metaDateNames {
		candidates = append(candidates, metas[k])
	}
	candidates = append(candidates, pubTime, ldString(art["dateCreated"]))
	for _, c := range candidates {
		if t, ok := parseDate(c); ok {
			m.published = t
			break
		}
	}
	m.firstTime, _ = parseDate(firstTime)
	if m.published.IsZero() {
		m.textDate = findTextDate(doc)
	}
	return m
}

// maxNameRunes bounds an author name read from markup or a byline; longer
// text is a sentence or a whole byline block, not a name.
const maxNameRunes = 80

// markupName reads an author element: its itemprop=name child when it has
// one, else its text, cleaned like a byline. Elements inside comment
// threads and related-article lists belong to other pieces and are
// skipped.
func markupName(n *html.Node) string {
	for p := n; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && skipContainer(p) {
			return ""
		}
	}
	var name string
	walk(n, func(c *html.Node) {
		if name == "" && c != n && strings.EqualFold(attr(c, "itemprop"), "name") {
			name = firstNonEmpty(attr(c, "content"), spacedText(c))
		}
	})
	if name == "" {
		name = spacedText(n)
	}
	return trimByline(name)
}

// findLDArticle returns the first JSON-LD object that describes an article
// (NewsArticle, BlogPosting, Report, ...), searching @graph and arrays;
// failing that, the first object with a datePublished.
func findLDArticle(blocks []any) map[string]any {
	var fallback map[string]any
	var stack []any
	for i := len(blocks) - 1; i >= 0; i-- {
		stack = append(stack, blocks[i])
	}
	for len(stack) > 0 && len(stack) < 10000 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := v.(type) {
		case []any:
			for i := len(x) - 1; i >= 0; i-- {
				stack = append(stack, x[i])
			}
		case map[string]any:
			if isArticleType(x["@type"]) {
				return x
			}
			if _, ok := x["datePublished"]; ok && fallback == nil {
				fallback = x
			}
			if g, ok := x["@graph"]; ok {
				stack = append(stack, g)
			}
		}
	}
	return fallback
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return strings.HasSuffix(x, "Article") || x == "BlogPosting" || x == "Report" || x == "LiveBlogPosting"
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	}
	return ""
}

// ldName reads a schema.org Person/Organization, a list of them, or a plain
// string; several names are joined with ", ".
func ldName(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		return ldString(x["name"])
	case []any:
		var names []string
		for _, e := range x {
			if n := ldName(e); n != "" {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}

// dateLayouts are tried before the permissive parser because they are
// unambiguous and keep the zone.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
}

// parseDate parses a machine-readable date; a value without a zone is
// taken as UTC. The result is in UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return plausible(t)
		}
	}
	t, err := dateparse.ParseIn(s, time.UTC)
	if err != nil {
		return time.Time{}, false
	}
	return plausible(t)
}

// plausible rejects dates no news page can have (placeholders such as
// 0001-01-01 or far-future typos).
func plausible(t time.Time) (time.Time, bool) {
	t = t.UTC()
	if t.Year() < 1990 || t.After(time.Now().AddDate(0, 0, 2)) {
		return time.Time{}, false
	}
	return t, true
}

// walk visits element nodes depth-first without recursion, so that a
// deeply nested document cannot exhaust the stack.
func walk(root *html.Node, visit func(*html.Node)) {
	stack := []*html.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode {
			visit(n)
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
}

// textOf is the text of n's subtree, trimmed.
func textOf(n *html.Node) string { return strings.TrimSpace(joinText(n, "")) }

// joinText concatenates the text nodes under n in document order, each
// followed by sep.
func joinText(n *html.Node, sep string) string {
	var b strings.Builder
	stack := []*html.Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteString(sep)
		}
		for k := c.LastChild; k != nil; k = k.PrevSibling {
			stack = append(stack, k)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// absolute resolves ref against base; it returns "" for anything that is
// not an http(s) URL once resolved.
func absolute(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}
