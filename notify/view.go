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
	Score    string
	Topics   string
	Evidence []string
	AlsoIn   string
	Person   string
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
		Score:  strconv.FormatFloat(it.Score, 'f', 2, 64),
		Topics: joinClean(it.Topics, maxTopics),
		AlsoIn: joinClean(it.AlsoIn, maxAlsoIn),
		Person: clip(oneLine(it.Person), 80),
	}
	if v.Title == "" {
		v.Title = "(untitled)"
	}
	if !it.Published.IsZero() {
		v.Date = it.Published.In(loc).Format("2 Jan 2006 15:04")
	}
	for _, e := range it.Evidence {
		if e = clip(oneLine(e), maxEvidenceRunes); e != "" {
			v.Evidence = append(v.Evidence, e)
		}
		if len(v.Evidence) == maxEvidence {
			break
		}
	}
	return v
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
