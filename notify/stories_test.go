package notify

import (
	"context"
	"github.com/newsmon/newsmon/internal/dbtest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/store"
)

// storyStore holds, as a day's work leaves it: a wire story run by three
// outlets (one of them before this period, one framing it differently), a
// brief too short to judge and a piece in Arabic.
func storyStore(t *testing.T, now time.Time) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SyncSources(ctx, []store.SourceDef{
		{Name: "wire-feed", Type: "feed", URL: "https://wire.example.com/feed"},
		{Name: "Le Courrier", Type: "feed", URL: "https://courrier.example.org/rss"},
		{Name: "daily", Type: "feed", URL: "https://www.daily.example.net/feed"},
		{Name: "briefs", Type: "feed", URL: "http://127.0.0.1:8080/briefs.xml"},
	}); err != nil {
		t.Fatal(err)
	}
	wire, rewrite := readStoryText(t, "wire"), readStoryText(t, "rewrite")
	item := func(link, title, text, label string, score float64, published time.Time, evidence ...string) store.Item {
		reason := ""
		if label == "unclear" {
			reason = "unclear: 11 words (fewer than classify.min_words 60)"
		}
		ev := `[`
		for i, e := range evidence {
			if i > 0 {
				ev += ","
			}
			ev += `{"sentence":` + jsonString(e) + `}`
		}
		ev += `]`
		keys, _ := classify.StoryKeys(text)
		return store.Item{GUID: link, URL: link, CanonicalURL: link, Title: title, Text: text, ContentHash: link,
			Published: published, Fingerprint: classify.Fingerprint(text), StoryKeys: keys[:],
			Mentions: []store.Mention{{Person: "Ali Aarrass", Spelling: "Ali Aarrass", Count: 1}},
			Stances:  []store.Stance{{Person: "Ali Aarrass", Label: label, Score: score, Evidence: []byte(ev), RulesVersion: "t", Reason: reason}},
		}
	}
	save := func(source string, at time.Time, items ...store.Item) {
		t.Helper()
		res, err := st.SaveRun(ctx, store.Run{Source: source, Status: store.StatusOK, FinishedAt: at, Items: items})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range res.NewItems {
			if n.ID != n.StoryID && !n.JoinedStory {
				t.Fatalf("item %d: story %d without joining one", n.ID, n.StoryID)
			}
		}
	}
	const title = "Family of Ali Aarrass asks the ministry to press for his release"
	save("Le Courrier", now.Add(-72*time.Hour),
		item("https://courrier.example.org/2026/aarrass", title, wire, "supportive", 8, now.Add(-73*time.Hour),
			"His sister told the small crowd that his health was getting worse."))
	save("wire-feed", now.Add(-2*time.Hour),
		item("https://wire.example.com/s/1", title, wire, "supportive", 19.63, now.Add(-3*time.Hour),
			title, "The letter recalls that a United Nations working group found his detention arbitrary.",
			`His sister said: "We have not seen him for months.`))
	save("daily", now.Add(-time.Hour),
		item("https://www.daily.example.net/aarrass-letter", "Aarrass family hands a letter to the ministry", rewrite, "neutral", 0.5, now.Add(-90*time.Minute),
			"A spokesperson for the ministry said the letter would be read carefully."),
		item("https://www.daily.example.net/ar/1", "عائلة علي أعراس تطالب بالإفراج عنه",
			"قالت شقيقته إن صحته تتدهور وإن العائلة لم تتمكن من زيارته منذ أشهر، وإن المحامين طالبوا بفحص طبي مستقل لم يجر حتى الآن.",
			"critical", -3.2, now.Add(-80*time.Minute), "قالت شقيقته إن صحته تتدهور."))
	save("briefs", now.Add(-30*time.Minute),
		item("http://127.0.0.1:8080/briefs/7", "Court list", "Ali Aarrass appears on the list of hearings for this week.", "unclear", 0, now.Add(-40*time.Minute)))
	return st
}

func readStoryText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "stories", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func jsonString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// The digest built from the store lists a syndicated story once, with all
// its outlets, and counts stories, not copies.
func TestDigestFromStoreListsStoriesOnce(t *testing.T) {
	now := time.Now().UTC()
	st := storyStore(t, now)
	job := NewDigestJob(st, nil, quiet, DigestConfig{})
	d, rec, err := job.Build(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	html, text, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}

	if rec.Items != 4 {
		t.Errorf("record counts %d items, want the 4 items of the period", rec.Items)
	}
	want := map[string]int{"supportive": 1, "critical": 1, "unclear": 1}
	if got := rec.Counts["Ali Aarrass"]; len(got) != len(want) || got["supportive"] != 1 || got["critical"] != 1 || got["unclear"] != 1 {
		t.Errorf("recorded counts %v, want one story per stance: %v", got, want)
	}
	if s := DigestSubject(d); !strings.HasSuffix(s, ": 3 new stories") {
		t.Errorf("subject %q, want 3 new stories", s)
	}

	// One entry for the wire story, under the stance most of its copies in
	// the period take (a tie goes to the stronger evidence), naming every
	// other outlet once: the one before the period too, and how the
	// rewrite differs. The rewrite is no entry of its own.
	if n := strings.Count(html, "Family of Ali Aarrass asks the ministry"); n != 1 {
		t.Errorf("wire story listed %d times, want once", n)
	}
	if strings.Contains(html, "Aarrass family hands a letter") {
		t.Error("the rewrite has an entry of its own")
	}
	for _, w := range []string{
		"Supportive (1)", "Critical (1)",
		`<a href="https://wire.example.com/s/1" style="color:#1a4f9c;text-decoration:underline;">Family of Ali Aarrass asks the ministry to press for his release</a>`,
		`<span dir="auto">wire.example.com</span>`, // a config key gives way to the site's host
		`Also in: <a href="https://courrier.example.org/2026/aarrass" dir="auto" style="color:#666666;">Le Courrier</a>, <a href="https://www.daily.example.net/aarrass-letter" dir="auto" style="color:#666666;">daily.example.net</a> (neutral)</p>`,
		`<span dir="auto">briefs</span>`, // no public host: the key stays
		"Why unclear: 11 words (fewer than classify.min_words 60)",
		`<p dir="auto" style="margin:6px 0 0 0;padding:0 0 0 8px;border-left:2px solid #dddddd;color:#444444;">قالت شقيقته إن صحته تتدهور.</p>`,
		`His sister said: &#34;We have not seen him for months.&#34;</p>`,
		`<table role="img" aria-label="Ali Aarrass, stories per day from `,
	} {
		if !strings.Contains(html, w) {
			t.Errorf("html lacks %q", w)
		}
	}
	// Counts per story in the summary row: 1 supportive, 1 critical, 0
	// neutral, 1 unclear; no deltas on a first digest.
	row := regexp.MustCompile(`<td dir="auto" style="padding:4px;">Ali Aarrass</td>(.*?)</tr>`).FindStringSubmatch(html)
	if row == nil {
		t.Fatal("no summary row for Ali Aarrass")
	}
	cells := regexp.MustCompile(`>(\d+)</td>`).FindAllStringSubmatch(row[1], -1)
	var counts []string
	for _, c := range cells {
		counts = append(counts, c[1])
	}
	if strings.Join(counts, " ") != "1 1 0 1" {
		t.Errorf("summary counts %v, want 1 1 0 1", counts)
	}
	// The chart counts the wire story once, on the day its first copy ran.
	if !regexp.MustCompile(`aria-label="Ali Aarrass, stories per day from [^"]*: 3 in all \(1 supportive, 1 critical, 1 unclear\)`).MatchString(html) {
		t.Errorf("chart does not count 3 stories:\n%s", html[strings.Index(html, `role="img"`):][:300])
	}
	for _, bad := range []string{"19.63", "8.00", "cid:", "<img", "In brackets"} {
		if strings.Contains(html, bad) || strings.Contains(text, bad) {
			t.Errorf("digest shows %q", bad)
		}
	}
	// The title is not quoted back as evidence.
	if strings.Count(text, "Family of Ali Aarrass asks the ministry") != 1 {
		t.Errorf("title repeated in the text digest:\n%s", text)
	}
	if !strings.Contains(text, "Also in: Le Courrier, daily.example.net (neutral)") {
		t.Errorf("text digest lacks the outlets:\n%s", text)
	}
}

func TestStoryStance(t *testing.T) {
	s := func(label string, score float64) store.ItemStance {
		return store.ItemStance{Label: label, Score: score}
	}
	for _, tc := range []struct {
		name    string
		stances []store.ItemStance
		want    string
	}{
		{"one copy", []store.ItemStance{s("critical", -2)}, "critical"},
		{"most copies win", []store.ItemStance{s("critical", -9), s("supportive", 1), s("supportive", 1)}, "supportive"},
		{"a tie goes to the stronger evidence", []store.ItemStance{s("neutral", 0.5), s("supportive", 19.6)}, "supportive"},
		{"unclear copies do not vote", []store.ItemStance{s("unclear", 0), s("unclear", 0), s("neutral", 0.1)}, "neutral"},
		{"all unclear", []store.ItemStance{s("unclear", 0), s("bogus", 1)}, "unclear"},
	} {
		if got := storyStance(tc.stances); got != tc.want {
			t.Errorf("%s: storyStance = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A person's label wins over the classifier's in the digest: the brief the
// classifier found too short moves from "stance unclear" to the stance a
// person gave it, marked as theirs, and the counts follow.
func TestDigestShowsHumanLabel(t *testing.T) {
	now := time.Now().UTC()
	st := storyStore(t, now)
	ctx := context.Background()
	var brief int64
	items, err := st.DigestItems(ctx, now.Add(-2*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Title == "Court list" {
			brief = it.ID
		}
	}
	if brief == 0 {
		t.Fatal("no brief in the store")
	}
	if _, err := st.SetStanceLabel(ctx, store.StanceLabel{ItemID: brief, Person: "Ali Aarrass", Label: "critical", By: "tester"}, now); err != nil {
		t.Fatal(err)
	}
	d, rec, err := NewDigestJob(st, nil, quiet, DigestConfig{}).Build(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Counts["Ali Aarrass"]; got["critical"] != 2 || got["unclear"] != 0 {
		t.Errorf("counts %v, want the labelled brief counted critical", got)
	}
	html, text, err := RenderDigest(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Unclear) != 0 || strings.Contains(html, "Why unclear") {
		t.Error("the labelled brief is still listed as unclear")
	}
	if !strings.Contains(html, "s label (newsmon label)") || !strings.Contains(text, "Critical: a person's label") {
		t.Errorf("the labelled brief is not marked as a person's label:\n%s", text)
	}
}
