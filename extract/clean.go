package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/RadhiFadlillah/whatlanggo"
	"golang.org/x/net/html"
)

// blockTags end a paragraph. The library's output tree uses ordinary HTML
// names (p, h1-h6, li, blockquote, pre, table parts) after its own cleanup.
var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "main": true, "body": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "li": true, "dl": true, "dt": true, "dd": true,
	"blockquote": true, "pre": true, "table": true, "tr": true, "figure": true,
	"figcaption": true, "header": true, "footer": true, "aside": true, "hr": true,
}

// nodeText renders the extracted tree as paragraphs separated by a blank
// line: each block element starts a paragraph, <br> starts a line.
func nodeText(root *html.Node) string {
	if root == nil {
		return ""
	}
	var paras []string
	var cur strings.Builder
	flush := func() {
		if s := cleanSpace(cur.String()); s != "" {
			paras = append(paras, s)
		}
		cur.Reset()
	}
	// Iterative walk with an explicit "leave" marker so block ends flush.
	type item struct {
		n     *html.Node
		leave bool
	}
	stack := []item{{n: root}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if it.leave {
			flush()
			continue
		}
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			continue
		case html.ElementNode:
			switch n.Data {
			case "script", "style", "noscript", "template":
				continue
			case "br":
				cur.WriteByte(' ')
				continue
			}
			// Table cells are separated by a space, not joined.
			if n.Data == "td" || n.Data == "th" {
				cur.WriteByte(' ')
			}
			if blockTags[n.Data] {
				flush()
				stack = append(stack, item{n: n, leave: true})
			}
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, item{n: c})
		}
	}
	flush()
	return strings.Join(paras, "\n\n")
}

// boilerplate matches whole short paragraphs that are page furniture and
// that the library lets through now and then. Only paragraphs shorter than
// maxBoilerplateLen are tested, so article sentences that merely mention
// cookies or newsletters survive.
var boilerplate = regexp.MustCompile(`(?i)^(` +
	`skip to (the )?(main )?(content|navigation)|` +
	`(log ?in|sign ?in|sign ?up|register|subscribe( now)?|menu|search|close|advertisement)|` +
	`.*\b(we|this (web)?site) uses? cookies\b.*|.*\baccept (all )?cookies\b.*|.*\bcookie (policy|settings|preferences)\b.*|` +
	`.*\b(sign up|subscribe) (to|for) (our|the) .*(newsletter|updates|briefing).*|.*\bnewsletter\b.*\binbox\b.*|` +
	`share (this|on|via)\b.*|(share|tweet|email|print)( (on )?(facebook|twitter|x|whatsapp|linkedin|telegram))*|` +
	`follow us( on)?\b.*|read more|related (articles|stories|posts)|you (may|might) also like.*|` +
	`\d* ?comments?|leave a (comment|reply)|` +
	// A byline whose <time> the library removed leaves its label behind.
	`(published|posted|updated)( on| in)?|publié le|mis à jour le|نشر في|` +
	`(©|copyright|\(c\)) .*all rights reserved.*` +
	`)[.!:]?$`)

const maxBoilerplateLen = 160

// cleanText drops boilerplate paragraphs and immediate repeats of a
// paragraph, and guarantees valid UTF-8. Repeats further apart are kept:
// recipes and Q&A pages legitimately reuse a heading.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	var out []string
	for _, p := range strings.Split(s, "\n\n") {
		p = cleanSpace(p)
		if p == "" || (len(out) > 0 && out[len(out)-1] == p) {
			continue
		}
		if len(p) < maxBoilerplateLen && (boilerplate.MatchString(p) || isDateline(p)) {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, "\n\n")
}

// isDateline reports a byline paragraph such as "Published 3 March 2021 ·
// By Jane Roe" or "By Jane Roe, 11 February 2020": it starts with a label
// or "By" and contains a date. The date requirement keeps sentences that
// merely start with "By" ("By Tuesday the court had ...").
func isDateline(p string) bool {
	if !bylineLabel.MatchString(p) && !bylinePrefix.MatchString(p) {
		return false
	}
	_, ok := scanDate(p)
	return ok
}

// cleanSpace collapses runs of white space to one space and removes
// control and invisible formatting characters that leak from markup, except
// the directional marks Arabic and Hebrew text needs.
func cleanSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), r == '\u200b', r == '\ufeff', r == '\u00ad':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// minDetectRunes is the text length below which language detection is too
// unreliable to override the page's declared language.
const minDetectRunes = 200

// chooseLanguage returns the primary language subtag. The language detected
// from a long enough text wins over the declaration, because multilingual
// sites often serve every page with the template's lang attribute.
func chooseLanguage(declared, text string) string {
	declared = primaryTag(declared)
	if utf8.RuneCountInString(text) >= minDetectRunes || declared == "" {
		info := whatlanggo.Detect(text)
		if info.IsReliable() || (declared == "" && text != "") {
			if code := info.Lang.Iso6391(); code != "" {
				return code
			}
		}
	}
	return declared
}

// primaryTag reduces "en-GB", "fr_FR" or "AR" to "en", "fr", "ar"; it
// returns "" for anything that is not a 2-3 letter language code.
func primaryTag(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}
