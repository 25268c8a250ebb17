package notify

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newsmon/newsmon/classify"
)

// Limits on what one item may put into a message, so a hostile or broken
// page cannot blow up the digest.
const (
	maxTitleRunes    = 200
	maxEvidenceRunes = 300
	maxEvidence      = 2
	maxTopics        = 8
	maxAlsoIn        = 8
	maxURLBytes      = 2048
)

// stanceOrder is the order of stance groups and counts everywhere.
var stanceOrder = []string{StanceSupportive, StanceCritical, StanceNeutral, StanceUnclear}

// stanceColors are used by the chart and the HTML badges; the same colour
// means the same stance in both.
var stanceColors = map[string]string{
	StanceSupportive: "#2e7d32",
	StanceCritical:   "#c62828",
	StanceNeutral:    "#616161",
	StanceUnclear:    "#b26a00",
}

func stanceLabel(s string) string {
	switch s {
	case StanceSupportive:
		return "Supportive"
	case StanceCritical:
		return "Critical"
	case StanceNeutral:
		return "Neutral"
	default:
		return "Unclear"
	}
}

// normStance maps anything unknown to unclear, so a classifier bug shows up
// as an item to read rather than vanishing.
func normStance(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case StanceSupportive, StanceCritical, StanceNeutral:
		return s
	default:
		return StanceUnclear
	}
}

// itemView is a DigestItem made safe and ready for the templates.
type itemView struct {
	Title    string
	Link     string // empty when the URL is not http(s); then no link is made
	Outlet   string
	Date     string
	Stance   string
	Label    string
	Color    string
	Topics   string
	Evidence []string
	AlsoIn   []outletView
	MoreIn   int // outlets beyond maxAlsoIn, counted but not named
	Person   string
	Reason   string
	Human    bool   // the stance is a person's label
	Why      string // "Why neutral", heading the reason
}

// outletView is one "also in" outlet; Stance is set when its copy frames
// the person differently.
type outletView struct {
	Name   string
	Link   string
	Stance string
}

func newItemView(it DigestItem, loc *time.Location) itemView {
	st := normStance(it.Stance)
	v := itemView{
		Title:  clip(oneLine(it.Title), maxTitleRunes),
		Link:   safeLink(it.URL),
		Outlet: clip(oneLine(it.Outlet), 80),
		Stance: st,
		Label:  stanceLabel(st),
		Color:  stanceColors[st],
		Topics: joinClean(topicNames(it.Topics), maxTopics),
		Person: clip(oneLine(it.Person), 80),
		Reason: clip(oneLine(it.Reason), 200),
		Human:  it.Human,
		Why:    "Why " + strings.ToLower(stanceLabel(st)),
	}
	if v.Title == "" {
		v.Title = "(untitled)"
	}
	if !it.Published.IsZero() {
		v.Date = it.Published.In(loc).Format("2 Jan 2006 15:04")
	}
	for _, e := range it.Evidence {
		e = oneLine(e)
		if e == "" || sameWords(e, it.Title) {
			continue // the title is above; quoting it again says nothing
		}
		v.Evidence = append(v.Evidence, balanceQuotes(clip(e, maxEvidenceRunes)))
		if len(v.Evidence) == maxEvidence {
			break
		}
	}
	for _, o := range it.AlsoIn {
		name := clip(oneLine(o.Name), 60)
		if name == "" {
			continue
		}
		if len(v.AlsoIn) == maxAlsoIn {
			v.MoreIn++
			continue
		}
		ov := outletView{Name: name, Link: safeLink(o.URL)}
		if o.Stance != "" {
			ov.Stance = strings.ToLower(stanceLabel(normStance(o.Stance)))
		}
		v.AlsoIn = append(v.AlsoIn, ov)
	}
	return v
}

// topicNames turns topic ids ("detention_conditions") into words.
func topicNames(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = classify.TopicLabel(id)
	}
	return out
}

// sameWords reports whether a and b have the same letters and digits,
// ignoring case, spaces and punctuation.
func sameWords(a, b string) bool {
	key := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	ka := key(a)
	return ka != "" && ka == key(b)
}

// quotePairs are the quotation marks balanceQuotes pairs up: English and
// French. Straight double quotes are handled apart: they open and close
// alike.
var quotePairs = [][2]rune{{'“', '”'}, {'«', '»'}}

// balanceQuotes adds the quotation marks a sentence lost when it was cut
// out of a longer quotation, so that every quote it shows is closed: an
// opening mark at the start for a stray closing one, a closing mark at the
// end for one left open.
func balanceQuotes(s string) string {
	for _, p := range quotePairs {
		depth, missingOpen := 0, 0
		for _, r := range s {
			switch r {
			case p[0]:
				depth++
			case p[1]:
				if depth == 0 {
					missingOpen++
				} else {
					depth--
				}
			}
		}
		s = strings.Repeat(string(p[0]), missingOpen) + s + strings.Repeat(string(p[1]), depth)
	}
	if strings.Count(s, `"`)%2 == 1 {
		// An odd straight quote: a closing one if it follows a word and
		// nothing but the end or punctuation follows it.
		i := strings.IndexByte(s, '"')
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+1:])
		closing := i > 0 && !unicode.IsSpace(before) && (i+1 == len(s) || unicode.IsSpace(after) || unicode.IsPunct(after))
		if closing {
			s = `"` + s
		} else {
			s += `"`
		}
	}
	return s
}

// safeLink returns u when it is an absolute http or https URL, else "".
// html/template would defuse a javascript: URL too, but into a dead
// "#ZgotmplZ" link; not making a link at all is clearer to the reader.
func safeLink(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > maxURLBytes {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return ""
	}
	if s := strings.ToLower(p.Scheme); s != "http" && s != "https" {
		return ""
	}
	return p.String()
}

// oneLine folds all whitespace, including line breaks and control
// characters, into single spaces.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func joinClean(ss []string, n int) string {
	var out []string
	for _, s := range ss {
		if s = clip(oneLine(s), 60); s != "" {
			out = append(out, s)
		}
	}
	if len(out) > n {
		out = append(out[:n], fmt.Sprintf("+%d more", len(out)-n))
	}
	return strings.Join(out, ", ")
}

// sortItems orders items newest first; ties fall back to title and URL so
// the output never depends on map or query order.
func sortItems(items []DigestItem) {
	slices.SortStableFunc(items, func(a, b DigestItem) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Title, b.Title); c != 0 {
			return c
		}
		return cmp.Compare(a.URL, b.URL)
	})
}

// countView is one stance count in the header, with the change since the
// previous digest.
type countView struct {
	Label string
	Color string
	N     int
	Delta string // "+2", "−1", "±0", or "" when there is no previous digest
}

func newCounts(cur, prev map[string]int) []countView {
	out := make([]countView, 0, len(stanceOrder))
	for _, st := range stanceOrder {
		c := countView{Label: stanceLabel(st), Color: stanceColors[st], N: cur[st]}
		if prev != nil {
			c.Delta = delta(cur[st] - prev[st])
		}
		out = append(out, c)
	}
	return out
}

func delta(d int) string {
	switch {
	case d > 0:
		return "+" + strconv.Itoa(d)
	case d < 0:
		return "−" + strconv.Itoa(-d)
	default:
		return "±0"
	}
}

func formatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2 Jan 2006 15:04 MST")
}
