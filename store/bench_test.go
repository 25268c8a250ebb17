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

	"github.com/newsmon/newsmon/classify"
)

// TestMillion builds a database of one million generated items and logs the
// time of the SQL examples in docs/database.md, search, the digest and alert queries and of
// saving a run into it, with their query plans. It runs only with
// NEWSMON_BENCH_1M=1 (NEWSMON_BENCH_ITEMS=N for another size):
//
//	NEWSMON_BENCH_1M=1 go test -run Million -v -timeout 30m ./store/
//
// The fixture is written with bulk SQL in a few large transactions (not
// through SaveRun, which would take half an hour), into the same schema:
// 3 years of items from 50 sources, ~110 words of text each from a
// Zipf-distributed vocabulary of 5,000 words, 2% naming one of five people
// with a stance and 0-2 topics, those grouped into stories of 1-3 items
// with fingerprints and story keys, and the search index built at the end
// by IndexPending.
func TestMillion(t *testing.T) {
	if os.Getenv("NEWSMON_BENCH_1M") == "" {
		t.Skip("set NEWSMON_BENCH_1M=1 to build a 1M-item database")
	}
	total := 1_000_000
	if v := os.Getenv("NEWSMON_BENCH_ITEMS"); v != "" {
		fmt.Sscan(v, &total)
	}
	ctx := context.Background()
	s := openTest(t)
	now := time.Now().UTC().Truncate(time.Second)
	began := time.Now()
	if err := buildMillion(ctx, s, total, now); err != nil {
		t.Fatal(err)
	}
	built := time.Since(began)
	size, _ := s.fileSize(ctx)
	var walSize int64
	if wal, _ := os.Stat(s.Path() + "-wal"); wal != nil {
		walSize = wal.Size()
	}
	t.Logf("built %d items in %v (%.0f items/s), database %d MB (+ WAL %d MB)", total, built.Round(time.Second),
		float64(total)/built.Seconds(), size>>20, walSize>>20)

	timeQuery := func(name, q string, args ...any) {
		plan := explain(t, s, q, args...)
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
		t.Logf("%-42s %8.1f ms %6d rows  plan: %s", name, float64(time.Since(start).Microseconds())/1000, n, plan)
	}
	timed := func(name string, f func() (int, error)) {
		start := time.Now()
		n, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%-42s %8.1f ms %6d rows", name, float64(time.Since(start).Microseconds())/1000, n)
	}
	_, blocks := readmeSQL(t, s.dialect)
	for i, q := range blocks {
		timeQuery(fmt.Sprintf("docs example %d", i+1), q)
	}
	timed("DigestItems (last 24 h)", func() (int, error) {
		items, err := s.DigestItems(ctx, now.Add(-24*time.Hour), now)
		return len(items), err
	})
	timed("DigestItems (last 7 days)", func() (int, error) {
		items, err := s.DigestItems(ctx, now.Add(-7*24*time.Hour), now)
		return len(items), err
	})
	timed("Stories of DigestItems (last 24 h)", func() (int, error) {
		items, err := s.DigestItems(ctx, now.Add(-24*time.Hour), now)
		if err != nil {
			return 0, err
		}
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.StoryID
		}
		stories, err := s.Stories(ctx, ids)
		n := 0
		for _, st := range stories {
			n += len(st)
		}
		return n, err
	})
	timed("StanceDates (14 days)", func() (int, error) {
		sd, err := s.StanceDates(ctx, now.Add(-14*24*time.Hour), now)
		return len(sd), err
	})
	timed("StanceDates (30 days)", func() (int, error) {
		sd, err := s.StanceDates(ctx, now.Add(-30*24*time.Hour), now)
		return len(sd), err
	})
	timed("AlertCandidates (last 24 h)", func() (int, error) {
		items, err := s.AlertCandidates(ctx, now.Add(-24*time.Hour), 100)
		return len(items), err
	})
	for _, q := range []SearchQuery{
		{Match: "harbour"},
		{Match: `"hunger strike"`},
		{Match: "court", Person: "Ali Aarrass"},
		{Match: "NEAR(court appeal, 5)", Limit: 20},
		{Match: "harbour AND football", Limit: 20, ByRank: true},
		{Match: "w4321"}, // a rare word
	} {
		timed("search "+q.Match+" "+q.Person, func() (int, error) {
			hits, err := s.Search(ctx, q)
			return len(hits), err
		})
	}
	// A feed run into the full database: 30 new items, one naming someone.
	rng := rand.New(rand.NewPCG(7, 8))
	gen := newTextGen(rng)
	items := make([]Item, 30)
	for i := range items {
		items[i] = Item{GUID: fmt.Sprint("late-", i), Title: gen.words(8), Text: gen.words(110), ContentHash: fmt.Sprint(i)}
	}
	items[0].Mentions = []Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}}
	items[0].Fingerprint = rng.Uint64()
	start := time.Now()
	saveItems(t, s, "src07", now, items...)
	t.Logf("%-42s %8.1f ms", "SaveRun of 30 new items", float64(time.Since(start).Microseconds())/1000)
}

// textGen draws words from a Zipf-distributed vocabulary: a few hundred
// real words at the head, generated ones ("w1234") in the tail.
type textGen struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	vocab []string
	sb    strings.Builder
}

func newTextGen(rng *rand.Rand) *textGen {
	head := strings.Fields("the a of to in and on for said court government minister strike harbour weather market " +
		"police election football prices rain school hospital road budget protest council energy water bank trade " +
		"port farmers tourism film music art appeal hearing judge prison release statement report rights hunger")
	vocab := make([]string, 5000)
	for i := range vocab {
		if i < len(head) {
			vocab[i] = head[i]
		} else {
			vocab[i] = fmt.Sprintf("w%d", i)
		}
	}
	return &textGen{rng: rng, zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1)), vocab: vocab}
}

func (g *textGen) words(n int) string {
	g.sb.Reset()
	for i := range n {
		if i > 0 {
			g.sb.WriteByte(' ')
		}
		g.sb.WriteString(g.vocab[g.zipf.Uint64()])
	}
	return g.sb.String()
}

// buildMillion writes total items with bulk SQL, in transactions of 100,000.
func buildMillion(ctx context.Context, s *Store, total int, now time.Time) error {
	const sources, perTx = 50, 100_000
	var defs []SourceDef
	for i := range sources {
		defs = append(defs, SourceDef{Name: fmt.Sprintf("src%02d", i), Type: "feed", URL: fmt.Sprintf("https://src%02d.example/feed", i)})
	}
	if err := s.SyncSources(ctx, defs); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := newTextGen(rng)
	people := []string{"Ali Aarrass", "Mohamed Hajib", "Karim Example", "Layla Example", "Amina Example"}
	labels := []string{"supportive", "critical", "neutral", "unclear"}
	topicNames := []string{"hunger_strike", "torture", "trial_justice", "press_freedom", "detention_conditions", "diplomacy"}
	evidence := `[{"phrase":"called for his release","sentence":"Supporters called for his release on Monday.","offset":120,"weight":1}]`
	span := 3 * 365 * 24 * time.Hour
	var lastStory int64
	var lastFP uint64
	for first := 0; first < total; first += perTx {
		err := s.write(ctx, func(tx *sql.Tx) error {
			ins, err := tx.PrepareContext(ctx, `INSERT INTO items (id, source, guid, url, canonical_url, title, summary, text,
				published_at, fetched_at, updated_at, content_hash, simhash, story_id)
				VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer ins.Close()
			insM, _ := tx.PrepareContext(ctx, `INSERT INTO mentions (item_id, person, spelling, count, first_offset) VALUES (?, ?, ?, 1, 0)`)
			defer insM.Close()
			insS, _ := tx.PrepareContext(ctx, `INSERT INTO stances (item_id, person, label, score, evidence, rules_version) VALUES (?, ?, ?, ?, ?, 'bench')`)
			defer insS.Close()
			insT, _ := tx.PrepareContext(ctx, `INSERT INTO topics (item_id, topic, score, evidence, rules_version) VALUES (?, ?, 1, ?, 'bench')`)
			defer insT.Close()
			insK, _ := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO story_keys (key, seen, item_id) SELECT value, ?2, ?3 FROM json_each(?1)`)
			defer insK.Close()
			for n := first; n < min(first+perTx, total); n++ {
				id := int64(n + 1)
				at := now.Add(-span + time.Duration(float64(span)*float64(n)/float64(total)))
				src := fmt.Sprintf("src%02d", rng.IntN(sources))
				u := fmt.Sprintf("https://%s.example/%d", src, n)
				text := gen.words(80 + rng.IntN(60))
				var fp, story any
				mentions := rng.IntN(50) == 0 // 2% name someone
				if mentions {
					f := rng.Uint64()
					if lastStory != 0 && rng.IntN(3) == 0 { // a repost of the previous story
						f, story = lastFP^(1<<rng.IntN(64)), lastStory
					} else {
						story, lastStory = id, id
					}
					lastFP, fp = f, int64(f)
				}
				if _, err := ins.ExecContext(ctx, id, src, u, u, u, gen.words(8), text,
					formatTime(at.Add(-time.Duration(rng.IntN(3600))*time.Second)), formatTime(at), formatTime(at), fmt.Sprint(n),
					fp, story); err != nil {
					return err
				}
				if !mentions {
					continue
				}
				if ks, ok := classify.StoryKeys(text); ok {
					if _, err := insK.ExecContext(ctx, keyList(ks[:]), at.Unix(), id); err != nil {
						return err
					}
				}
				p := people[rng.IntN(len(people))]
				if _, err := insM.ExecContext(ctx, id, p, p); err != nil {
					return err
				}
				if _, err := insS.ExecContext(ctx, id, p, labels[rng.IntN(4)], rng.Float64()*2-1, evidence); err != nil {
					return err
				}
				for _, tp := range rng.Perm(len(topicNames))[:rng.IntN(3)] {
					if _, err := insT.ExecContext(ctx, id, topicNames[tp], evidence); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("insert items: %w", err)
		}
	}
	if _, err := s.IndexPending(ctx); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.dialect.pick(`PRAGMA wal_checkpoint(TRUNCATE)`, `ANALYZE`))
	return err
}

// explain returns the plan of q: SQLite's EXPLAIN QUERY PLAN details, or
// PostgreSQL's EXPLAIN lines. PostgreSQL's planner rightly scans a small
// table rather than use an index, so sequential scans are turned off for
// the question: can an index serve q?
func explain(t testing.TB, s *Store, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if s.dialect == postgresDialect {
		prefix = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan")
	}
	rows, err := conn.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var detail string
		if s.dialect == postgresDialect {
			rows.Scan(&detail)
		} else {
			var id, parent, unused int
			rows.Scan(&id, &parent, &unused, &detail)
		}
		parts = append(parts, strings.TrimSpace(detail))
	}
	return strings.Join(parts, "; ")
}
