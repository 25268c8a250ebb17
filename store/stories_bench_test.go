package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/classify"
)

// BenchmarkStories measures story assignment against a database that
// already holds n items naming a tracked person, all first seen within the
// story window: the worst case, since every stored item is a candidate by
// its time. Its sub-benchmarks: lookup, the story lookup alone (the items
// that share a key with a new text, candidates/op of them), for new texts
// of which one in five is a repost of a stored item; save, SaveRun of runs
// of 100 such new items (joined/item is the share that joined a stored
// story). The figures must not change much with n:
//
//	go test -run XXX -bench Stories -benchtime 30x ./store/
//
// cpu-µs is the process's CPU time (user and system), less disturbed than
// wall time by other work on the machine. The database is written with
// bulk SQL in one transaction before the timers start (about two minutes
// for the million).
func BenchmarkStories(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := openTest(b)
			now := time.Now().UTC().Truncate(time.Second)
			gen := newStoryTextGen(rand.New(rand.NewPCG(uint64(n), 16)))
			began := time.Now()
			sample, err := buildMentioning(ctx, s, gen, n, now)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("stored %d items in %v", n, time.Since(began).Round(time.Second))
			newText := func() string {
				if gen.rng.IntN(5) == 0 {
					return gen.edit(sample[gen.rng.IntN(len(sample))])
				}
				return gen.text()
			}
			b.Run("lookup", func(b *testing.B) { benchLookup(b, s, newText, now) })
			saves := 0 // with -count, each save runs again on the same database
			b.Run("save", func(b *testing.B) {
				saves++
				benchSave(b, s, newText, now, fmt.Sprint("save", saves))
			})
		})
	}
}

func benchLookup(b *testing.B, s *Store, newText func() string, now time.Time) {
	ctx := context.Background()
	since := now.Add(-StoryWindow).Unix()
	st, err := s.stmt(ctx, candidatesSQL)
	if err != nil {
		b.Fatal(err)
	}
	candidates := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		keys, _ := classify.StoryKeys(newText())
		list := keyList(keys[:])
		b.StartTimer()
		before := cpuTime(b)
		rows, err := st.QueryContext(ctx, list, since, nil, 0, storyCandidates)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			candidates++
		}
		if err := rows.Close(); err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime(b) - before
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(candidates)/float64(b.N), "candidates/op")
}

func benchSave(b *testing.B, s *Store, newText func() string, now time.Time, prefix string) {
	ctx := context.Background()
	const perRun = 100
	stored, joined := 0, 0
	var cpu time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		items := make([]Item, perRun)
		for j := range items {
			items[j] = mentioningItem(fmt.Sprintf("%s-%d-%d-%d", prefix, b.N, i, j), newText())
		}
		b.StartTimer()
		before := cpuTime(b)
		res, err := s.SaveRun(ctx, Run{Source: "wire", Status: StatusOK, FinishedAt: now, Items: items})
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime(b) - before
		stored += res.New
		for _, ni := range res.NewItems {
			if ni.JoinedStory {
				joined++
			}
		}
	}
	b.ReportMetric(float64(stored)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(stored), "cpu-µs/item")
	b.ReportMetric(float64(joined)/float64(stored), "joined/item")
}

// storyTextGen makes item texts of about 60 words from a vocabulary of
// 20,000, so that texts are unrelated unless one is made from another.
type storyTextGen struct {
	rng   *rand.Rand
	vocab []string
	sb    strings.Builder
}

func newStoryTextGen(rng *rand.Rand) *storyTextGen {
	g := &storyTextGen{rng: rng, vocab: make([]string, 20_000)}
	for i := range g.vocab {
		g.vocab[i] = fmt.Sprintf("w%d", i)
	}
	return g
}

func (g *storyTextGen) text() string {
	g.sb.Reset()
	g.sb.WriteString("Supporters of Ali Aarrass said")
	for range 60 {
		g.sb.WriteByte(' ')
		g.sb.WriteString(g.vocab[g.rng.IntN(len(g.vocab))])
	}
	return g.sb.String()
}

// edit changes three words of text, as a repost might.
func (g *storyTextGen) edit(text string) string {
	words := strings.Fields(text)
	for range 3 {
		words[4+g.rng.IntN(len(words)-4)] = g.vocab[g.rng.IntN(len(g.vocab))]
	}
	return strings.Join(words, " ")
}

// mentioningItem is an item naming someone, fingerprinted and keyed as the
// pipeline does.
func mentioningItem(guid, text string) Item {
	keys, _ := classify.StoryKeys(text)
	return Item{GUID: guid, URL: "https://wire.example/" + guid, CanonicalURL: "https://wire.example/" + guid,
		Title: "Ali Aarrass", Text: text, ContentHash: guid, Fingerprint: classify.Fingerprint(text), StoryKeys: keys[:],
		Mentions: []Mention{{Person: "Ali Aarrass", Spelling: "Ali Aarrass", Count: 1}}}
}

// buildMentioning writes n items naming someone, first seen in the 13 days
// before now, each a story of its own with its fingerprint and story keys,
// in one transaction (the keys sorted, so that they are appended to their
// index rather than scattered over it). It returns a sample of their texts.
func buildMentioning(ctx context.Context, s *Store, gen *storyTextGen, n int, now time.Time) ([]string, error) {
	type keyRow struct{ key, seen, id int64 }
	keys := make([]keyRow, 0, n*classify.StoryKeyCount)
	var sample []string
	err := s.write(ctx, func(tx *sql.Tx) error {
		insItem, err := tx.PrepareContext(ctx, `INSERT INTO items (id, source, guid, url, canonical_url, title, text,
			fetched_at, updated_at, content_hash, simhash, story_id) VALUES (?1, 'daily', ?2, ?3, ?3, 'Ali Aarrass', ?4, ?5, ?5, ?2, ?6, ?1)`)
		if err != nil {
			return err
		}
		defer insItem.Close()
		insMention, err := tx.PrepareContext(ctx, `INSERT INTO mentions (item_id, person, spelling, count, first_offset) VALUES (?, 'Ali Aarrass', 'Ali Aarrass', 1, 0)`)
		if err != nil {
			return err
		}
		defer insMention.Close()
		for i := range n {
			id := int64(i + 1)
			text := gen.text()
			if i%(n/100) == 0 {
				sample = append(sample, text)
			}
			// In first-seen order, as a database fills, so that the indexes
			// are appended to.
			fetched := now.Add(-13 * 24 * time.Hour).Add(time.Duration(i) * (13 * 24 * time.Hour / time.Duration(n)))
			guid := fmt.Sprint("stored-", i)
			if _, err := insItem.ExecContext(ctx, id, guid, "https://daily.example/"+guid, text, formatTime(fetched),
				int64(classify.Fingerprint(text))); err != nil {
				return err
			}
			if _, err := insMention.ExecContext(ctx, id); err != nil {
				return err
			}
			ks, _ := classify.StoryKeys(text)
			for _, k := range ks {
				keys = append(keys, keyRow{storyKey(k), fetched.Unix(), id})
			}
		}
		slices.SortFunc(keys, func(a, b keyRow) int {
			return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.seen, b.seen), cmp.Compare(a.id, b.id))
		})
		insKey, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO story_keys (key, seen, item_id) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insKey.Close()
		for _, k := range keys {
			if _, err := insKey.ExecContext(ctx, k.key, k.seen, k.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("build %d mentioning items: %w", n, err)
	}
	_, err = s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return sample, err
}
