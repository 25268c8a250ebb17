package fetch

// The implementation of TextOf before it was made faster, kept whole as
// the reference the faster one must match byte for byte. It shares no code
// with TextOf but isBlock, the list of block elements.

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func textOfReference(fragment string) string {
	fragment = strings.ToValidUTF8(fragment, "\uFFFD")
	if !strings.ContainsAny(fragment, "<&") {
		return collapseSpaceReference(fragment)
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0 // depth inside script/style
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapseSpaceReference(b.String())
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

// collapseSpaceReference trims the text, collapses spaces and tabs within lines and
// keeps at most one blank line between paragraphs.
func collapseSpaceReference(s string) string {
	if isCollapsedReference(s) {
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

// isCollapsedReference reports whether collapseSpaceReference would return s unchanged.
func isCollapsedReference(s string) bool {
	if s == "" {
		return true
	}
	if isSpaceByteReference(s[0]) || isSpaceByteReference(s[len(s)-1]) || s[0] == '\n' || s[len(s)-1] == '\n' {
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

func isSpaceByteReference(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

// textPieces are what random fragments for the TextOf comparison are made
// of: tags of every kind the tokenizer knows, attributes quoted and not,
// entities, white space of every kind, and stray angle brackets.
var textPieces = []string{
	"word", "two words", " ", "  ", "\n", "\n\n\n", "\t", "\r\n", "\r", "\f", "\v", "\u00a0", "\xc2", "é", "\xff",
	"<p>", "</p>", "<P>", "</P >", "<div class=\"a\">", "</div>", "<br>", "<br/>", "<BR />", "<b>", "</b>", "<i>", "</i>",
	"<a href=\"/x?a=1&amp;b=2\">", "<a href='x>y'>", "<a href=x>", "<a href=x/>", "<img src=x alt=\"a b\"/>", "</a>",
	"<li>", "</li>", "<ul>", "</ul>", "<h2>", "</h2>", "<hr>", "<table><tr><td>", "</td></tr></table>", "<span =x>",
	"<a b c=d e = 'f' / >", "<x-y:z>", "<p/>", "<p//>", "<a\thref=\"1\"\n>", "<a href=\"unclosed", "<a", "<", "< p>", "<3",
	"a<b", "</>", "</ p>", "</3>", "<!-- c -->", "<!doctype html>", "<?xml x?>", "<script>x<p>y</script>", "<style>p{}</style>",
	"<noscript>n</noscript>", "<iframe>f</iframe>", "<title>t</title>", "<textarea>a<b>c</textarea>", "</script>",
	"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x27;", "&nbsp;", "&copy", "&copy;", "&notit;", "&amp", "&", "&#0;",
	"&#128;", "&#xD800;", "&#1114112;", "&;", "&#;", "&#x;", "&CounterClockwiseContourIntegral;", "&hellip;", "&#X41;", "&#0000065;", "&#00065;", "&apos;", "&AMP;", "&#1;",
}

func randomFragment(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(12) {
		b.WriteString(textPieces[r.IntN(len(textPieces))])
	}
	return b.String()
}

func TestTextOfMatchesReference(t *testing.T) {
	cases := []string{
		"", " ", "plain", "a  b", "a \n b", "a\n\n\nb", "a\u00a0b", "a\xc2b", "\xc2", "x\xc2\xa0", "tab\tx",
		"<p>One &amp; two</p><p>Three<br>four</p>", `<div>Keep<script>var x = "<p>drop</p>";</script> this</div><style>p{}</style>`,
		"bad \xff byte", "<b>Ali</b> <i>Aarrass</i>", " a\u00a0 b \n\n\n\n c\t\n", "already clean\n\nparagraphs",
		"a < b", "a <3 b", "x<", "&amp;", "Fish &amp; chips", "a\r\nb\rc", "<p>a\r\n</p>", "<a href='>'>x</a>",
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		cases = append(cases, randomFragment(r))
	}
	for _, s := range cases {
		if got, want := TextOf(s), textOfReference(s); got != want {
			t.Fatalf("TextOf(%q) = %q, reference %q", s, got, want)
		}
		if got, want := collapseSpace(s), collapseSpaceReference(s); got != want {
			t.Fatalf("collapseSpace(%q) = %q, reference %q", s, got, want)
		}
	}
}

// TestIsCollapsedMatchesReference checks isCollapsed and collapseSpace,
// which reads eight bytes at a time, on short strings of white space and
// letters, where every window boundary falls somewhere interesting.
func TestIsCollapsedMatchesReference(t *testing.T) {
	alphabet := []string{"a", "b", " ", "\n", "\t", "\r", "\f", "\v", "\xc2", "\xa0", "é", "\x01"}
	r := rand.New(rand.NewPCG(7, 8))
	for range 200000 {
		var b strings.Builder
		n := r.IntN(60)
		for range n {
			// Mostly letters, so that most strings get past the ends.
			if r.IntN(3) > 0 {
				b.WriteString(alphabet[r.IntN(2)])
			} else {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			}
		}
		s := b.String()
		if got, want := isCollapsed(s), isCollapsedReference(s); got != want {
			t.Fatalf("isCollapsed(%q) = %v, reference %v", s, got, want)
		}
		if got, want := collapseSpace(s), collapseSpaceReference(s); got != want {
			t.Fatalf("collapseSpace(%q) = %q, reference %q", s, got, want)
		}
	}
}

// TestCollapserAcrossWrites checks that white space split between writes
// collapses as it would in one string: simpleHTMLText writes a fragment's
// text a piece at a time.
func TestCollapserAcrossWrites(t *testing.T) {
	alphabet := []string{"a", "b", " ", "\n", "\t", "\r", "\u00a0", "é"}
	r := rand.New(rand.NewPCG(9, 10))
	for range 50000 {
		var pieces []string
		for range r.IntN(8) {
			var b strings.Builder
			for range r.IntN(12) {
				b.WriteString(alphabet[r.IntN(len(alphabet))])
			}
			pieces = append(pieces, b.String())
		}
		var c collapser
		for _, p := range pieces {
			c.WriteString(p)
		}
		whole := strings.Join(pieces, "")
		if got, want := c.String(), collapseSpaceReference(whole); got != want {
			t.Fatalf("writes %q = %q, reference for %q is %q", pieces, got, whole, want)
		}
	}
}

func BenchmarkTextOf(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	words := strings.Fields("the court adjourned the hearing until further notice and lawyers for the defence called the charges politically motivated")
	var plain, htm strings.Builder
	for plain.Len() < 3500 {
		plain.WriteString(words[r.IntN(len(words))] + " ")
	}
	for htm.Len() < 3500 {
		htm.WriteString("<p>")
		for range 60 {
			htm.WriteString(words[r.IntN(len(words))] + " ")
		}
		htm.WriteString("<a href=\"https://example.org/x\">link</a> &amp; more.</p>")
	}
	for _, bb := range []struct{ name, s string }{{"plain", strings.TrimSpace(plain.String())}, {"html", htm.String()}} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.s)))
			for b.Loop() {
				TextOf(bb.s)
			}
		})
		b.Run(bb.name+"-reference", func(b *testing.B) {
			b.SetBytes(int64(len(bb.s)))
			for b.Loop() {
				textOfReference(bb.s)
			}
		})
	}
}
