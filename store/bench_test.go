package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMillion builds a database of one million generated items (~2% naming
// a tracked person) and logs the time of the README examples, search and
// the digest query, with their query plans. It takes minutes, so it runs
// only with NEWSMON_BENCH_1M=1:
//
//	NEWSMON_BENCH_1M=1 go test -run Million -v -timeout 60m ./store/
func TestMillion(t *testing.T) {
	if os.Getenv("NEWSMON_BENCH_1M") == "" {
		t.Skip("set NEWSMON_BENCH_1M=1 to build a 1M-item database")
	}
	const total, batch = 1_000_000, 2000
	ctx := context.Background()
	s := openTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	people := []string{"Ali Aarrass", "Mohamed Hajib", "Karim Example", "Layla Example", "Amina Example"}
	labels := []string{"supportive", "critical", "neutral", "unclear"}
	topicNames := []string{"hunger_strike", "torture", "trial_justice", "press_freedom", "detention_conditions", "diplomacy"}
	vocab := strings.Fields("the court government minister strike harbour weather market police election football prices " +
		"rain school hospital road budget protest council energy water bank trade port farmers tourism film music art")
	now := time.Now().UTC().Truncate(time.Second)
	span := 3 * 365 * 24 * time.Hour
	began := time.Now()
	for n := 0; n < total; n += batch {
		at := now.Add(-span + time.Duration(float64(span)*float64(n)/total))
		src := fmt.Sprint([]string{"wire", "daily", "portal", "campaign", "state"}[n/batch%5])
		items := make([]Item, batch)
		for i := range items {
			words := make([]string, 80)
			for w := range words {
				words[w] = vocab[rng.IntN(len(vocab))]
			}
			it := Item{GUID: fmt.Sprint(n + i), Title: strings.Join(words[:8], " "), ContentHash: fmt.Sprint(n + i),
				Published: at.Add(-time.Duration(rng.IntN(3600)) * time.Second), Fingerprint: rng.Uint64()}
			if rng.IntN(50) == 0 { // 2% name someone
				p := people[rng.IntN(len(people))]
				words[rng.IntN(80)] = p
				if rng.IntN(4) == 0 {
					words[rng.IntN(80)] = "hunger strike"
				}
				it.Mentions = []Mention{{Person: p, Spelling: p, Count: 1}}
				it.Stances = []Stance{{Person: p, Label: labels[rng.IntN(4)], Score: rng.Float64()*2 - 1, Evidence: ev("cue", "A sentence."), RulesVersion: "b"}}
				for _, tp := range rng.Perm(len(topicNames))[:rng.IntN(3)] {
					it.Topics = append(it.Topics, Topic{Topic: topicNames[tp], Score: 1, Evidence: ev("cue", "A sentence."), RulesVersion: "b"})
				}
			}
			it.Text = strings.Join(words, " ")
			items[i] = it
		}
		if _, err := s.SaveRun(ctx, Run{Source: src, StartedAt: at, FinishedAt: at, Status: StatusOK, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	fi, _ := os.Stat(s.Path())
	t.Logf("built %d items in %v (%.0f items/s), file %d MB", total, time.Since(began).Round(time.Second),
		float64(total)/time.Since(began).Seconds(), fi.Size()>>20)

	timeQuery := func(name, q string, args ...any) {
		plan := explain(t, s.db, q, args...)
		start := time.Now()
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		t.Logf("%-40s %8.1f ms %6d rows  plan: %s", name, float64(time.Since(start).Microseconds())/1000, n, plan)
	}
	_, blocks := readmeSQL(t)
	for i, q := range blocks {
		timeQuery(fmt.Sprintf("README example %d", i+1), q)
	}
	timeQuery("digest: mentions since T", `SELECT i.id, i.title, s.person, s.label, s.score,
		(SELECT group_concat(topic) FROM topics t WHERE t.item_id = i.id)
		FROM items i JOIN stances s ON s.item_id = i.id
		WHERE i.fetched_at >= ? ORDER BY i.fetched_at`, formatTime(now.Add(-24*time.Hour)))
	for _, q := range []SearchQuery{{Match: `"hunger strike"`}, {Match: "court", Person: "Ali Aarrass"}, {Match: "harbour AND football", Limit: 20}} {
		start := time.Now()
		hits, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-40s %8.1f ms %6d hits", "search "+q.Match+" "+q.Person, float64(time.Since(start).Microseconds())/1000, len(hits))
	}
	start := time.Now()
	fp := rng.Uint64()
	saveItems(t, s, "wire", now, Item{GUID: "last", Title: "x", Text: "x", ContentHash: "x", Fingerprint: fp})
	t.Logf("%-40s %8.1f ms", "save one item with story lookup", float64(time.Since(start).Microseconds())/1000)
}

func explain(t testing.TB, db *sql.DB, q string, args ...any) string {
	rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		rows.Scan(&id, &parent, &unused, &detail)
		parts = append(parts, detail)
	}
	return strings.Join(parts, "; ")
}
