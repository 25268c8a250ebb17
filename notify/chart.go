package notify

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The chart of stories per day is an HTML table, one small chart per
// person on a shared scale (small multiples): bars are table cells with a
// height and a background colour, the numbers and dates are text. Every
// mail client draws that, with images blocked too; text stays sharp at any
// pixel density; and the saved preview needs nothing beside the HTML.
// docs/alerts-and-digest.md says why this is not an image.

// chartDays is how many days the chart covers.
const chartDays = 14

// Chart geometry in CSS pixels.
const (
	chartBarPx   = 56 // the tallest bar
	chartMinPx   = 2  // the thinnest segment: one story stays visible
	chartLabelPx = 13 // the day's total above its bar
)

// chartView is the charts of every person with stories in the window.
type chartView struct {
	Title  string // "Stories per day, 25 Feb – 10 Mar 2026"
	People []personChart
}

type personChart struct {
	Person string
	// CellPx is the height of the bars' cells: the person's tallest bar on
	// the shared scale, its label, and room for thin segments rounded up.
	CellPx  int
	Summary string // "23 stories; most on 3 Mar (5)": the caption and the text digest's line
	Alt     string // the whole chart in words, for screen readers
	Columns []chartColumn
	Months  []monthSpan
}

// chartColumn is one day: its total above a bar of stacked segments.
type chartColumn struct {
	Day      string // day of the month, the axis label
	Title    string // "3 Mar: 2 supportive, 1 critical"
	Total    int
	Segments []chartSegment // top to bottom
	Weekend  bool
}

type chartSegment struct {
	Color string
	Px    int
}

// monthSpan labels the run of days of one month under the axis.
type monthSpan struct {
	Label string
	Days  int
}

// buildChart draws the last chartDays days of each person's counts on one
// scale; people with no story in the window are left out, and nil means
// there is nothing to draw.
func buildChart(daily []PersonDays, loc *time.Location) *chartView {
	var people []PersonDays
	maxTotal := 0
	for _, pd := range daily {
		days := lastDays(pd.Days, chartDays)
		total := 0
		for _, d := range days {
			maxTotal = max(maxTotal, dayTotal(d))
			total += dayTotal(d)
		}
		if total > 0 {
			people = append(people, PersonDays{Person: pd.Person, Days: days})
		}
	}
	if len(people) == 0 {
		return nil
	}
	slices.SortStableFunc(people, func(a, b PersonDays) int { return strings.Compare(a.Person, b.Person) })
	first, last := people[0].Days[0].Day.In(loc), people[0].Days[len(people[0].Days)-1].Day.In(loc)
	v := &chartView{Title: "Stories per day, " + first.Format("2 Jan") + " – " + last.Format("2 Jan 2006")}
	for _, pd := range people {
		v.People = append(v.People, newPersonChart(pd, maxTotal, loc))
	}
	return v
}

func newPersonChart(pd PersonDays, maxTotal int, loc *time.Location) personChart {
	pc := personChart{Person: clip(oneLine(pd.Person), 80)}
	var sum [4]int
	total, peak, tallest := 0, 0, 0
	var peakDay time.Time
	for _, d := range pd.Days {
		day := d.Day.In(loc)
		n := stanceCounts(d)
		col := chartColumn{Day: strconv.Itoa(day.Day()), Total: dayTotal(d),
			Weekend: day.Weekday() == time.Saturday || day.Weekday() == time.Sunday,
			Title:   day.Format("2 Jan") + ": " + countWords(n)}
		// Top to bottom: unclear, neutral, critical, supportive at the base.
		bar := 0
		for i := len(stanceOrder) - 1; i >= 0; i-- {
			if n[i] > 0 {
				px := max(chartMinPx, (n[i]*chartBarPx+maxTotal/2)/maxTotal)
				col.Segments = append(col.Segments, chartSegment{Color: stanceColors[stanceOrder[i]], Px: px})
				bar += px
			}
			sum[i] += n[i]
		}
		tallest = max(tallest, bar)
		pc.Columns = append(pc.Columns, col)
		total += col.Total
		if col.Total > peak {
			peak, peakDay = col.Total, day
		}
		label := day.Format("Jan")
		if len(pc.Months) == 0 || pc.Months[len(pc.Months)-1].Label != label {
			pc.Months = append(pc.Months, monthSpan{Label: label})
		}
		pc.Months[len(pc.Months)-1].Days++
	}
	pc.CellPx = tallest + chartLabelPx + 2
	pc.Summary = fmt.Sprintf("%s; most on %s (%d)", plural(total, "story", "stories"), peakDay.Format("2 Jan"), peak)
	if peak == 1 {
		pc.Summary = plural(total, "story", "stories") + ", one a day at most"
	}
	first, last := pd.Days[0].Day.In(loc), pd.Days[len(pd.Days)-1].Day.In(loc)
	pc.Alt = fmt.Sprintf("%s, stories per day from %s to %s: %d in all (%s); most on %s (%d)",
		pc.Person, first.Format("2 Jan"), last.Format("2 Jan 2006"), total, countWords(sum), peakDay.Format("2 Jan"), peak)
	return pc
}

func stanceCounts(d DayCount) [4]int {
	return [4]int{d.Supportive, d.Critical, d.Neutral, d.Unclear}
}

func dayTotal(d DayCount) int { return d.Supportive + d.Critical + d.Neutral + d.Unclear }

// countWords says "2 supportive, 1 critical", leaving out the zeros.
func countWords(n [4]int) string {
	var parts []string
	for i, st := range stanceOrder {
		if n[i] > 0 {
			parts = append(parts, strconv.Itoa(n[i])+" "+st)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
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
