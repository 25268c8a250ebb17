package notify

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load location %s: %v", name, err)
	}
	return loc
}

// sampleDigest is a fixed, invented digest: two people, every stance, an
// unclear item inside a person section, a bad URL and a failing source.
func sampleDigest(t testing.TB) Digest {
	loc := mustLoc(t, "Europe/Brussels")
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	var daily []DayCount
	for i := range 16 { // more than 14: the two oldest must be dropped
		daily = append(daily, DayCount{Day: time.Date(2026, 2, 23+i, 0, 0, 0, 0, loc),
			Supportive: i % 3, Critical: (i * 2) % 5, Neutral: i % 2, Unclear: i % 4 / 3})
	}
	return Digest{
		PeriodStart: at(9, 6),
		PeriodEnd:   at(10, 6),
		Location:    loc,
		Health: []SourceProblem{
			{Source: "Example Courier", Problem: "HTTP 503 on the last 4 fetches", Since: at(8, 22)},
		},
		People: []PersonSection{
			{
				Person:     "Ali Aarrass",
				Counts:     map[string]int{"supportive": 2, "critical": 1, "neutral": 1, "unclear": 1},
				PrevCounts: map[string]int{"supportive": 1, "critical": 3, "unclear": 1},
				Items: []DigestItem{
					{Title: "Rights group renews call to investigate detainee's complaint", URL: "https://news.example.org/a/1",
						Outlet: "Example Tribune", Published: at(9, 10), Stance: "supportive", Score: 0.82,
						Topics: []string{"torture", "campaign"}, AlsoIn: []string{"Example Wire", "Example Post"},
						Evidence: []string{"The group said the complaint of ill-treatment had never been examined.", "It asked for an independent medical check."}},
					{Title: "Commentary dismisses Aarass claims as a media operation", URL: "https://daily.example.net/op/77",
						Outlet: "Example Daily", Published: at(9, 14), Stance: "critical", Score: -0.71,
						Topics:   []string{"terrorism", "trial"},
						Evidence: []string{"The writer called the torture story a fabrication aimed at foreign NGOs."}},
					{Title: "Second supportive piece, older", URL: "http://blog.example.com/p?id=3&lang=fr",
						Outlet: "Example Blog", Published: at(9, 8), Stance: "supportive", Score: 0.4,
						Topics: []string{"prison conditions"}, Evidence: []string{"Supporters held a vigil outside the embassy."}},
					{Title: "Court calendar for the week", URL: "https://court.example.org/cal",
						Outlet: "Example Gazette", Published: at(9, 12), Stance: "neutral", Score: 0.02,
						Topics: []string{"trial"}, Evidence: []string{"Aarras appears on the list of scheduled hearings."}},
					{Title: "Ambiguous mention in a long interview", URL: "javascript:alert(1)",
						Outlet: "Example Review", Published: at(9, 18), Stance: "unclear", Score: 0.05,
						Evidence: []string{"The interviewee mentioned the case without taking a side."}},
				},
			},
			{
				Person:     "Mohamed Hajib",
				Counts:     map[string]int{"critical": 1},
				PrevCounts: nil,
				Items: []DigestItem{
					{Title: "Hajib video draws official rebuttal", URL: "https://daily.example.net/op/78",
						Outlet: "Example Daily", Published: at(9, 20), Stance: "critical", Score: -0.6,
						Topics: []string{"social media"}, Evidence: []string{"Officials described the video as defamatory."}},
				},
			},
		},
		Unclear: []DigestItem{
			{Title: "Translated summary with mixed framing", URL: "https://translate.example.org/x", Person: "Mohamed Hajib",
				Outlet: "Example Digest", Published: at(9, 7), Stance: "unclear", Score: 0,
				Evidence: []string{"Both the accusations and the denials are quoted at length."}},
		},
		Daily: daily,
	}
}

func TestRenderDigestGolden(t *testing.T) {
	html, text, chart, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatalf("render digest: %v", err)
	}
	checkGolden(t, "digest.golden.html", html)
	checkGolden(t, "digest.golden.txt", text)
	if len(chart) == 0 {
		t.Fatal("no chart for a digest with daily counts")
	}
	checkGoldenPNG(t, "digest.golden.png", chart)
}

// checkGoldenPNG compares pixels, not bytes, so a change in the PNG
// encoder's compression does not fail the test.
func checkGoldenPNG(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write golden %s: %v", path, err)
		}
		return
	}
	wantBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run with -update to create): %v", path, err)
	}
	want, err := png.Decode(bytes.NewReader(wantBytes))
	if err != nil {
		t.Fatalf("decode golden %s: %v", path, err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("decode chart: %v", err)
	}
	if img.Bounds() != want.Bounds() {
		t.Fatalf("chart is %v, golden is %v", img.Bounds(), want.Bounds())
	}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := img.At(x, y).RGBA()
			r2, g2, b2, a2 := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("chart differs from %s at (%d,%d); run with -update and look at it", name, x, y)
			}
		}
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("write golden %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run with -update to create): %v", path, err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering; run go test ./notify -update and review the diff\n--- got ---\n%s", name, got)
	}
}

func TestRenderDigestDeterministic(t *testing.T) {
	h1, t1, c1, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		h2, t2, c2, err := RenderDigest(sampleDigest(t))
		if err != nil {
			t.Fatal(err)
		}
		if h1 != h2 || t1 != t2 || !bytes.Equal(c1, c2) {
			t.Fatal("two renderings of the same digest differ")
		}
	}
}

func TestRenderDigestStructure(t *testing.T) {
	html, text, _, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, doc, first, second string
	}{
		{"health before people", html, "Source problems", "Ali Aarrass</h2>"},
		{"supportive before critical", html, "Supportive (2)", "Critical (1)"},
		{"critical before neutral", html, "Critical (1)", "Neutral (1)"},
		{"newest supportive first", html, "Rights group renews", "Second supportive piece"},
		{"people before unclear", html, "Mohamed Hajib</h2>", "To read: stance unclear (2)"},
		{"text: health first", text, "SOURCE PROBLEMS", "SUMMARY"},
		{"text: unclear apart", text, "== Mohamed Hajib ==", "== To read: stance unclear (2) =="},
	} {
		i, j := strings.Index(tc.doc, tc.first), strings.Index(tc.doc, tc.second)
		if i < 0 || j < 0 || i > j {
			t.Errorf("%s: want %q (at %d) before %q (at %d)", tc.name, tc.first, i, tc.second, j)
		}
	}
	for _, want := range []string{
		"(&#43;1)", "(−2)", "(±0)", // deltas against PrevCounts; html/template escapes "+"
		`src="cid:` + ChartContentID + `"`,
		"Example Wire, Example Post",
		"10 Mar 2026", // the subject's date in Brussels time
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// The unclear item with a javascript: URL is listed but never linked.
	if !strings.Contains(html, "Ambiguous mention in a long interview") || strings.Contains(html, "javascript") {
		t.Error("unclear item with javascript: URL must be shown without its link")
	}
	// Hajib has no previous digest: no delta at all on his row.
	row := html[strings.Index(html, "<td>Mohamed Hajib</td>"):]
	row = row[:strings.Index(row, "</tr>")]
	if strings.Contains(row, "(") {
		t.Errorf("row without PrevCounts shows a delta: %s", row)
	}
}

func TestRenderDigestHostile(t *testing.T) {
	d := sampleDigest(t)
	d.People[0].Items[0].Title = `<script>alert(1)</script>`
	d.People[0].Items[0].Outlet = `"><img src=x onerror=alert(2)>`
	d.People[0].Items[0].Evidence = []string{`</p><iframe src="https://evil.example"></iframe>`}
	d.People[0].Items[1].URL = "JavaScript:alert(3)"
	d.People[0].Items[2].URL = "data:text/html,<b>x</b>"
	d.People[0].Person = "Ali <b>Aarrass</b>"
	d.Health[0].Problem = "<style>body{display:none}</style>"
	html, text, _, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img src=x", "<iframe", "<b>Aarrass", "<style>", "javascript:", "JavaScript:", "data:text"} {
		if strings.Contains(html, bad) {
			t.Errorf("html contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;iframe", "Ali &lt;b&gt;Aarrass&lt;/b&gt;"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks escaped %q", want)
		}
	}
	if !strings.Contains(text, "<script>alert(1)</script>") {
		t.Error("plain text should carry the title as written")
	}
	if strings.Contains(text, "JavaScript:alert") {
		t.Error("plain text must not print a javascript: URL as a link")
	}
}

func TestRenderDigestEmpty(t *testing.T) {
	for _, tc := range []struct {
		name       string
		health     bool
		wantHealth bool
	}{
		{"quiet", false, false},
		{"quiet with a broken source", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			full := sampleDigest(t)
			d := Digest{PeriodStart: full.PeriodStart, PeriodEnd: full.PeriodEnd, Location: full.Location,
				People: []PersonSection{{Person: "Ali Aarrass", Counts: map[string]int{}}}, Daily: full.Daily}
			if tc.health {
				d.Health = full.Health
			}
			html, text, chart, err := RenderDigest(d)
			if err != nil {
				t.Fatal(err)
			}
			if chart != nil {
				t.Error("an empty digest should have no chart")
			}
			for _, doc := range []string{html, text} {
				if !strings.Contains(doc, "Nothing new in this period.") {
					t.Errorf("no 'nothing new' line in:\n%s", doc)
				}
				if strings.Contains(doc, "Ali Aarrass") {
					t.Error("empty digest lists people")
				}
				if got := strings.Contains(doc, "Example Courier"); got != tc.wantHealth {
					t.Errorf("health shown = %v, want %v", got, tc.wantHealth)
				}
			}
			if strings.Contains(html, "cid:") {
				t.Error("empty digest refers to a chart")
			}
			if s := DigestSubject(d); s != "newsmon digest 10 Mar 2026: nothing new" {
				t.Errorf("subject = %q", s)
			}
			if len(text) > 600 {
				t.Errorf("empty digest text is %d bytes, want it short", len(text))
			}
		})
	}
}

func TestDigestSubject(t *testing.T) {
	base := sampleDigest(t)
	for _, tc := range []struct {
		name string
		d    Digest
		want string
	}{
		{"built", base, "newsmon digest 10 Mar 2026: 7 new items"},
		{"given", Digest{Subject: "Weekly\r\nBcc: x@example.com"}, "Weekly Bcc: x@example.com"},
		{"one item", Digest{PeriodEnd: base.PeriodEnd, Unclear: base.Unclear[:1]}, "newsmon digest 10 Mar 2026: 1 new item"},
	} {
		if got := DigestSubject(tc.d); got != tc.want {
			t.Errorf("%s: subject = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestChartPNG(t *testing.T) {
	days := lastDays(sampleDigest(t).Daily, chartDays)
	if len(days) != chartDays || days[0].Day.Day() != 25 {
		t.Fatalf("lastDays kept %d days starting %v, want 14 from 25 Feb", len(days), days[0].Day)
	}
	b, err := drawChart(days, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() != chartW || r.Dy() != chartH {
		t.Errorf("chart is %v, want %dx%d", r, chartW, chartH)
	}
	// The tallest day must reach the top of the plot in some stance colour.
	found := false
	for x := plotLeft; x < plotRight && !found; x++ {
		r, g, b, _ := img.At(x, plotTop).RGBA()
		found = !(r == g && g == b) // not white or grey
	}
	if !found {
		t.Error("no bar reaches the top of the plot")
	}
}

func BenchmarkRenderDigest(b *testing.B) {
	d := sampleDigest(b)
	for b.Loop() {
		if _, _, _, err := RenderDigest(d); err != nil {
			b.Fatal(err)
		}
	}
}
