package fetch

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TextOf turns a feed's HTML fragment (a title, a description, content) into
// plain text: tags dropped, entities decoded, scripts and styles removed,
// block elements separated by blank lines, runs of spaces collapsed, invalid
// UTF-8 replaced. Full pages go through the extract package instead.
//
// Every item's text goes through here, so the common cases avoid the HTML
// tokenizer; text_reference_test.go holds the plain implementation, which
// the fast one matches byte for byte.
func TextOf(fragment string) string {
	if !utf8.ValidString(fragment) {
		fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	}
	if strings.IndexByte(fragment, '<') < 0 && strings.IndexByte(fragment, '&') < 0 {
		return collapseSpace(fragment)
	}
	if text, ok := simpleHTMLText(fragment); ok {
		return text
	}
	return collapseSpace(tokenizedText(fragment))
}

// tokenizedText is the text of any fragment, through x/net/html's
// tokenizer, before spaces are collapsed.
func tokenizedText(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0 // depth inside script/style
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.Script || a == atom.Style || a == atom.Noscript || a == atom.Iframe:
				skip++
			case a == atom.Br:
				b.WriteByte('\n')
			case isBlock(a):
				b.WriteString("\n\n")
			default:
				b.WriteByte(' ')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.Script || a == atom.Style || a == atom.Noscript || a == atom.Iframe:
				if skip > 0 {
					skip--
				}
			case isBlock(a):
				b.WriteString("\n\n")
			}
		}
	}
}

// simpleHTMLText is collapseSpace(tokenizedText(s)), for fragments made of
// text and plain start and end tags, collapsing as it writes (a second pass
// over a copy cost a seventh of what a cold fetch allocated). It finds tags with
// the tokenizer's own rules and decodes text with its UnescapeString, and
// gives up (ok=false) on comments, doctypes, elements whose content the
// tokenizer reads as raw text (script, style, title...), and tags that do
// not end.
func simpleHTMLText(s string) (string, bool) {
	var b collapser
	b.Grow(len(s))
	text := 0 // start of the pending text
	i := 0
	for {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			break
		}
		i += k
		if i+1 >= len(s) {
			break // a '<' at the end is text
		}
		c := s[i+1]
		end := c == '/'
		switch {
		case isASCIILetter(c):
		case end && i+2 < len(s) && isASCIILetter(s[i+2]):
		case end || c == '!' || c == '?':
			return "", false // a comment or something read like one
		default:
			i++ // a '<' that starts no tag is text
			continue
		}
		writeText(&b, s[text:i])
		nameStart := i + 1
		if end {
			nameStart++
		}
		name, next, ok := tagExtent(s, nameStart)
		if !ok {
			return "", false
		}
		a := atom.Lookup([]byte(lowerASCII(name)))
		if !end && rawTextTag(a) {
			return "", false
		}
		switch {
		case end:
			if isBlock(a) {
				b.WriteString("\n\n")
			}
		case a == atom.Br:
			b.WriteString("\n")
		case isBlock(a):
			b.WriteString("\n\n")
		default:
			b.WriteString(" ")
		}
		i, text = next, next
	}
	writeText(&b, s[text:])
	return b.String(), true
}

// writeText writes a text token as the tokenizer's Text returns it:
// newlines normalised, then entities decoded.
func writeText(b *collapser, t string) {
	if t == "" {
		return
	}
	if strings.IndexByte(t, '\r') >= 0 {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "\r\n", "\n"), "\r", "\n")
	}
	for {
		k := strings.IndexByte(t, '&')
		if k < 0 {
			b.WriteString(t)
			return
		}
		b.WriteString(t[:k])
		t = t[k:]
		// The references feeds use most are decoded here, as
		// UnescapeString would; it copies the whole text twice.
		if semi := strings.IndexByte(t[:min(len(t), maxRefLen)], ';'); semi > 1 {
			if r, ok := commonRef([]byte(t[1:semi])); ok {
				b.WriteString(r)
				t = t[semi+1:]
				continue
			}
		}
		// Decoding stops only after a whole reference, so the rest can go
		// to UnescapeString on its own.
		b.WriteString(html.UnescapeString(t))
		return
	}
}

// tagExtent reads the tag whose name starts at i, following the
// tokenizer's rules for names and attributes, and returns the name and the
// index after the closing '>'. ok=false when the tag does not end.
func tagExtent(s string, i int) (name string, next int, ok bool) {
	start := i
	for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '/' && s[i] != '>' {
		i++
	}
	name = s[start:i]
	for {
		i = skipHTMLSpace(s, i)
		if i >= len(s) {
			return "", 0, false
		}
		if s[i] == '>' {
			return name, i + 1, true
		}
		// An attribute name; an '=' first is part of it.
		k := i
		for k < len(s) {
			c := s[k]
			if c == '=' && k == i {
				k++
				continue
			}
			if isHTMLSpace(c) || c == '/' || c == '>' || c == '=' {
				break
			}
			k++
		}
		if i = skipHTMLSpace(s, k); i >= len(s) {
			return "", 0, false
		}
		switch s[i] {
		case '/':
			i++
			continue
		case '=':
		default:
			continue
		}
		if i = skipHTMLSpace(s, i+1); i >= len(s) {
			return "", 0, false
		}
		switch q := s[i]; q {
		case '>':
		case '"', '\'':
			e := strings.IndexByte(s[i+1:], q)
			if e < 0 {
				return "", 0, false
			}
			i += e + 2
		default:
			for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
				i++
			}
		}
	}
}

// rawTextTag reports whether the tokenizer reads what follows a start tag
// of this element as text up to its end tag.
func rawTextTag(a atom.Atom) bool {
	switch a {
	case atom.Iframe, atom.Noembed, atom.Noframes, atom.Noscript, atom.Plaintext, atom.Script, atom.Style,
		atom.Textarea, atom.Title, atom.Xmp:
		return true
	}
	return false
}

// lowerASCII lower-cases A-Z only, as the tokenizer does tag names.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

func skipHTMLSpace(s string, i int) int {
	for i < len(s) && isHTMLSpace(s[i]) {
		i++
	}
	return i
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Li, atom.Ul, atom.Ol,
		atom.Blockquote, atom.Pre, atom.Table, atom.Tr, atom.Section, atom.Article, atom.Figure, atom.Figcaption, atom.Hr:
		return true
	}
	return false
}

// collapseSpace trims the text, collapses spaces and tabs within lines and
// keeps at most one blank line between paragraphs.
func collapseSpace(s string) string {
	if isCollapsed(s) {
		return s // the common case for feed text: no copy
	}
	var b collapser
	b.Grow(len(s))
	b.WriteString(s)
	return b.String()
}

// collapser builds the text collapseSpace would return for everything
// written to it, as it is written. White space at the end of one write is
// held back and judged with the next. A write must not end inside a
// no-break space (a UTF-8 sequence).
type collapser struct {
	out      strings.Builder
	newlines int  // newlines held back
	space    bool // other white space held back
}

func (b *collapser) Grow(n int)     { b.out.Grow(n) }
func (b *collapser) String() string { return b.out.String() }

func (b *collapser) WriteString(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			b.newlines++
			b.space = false
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			b.space = true
			i++
			continue
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0: // U+00A0 no-break space
			b.space = true
			i += 2
			continue
		}
		if b.out.Len() > 0 {
			switch {
			case b.newlines >= 2:
				b.out.WriteString("\n\n")
			case b.newlines == 1:
				b.out.WriteByte('\n')
			case b.space:
				b.out.WriteByte(' ')
			}
		}
		b.newlines, b.space = 0, false
		j := plainRun(s, i+1)
		b.out.WriteString(s[i:j])
		i = j
	}
}

// plainRun returns where the text from i stops being written back as it
// is: at white space other than a space, a newline or two newlines between
// two other bytes. collapseSpace copies the run at once. s[i-1] must not be
// white space.
func plainRun(s string, i int) int {
	for {
		// Eight bytes at a time while they hold only spaces and newlines
		// in ones, and newlines in twos, between other bytes.
		for i+8 <= len(s) {
			x := load64(s, i)
			sp, nl := bytesEqual(x, ' '), bytesEqual(x, '\n')
			if bytesBelow(x, 0x20)&^nl|bytesEqual(x, 0xC2) != 0 {
				break
			}
			w := sp | nl
			if w&(w>>8)&^(nl&(nl>>8)) != 0 || nl&(nl>>8)&(w>>16) != 0 {
				break
			}
			// White space in the last bytes is judged with what follows.
			switch {
			case w>>63 == 0:
				i += 8
			case w>>55&1 == 0:
				i += 7
			default:
				i += 6
			}
		}
		// A byte at a time past what stopped the fast loop.
		for stop := min(i+8, len(s)); i < stop; {
			c := s[i]
			switch {
			case !maybeSpace[c]:
				i++
				continue
			case c == 0xC2:
				if i+1 < len(s) && s[i+1] == 0xA0 {
					return i
				}
				i++
				continue
			case c == ' ' || c == '\n':
				n := 1
				if c == '\n' && i+1 < len(s) && s[i+1] == '\n' {
					n = 2
				}
				if i+n < len(s) && !maybeSpace[s[i+n]] {
					i += n + 1
					continue
				}
			}
			return i
		}
		if i >= len(s) {
			return len(s)
		}
	}
}

const (
	lanes = 0x0101010101010101
	high  = 0x8080808080808080
	low7  = 0x7F7F7F7F7F7F7F7F
)

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// bytesEqual sets the high bit of each byte of x equal to c, exactly: the
// sums cannot carry from one byte into the next.
func bytesEqual(x uint64, c byte) uint64 {
	t := x ^ lanes*uint64(c)
	return ^((t&low7 + low7) | t | low7)
}

// bytesBelow sets the high bit of each byte of x below n (n <= 0x80).
func bytesBelow(x uint64, n byte) uint64 {
	return ^((x&low7 + lanes*uint64(0x80-n)) | x) & high
}

// maybeSpace marks the bytes collapseSpace treats as white space, or that
// start a no-break space.
var maybeSpace = [256]bool{' ': true, '\n': true, '\t': true, '\r': true, '\f': true, '\v': true, 0xC2: true}

// isCollapsed reports whether collapseSpace would return s unchanged: no
// white space at either end, no tab, CR, FF, VT or no-break space, no
// space before a space or newline, no newline before a space, and no more
// than two newlines in a row. Each is one vectorised search of s, faster
// together than one pass looking at every byte.
func isCollapsed(s string) bool {
	if s == "" {
		return true
	}
	if isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) || s[0] == '\n' || s[len(s)-1] == '\n' {
		return false
	}
	for _, c := range []byte{'\t', '\r', '\f', '\v'} {
		if strings.IndexByte(s, c) >= 0 {
			return false
		}
	}
	for _, bad := range []string{"  ", " \n", "\n ", "\n\n\n", "\u00a0"} {
		if strings.Contains(s, bad) {
			return false
		}
	}
	return true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}
