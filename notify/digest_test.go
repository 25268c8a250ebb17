package notify

import (
	"flag"
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
// unclear item inside a person section, a story run by three outlets, a
// bad URL, an Arabic title, evidence that repeats the title or was cut
// out of a quotation, and a failing source.
func sampleDigest(t testing.TB) Digest {
	loc := mustLoc(t, "Europe/Brussels")
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	var aarrass, hajib []DayCount
	for i := range 16 { // more than 14: the two oldest must be dropped
		day := time.Date(2026, 2, 23+i, 0, 0, 0, 0, loc)
		aarrass = append(aarrass, DayCount{Day: day, Supportive: i % 3, Critical: (i * 2) % 5, Neutral: i % 2, Unclear: i % 4 / 3})
		hajib = append(hajib, DayCount{Day: day, Critical: i % 5 / 4, Unclear: i % 7 / 6})
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
						Outlet: "news.example.org", Published: at(9, 10), Stance: "supportive", Score: 19.63, Story: 11,
						Topics: []string{"torture", "detention_conditions"},
						AlsoIn: []Outlet{{Name: "wire.example.com", URL: "https://wire.example.com/s/5"},
							{Name: "Example Post", URL: "https://post.example.net/x", Stance: "neutral"}},
						Evidence: []string{"Rights group renews call to investigate detainee's complaint",
							"The group said the complaint of ill-treatment had never been examined.",
							`His lawyer said: "He was never allowed to see a doctor.`}},
					{Title: "Commentary dismisses Aarass claims as a media operation", URL: "https://daily.example.net/op/77",
						Outlet: "daily.example.net", Published: at(9, 14), Stance: "critical", Score: -0.71, Story: 12,
						Topics:   []string{"terrorism", "trial"},
						Evidence: []string{"The writer called the torture story a fabrication aimed at foreign NGOs."}},
					{Title: "Second supportive piece, older", URL: "http://blog.example.com/p?id=3&lang=fr",
						Outlet: "blog.example.com", Published: at(9, 8), Stance: "supportive", Score: 0.4, Story: 13,
						Topics: []string{"prison conditions"}, Evidence: []string{"Supporters held a vigil outside the embassy."}},
					{Title: "علي أعراس أمام المحكمة", URL: "https://court.example.org/cal",
						Outlet: "court.example.org", Published: at(9, 12), Stance: "neutral", Score: 0.02, Story: 14,
						Topics: []string{"trial"}, Evidence: []string{"قال محاميه إن الجلسة أجلت إلى الشهر المقبل."}},
					{Title: "Ambiguous mention in a short brief", URL: "javascript:alert(1)",
						Outlet: "review.example.org", Published: at(9, 18), Stance: "unclear", Score: 0.05, Story: 15,
						Reason: "too short to judge (41 words; classify.min_words is 60)"},
				},
			},
			{
				Person:     "Mohamed Hajib",
				Counts:     map[string]int{"critical": 1, "neutral": 1},
				PrevCounts: nil,
				Items: []DigestItem{
					{Title: "Hajib video draws official rebuttal", URL: "https://daily.example.net/op/78",
						Outlet: "daily.example.net", Published: at(9, 20), Stance: "critical", Score: -0.6, Story: 16,
						Topics: []string{"social_media"}, Evidence: []string{"Officials described the video as defamatory."}},
					// The same story as Aarrass's first: it counts once in the subject.
					{Title: "Rights group renews call to investigate detainee's complaint", URL: "https://news.example.org/a/1",
						Outlet: "news.example.org", Published: at(9, 10), Stance: "neutral", Score: 0.1, Story: 11,
						Evidence: []string{"Hajib was named among the other complainants."}},
				},
			},
		},
		Unclear: []DigestItem{
			{Title: "Translated summary with mixed framing", URL: "https://translate.example.org/x", Person: "Mohamed Hajib",
				Outlet: "translate.example.org", Published: at(9, 7), Stance: "unclear", Score: 0, Story: 17,
				Evidence: []string{"Both the accusations and the denials are quoted at length.”"}},
		},
		Daily: []PersonDays{{Person: "Mohamed Hajib", Days: hajib}, {Person: "Ali Aarrass", Days: aarrass}},
	}
}

func TestRenderDigestGolden(t *testing.T) {
	html, text, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatalf("render digest: %v", err)
	}
	checkGolden(t, "digest.golden.html", html)
	checkGolden(t, "digest.golden.txt", text)
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
	h1, t1, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		h2, t2, err := RenderDigest(sampleDigest(t))
		if err != nil {
			t.Fatal(err)
		}
		if h1 != h2 || t1 != t2 {
			t.Fatal("two renderings of the same digest differ")
		}
	}
}

func TestRenderDigestStructure(t *testing.T) {
	html, text, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, doc, first, second string
	}{
		{"health before people", html, "Source problems", "Ali Aarrass</h2>"},
		{"chart before people", html, "Stories per day, 25 Feb – 10 Mar 2026", "Ali Aarrass</h2>"},
		{"supportive before critical", html, "Supportive (2)", "Critical (1)"},
		{"critical before neutral", html, "Critical (1)", "Neutral (1)"},
		{"newest supportive first", html, "Rights group renews", "Second supportive piece"},
		{"people before unclear", html, "Mohamed Hajib</h2>", "To read: stance unclear (2)"},
		{"text: health first", text, "SOURCE PROBLEMS", "STORIES"},
		{"text: unclear apart", text, "== Mohamed Hajib ==", "== To read: stance unclear (2) =="},
	} {
		i, j := strings.Index(tc.doc, tc.first), strings.Index(tc.doc, tc.second)
		if i < 0 || j < 0 || i > j {
			t.Errorf("%s: want %q (at %d) before %q (at %d)", tc.name, tc.first, i, tc.second, j)
		}
	}
	for _, want := range []string{
		"(&#43;1)", "(−2)", "(±0)", // deltas against PrevCounts; html/template escapes "+"
		"In brackets: change since the previous digest.",
		`Also in: <a href="https://wire.example.com/s/5" dir="auto" style="color:#666666;">wire.example.com</a>, <a href="https://post.example.net/x" dir="auto" style="color:#666666;">Example Post</a> (neutral)`,
		"torture, detention conditions", // topic ids as words
		"10 Mar 2026",                   // the subject's date in Brussels time
		"Why unclear: too short to judge (41 words; classify.min_words is 60)",
		`<p dir="auto" style="margin:0;font-weight:bold;"><a href="https://court.example.org/cal"`,
		`<p dir="auto" style="margin:6px 0 0 0;padding:0 0 0 8px;border-left:2px solid #dddddd;color:#444444;">قال محاميه`,
		// A quotation cut by the sentence split is closed, and a stray
		// closing mark gets its opening one.
		`His lawyer said: &#34;He was never allowed to see a doctor.&#34;</p>`,
		"“Both the accusations and the denials are quoted at length.”</p>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	for _, bad := range []string{"19.63", "0.82", "-0.71", "detention_conditions", "cid:", "<img"} {
		if strings.Contains(html, bad) || strings.Contains(text, bad) {
			t.Errorf("digest shows %q", bad)
		}
	}
	// The title is not quoted again as evidence.
	if n := strings.Count(html, "Rights group renews call to investigate detainee&#39;s complaint"); n != 2 {
		t.Errorf("title of the shared story appears %d times, want 2 (once per person)", n)
	}
	// The unclear item with a javascript: URL is listed but never linked.
	if !strings.Contains(html, "Ambiguous mention in a short brief") || strings.Contains(html, "javascript") {
		t.Error("unclear item with javascript: URL must be shown without its link")
	}
	// Hajib has no previous digest: no delta at all on his row.
	row := html[strings.Index(html, `<td dir="auto" style="padding:4px;">Mohamed Hajib</td>`):]
	row = row[:strings.Index(row, "</tr>")]
	if strings.Contains(row, "(") {
		t.Errorf("row without PrevCounts shows a delta: %s", row)
	}
	for _, want := range []string{
		"Also in: wire.example.com, Example Post (neutral)",
		"  > The group said the complaint of ill-treatment had never been examined.",
		"  Why unclear: too short to judge (41 words",
		"Ali Aarrass: 53 stories; most on 2 Mar (7)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// The first digest has nothing to compare with: no brackets, and no note
// about them.
func TestRenderDigestFirstHasNoDeltas(t *testing.T) {
	d := sampleDigest(t)
	d.People[0].PrevCounts = nil
	html, text, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{html, text} {
		if strings.Contains(strings.ToLower(doc), "in brackets") || strings.Contains(doc, "(±0)") {
			t.Errorf("first digest explains or shows deltas:\n%s", doc)
		}
	}
}

func TestRenderDigestChart(t *testing.T) {
	html, _, err := RenderDigest(sampleDigest(t))
	if err != nil {
		t.Fatal(err)
	}
	// One chart per person, each a table that reads as one image, and
	// every day labelled on a dated axis.
	if n := strings.Count(html, `<table role="img" aria-label=`); n != 2 {
		t.Fatalf("%d charts, want one per person (2)", n)
	}
	for _, want := range []string{
		`aria-label="Ali Aarrass, stories per day from 25 Feb to 10 Mar 2026: 53 in all (14 supportive, 28 critical, 7 neutral, 4 unclear); most on 2 Mar (7)"`,
		`<td colspan="4" align="left"`, `>Feb</td>`, // 25–28 Feb
		`<td colspan="10" align="left"`, `>Mar</td>`, // 1–10 Mar
		`title="2 Mar: 1 supportive, 4 critical, 1 neutral, 1 unclear"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	// The tallest day (7 on 2 Mar) fills the bar height; a day of one
	// story still shows.
	v := buildChart(sampleDigest(t).Daily, mustLoc(t, "Europe/Brussels"))
	var tallest, thinnest int
	thinnest = chartBarPx
	for _, pc := range v.People {
		for _, c := range pc.Columns {
			h := 0
			for _, s := range c.Segments {
				h += s.Px
				thinnest = min(thinnest, s.Px)
			}
			tallest = max(tallest, h)
		}
	}
	if tallest < chartBarPx || tallest > chartBarPx+len(stanceOrder)*chartMinPx {
		t.Errorf("tallest bar %d px, want about %d", tallest, chartBarPx)
	}
	if thinnest < chartMinPx {
		t.Errorf("a segment is %d px, want at least %d", thinnest, chartMinPx)
	}
	if got := len(v.People[0].Columns); got != chartDays {
		t.Errorf("%d days drawn, want %d", got, chartDays)
	}
}

func TestBalanceQuotes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Plain sentence.", "Plain sentence."},
		{`He said "never".`, `He said "never".`},
		{`He said: "We will appeal.`, `He said: "We will appeal."`},
		{`We will appeal." The court was silent.`, `"We will appeal." The court was silent.`},
		{"“We will appeal.", "“We will appeal.”"},
		{"We will appeal.” Then silence.", "“We will appeal.” Then silence."},
		{"« Nous ferons appel.", "« Nous ferons appel.»"},
		{"“One” and “two", "“One” and “two”"},
		{"It's his lawyer's view.", "It's his lawyer's view."},
	} {
		if got := balanceQuotes(tc.in); got != tc.want {
			t.Errorf("balanceQuotes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOutletName(t *testing.T) {
	for _, tc := range []struct{ source, link, want string }{
		{"lemonde-fr", "https://www.lemonde.fr/a/1", "lemonde.fr"},
		{"Le Monde", "https://www.lemonde.fr/a/1", "Le Monde"},
		{"gnews", "https://news.example.org/x", "news.example.org"}, // an aggregator's item names its site
		{"local-feed", "http://127.0.0.1:8080/a", "local-feed"},
		{"intranet", "http://wiki/a", "intranet"},
		{"nolink", "", "nolink"},
		{"v6", "http://[::1]/a", "v6"},
	} {
		if got := outletName(tc.source, tc.link); got != tc.want {
			t.Errorf("outletName(%q, %q) = %q, want %q", tc.source, tc.link, got, tc.want)
		}
	}
}

func TestRenderDigestHostile(t *testing.T) {
	d := sampleDigest(t)
	d.People[0].Items[0].Title = `<script>alert(1)</script>`
	d.People[0].Items[0].Outlet = `"><img src=x onerror=alert(2)>`
	d.People[0].Items[0].Evidence = []string{`</p><iframe src="https://evil.example"></iframe>`}
	d.People[0].Items[0].AlsoIn = []Outlet{{Name: "<b>x</b>", URL: "javascript:alert(4)"}}
	d.People[0].Items[1].URL = "JavaScript:alert(3)"
	d.People[0].Items[2].URL = "data:text/html,<b>x</b>"
	d.People[0].Person = "Ali <b>Aarrass</b>"
	d.Health[0].Problem = "<style>body{display:none}</style>"
	html, text, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img src=x", "<iframe", "<b>Aarrass", "<b>x", "<style>", "javascript:", "JavaScript:", "data:text"} {
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
			html, text, err := RenderDigest(d)
			if err != nil {
				t.Fatal(err)
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
			if strings.Contains(html, `role="img"`) {
				t.Error("an empty digest should have no chart")
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
		{"one story under two people counts once", base, "newsmon digest 10 Mar 2026: 7 new stories"},
		{"given", Digest{Subject: "Weekly\r\nBcc: x@example.com"}, "Weekly Bcc: x@example.com"},
		{"one story", Digest{PeriodEnd: base.PeriodEnd, Unclear: base.Unclear[:1]}, "newsmon digest 10 Mar 2026: 1 new story"},
	} {
		if got := DigestSubject(tc.d); got != tc.want {
			t.Errorf("%s: subject = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func BenchmarkRenderDigest(b *testing.B) {
	d := sampleDigest(b)
	for b.Loop() {
		if _, _, err := RenderDigest(d); err != nil {
			b.Fatal(err)
		}
	}
}
