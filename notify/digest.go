package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"slices"
	texttemplate "text/template"
	"time"
)

// ChartContentID is the Content-ID of the inline chart image; the HTML
// refers to it as "cid:" + ChartContentID.
const ChartContentID = "mentions-chart@newsmon"

// chartDays is how many days the chart covers.
const chartDays = 14

//go:embed templates
var templateFS embed.FS

var (
	digestHTML = htmltemplate.Must(htmltemplate.New("digest.html.tmpl").ParseFS(templateFS, "templates/digest.html.tmpl"))
	digestText = texttemplate.Must(texttemplate.New("digest.txt.tmpl").ParseFS(templateFS, "templates/digest.txt.tmpl"))
)

type digestView struct {
	Subject string
	Period  string
	Empty   bool
	Total   int
	Health  []healthView
	Summary []personSummary
	People  []personView
	Unclear []itemView
	// ChartSrc is "cid:..." when there is a chart. It is typed as trusted
	// because html/template rejects the cid: scheme; it is our constant.
	ChartSrc htmltemplate.URL
	ChartAlt string
	Legend   []countView
}

type healthView struct{ Source, Problem, Since string }

type personSummary struct {
	Person string
	Counts []countView
}

type personView struct {
	Person string
	Groups []stanceGroup
}

type stanceGroup struct {
	Label string
	Color string
	Items []itemView
}

// RenderDigest renders d as HTML and plain text, and draws the chart of
// mentions per day. chartPNG is nil when there is nothing to draw; the HTML
// then has no image. The output depends only on d.
func RenderDigest(d Digest) (html, text string, chartPNG []byte, err error) {
	v := buildDigestView(d)
	days := lastDays(d.Daily, chartDays)
	if !v.Empty && hasMentions(days) {
		chartPNG, err = drawChart(days, locOrUTC(d.Location))
		if err != nil {
			return "", "", nil, fmt.Errorf("draw digest chart: %w", err)
		}
		v.ChartSrc = htmltemplate.URL("cid:" + ChartContentID)
		v.ChartAlt = chartAlt(days, locOrUTC(d.Location))
	}
	var hb, tb bytes.Buffer
	if err := digestHTML.Execute(&hb, v); err != nil {
		return "", "", nil, fmt.Errorf("render digest html: %w", err)
	}
	if err := digestText.Execute(&tb, v); err != nil {
		return "", "", nil, fmt.Errorf("render digest text: %w", err)
	}
	return hb.String(), tb.String(), chartPNG, nil
}

// DigestSubject is the subject the digest is sent with.
func DigestSubject(d Digest) string {
	if s := oneLine(d.Subject); s != "" {
		return clip(s, maxTitleRunes)
	}
	day := d.PeriodEnd.In(locOrUTC(d.Location)).Format("2 Jan 2006")
	n := countItems(d)
	switch n {
	case 0:
		return "newsmon digest " + day + ": nothing new"
	case 1:
		return "newsmon digest " + day + ": 1 new item"
	default:
		return fmt.Sprintf("newsmon digest %s: %d new items", day, n)
	}
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

func countItems(d Digest) int {
	n := len(d.Unclear)
	for _, p := range d.People {
		n += len(p.Items)
	}
	return n
}

func buildDigestView(d Digest) digestView {
	loc := locOrUTC(d.Location)
	v := digestView{
		Subject: DigestSubject(d),
		Period:  formatTime(d.PeriodStart, loc) + " to " + formatTime(d.PeriodEnd, loc),
		Total:   countItems(d),
	}
	v.Empty = v.Total == 0
	for _, h := range d.Health {
		hv := healthView{Source: clip(oneLine(h.Source), 80), Problem: clip(oneLine(h.Problem), 200)}
		if !h.Since.IsZero() {
			hv.Since = formatTime(h.Since, loc)
		}
		v.Health = append(v.Health, hv)
	}
	for _, st := range stanceOrder {
		v.Legend = append(v.Legend, countView{Label: stanceLabel(st), Color: stanceColors[st]})
	}

	unclear := slices.Clone(d.Unclear)
	for _, p := range d.People {
		person := clip(oneLine(p.Person), 80)
		counts := p.Counts
		if counts == nil {
			counts = countByStance(p.Items)
		}
		v.Summary = append(v.Summary, personSummary{Person: person, Counts: newCounts(counts, p.PrevCounts)})

		byStance := map[string][]DigestItem{}
		for _, it := range p.Items {
			st := normStance(it.Stance)
			if st == StanceUnclear {
				if it.Person == "" {
					it.Person = p.Person
				}
				unclear = append(unclear, it)
				continue
			}
			byStance[st] = append(byStance[st], it)
		}
		pv := personView{Person: person}
		for _, st := range stanceOrder {
			items := byStance[st]
			if len(items) == 0 {
				continue
			}
			sortItems(items)
			g := stanceGroup{Label: stanceLabel(st), Color: stanceColors[st]}
			for _, it := range items {
				g.Items = append(g.Items, newItemView(it, loc))
			}
			pv.Groups = append(pv.Groups, g)
		}
		if len(pv.Groups) > 0 {
			v.People = append(v.People, pv)
		}
	}
	sortItems(unclear)
	for _, it := range unclear {
		v.Unclear = append(v.Unclear, newItemView(it, loc))
	}
	return v
}

func countByStance(items []DigestItem) map[string]int {
	m := map[string]int{}
	for _, it := range items {
		m[normStance(it.Stance)]++
	}
	return m
}

// lastDays returns the last n days of daily, oldest first.
func lastDays(daily []DayCount, n int) []DayCount {
	days := slices.Clone(daily)
	slices.SortStableFunc(days, func(a, b DayCount) int { return a.Day.Compare(b.Day) })
	if len(days) > n {
		days = days[len(days)-n:]
	}
	return days
}

func hasMentions(days []DayCount) bool {
	for _, d := range days {
		if d.Supportive+d.Critical+d.Neutral+d.Unclear > 0 {
			return true
		}
	}
	return false
}

// chartAlt describes the chart in words for clients that block images.
func chartAlt(days []DayCount, loc *time.Location) string {
	var s, c, n, u int
	for _, d := range days {
		s += d.Supportive
		c += d.Critical
		n += d.Neutral
		u += d.Unclear
	}
	return fmt.Sprintf("Mentions per day, %s to %s: %d supportive, %d critical, %d neutral, %d unclear",
		days[0].Day.In(loc).Format("2 Jan"), days[len(days)-1].Day.In(loc).Format("2 Jan"), s, c, n, u)
}
