package fetch

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TextOf turns a feed's HTML fragment (a title, a description, content) into
// plain text: tags dropped, entities decoded, scripts and styles removed,
// block elements separated by blank lines, runs of spaces collapsed, invalid
// UTF-8 replaced. Full pages go through the extract package instead.
func TextOf(fragment string) string {
	fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	if !strings.ContainsAny(fragment, "<&") {
		return collapseSpace(fragment)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0 // depth inside script/style
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapseSpace(b.String())
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
	var b strings.Builder
	b.Grow(len(s))
	newlines, space := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			newlines++
			space = false
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			space = true
			continue
		case c == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0: // U+00A0 no-break space
			space = true
			i++
			continue
		}
		if b.Len() > 0 {
			switch {
			case newlines >= 2:
				b.WriteString("\n\n")
			case newlines == 1:
				b.WriteByte('\n')
			case space:
				b.WriteByte(' ')
			}
		}
		newlines, space = 0, false
		b.WriteByte(c)
	}
	return b.String()
}

// isCollapsed reports whether collapseSpace would return s unchanged.
func isCollapsed(s string) bool {
	if s == "" {
		return true
	}
	if isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) || s[0] == '\n' || s[len(s)-1] == '\n' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ':
			if s[i+1] == ' ' || s[i+1] == '\n' {
				return false
			}
		case '\n':
			if s[i+1] == ' ' || (s[i+1] == '\n' && (s[i+2] == '\n' || s[i+2] == ' ')) {
				return false
			}
		case '\t', '\r', '\f', '\v':
			return false
		case 0xC2:
			if i+1 < len(s) && s[i+1] == 0xA0 {
				return false
			}
		}
	}
	return true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}
