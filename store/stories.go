package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"time"
)

// Story grouping. Only items that name a tracked person have a fingerprint
// and story keys (pipeline.label), and only they are grouped. A new item's
// candidates are the items of the last StoryWindow that share one of its
// story keys (classify.StoryKeys, indexed in story_keys, migration 0013):
// one lookup of its keys, whose cost does not grow with the number of items
// stored. The item joins the story of the candidate with the closest
// fingerprint, if that is within MaxStoryDistance bits. With well-mixed
// fingerprint bits a repost with a tenth of its word pairs changed sits
// about 8 ± 3 bits from the original and unrelated texts 32 ± 4, so
// MaxStoryDistance 10 groups most reposts while the chance that two
// unrelated texts fall within it is about 1e-8.
const (
	// MaxStoryDistance is the largest fingerprint distance, in bits, at which
	// a new item joins an earlier item's story.
	MaxStoryDistance = 10
	// StoryWindow is how far back, by first-seen time, a new item looks for
	// the story it belongs to: syndication happens within days.
	StoryWindow = 14 * 24 * time.Hour
	// storyCandidates caps the items one lookup reads. A lookup normally
	// reads a handful; hundreds means a story with many copies behind the
	// same keys, any of which leads to it, and without the cap a feed of
	// thousands of copies would compare each with all before it.
	storyCandidates = 200
)

// storyKey is a story key as story_keys stores it: a non-negative integer.
func storyKey(k uint64) int64 { return int64(k >> 1) }

// NewItem is an item SaveRun stored for the first time, and its story.
type NewItem struct {
	ID int64
	// StoryID is the id of the story's first item; equal to ID when this
	// item starts a story.
	StoryID int64
	// JoinedStory is set when the item is a near-duplicate (repost, wire
	// copy) of an item already stored: alerts for the story went out then.
	JoinedStory bool
}

// storyWriter holds the statements SaveRun uses to group items into stories.
type storyWriter struct {
	candidates, insertKeys, setStory, setFingerprint *sql.Stmt
}

func (s *Store) prepareStoryWriter(ctx context.Context, tx *sql.Tx) (*storyWriter, error) {
	w := &storyWriter{}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.candidates, s.dialect.pick(candidatesSQL, candidatesPostgres)},
		{&w.insertKeys, s.dialect.pick(`INSERT OR IGNORE INTO story_keys (key, seen, item_id)
			SELECT value, (SELECT unixepoch(fetched_at) FROM items WHERE id = ?2), ?2 FROM json_each(?1)`,
			`INSERT INTO story_keys (key, seen, item_id)
			SELECT k::bigint, (SELECT extract(epoch FROM fetched_at)::bigint FROM items WHERE id = ?2), ?2
			FROM json_array_elements_text(?1::json) AS k ON CONFLICT DO NOTHING`)},
		{&w.setStory, `UPDATE items SET simhash = ?1, story_id = ?2 WHERE id = ?3`},
		{&w.setFingerprint, `UPDATE items SET simhash = ?1 WHERE id = ?2`},
	} {
		st, err := s.txStmt(ctx, tx, p.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = st
	}
	return w, nil
}

func (w *storyWriter) close() {
	for _, st := range []*sql.Stmt{w.candidates, w.insertKeys, w.setStory, w.setFingerprint} {
		if st != nil {
			st.Close()
		}
	}
}

// keyList renders keys as a JSON array for json_each, as stored (storyKey).
func keyList(keys []uint64) string {
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = storyKey(k)
	}
	return idList(ids)
}

// assign records an item's fingerprint and story keys and puts it in the
// story of the closest item within MaxStoryDistance bits, among those first
// seen between since and until (zero: no bound) that share a key with it,
// or in a story of its own. fp 0 means no fingerprint.
func (w *storyWriter) assign(ctx context.Context, id int64, fp uint64, keys []uint64, since, until time.Time) (NewItem, error) {
	out := NewItem{ID: id, StoryID: id}
	if fp == 0 {
		_, err := w.setStory.ExecContext(ctx, nil, id, id)
		return out, err
	}
	var last any // no bound
	if !until.IsZero() {
		last = until.Unix()
	}
	list := keyList(keys)
	rows, err := w.candidates.QueryContext(ctx, list, since.Unix(), last, id, storyCandidates)
	if err != nil {
		return out, fmt.Errorf("look up story candidates: %w", err)
	}
	best := MaxStoryDistance + 1
	for rows.Next() {
		var cid, csim int64
		var cstory sql.NullInt64
		if err := rows.Scan(&cid, &csim, &cstory); err != nil {
			rows.Close()
			return out, fmt.Errorf("read story candidates: %w", err)
		}
		story := cid
		if cstory.Valid {
			story = cstory.Int64
		}
		d := bits.OnesCount64(fp ^ uint64(csim)) // bits apart
		// The closest wins; on a tie the older story, so a story's id is stable.
		if d < best || (d == best && story < out.StoryID) {
			best, out.StoryID, out.JoinedStory = d, story, true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("read story candidates: %w", err)
	}
	if len(keys) > 0 {
		if err := w.addKeys(ctx, id, list); err != nil {
			return out, err
		}
	}
	_, err = w.setStory.ExecContext(ctx, int64(fp), out.StoryID, id)
	return out, err
}

// addKeys files an item under its story keys, as keyList lists them.
func (w *storyWriter) addKeys(ctx context.Context, id int64, list string) error {
	if _, err := w.insertKeys.ExecContext(ctx, list, id); err != nil {
		return fmt.Errorf("store story keys: %w", err)
	}
	return nil
}

// refresh records a changed item's new fingerprint and story keys. It keeps
// the item in its story: an update ("UPDATE 9 November: ...") is the same
// piece. The old text's keys stay: a lead to an item is checked against its
// current fingerprint.
func (w *storyWriter) refresh(ctx context.Context, id int64, fp uint64, keys []uint64) error {
	var v any
	if fp != 0 {
		v = int64(fp)
	}
	if _, err := w.setFingerprint.ExecContext(ctx, v, id); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	return w.addKeys(ctx, id, keyList(keys))
}

// candidatesSQL reads the fingerprinted items first seen between ?2 and ?3
// (Unix times; ?3 NULL: no bound) that are filed under a key of the JSON
// list ?1, then those fingerprinted before story keys existed (migration
// 0013), at most ?5 in all. An item that shares several keys is read once
// per key.
const candidatesSQL = `SELECT i.id, i.simhash, i.story_id FROM story_keys AS k JOIN items AS i ON i.id = k.item_id
	WHERE k.key IN (SELECT value FROM json_each(?1)) AND k.seen >= ?2 AND (?3 IS NULL OR k.seen <= ?3)
		AND k.item_id != ?4 AND i.simhash IS NOT NULL
	UNION ALL
	SELECT i.id, i.simhash, i.story_id FROM story_keyless AS u JOIN items AS i ON i.id = u.item_id
	WHERE u.seen >= ?2 AND (?3 IS NULL OR u.seen <= ?3) AND u.item_id != ?4 AND i.simhash IS NOT NULL
	LIMIT ?5`

// candidatesPostgres is candidatesSQL for PostgreSQL.
const candidatesPostgres = `SELECT i.id, i.simhash, i.story_id FROM story_keys AS k JOIN items AS i ON i.id = k.item_id
	WHERE k.key = ANY (ARRAY(SELECT json_array_elements_text(?1::json)::bigint)) AND k.seen >= ?2
		AND k.seen <= coalesce(?3::bigint, 9223372036854775807) AND k.item_id != ?4 AND i.simhash IS NOT NULL
	UNION ALL
	SELECT i.id, i.simhash, i.story_id FROM story_keyless AS u JOIN items AS i ON i.id = u.item_id
	WHERE u.seen >= ?2 AND u.seen <= coalesce(?3::bigint, 9223372036854775807) AND u.item_id != ?4 AND i.simhash IS NOT NULL
	LIMIT ?5`

// StoryItem is one outlet's piece in a story.
type StoryItem struct {
	ID        int64
	Source    string
	Title     string
	URL       string
	Published time.Time // zero when unknown
	Fetched   time.Time
}

// storiesSQL reads the items of the stories in the JSON array ?1 through
// the partial index items_story.
func storiesSQL(d dialect) string {
	return `SELECT story_id, id, source, title, coalesce(canonical_url, url), published_at, fetched_at
	FROM items WHERE ` + d.inIDs("story_id", "?1") + ` ORDER BY story_id, fetched_at, id`
}

// Story returns the items of a story, first seen first.
func (s *Store) Story(ctx context.Context, storyID int64) ([]StoryItem, error) {
	stories, err := s.Stories(ctx, []int64{storyID})
	return stories[storyID], err
}

// Stories returns the items of each story by story id, first seen first:
// the digest lists a story once with all its outlets, those of earlier
// periods too.
func (s *Store) Stories(ctx context.Context, storyIDs []int64) (map[int64][]StoryItem, error) {
	out := map[int64][]StoryItem{}
	if len(storyIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, storiesSQL(s.dialect), idList(storyIDs))
	if err != nil {
		return nil, fmt.Errorf("read stories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var story int64
		var it StoryItem
		var pub, fetched sql.NullString
		if err := rows.Scan(&story, &it.ID, &it.Source, &it.Title, &it.URL, &pub, &fetched); err != nil {
			return nil, fmt.Errorf("read stories: %w", err)
		}
		it.Published, it.Fetched = parseTime(pub), parseTime(fetched)
		out[story] = append(out[story], it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stories: %w", err)
	}
	return out, nil
}

// recordStory, called by SaveRun for each item, groups a new item into its
// story, refreshes a changed item's fingerprint and reports both in res.
//
// An item with neither a fingerprint nor mentions is left out of stories
// (story_id NULL: a story of its own, read as coalesce(story_id, id)):
// stories serve the digest and alerts, which show only items naming someone,
// and the lookup cost more than the rest of storing such an item. An item
// that gains mentions later gets its story then (ReplaceLabels).
func recordStory(ctx context.Context, tx querier, w *storyWriter, res *RunResult, id int64, fp uint64, keys []uint64, hasMentions, isNew, changed bool, now time.Time) error {
	switch {
	case isNew && fp == 0 && !hasMentions:
		res.NewItems = append(res.NewItems, NewItem{ID: id, StoryID: id})
	case isNew:
		ni, err := w.assign(ctx, id, fp, keys, now.Add(-StoryWindow), time.Time{})
		if err != nil {
			return err
		}
		res.NewItems = append(res.NewItems, ni)
	case changed:
		if err := w.refresh(ctx, id, fp, keys); err != nil {
			return err
		}
		ci, err := changedItem(ctx, tx, id)
		if err != nil {
			return err
		}
		res.ChangedItems = append(res.ChangedItems, ci)
	}
	return nil
}
