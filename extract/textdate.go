package extract

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// This file finds a publication date written for people rather than
// machines ("Published 3 March 2021", "12 juin 2023", "20 سبتمبر 2021")
// in bylines, for pages without date metadata. It replaces a general date
// library on purpose: those libraries compile hundreds of locale tables at
// program start, which every newsmon command would pay for. Only the
// languages of the monitored press are known: English, French and Arabic
// (Egyptian, Levantine and Maghrebi month names).

// monthNames maps lower-case month names and common abbreviations to months.
var monthNames = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
	"december": 12, "dec": 12,

	"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
	"avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
	"septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,

	"يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
	"يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9,
	"أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
	"كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
	"تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
	"ماي": 5, "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
	"جانفي": 1, "فيفري": 2, "أفريل": 4, "جوان": 6, "جويلية": 7, "أوت": 8,
}

// datePatterns are compiled on first use rather than at program start.
var datePatterns = sync.OnceValue(func() struct{ dayFirst, monthFirst, iso *regexp.Regexp } {
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, regexp.QuoteMeta(n))
	}
	// Longest first, so that "mars" is not read as "mar".
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	month := `(` + strings.Join(names, "|") + `)\.?`
	day := `(\d{1,2})(?:st|nd|rd|th|er)?`
	year := `(\d{4})`
	return struct{ dayFirst, monthFirst, iso *regexp.Regexp }{
		dayFirst:   regexp.MustCompile(`(?i)(?:^|[^\pL\d])` + day + `\s+(?:of\s+|de\s+)?` + month + `,?\s+` + year + `(?:[^\d]|$)`),
		monthFirst: regexp.MustCompile(`(?i)(?:^|[^\pL\d])` + month + `\s+` + day + `,?\s+` + year + `(?:[^\d]|$)`),
		iso:        regexp.MustCompile(`(?:^|[^\d])(\d{4})-(\d{2})-(\d{2})(?:[^\d]|$)`),
	}
})

// maxDateText bounds the text of one element searched for a date: bylines
// are short, and long texts mention other dates.
const maxDateText = 200

// dateHint matches class, id and itemprop values of elements that hold a
// byline or a date.
var dateHint = regexp.MustCompile(`(?i)date|time|byline|meta|posted|publish|dateline|info|author`)

// bylineLabel matches text that introduces a publication date.
var bylineLabel = regexp.MustCompile(`(?i)^\s*(published|posted|updated|first published|publié|mis à jour|نشر|تاريخ النشر)`)

// findTextDate returns the first date written in a byline-like element of
// the page: one whose class, id or itemprop suggests a date or byline, or
// whose text starts with a label such as "Published". Navigation, asides,
// footers and comment sections are skipped, since their dates belong to
// other pieces. The result is midnight UTC of that day.
func findTextDate(doc *html.Node) time.Time {
	stack := []*html.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode {
			switch n.Data {
			case "nav", "aside", "footer", "script", "style", "noscript", "template", "form", "select":
				continue
			}
			if skipContainer(n) {
				continue
			}
			if hinted(n) || startsWithLabel(n) {
				if s := spacedText(n); utf8.RuneCountInString(s) <= maxDateText {
					if t, ok := scanDate(s); ok {
						return t
					}
				}
			}
		}
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
	}
	return time.Time{}
}

func hinted(n *html.Node) bool {
	for _, key := range []string{"class", "id", "itemprop"} {
		if v := attr(n, key); v != "" && dateHint.MatchString(v) {
			return true
		}
	}
	return false
}

// startsWithLabel looks only at the element's own first text, so that a
// container does not match because of a descendant's label.
func startsWithLabel(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			if strings.TrimSpace(c.Data) == "" {
				continue
			}
			return bylineLabel.MatchString(c.Data)
		}
		return false
	}
	return false
}

// skipContainer reports comment and related-content sections by name.
func skipContainer(n *html.Node) bool {
	v := strings.ToLower(attr(n, "class") + " " + attr(n, "id"))
	for _, w := range []string{"comment", "related", "sidebar", "newsletter", "cookie"} {
		if strings.Contains(v, w) {
			return true
		}
	}
	return false
}

// scanDate finds the first full date (day, month and year) in s. Numeric
// dates other than ISO year-month-day are ignored: 03/04/2021 is read
// differently on each side of the Atlantic.
func scanDate(s string) (time.Time, bool) {
	s = westernDigits(s)
	p := datePatterns()
	type found struct {
		at   int
		date time.Time
	}
	var best *found
	// consider keeps the earliest date in s: in "Published 3 March 2021,
	// updated 5 March" the first is the publication.
	consider := func(at, y, m, d int) {
		if best != nil && best.at <= at {
			return
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d || t.Month() != time.Month(m) { // 31 April and the like
			return
		}
		if t, ok := plausible(t); ok {
			best = &found{at, t}
		}
	}
	if m := p.dayFirst.FindStringSubmatchIndex(s); m != nil {
		consider(m[2], atoi(s[m[6]:m[7]]), int(monthNames[strings.ToLower(s[m[4]:m[5]])]), atoi(s[m[2]:m[3]]))
	}
	if m := p.monthFirst.FindStringSubmatchIndex(s); m != nil {
		consider(m[2], atoi(s[m[6]:m[7]]), int(monthNames[strings.ToLower(s[m[2]:m[3]])]), atoi(s[m[4]:m[5]]))
	}
	if m := p.iso.FindStringSubmatchIndex(s); m != nil {
		consider(m[2], atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]]))
	}
	if best == nil {
		return time.Time{}, false
	}
	return best.date, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// westernDigits replaces Arabic-Indic and Persian digits with ASCII ones,
// so that one set of patterns reads dates in all scripts.
func westernDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return (r >= '٠' && r <= '٩') || (r >= '۰' && r <= '۹') }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, s)
}

// bylinePrefix matches the word introducing an author's name.
var bylinePrefix = regexp.MustCompile(`(?i)^\s*(by|par|بقلم|كتب|كتبه)\s*:?\s+`)

// bylineDate finds where a date starts inside a byline: "Jane Roe —
// November 18, 2019", "Jane RoeMonday, November 18", "Jane Roe - 2019-04-10",
// "Jane Roe, 9:02 AM". A month name counts only next to a number, so that
// "Theresa May" stays whole.
var bylineDate = sync.OnceValue(func() *regexp.Regexp {
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, regexp.QuoteMeta(n))
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	month := `(?:` + strings.Join(names, "|") + `)`
	return regexp.MustCompile(`(?i)(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?` + month + `\.?\s+\d|` +
		`\d{1,2}(?:st|nd|rd|th|er)?\s+` + month + `|\d{4}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}:\d{2}`)
})

// trimByline turns a byline such as "By Jane Roe, 3 March 2021" into the
// name. A byline longer than a few names is more likely a sentence, and is
// dropped.
func trimByline(s string) string {
	s = westernDigits(cleanSpace(bylinePrefix.ReplaceAllString(s, "")))
	if loc := bylineDate().FindStringIndex(s); loc != nil {
		s = strings.TrimRight(s[:loc[0]], " ,;|·-–—/")
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		return ""
	}
	return s
}

// spacedText is the text of n with a space between text nodes, so that
// adjacent elements ("<a>Jane Roe</a><em>March 3</em>") stay apart.
func spacedText(n *html.Node) string { return cleanSpace(joinText(n, " ")) }

// urlDate reads a date from a URL path such as /2019/11/19/slug or
// /news/2019-11-19-slug, common on news sites. The result is midnight UTC.
func urlDate(u *url.URL) time.Time {
	if u == nil {
		return time.Time{}
	}
	m := urlDatePattern.FindStringSubmatch(u.Path)
	if m == nil {
		return time.Time{}
	}
	y, mo, d := atoi(m[1]), atoi(m[2]), atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(mo) {
		return time.Time{}
	}
	t, _ = plausible(t)
	return t
}

var urlDatePattern = regexp.MustCompile(`/((?:19|20)\d{2})[/-]([01]?\d)[/-]([0-3]?\d)(?:[/-]|$)`)
