package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/internal/dbtest"
	"github.com/newsmon/newsmon/internal/sqltest"
	"github.com/newsmon/newsmon/store"
)

// storyText is long enough for a fingerprint; each variant changes a few
// words, as a repost does.
const storyText = `Supporters of Ali Aarrass gathered outside the embassy on Monday to demand his release,
saying that he had been held for years after a trial that rights groups called unfair. His sister read a
letter describing the conditions of his detention and the hunger strike he began last month. Officials
declined to comment on the case, and the ministry repeated that the courts had ruled.`

func reclassifyItems() []store.Item {
	var items []store.Item
	add := func(guid, title, text string) {
		items = append(items, store.Item{GUID: guid, URL: "https://wire.example/" + guid, CanonicalURL: "https://wire.example/" + guid,
			Title: title, Text: text, ContentHash: guid})
	}
	add("a", "Rally for Aarrass", storyText)
	add("b", "Repost: rally for Aarrass", strings.Replace(storyText, "on Monday", "on Monday morning", 1))
	add("c", "Harbour reopens", strings.Repeat("The harbour reopened to ferries after the storm passed. ", 8))
	add("d", "Aarrass in brief", "A short note naming Ali Aarrass.")
	add("e", "Another rally", strings.Replace(storyText, "embassy", "consulate", 1))
	return items
}

func classifierFor(t *testing.T, people ...string) *classify.Classifier {
	t.Helper()
	var ps []classify.Person
	for _, p := range people {
		ps = append(ps, classify.Person{Name: p})
	}
	c, err := classify.New(ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SyncSources(context.Background(), []store.SourceDef{{Name: "wire", Type: "feed", URL: "https://wire.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// saveLabelled stores items labelled by c, as a fetch does.
func saveLabelled(t *testing.T, st *store.Store, c *classify.Classifier, items []store.Item, at time.Time) {
	t.Helper()
	for i := range items {
		label(c, &items[i], "")
	}
	if _, err := st.SaveRun(context.Background(), store.Run{Source: "wire", Status: store.StatusOK, StartedAt: at, FinishedAt: at, Items: items}); err != nil {
		t.Fatal(err)
	}
}

// labelsOf lists every item's labels, fingerprint and story (as the guid of
// the story's first item), in guid order.
func labelsOf(t *testing.T, st *store.Store) string {
	t.Helper()
	var b strings.Builder
	for _, row := range sqltest.Rows(t, st.Path(), `SELECT i.id, i.guid, coalesce(CAST(i.simhash AS TEXT), 'none'),
		coalesce((SELECT s.guid FROM items s WHERE s.id = i.story_id), 'none') FROM items i ORDER BY i.guid`) {
		f := strings.Split(row, "|")
		id, guid, simhash, story := f[0], f[1], f[2], f[3]
		mentions := sqltest.Rows(t, st.Path(), `SELECT person || ':' || spelling || 'x' || count FROM mentions
			WHERE item_id = ? ORDER BY person, spelling`, id)
		var stances []string
		for _, s := range sqltest.Rows(t, st.Path(), `SELECT person, label, score FROM stances WHERE item_id = ? ORDER BY person`, id) {
			p := strings.Split(s, "|")
			score, err := strconv.ParseFloat(p[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			stances = append(stances, fmt.Sprintf("%s=%s%.3f", p[0], p[1], score))
		}
		topics := sqltest.Rows(t, st.Path(), `SELECT topic FROM topics WHERE item_id = ? ORDER BY topic`, id)
		fmt.Fprintf(&b, "%s mentions[%s] stances[%s] topics[%s] simhash %s story %s\n", guid, strings.Join(mentions, ","),
			strings.Join(stances, ","), strings.Join(topics, ","), simhash, story)
	}
	return b.String()
}

// Items stored before a person was tracked, then reclassified, end up with
// exactly the labels, fingerprints and stories that a fetch made after
// the person was added gives them.
func TestReclassifyLabelsAsIngestDoes(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tracked := classifierFor(t, "Ali Aarrass")

	fetched := openStore(t)
	saveLabelled(t, fetched, tracked, reclassifyItems(), at)
	want := labelsOf(t, fetched)
	if !strings.Contains(want, "b mentions[Ali Aarrass") || !strings.Contains(want, "story a") {
		t.Fatalf("ingest fixture lacks mentions or a shared story:\n%s", want)
	}

	history := openStore(t)
	saveLabelled(t, history, classifierFor(t, "Someone Else"), reclassifyItems(), at)
	if before := labelsOf(t, history); strings.Contains(before, "Aarrass:") || strings.Contains(before, "story a") {
		t.Fatalf("history already labelled:\n%s", before)
	}
	res, err := Reclassify(ctx, tracked, history, ReclassifyOptions{Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Done != 5 || res.Total != 5 || res.Changed == 0 {
		t.Errorf("Reclassify = %+v, want 5 of 5 done and labels changed", res)
	}
	if got := labelsOf(t, history); got != want {
		t.Errorf("reclassified history:\n%s\nfetched with the person tracked:\n%s", got, want)
	}
	// Again, nothing changes.
	if res, err := Reclassify(ctx, tracked, history, ReclassifyOptions{Batch: 2}); err != nil || res.Changed != 0 {
		t.Errorf("second Reclassify = %+v, %v; want nothing changed", res, err)
	}
}

// An interrupted run resumes after its last committed batch, even with a
// later --since (a relative one moves on with the clock).
func TestReclassifyResumes(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	saveLabelled(t, st, classifierFor(t, "Someone Else"), reclassifyItems(), time.Now())
	tracked := classifierFor(t, "Ali Aarrass")

	cctx, cancel := context.WithCancel(ctx)
	var seen []ReclassifyProgress
	since := time.Now().Add(-2 * time.Hour)
	_, err := Reclassify(cctx, tracked, st, ReclassifyOptions{Batch: 2, Since: since, Progress: func(p ReclassifyProgress) {
		seen = append(seen, p)
		if p.Done == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Reclassify: %v, want context.Canceled", err)
	}
	if len(seen) != 2 || seen[0].Done != 0 || seen[0].Total != 5 || seen[1].Done != 2 {
		t.Fatalf("progress reports %+v, want 0/5 then 2/5", seen)
	}
	prog, ok, err := st.ReclassifyProgress(ctx)
	if err != nil || !ok || prog.Done != 2 {
		t.Fatalf("stored progress %+v, %v, %v; want 2 done", prog, ok, err)
	}

	if !prog.Since.Equal(since.Truncate(time.Second)) {
		t.Errorf("stored since %v, want %v", prog.Since, since)
	}

	seen = nil
	res, err := Reclassify(ctx, tracked, st, ReclassifyOptions{Batch: 2, Since: since.Add(time.Minute),
		Progress: func(p ReclassifyProgress) { seen = append(seen, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != 2 || res.Done != 5 || seen[0].Done != 2 || seen[0].Total != 5 {
		t.Errorf("resumed run = %+v (first report %+v), want 2 resumed, 5 done", res, seen[0])
	}
	if _, ok, _ := st.ReclassifyProgress(ctx); ok {
		t.Error("progress left behind by a finished run")
	}
	if !strings.Contains(labelsOf(t, st), "a mentions[Ali Aarrass") {
		t.Error("the first batch lost its labels on resume")
	}
}

// Items whose text retention dropped keep their labels.
func TestReclassifyKeepsLabelsOfPrunedItems(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	old := time.Now().AddDate(0, 0, -100)
	tracked := classifierFor(t, "Ali Aarrass")
	saveLabelled(t, st, tracked, reclassifyItems()[:1], old)
	if _, err := st.Prune(ctx, time.Now(), 30); err != nil {
		t.Fatal(err)
	}
	before := labelsOf(t, st)
	res, err := Reclassify(ctx, classifierFor(t, "Someone Else"), st, ReclassifyOptions{})
	if err != nil || res.Kept != 1 || res.Changed != 0 {
		t.Fatalf("Reclassify = %+v, %v; want the pruned item kept", res, err)
	}
	if got := labelsOf(t, st); got != before {
		t.Errorf("labels of a pruned item changed:\n%s\nwas:\n%s", got, before)
	}
}

// Only a run of the same job over no more items takes progress up: other
// rules, people or priors, or an earlier --since, start over.
func TestReclassifyResumesOnlyTheSameJob(t *testing.T) {
	c := classifierFor(t, "Ali Aarrass")
	opts := ReclassifyOptions{StancePriors: map[string]string{"wire": "critical"}, People: []classify.Person{{Name: "Ali Aarrass"}}}
	job := reclassifyJob(c.RulesVersion(), opts)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	prog := store.ReclassifyProgress{Job: job, Since: day}
	for _, tc := range []struct {
		name  string
		job   string
		since time.Time
		want  bool
	}{
		{"same job and range", job, day, true},
		{"later since", job, day.Add(time.Hour), true},
		{"earlier since", job, day.Add(-time.Hour), false},
		{"every item", job, time.Time{}, false},
		{"another person", reclassifyJob(c.RulesVersion(), ReclassifyOptions{StancePriors: opts.StancePriors,
			People: []classify.Person{{Name: "Ali Aarrass"}, {Name: "Farida Aarrass"}}}), day, false},
		{"another prior", reclassifyJob(c.RulesVersion(), ReclassifyOptions{People: opts.People,
			StancePriors: map[string]string{"wire": "supportive"}}), day, false},
		{"other rules", reclassifyJob("other", opts), day, false},
	} {
		if got := resumes(prog, tc.job, tc.since); got != tc.want {
			t.Errorf("%s: resumes = %v, want %v", tc.name, got, tc.want)
		}
	}
	if resumes(store.ReclassifyProgress{Job: job}, job, day) != true {
		t.Error("a run over every item is not taken up by a narrower one")
	}
}
