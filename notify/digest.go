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
	// Deltas is set when some count has a change since the previous
	// digest to show; the note explaining the brackets goes with it.
	Deltas bool
	Chart  *chartView // nil: nothing to draw
	Legend []countView
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

// RenderDigest renders d as HTML and plain text. The HTML is one
// self-contained page: the chart is part of it, so a saved preview shows
// what the mail shows. The output depends only on d.
func RenderDigest(d Digest) (html, text string, err error) {
	v := buildDigestView(d)
	var hb, tb bytes.Buffer
	if err := digestHTML.Execute(&hb, v); err != nil {
		return "", "", fmt.Errorf("render digest html: %w", err)
	}
	if err := digestText.Execute(&tb, v); err != nil {
		return "", "", fmt.Errorf("render digest text: %w", err)
	}
	return hb.String(), tb.String(), nil
}

// DigestSubject is the subject the digest is sent with.
func DigestSubject(d Digest) string {
	if s := oneLine(d.Subject); s != "" {
		return clip(s, maxTitleRunes)
	}
	day := d.PeriodEnd.In(locOrUTC(d.Location)).Format("2 Jan 2006")
	n := countStories(d)
	if n == 0 {
		return "newsmon digest " + day + ": nothing new"
	}
	return "newsmon digest " + day + ": " + plural(n, "new story", "new stories")
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// countStories counts the digest's stories: a story listed under two
// people is one story.
func countStories(d Digest) int {
	seen := map[int64]bool{}
	n := 0
	count := func(it DigestItem) {
		if it.Story == 0 || !seen[it.Story] {
			n++
		}
		if it.Story != 0 {
			seen[it.Story] = true
		}
	}
	for _, it := range d.Unclear {
		count(it)
	}
	for _, p := range d.People {
		for _, it := range p.Items {
			count(it)
		}
	}
	return n
}

func buildDigestView(d Digest) digestView {
	loc := locOrUTC(d.Location)
	v := digestView{
		Subject: DigestSubject(d),
		Period:  formatTime(d.PeriodStart, loc) + " to " + formatTime(d.PeriodEnd, loc),
		Total:   countStories(d),
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
		v.Deltas = v.Deltas || p.PrevCounts != nil

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
				iv := newItemView(it, loc)
				iv.Person = "" // the section's heading names the person
				g.Items = append(g.Items, iv)
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
	if !v.Empty {
		v.Chart = buildChart(d.Daily, loc)
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
