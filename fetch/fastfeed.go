package fetch

// The fast path. gofeed reads XML through encoding/xml a byte at a time and
// builds a tree of every element, which costs more than everything else
// ingest does with an item. Most feeds are RSS 2.0 or Atom 1.0 in a handful
// of shapes, and for those the fields fetch keeps can be found by scanning
// the bytes with bytes.IndexByte.
//
// The rule that makes this safe: when parseCommon accepts a document, its
// Feed is exactly (reflect.DeepEqual) the one gofeed's path gives for the
// same bytes. So the scanner is stricter than encoding/xml in every place
// (anything encoding/xml would fail on must be declined, or the fast path
// would succeed where ParseFeed used to fail), and it reads fields the way
// gofeed's parsers and translators do, down to which of two authors wins and
// how "&amp;amp;" decodes. Whatever it is not certain of, it declines, and
// gofeed parses the whole document again: a decline costs time, never
// correctness. fastfeed_test.go and FuzzParseFeed compare the two paths.

import (
	"bytes"
	"encoding/binary"
	"html"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Namespaces whose elements gofeed reads under a fixed prefix, whatever
// prefix the feed binds them to.
const (
	nsAtom      = "http://www.w3.org/2005/Atom"
	nsAtom03    = "http://purl.org/atom/ns#"
	nsContent   = "http://purl.org/rss/1.0/modules/content/"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsITunes    = "http://www.itunes.com/DTDs/PodCast-1.0.dtd"
	nsITunesAlt = "http://example.com/DTDs/PodCast-1.0.dtd"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsRSS10     = "http://purl.org/rss/1.0/"
	nsRSS09     = "http://channel.netscape.com/rdf/simple/0.9/"
	nsRSS09Alt  = "http://my.netscape.com/rdf/simple/0.9/"
)

// ext says what gofeed's RSS translator makes of an element outside RSS's
// own namespaces: only these prefixes feed a field fetch uses.
type ext uint8

const (
	extOther   ext = iota // read for nothing fetch keeps
	extDC                 // dc: title, creator, date... are fallbacks
	extContent            // content:encoded is the item's content
	extITunes             // itunes:author and itunes:summary are fallbacks
	extAtom               // atom:summary, atom:author... are fallbacks
)

// extByPrefix is how gofeed keys an element by its prefix when the prefix
// is not bound to a namespace it knows.
var extByPrefix = map[string]ext{
	"dc": extDC, "content": extContent, "itunes": extITunes,
	"atom": extAtom, "atom10": extAtom, "atom03": extAtom,
}

// extByURI is how gofeed keys an element by its namespace.
var extByURI = map[string]ext{
	nsDC: extDC, nsContent: extContent, nsITunes: extITunes, nsITunesAlt: extITunes,
	nsAtom: extAtom, nsAtom03: extAtom,
}

// keyedByPrefix are namespaces gofeed does not know, so it keys their
// elements by the prefix bound to them; feeds bind "itunes" to this
// spelling more often than to the one gofeed knows.
var keyedByPrefix = map[string]bool{
	"http://www.itunes.com/dtds/podcast-1.0.dtd": true,
}

// rssNative are the namespaces gofeed's RSS parser reads as RSS itself; an
// undeclared "rss:" or "rdf:" prefix counts too.
func rssNative(uri string) bool {
	switch uri {
	case nsRDF, nsRSS10, nsRSS09, nsRSS09Alt:
		return true
	}
	return false
}

// detectWindow is how much of a document gofeed reads to tell RSS from
// Atom: a root start tag that does not end inside it is not detected.
const detectWindow = 4096

// parseCommon reads an RSS 2.0 or Atom 1.0 document of a common shape.
// ok=false means "let gofeed do it", never "this is not a feed".
func parseCommon(body []byte, baseURL string) (f *Feed, ok bool) {
	// gofeed drops C0 controls before parsing and encoding/xml fails on
	// invalid UTF-8; an xml:base changes how links resolve. All rare.
	if !plainXMLChars(body) || bytes.Contains(body, []byte("xml:base")) {
		return nil, false
	}
	// Every element starts with a '<' not followed by '/': a document that
	// may hold more elements than its size allows goes to gofeed's path,
	// which counts them exactly (checkShape) before building anything.
	// Counting "</" costs five times as much as '<', so it waits until
	// it is needed.
	if lt, budget := bytes.Count(body, []byte{'<'}), nodeBudget(len(body)); lt > budget && lt-bytes.Count(body, []byte("</")) > budget {
		return nil, false
	}
	s := &scanner{b: body}
	root, ok := s.prolog()
	if !ok || root.empty || s.i > detectWindow {
		return nil, false
	}
	switch string(root.name) {
	case "rss":
		return s.rss(root, baseURL)
	case "feed":
		s.atom = true
		return s.atomFeed(root, baseURL)
	}
	return nil, false
}

// plainXMLChars reports whether b is valid UTF-8 made only of characters
// XML allows, with no C0 control but tab, newline and carriage return.
func plainXMLChars(b []byte) bool {
	i := 0
	for i < len(b) {
		if i+8 <= len(b) {
			// Eight printable ASCII bytes at once: no high bit, and no
			// byte below 0x20.
			x := binary.LittleEndian.Uint64(b[i:])
			if (x|bytesBelow(x, 0x20))&high == 0 {
				i += 8
				continue
			}
		}
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

// scanner walks a document tag by tag. Every token it passes is checked
// against what encoding/xml would fail on, so an accepted document is one
// gofeed reads without error.
type scanner struct {
	b    []byte
	i    int       // read position
	at   int       // where the tag last returned by nextTag starts
	open [][]byte  // names open inside the subtree being skipped
	atom bool      // an Atom document; RSS otherwise
	ns   []binding // the root's prefix declarations
	// local are the declarations on the element child last returned,
	// which apply to it before the root's.
	local []binding
	// doctype lets prolog pass a DOCTYPE without internal declarations
	// (the shape check needs no entities; the fast path declines).
	doctype bool
}

type binding struct {
	prefix, uri string
	ext         ext // how gofeed keys elements in this namespace
}

// tag is a start or end tag. attrs was checked when the tag was read.
type tag struct {
	name     []byte
	attrs    []byte
	end      bool
	empty    bool // <name/>
	declares bool // it may declare namespaces (see child)
}

// prolog reads up to the root start tag: a BOM, an XML declaration for
// UTF-8, comments and processing instructions. A DOCTYPE declines, unless
// s.doctype.
func (s *scanner) prolog() (tag, bool) {
	if bytes.HasPrefix(s.b, []byte("\xEF\xBB\xBF")) {
		s.i = 3
	}
	first := true
	for {
		s.i = skipSpace(s.b, s.i)
		rest := s.b[s.i:]
		if len(rest) == 0 || rest[0] != '<' {
			return tag{}, false
		}
		switch {
		case first && bytes.HasPrefix(rest, []byte("<?xml")) && len(rest) > 5 && isSpace(rest[5]):
			n := xmlDeclLen(rest)
			if n == 0 {
				return tag{}, false
			}
			s.i += n
		case bytes.HasPrefix(rest, []byte("<!--")), bytes.HasPrefix(rest, []byte("<?")):
			if !s.misc() {
				return tag{}, false
			}
		case s.doctype && bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
			// encoding/xml ends a directive at the first '>' outside
			// quotes, unless a '<' opens a declaration inside it.
			n, quote := 0, byte(0)
			for n = 9; n < len(rest) && (quote != 0 || rest[n] != '>'); n++ {
				switch c := rest[n]; {
				case c == quote:
					quote = 0
				case quote == 0 && (c == '"' || c == '\''):
					quote = c
				case quote == 0 && c == '<':
					return tag{}, false
				}
			}
			if n == len(rest) {
				return tag{}, false
			}
			s.i += n + 1
		case bytes.HasPrefix(rest, []byte("<!")), bytes.HasPrefix(rest, []byte("</")):
			return tag{}, false
		default:
			s.at = s.i
			return s.readTag()
		}
		first = false
	}
}

// xmlDeclLen returns the length of the XML declaration d starts with, or 0
// when it is not one the fast path accepts: version 1.0, an encoding of
// UTF-8 if any, then standalone. encoding/xml finds these attributes by a
// loose substring search, so only this exact order and spelling are sure
// to be read alike.
func xmlDeclLen(d []byte) int {
	i := 5 // <?xml
	attr := func(name string, ok func(v []byte) bool) bool {
		j := skipSpace(d, i)
		if j == i || !bytes.HasPrefix(d[j:], []byte(name+"=")) {
			return false
		}
		j += len(name) + 1
		if j >= len(d) || d[j] != '"' && d[j] != '\'' {
			return false
		}
		e := bytes.IndexByte(d[j+1:], d[j])
		if e < 0 || !ok(d[j+1:j+1+e]) {
			return false
		}
		i = j + 2 + e
		return true
	}
	if !attr("version", func(v []byte) bool { return string(v) == "1.0" }) {
		return 0
	}
	attr("encoding", func(v []byte) bool { return strings.EqualFold(string(v), "utf-8") })
	attr("standalone", func(v []byte) bool { return string(v) == "yes" || string(v) == "no" })
	i = skipSpace(d, i)
	if !bytes.HasPrefix(d[i:], []byte("?>")) {
		return 0
	}
	return i + 2
}

// nextTag passes character data, CDATA sections, comments and processing
// instructions, checking each, and reads the next start or end tag.
func (s *scanner) nextTag() (tag, bool) {
	for {
		k := bytes.IndexByte(s.b[s.i:], '<')
		if k < 0 || !plainText(s.b[s.i:s.i+k]) {
			return tag{}, false
		}
		s.i += k
		if k := s.i + 1; k < len(s.b) && (s.b[k] == '!' || s.b[k] == '?') {
			if !s.misc() {
				return tag{}, false
			}
			continue
		}
		s.at = s.i
		return s.readTag()
	}
}

// misc passes the comment, CDATA section or processing instruction at s.i.
func (s *scanner) misc() bool {
	rest := s.b[s.i:]
	var n int
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		// encoding/xml ends a comment at the first "--", which must be
		// followed by '>'.
		e := bytes.Index(rest[4:], []byte("--"))
		if e < 0 || 4+e+2 >= len(rest) || rest[4+e+2] != '>' {
			return false
		}
		n = 4 + e + 3
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		e := bytes.Index(rest[9:], []byte("]]>"))
		if e < 0 {
			return false
		}
		n = 9 + e + 3
	case bytes.HasPrefix(rest, []byte("<?")):
		// A target of "xml" is a declaration: encoding/xml checks its
		// version and may switch charsets mid-document.
		t := nameLen(rest[2:])
		if t == 0 || string(rest[2:2+t]) == "xml" {
			return false
		}
		e := bytes.Index(rest[2+t:], []byte("?>"))
		if e < 0 {
			return false
		}
		n = 2 + t + e + 2
	default: // a DOCTYPE or another declaration
		return false
	}
	s.i += n
	return true
}

// readTag reads the start or end tag at s.i.
func (s *scanner) readTag() (t tag, ok bool) {
	b, i := s.b, s.i+1
	if i < len(b) && b[i] == '/' {
		t.end = true
		i++
	}
	n := nameLen(b[i:])
	if n == 0 {
		return t, false
	}
	t.name = b[i : i+n]
	i += n
	if t.end {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '>' {
			return t, false
		}
		s.i = i + 1
		return t, true
	}
	start := i
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return t, false
		}
		switch b[i] {
		case '>':
			t.attrs = b[start:i]
			s.i = i + 1
			return t, true
		case '/':
			if i+1 >= len(b) || b[i+1] != '>' {
				return t, false
			}
			t.attrs, t.empty = b[start:i], true
			s.i = i + 2
			return t, true
		}
		// encoding/xml needs no space between attributes; a value must
		// be quoted here, though it need not be for encoding/xml.
		n := nameLen(b[i:])
		if n == 0 {
			return t, false
		}
		i = skipSpace(b, i+n)
		if i >= len(b) || b[i] != '=' {
			return t, false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) || b[i] != '"' && b[i] != '\'' {
			return t, false
		}
		e := bytes.IndexByte(b[i+1:], b[i])
		if e < 0 {
			return t, false
		}
		v := b[i+1 : i+1+e]
		if bytes.IndexByte(v, '<') >= 0 || !legalCharRefs(v) {
			return t, false
		}
		i += e + 2
	}
}

// skipContent passes the content of the element whose start tag was just
// read, up to and including its end tag, and returns where the end tag
// starts.
func (s *scanner) skipContent(name []byte) (end int, ok bool) {
	open := s.open[:0]
	defer func() { s.open = open[:0] }()
	for {
		t, ok := s.nextTag()
		if !ok {
			return 0, false
		}
		switch {
		case t.empty:
		case !t.end:
			open = append(open, t.name)
			// The skipped element is at most four deep (rss, channel,
			// item, child); past maxXMLDepth, checkShape decides.
			if 4+len(open) > maxXMLDepth {
				return 0, false
			}
		case len(open) == 0:
			// encoding/xml, not being strict, would close a mismatched
			// element rather than fail; matching exactly keeps clear of it.
			return s.at, bytes.Equal(t.name, name)
		case !bytes.Equal(t.name, open[len(open)-1]):
			return 0, false
		default:
			open = open[:len(open)-1]
		}
	}
}

// inner returns the raw inner XML of the element t starts, and moves past
// its end.
func (s *scanner) inner(t tag) ([]byte, bool) {
	if t.empty {
		return s.b[s.i:s.i], true
	}
	start := s.i
	end, ok := s.skipContent(t.name)
	if !ok {
		return nil, false
	}
	return s.b[start:end], true
}

func (s *scanner) skip(t tag) bool {
	_, ok := s.inner(t)
	return ok
}

// child reads the next child of the element named parent: ok=false on
// failure, done=true at parent's end tag.
//
// A child may declare prefixes for itself, as in <atom:link xmlns:atom=...>,
// if gofeed keys their namespaces without looking at prefixes; the scanner
// keeps no scopes deeper than the root's, so callers reading the children
// of a child that declares (t.declares) decline.
func (s *scanner) child(parent []byte) (t tag, done, ok bool) {
	t, ok = s.nextTag()
	switch {
	case !ok:
		return t, false, false
	case t.end:
		return t, true, bytes.Equal(t.name, parent)
	}
	s.local = s.local[:0]
	if !bytes.Contains(t.attrs, []byte("xmlns")) {
		return t, false, true
	}
	t.declares = true
	for a := range attrList(t.attrs) {
		prefix, local := splitName(a.name)
		if prefix == nil && string(local) == "xmlns" {
			return t, false, false // a default namespace
		}
		if string(prefix) != "xmlns" {
			continue
		}
		uri, ok := attrText(a.value)
		e, known := extByURI[uri]
		if !ok || !known || uri == nsAtom03 {
			return t, false, false
		}
		for _, b := range s.local {
			if b.prefix == string(local) {
				return t, false, false
			}
		}
		s.local = append(s.local, binding{string(local), uri, e})
	}
	return t, false, true
}

// children yields el's child elements in order, with ok=true, and nothing
// for an empty element. When what follows is markup the fast path declines,
// or el does not end, it yields ok=false once and stops: the caller then
// declines too.
func (s *scanner) children(el tag) iter.Seq2[tag, bool] {
	return func(yield func(tag, bool) bool) {
		if el.empty {
			return
		}
		for {
			t, done, ok := s.child(el.name)
			switch {
			case !ok:
				yield(t, false)
				return
			case done:
				return
			case !yield(t, true):
				return
			}
		}
	}
}

// classify splits an element name and says how gofeed reads it: native is
// an element of the format itself (its local name is then compared without
// case), otherwise e says which extension it is.
func (s *scanner) classify(name []byte) (local []byte, native bool, e ext) {
	prefix, local := splitName(name)
	if prefix == nil {
		return local, true, extOther // no default namespace but Atom's
	}
	if b, ok := s.binding(prefix); ok {
		if s.atom {
			return local, b.uri == nsAtom, extOther
		}
		if rssNative(b.uri) {
			return local, true, extOther
		}
		return local, false, b.ext
	}
	// An undeclared prefix stands for itself.
	if !s.atom && (string(prefix) == "rss" || string(prefix) == "rdf") {
		return local, true, extOther
	}
	return local, false, extByPrefix[string(prefix)]
}

// binding finds the declaration of prefix in scope for the child last
// returned.
func (s *scanner) binding(prefix []byte) (binding, bool) {
	for _, bs := range [2][]binding{s.local, s.ns} {
		for _, b := range bs {
			if b.prefix == string(prefix) {
				return b, true
			}
		}
	}
	return binding{}, false
}

// rootAttrs takes in the root's namespace declarations and returns the
// xml:lang an Atom feed's language comes from.
func (s *scanner) rootAttrs(attrs []byte) (lang string, ok bool) {
	version, hasLang := "", false
	for a := range attrList(attrs) {
		prefix, local := splitName(a.name)
		switch {
		case prefix == nil && string(local) == "xmlns":
			// gofeed reads unprefixed elements in a default namespace
			// other than Atom's as extensions.
			if !s.atom || string(a.value) != nsAtom {
				return "", false
			}
		case string(prefix) == "xmlns":
			uri, ok := attrText(a.value)
			if !ok || !s.declare(string(local), uri) {
				return "", false
			}
		case prefix == nil && string(local) == "version":
			version = string(a.value)
		case string(prefix) == "xml" && string(local) == "lang":
			if hasLang {
				return "", false
			}
			hasLang = true
			if lang, ok = attrText(a.value); !ok {
				return "", false
			}
		case string(local) == "lang":
			// gofeed takes a plain lang, else the first prefixed one.
			return "", false
		}
	}
	if !s.atom && version != "2.0" {
		return "", false
	}
	return lang, true
}

// declare takes in a prefix declaration, refusing those that would make
// gofeed read elements differently from how classify does.
func (s *scanner) declare(prefix, uri string) bool {
	if prefix == "xml" || prefix == "xmlns" || uri == nsXML || uri == nsAtom03 ||
		// A URI must not look like a prefix, which gofeed would confuse
		// with an undeclared one, nor carry the spaces gofeed trims.
		!strings.Contains(uri, ":") || strings.TrimSpace(uri) != uri {
		return false
	}
	// gofeed keys an extension by its namespace when it knows it, else by
	// the last prefix bound to it: "dc" bound elsewhere than Dublin Core
	// may be read as Dublin Core by gofeed or not, depending on a table of
	// namespaces the fast path does not copy.
	e := extByURI[uri]
	if p := extByPrefix[prefix]; p != extOther && p != e && !s.atom {
		if e != extOther || !keyedByPrefix[uri] {
			return false
		}
		e = p
	}
	for _, b := range s.ns {
		// With two prefixes on one namespace gofeed keys by the last.
		if b.prefix == prefix || b.uri == uri && extByURI[uri] == extOther {
			return false
		}
	}
	s.ns = append(s.ns, binding{prefix, uri, e})
	return true
}

// fastFeed is newFeed holding items.
func fastFeed(title, language string, items []Item) *Feed {
	f := newFeed(title, language, 0)
	if items != nil {
		f.Items = items
	}
	return f
}

// rss reads an RSS 2.0 document.
func (s *scanner) rss(root tag, baseURL string) (*Feed, bool) {
	if _, ok := s.rootAttrs(root.attrs); !ok {
		return nil, false
	}
	var f *Feed
	for t, ok := range s.children(root) {
		if !ok {
			return nil, false
		}
		local, native, _ := s.classify(t.name)
		switch {
		case native && asciiLower(local, "channel"):
			if f != nil || t.declares {
				return nil, false
			}
			if f, ok = s.channel(t, baseURL); !ok {
				return nil, false
			}
		case native && asciiLower(local, "item"):
			return nil, false // items outside the channel: RSS 0.90
		default:
			if !s.skip(t) {
				return nil, false
			}
		}
	}
	return f, f != nil
}

func (s *scanner) channel(ch tag, baseURL string) (*Feed, bool) {
	if ch.empty {
		return nil, false
	}
	var title, lang []byte
	var seen uint8
	var items []Item
	for t, ok := range s.children(ch) {
		if !ok {
			return nil, false
		}
		local, native, e := s.classify(t.name)
		var field *[]byte
		var bit uint8
		switch {
		case native && asciiLower(local, "item"):
			if t.declares {
				return nil, false
			}
			it, ok := s.rssItem(t, baseURL)
			if !ok {
				return nil, false
			}
			items = append(items, it)
			continue
		case native && asciiLower(local, "title"):
			field, bit = &title, 1
		case native && asciiLower(local, "language"):
			field, bit = &lang, 2
		case e == extDC && (string(local) == "title" || string(local) == "language"):
			return nil, false // fallbacks for an empty title or language
		}
		if field == nil {
			if !s.skip(t) {
				return nil, false
			}
			continue
		}
		if seen&bit != 0 {
			return nil, false // gofeed keeps the last
		}
		seen |= bit
		if *field, ok = s.inner(t); !ok {
			return nil, false
		}
	}
	return fastFeed(parseText(title), parseText(lang), items), true
}

// Fields of an RSS item, as bits of rssFields.seen.
const (
	rssTitle = iota
	rssDescription
	rssContent
	rssLink
	rssAuthor
	rssPubDate
	rssGUID
	rssFieldCount
)

type rssFields struct {
	raw        [rssFieldCount][]byte // inner XML
	seen       uint16
	href       string // the link's href, used when its text is empty
	creator    []byte // the first dc:creator, the translator's choice
	dcDate     []byte // the first dc:date
	hasCreator bool
	hasDCDate  bool
}

func (s *scanner) rssItem(it tag, baseURL string) (Item, bool) {
	var r rssFields
	for t, ok := range s.children(it) {
		if !ok || !s.rssItemChild(t, &r) {
			return Item{}, false
		}
	}
	e, ok := r.entry()
	if !ok {
		return Item{}, false
	}
	return e.item(baseURL), true
}

// rssItemChild reads one child of an item into r, declining the elements
// gofeed's translator falls back on for a field fetch uses.
func (s *scanner) rssItemChild(t tag, r *rssFields) bool {
	local, native, e := s.classify(t.name)
	field := -1
	switch {
	case e == extContent && asciiLower(local, "encoded"):
		field = rssContent
	case !native:
		// gofeed keys extension elements by their name as written.
		switch e {
		case extDC:
			var dst *[]byte
			var has *bool
			switch string(local) {
			case "title", "description", "author":
				return false
			case "creator":
				dst, has = &r.creator, &r.hasCreator
			case "date":
				dst, has = &r.dcDate, &r.hasDCDate
			}
			if dst != nil {
				v, ok := s.inner(t)
				if ok && !*has {
					*dst, *has = v, true
				}
				return ok
			}
		case extITunes:
			if string(local) == "author" || string(local) == "summary" {
				return false
			}
		case extAtom:
			switch string(local) {
			case "summary", "content", "published", "updated", "author":
				return false
			}
		}
	case asciiLower(local, "title"):
		field = rssTitle
	case asciiLower(local, "description"):
		field = rssDescription
	case asciiLower(local, "link"):
		field = rssLink
		href, ok := linkHref(t.attrs)
		if !ok {
			return false
		}
		r.href = href
	case asciiLower(local, "author"):
		field = rssAuthor
	case asciiLower(local, "pubdate"):
		field = rssPubDate
	case asciiLower(local, "guid"):
		field = rssGUID
	}
	if field < 0 {
		return s.skip(t)
	}
	if r.seen&(1<<field) != 0 {
		return false // gofeed keeps the last, mostly
	}
	r.seen |= 1 << field
	var ok bool
	r.raw[field], ok = s.inner(t)
	return ok
}

// entry makes of r what gofeed's RSS parser and translator would.
func (r *rssFields) entry() (e entry, ok bool) {
	e.title = parseText(r.raw[rssTitle])
	e.summary = parseText(r.raw[rssDescription])
	e.content = parseText(r.raw[rssContent])
	e.guid = parseText(r.raw[rssGUID])
	if r.seen&(1<<rssLink) != 0 {
		e.link = parseText(r.raw[rssLink])
		if e.link == "" {
			e.link = r.href
		}
	}
	if a := parseText(r.raw[rssAuthor]); a != "" {
		if e.author, ok = personName(a); !ok {
			return e, false
		}
	} else if r.hasCreator {
		v, ok := extText(r.creator)
		if !ok {
			return e, false
		}
		if e.author, ok = personName(v); !ok {
			return e, false
		}
	}
	// A pubDate gofeed cannot parse falls back to dc:date; the fast path
	// cannot tell "cannot parse" from "parses differently", so it declines.
	if d := parseText(r.raw[rssPubDate]); strings.TrimSpace(d) != "" {
		if e.published, ok = feedDate(d); !ok {
			return e, false
		}
	} else if r.hasDCDate {
		v, ok := extText(r.dcDate)
		if !ok {
			return e, false
		}
		if strings.TrimSpace(v) != "" {
			if e.published, ok = feedDate(v); !ok {
				return e, false
			}
		}
	}
	return e, true
}

// linkHref returns an RSS or Atom link's href as gofeed reads it.
func linkHref(attrs []byte) (string, bool) {
	v, _, ok := plainAttr(attrs, "href")
	if !ok {
		return "", false
	}
	href, ok := attrText(v)
	if !ok {
		return "", false
	}
	return gofeedURI(href), true
}

// gofeedURI is a URI as gofeed gives it: resolved against xml:base, which
// with no base is a round trip through url.Parse.
func gofeedURI(uri string) string {
	if u, err := url.Parse(strings.TrimLeft(uri, " ")); err == nil {
		return u.String()
	}
	return uri
}

// personName is the name gofeed's translator takes from an author string.
// An address in it ("jo@example.org (Jo)") declines.
func personName(s string) (string, bool) {
	if strings.ContainsAny(s, "@()") {
		return "", false
	}
	return s, true
}

// atomFeed reads an Atom 1.0 document.
func (s *scanner) atomFeed(root tag, baseURL string) (*Feed, bool) {
	lang, ok := s.rootAttrs(root.attrs)
	if !ok {
		return nil, false
	}
	var title string
	hasTitle := false
	var items []Item
	for t, ok := range s.children(root) {
		if !ok {
			return nil, false
		}
		local, native, _ := s.classify(t.name)
		switch {
		case native && asciiLower(local, "entry"):
			if t.declares {
				return nil, false
			}
			it, ok := s.atomEntry(t, baseURL)
			if !ok {
				return nil, false
			}
			items = append(items, it)
		case native && asciiLower(local, "title"):
			if hasTitle {
				return nil, false
			}
			hasTitle = true
			if title, ok = s.atomText(t); !ok {
				return nil, false
			}
		default:
			if !s.skip(t) {
				return nil, false
			}
		}
	}
	return fastFeed(title, lang, items), true
}

// Fields of an Atom entry, as bits of a seen mask.
const (
	atomTitle = 1 << iota
	atomSummary
	atomContent
	atomID
	atomPublished
	atomUpdated
	atomAuthor
)

func (s *scanner) atomEntry(en tag, baseURL string) (Item, bool) {
	var e entry
	var seen int
	var published, updated string
	hasAlternate, hasLink := false, false
	for t, ok := range s.children(en) {
		if !ok {
			return Item{}, false
		}
		local, native, _ := s.classify(t.name)
		if !native {
			if !s.skip(t) {
				return Item{}, false
			}
			continue
		}
		var dst *string
		var bit int
		switch {
		case asciiLower(local, "title"):
			dst, bit = &e.title, atomTitle
		case asciiLower(local, "summary"):
			dst, bit = &e.summary, atomSummary
		case asciiLower(local, "content"):
			dst, bit = &e.content, atomContent
		case asciiLower(local, "id"):
			dst, bit = &e.guid, atomID
		case asciiLower(local, "published"), asciiLower(local, "issued"):
			dst, bit = &published, atomPublished
		case asciiLower(local, "updated"), asciiLower(local, "modified"):
			dst, bit = &updated, atomUpdated
		case asciiLower(local, "link"):
			href, ok := linkHref(t.attrs)
			if !ok {
				return Item{}, false
			}
			rel, hasRel, ok := plainAttr(t.attrs, "rel")
			if !ok {
				return Item{}, false
			}
			r := "alternate"
			if hasRel {
				if r, ok = attrText(rel); !ok {
					return Item{}, false
				}
				if r == "" {
					r = "alternate"
				}
			}
			// The translator's Link is the first alternate link; its
			// Links, which fetch falls back on, are alternate and self.
			if r == "alternate" && !hasAlternate {
				e.link, hasAlternate = href, true
			}
			if (r == "alternate" || r == "self") && !hasLink {
				e.firstLink, hasLink = href, true
			}
			if !s.skip(t) {
				return Item{}, false
			}
			continue
		case asciiLower(local, "author"):
			if seen&atomAuthor != 0 {
				if !s.skip(t) { // the translator takes the first author
					return Item{}, false
				}
				continue
			}
			seen |= atomAuthor
			if e.author, ok = s.atomPerson(t); !ok {
				return Item{}, false
			}
			continue
		default:
			if !s.skip(t) {
				return Item{}, false
			}
			continue
		}
		if seen&bit != 0 {
			return Item{}, false // gofeed keeps the last
		}
		seen |= bit
		if *dst, ok = s.atomText(t); !ok {
			return Item{}, false
		}
		if bit == atomID {
			e.guid = gofeedURI(e.guid) // an id is a URI to gofeed
		}
	}
	// Published falls back to Updated in the translator; an unparseable
	// published would too, which the fast path cannot tell apart.
	var ok bool
	switch {
	case strings.TrimSpace(published) != "":
		e.published, ok = feedDate(published)
	case strings.TrimSpace(updated) != "":
		e.published, ok = feedDate(updated)
	default:
		ok = true
	}
	if !ok {
		return Item{}, false
	}
	return e.item(baseURL), true
}

// atomPerson returns the name of an Atom person construct. gofeed reads its
// children by local name alone, whatever their namespace.
func (s *scanner) atomPerson(p tag) (name string, ok bool) {
	hasName := false
	for t, ok := range s.children(p) {
		if !ok {
			return "", false
		}
		_, local := splitName(t.name)
		if !asciiLower(local, "name") {
			if !s.skip(t) {
				return "", false
			}
			continue
		}
		if hasName {
			return "", false
		}
		hasName = true
		if name, ok = s.atomText(t); !ok {
			return "", false
		}
	}
	return name, true
}

// atomText reads an Atom text construct as gofeed does: the inner XML,
// trimmed, CDATA unwrapped, entities decoded. Types whose content gofeed
// rewrites (xhtml, base64, HTML with markup not escaped) decline.
func (s *scanner) atomText(t tag) (string, bool) {
	typ := ""
	hasType := false
	for a := range attrList(t.attrs) {
		switch string(a.name) {
		case "type":
			if hasType {
				return "", false
			}
			v, ok := attrText(a.value)
			if !ok {
				return "", false
			}
			typ, hasType = strings.ToLower(v), true
		case "xml:lang":
		case "xmlns:type", "xmlns:mode":
			// encoding/xml gives a struct's type,attr field any
			// attribute named type, whatever its prefix.
			return "", false
		default: // mode, src, a prefixed type...
			if !bytes.HasPrefix(a.name, []byte("xmlns:")) {
				return "", false
			}
		}
	}
	isHTML := typ == "html"
	if !isHTML && typ != "" && typ != "text" && !strings.HasPrefix(typ, "text/") {
		return "", false
	}
	raw, ok := s.inner(t)
	if !ok {
		return "", false
	}
	raw = bytes.TrimSpace(raw)
	if isHTML && bytes.IndexByte(raw, '<') >= 0 && !bytes.Contains(raw, []byte(cdataStart)) {
		// gofeed would look for a wrapping <div> to strip.
		return "", false
	}
	return unwrapCDATA(raw), true
}

// attr is one attribute of a checked tag.
type attr struct{ name, value []byte }

// attrList yields the attributes of a tag read by readTag, which checked
// their syntax.
func attrList(a []byte) func(yield func(attr) bool) {
	return func(yield func(attr) bool) {
		for {
			i := skipSpace(a, 0)
			if i == len(a) {
				return
			}
			n := nameLen(a[i:])
			var at attr
			at.name = a[i : i+n]
			i = skipSpace(a, i+n) + 1 // '='
			i = skipSpace(a, i)
			e := bytes.IndexByte(a[i+1:], a[i])
			at.value = a[i+1 : i+1+e]
			a = a[i+2+e:]
			if !yield(at) {
				return
			}
		}
	}
}

// plainAttr returns the raw value of the unprefixed attribute name. It
// declines (ok=false) when the attribute repeats or appears with a prefix,
// where gofeed's choice differs from the obvious one.
func plainAttr(attrs []byte, name string) (v []byte, found, ok bool) {
	for a := range attrList(attrs) {
		_, local := splitName(a.name)
		if string(local) != name {
			continue
		}
		if found || len(local) != len(a.name) {
			return nil, false, false
		}
		v, found = a.value, true
	}
	return v, found, true
}

// attrText decodes an attribute value as encoding/xml does, for values
// whose only references are the five XML entities and numeric ones.
func attrText(v []byte) (string, bool) {
	if bytes.IndexByte(v, '\r') >= 0 {
		return "", false // encoding/xml turns it into '\n'
	}
	if bytes.IndexByte(v, '&') < 0 {
		return string(v), true
	}
	return xmlUnescape(v)
}

// xmlUnescape decodes character data as encoding/xml does, for data whose
// references all decode: encoding/xml keeps an unknown one as written, a
// leniency not worth copying.
func xmlUnescape(v []byte) (string, bool) {
	var b strings.Builder
	b.Grow(len(v))
	for {
		k := bytes.IndexByte(v, '&')
		if k < 0 {
			b.Write(v)
			return b.String(), true
		}
		b.Write(v[:k])
		v = v[k+1:]
		semi := bytes.IndexByte(v, ';')
		if semi < 0 {
			return "", false
		}
		ref := string(v[:semi])
		v = v[semi+1:]
		switch ref {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "apos":
			b.WriteByte('\'')
		case "quot":
			b.WriteByte('"')
		default:
			r, ok := charRef(ref)
			if !ok {
				return "", false
			}
			b.WriteRune(r)
		}
	}
}

// charRef decodes the inside of a numeric character reference ("#38",
// "#x26") as encoding/xml does.
func charRef(ref string) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	digits, base := ref[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	n, ok := numericRef([]byte(digits), base)
	if !ok || n > utf8.MaxRune || !xmlChar(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// extText is the value gofeed gives an extension element: its character
// data, XML-decoded, trimmed. Markup inside declines.
func extText(raw []byte) (string, bool) {
	if bytes.IndexByte(raw, '\r') >= 0 {
		return "", false
	}
	var b strings.Builder
	for len(raw) > 0 {
		k := bytes.Index(raw, []byte(cdataStart))
		text := raw
		if k >= 0 {
			text = raw[:k]
		}
		if bytes.IndexByte(text, '<') >= 0 {
			return "", false
		}
		t, ok := xmlUnescape(text)
		if !ok {
			return "", false
		}
		b.WriteString(t)
		if k < 0 {
			break
		}
		raw = raw[k+len(cdataStart):]
		e := bytes.Index(raw, []byte(cdataEnd))
		b.Write(raw[:e]) // the scanner checked the section ends
		raw = raw[e+len(cdataEnd):]
	}
	return strings.TrimSpace(b.String()), true
}

const (
	cdataStart = "<![CDATA["
	cdataEnd   = "]]>"
)

// parseText is what gofeed makes of an element's text: the inner XML,
// trimmed, with CDATA sections unwrapped and the text around them decoded.
func parseText(raw []byte) string {
	return unwrapCDATA(bytes.TrimSpace(raw))
}

// unwrapCDATA keeps the content of CDATA sections as it is and decodes
// entities in the text around them. A section that does not end runs to
// the end of s, marker and all, as text.
func unwrapCDATA(s []byte) string {
	k := bytes.Index(s, []byte(cdataStart))
	if k < 0 {
		return decodeEntities(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		b.WriteString(decodeEntities(s[:k]))
		body := s[k+len(cdataStart):]
		e := bytes.Index(body, []byte(cdataEnd))
		if e < 0 {
			b.WriteString(decodeEntities(s[k:]))
			return b.String()
		}
		b.Write(body[:e])
		s = body[e+len(cdataEnd):]
		if k = bytes.Index(s, []byte(cdataStart)); k < 0 {
			b.WriteString(decodeEntities(s))
			return b.String()
		}
	}
}

// maxRefLen bounds how far after an '&' gofeed looks for the ';' that ends
// a reference.
const maxRefLen = 64

// decodeEntities decodes HTML character references the way gofeed does for
// element text: a reference is an '&' with a ';' at most maxRefLen bytes
// on and no white space in between, and it decodes only when decoding
// takes in that ';' (so "&copy=2;" in a query string stays as it is); any
// other '&' is kept. When no ';' follows an '&' at all, the rest is kept
// as it is.
func decodeEntities(s []byte) string {
	k := bytes.IndexByte(s, '&')
	if k < 0 {
		return string(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for k >= 0 {
		b.Write(s[:k])
		s = s[k:]
		window := s[:min(len(s), maxRefLen)]
		semi := bytes.IndexByte(window, ';')
		if semi < 0 && len(window) == len(s) {
			break
		}
		n := 0 // bytes of s consumed
		if semi > 0 && !hasXMLSpace(s[1:semi]) {
			if r, ok := commonRef(s[1:semi]); ok {
				b.WriteString(r)
				n = semi + 1
			} else if d, ok := refEndsAtSemicolon(string(s[:semi+1])); ok {
				b.WriteString(d)
				n = semi + 1
			}
		}
		if n == 0 {
			b.WriteByte('&')
			n = 1
		}
		s = s[n:]
		k = bytes.IndexByte(s, '&')
	}
	b.Write(s)
	return b.String()
}

// hasXMLSpace reports whether b holds a space, tab, CR or LF; b is short,
// and bytes.IndexAny would cost more to set up than to run.
func hasXMLSpace(b []byte) bool {
	for _, c := range b {
		if isSpace(c) {
			return true
		}
	}
	return false
}

// refEndsAtSemicolon decodes span, an '&' up to and including a ';', and
// reports whether the ';' belongs to what decoded: if decoding the span
// without it gives the same text, the ';' is only text after a reference
// html.UnescapeString decoded without one.
func refEndsAtSemicolon(span string) (string, bool) {
	d := html.UnescapeString(span)
	if d == html.UnescapeString(span[:len(span)-1])+";" {
		return "", false
	}
	return d, true
}

// commonRef decodes the references most feeds use, without the general
// path's allocations. name is what lies between '&' and ';'.
func commonRef(name []byte) (string, bool) {
	switch string(name) {
	case "amp":
		return "&", true
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "quot":
		return `"`, true
	case "apos":
		return "'", true
	case "nbsp":
		return "\u00a0", true
	}
	if len(name) < 2 || name[0] != '#' {
		return "", false
	}
	digits, base := name[1:], 10
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	if len(digits) > 6 {
		return "", false
	}
	n, ok := numericRef(digits, base)
	if !ok {
		return "", false
	}
	r := rune(n)
	// HTML maps NUL, surrogates and 0x80-0x9F (as Windows-1252) elsewhere.
	if r == 0 || r >= 0x80 && r <= 0x9F || r >= 0xD800 && r <= 0xDFFF || r > utf8.MaxRune {
		return "", false
	}
	if r < utf8.RuneSelf {
		return asciiStrings[r : r+1], true
	}
	return string(r), true
}

// asciiStrings lets a one-byte decode share memory instead of allocating.
const asciiStrings = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f" +
	" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f"

// feedDate parses the date shapes for which gofeed's long list of layouts
// certainly ends at the layout used here: RFC 1123 with a numeric zone or
// a zone gofeed has an offset for, and RFC 3339. ok=false for anything
// else, including dates gofeed would not parse: the caller declines.
func feedDate(s string) (time.Time, bool) {
	d := strings.TrimSpace(s)
	switch {
	case rfc3339Shape(d):
		// Every layout gofeed tries before RFC 3339 starts with a day or a
		// weekday, and fails on a four-digit year.
		t, err := time.Parse(time.RFC3339, d)
		return t.UTC(), err == nil
	case len(d) == len("Mon, 02 Jan 2006 15:04:05 -0700") && rfc1123Shape(d) && (d[26] == '+' || d[26] == '-'):
		// The layouts before RFC 1123Z want a digit first or a space after
		// the weekday.
		t, err := time.Parse(time.RFC1123Z, d)
		return t.UTC(), err == nil
	case len(d) == len("Mon, 02 Jan 2006 15:04:05 MST") && rfc1123Shape(d):
		// No numeric-zone layout matches a zone name; RFC 1123 is the
		// first of those with a named zone.
		if _, ok := zoneOffsets[d[26:]]; !ok {
			return time.Time{}, false
		}
		t, err := time.Parse(time.RFC1123, d)
		if err != nil {
			return time.Time{}, false
		}
		// time.Parse gives a zone it does not know a zero offset, or the
		// local zone's; gofeed then puts in its own offset for the name.
		name, offset := t.Zone()
		want, ok := zoneOffsets[name]
		if !ok {
			return time.Time{}, false
		}
		if want != offset {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(name, want))
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

// zoneOffsets are zone names gofeed resolves, with the offsets it gives
// them: a subset of its table.
var zoneOffsets = map[string]int{
	"GMT": 0, "UTC": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
}

// rfc1123Shape reports whether d starts "Mon, 02 Jan 2006 15:04:05 ".
func rfc1123Shape(d string) bool {
	const shape = "a, 0 a 0 0:0:0 "
	// One shape letter per run: 'a' three letters, '0' a run of digits
	// of the width in widths.
	widths := [...]int{2, 4, 2, 2, 2}
	w := 0
	i := 0
	for _, c := range []byte(shape) {
		switch c {
		case 'a':
			for range 3 {
				if i >= len(d) || !isASCIILetter(d[i]) {
					return false
				}
				i++
			}
		case '0':
			for range widths[w] {
				if i >= len(d) || !isDigit(d[i], 10) {
					return false
				}
				i++
			}
			w++
		default:
			if i >= len(d) || d[i] != c {
				return false
			}
			i++
		}
	}
	return i == 26
}

// rfc3339Shape reports whether d looks like 2006-01-02T15:04:05Z, with
// fractional seconds or a numeric offset allowed.
func rfc3339Shape(d string) bool {
	const shape = "0000-00-00T00:00:00"
	if len(d) < len(shape)+1 {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == '0' && !isDigit(d[i], 10) || shape[i] != '0' && d[i] != shape[i] {
			return false
		}
	}
	rest := d[len(shape):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n], 10) {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	switch {
	case rest == "Z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		return isDigit(rest[1], 10) && isDigit(rest[2], 10) && isDigit(rest[4], 10) && isDigit(rest[5], 10)
	}
	return false
}

// plainText checks character data outside CDATA for what encoding/xml
// rejects: "]]>", and character references to characters XML forbids.
func plainText(t []byte) bool {
	if bytes.IndexByte(t, ']') >= 0 && bytes.Contains(t, []byte(cdataEnd)) {
		return false
	}
	return legalCharRefs(t)
}

// legalCharRefs reports whether every numeric character reference in t,
// as encoding/xml reads them, is to a character XML allows.
func legalCharRefs(t []byte) bool {
	for {
		k := bytes.IndexByte(t, '&')
		if k < 0 {
			return true
		}
		t = t[k+1:]
		if len(t) == 0 || t[0] != '#' {
			continue
		}
		i, base := 1, 10
		if i < len(t) && t[i] == 'x' {
			i, base = 2, 16
		}
		start := i
		for i < len(t) && isDigit(t[i], base) {
			i++
		}
		if i < len(t) && t[i] == ';' && i > start {
			n, ok := numericRef(t[start:i], base)
			// string(rune(n)) makes a surrogate U+FFFD, which is allowed.
			if ok && n <= utf8.MaxRune && !xmlChar(rune(n)) && !(n >= 0xD800 && n <= 0xDFFF) {
				return false
			}
		}
		t = t[i:]
	}
}

// numericRef reads the digits of a numeric character reference in base
// (10 or 16). ok is false when there are none, one is not a digit of base,
// or the value does not fit in 64 bits. (The string conversion does not
// allocate: ParseUint does not keep it.)
func numericRef(digits []byte, base int) (n uint64, ok bool) {
	if len(digits) == 0 {
		return 0, false
	}
	for _, c := range digits {
		if !isDigit(c, base) {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(string(digits), base, 64)
	return n, err == nil
}

// xmlChar reports whether XML allows r.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune
}

// nameLen returns the length of the XML name b starts with, or 0. Names are
// held to ASCII, at most one colon, not at either end: encoding/xml takes
// more, but reads those the same way.
func nameLen(b []byte) int {
	if len(b) == 0 || !(isASCIILetter(b[0]) || b[0] == '_') {
		return 0
	}
	colon := -1
	i := 1
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case isASCIILetter(c), '0' <= c && c <= '9', c == '_', c == '.', c == '-':
		case c == ':':
			if colon >= 0 {
				return 0
			}
			colon = i
		case c >= utf8.RuneSelf:
			return 0 // a name going on in non-ASCII
		default:
			if colon == i-1 {
				return 0
			}
			return i
		}
	}
	if colon == i-1 {
		return 0
	}
	return i
}

// splitName splits a checked name at its colon.
func splitName(name []byte) (prefix, local []byte) {
	if k := bytes.IndexByte(name, ':'); k >= 0 {
		return name[:k], name[k+1:]
	}
	return nil, name
}

// asciiLower reports whether b, lower-cased, is lower.
func asciiLower(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isDigit(c byte, base int) bool {
	return '0' <= c && c <= '9' || base == 16 && ('a' <= c|0x20 && c|0x20 <= 'f')
}
