package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"time"
)

// Story grouping limits. Only items that name a tracked person have a
// fingerprint (store/items.go, pipeline.label), so the items a new one can
// join are few: the fingerprinted items of the last StoryWindow, read in
// one range scan of a partial index (migration 0009) and compared in Go.
// With well-mixed fingerprint bits a repost with a tenth of its word pairs
// changed sits about 8 ± 3 bits from the original and unrelated texts
// 32 ± 4, so MaxStoryDistance 10 groups most reposts while the chance that
// two unrelated texts fall within it is about 1e-8.
const (
	// MaxStoryDistance is the largest fingerprint distance, in bits, at which
	// a new item joins an earlier item's story.
	MaxStoryDistance = 10
	// StoryWindow is how far back, by first-seen time, a new item looks for
	// the story it belongs to: syndication happens within days, and the
	// window keeps each lookup small however large the database grows.
	StoryWindow = 14 * 24 * time.Hour
	// maxStoryCandidates caps the rows one lookup reads: the most recent
	// fingerprinted items of the window (a database where most items name
	// someone must not make a save slow).
	maxStoryCandidates = 5000
)

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
	candidates, setStory, setFingerprint *sql.Stmt
}

func (s *Store) prepareStoryWriter(ctx context.Context, tx *sql.Tx) (*storyWriter, error) {
	w := &storyWriter{}
	var err error
	if w.candidates, err = s.txStmt(ctx, tx, candidatesSQL); err != nil {
		return nil, fmt.Errorf("prepare story lookup: %w", err)
	}
	if w.setStory, err = s.txStmt(ctx, tx, `UPDATE items SET simhash = ?1, story_id = ?2 WHERE id = ?3`); err != nil {
		w.close()
		return nil, fmt.Errorf("prepare story update: %w", err)
	}
	if w.setFingerprint, err = s.txStmt(ctx, tx, `UPDATE items SET simhash = ?1 WHERE id = ?2`); err != nil {
		w.close()
		return nil, fmt.Errorf("prepare fingerprint update: %w", err)
	}
	return w, nil
}

func (w *storyWriter) close() {
	for _, st := range []*sql.Stmt{w.candidates, w.setStory, w.setFingerprint} {
		if st != nil {
			st.Close()
		}
	}
}

// assign records an item's fingerprint and puts it in the story of the
// closest item within MaxStoryDistance bits first seen between since and
// until (zero: no bound), or in a story of its own. fp 0 means no
// fingerprint.
func (w *storyWriter) assign(ctx context.Context, id int64, fp uint64, since, until time.Time) (NewItem, error) {
	out := NewItem{ID: id, StoryID: id}
	if fp == 0 {
		_, err := w.setStory.ExecContext(ctx, nil, id, id)
		return out, err
	}
	rows, err := w.candidates.QueryContext(ctx, formatTime(since), id, maxStoryCandidates, formatTime(until))
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
	_, err = w.setStory.ExecContext(ctx, int64(fp), out.StoryID, id)
	return out, err
}

// refresh records a changed item's new fingerprint. It keeps the item in its
// story: an update ("UPDATE 9 November: ...") is the same piece.
func (w *storyWriter) refresh(ctx context.Context, id int64, fp uint64) error {
	var v any
	if fp != 0 {
		v = int64(fp)
	}
	_, err := w.setFingerprint.ExecContext(ctx, v, id)
	return err
}

// candidatesSQL reads the fingerprinted items first seen since ?1 (and up
// to ?4 unless it is NULL), newest first, from the covering partial index
// items_simhash_recent.
const candidatesSQL = `SELECT id, simhash, story_id FROM items INDEXED BY items_simhash_recent
	WHERE simhash IS NOT NULL AND fetched_at >= ?1 AND (?4 IS NULL OR fetched_at <= ?4) AND id != ?2
	ORDER BY fetched_at DESC LIMIT ?3`

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
const storiesSQL = `SELECT story_id, id, source, title, coalesce(canonical_url, url), published_at, fetched_at
	FROM items WHERE story_id IN (SELECT value FROM json_each(?1)) ORDER BY story_id, fetched_at, id`

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
	rows, err := s.db.QueryContext(ctx, storiesSQL, idList(storyIDs))
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
func recordStory(ctx context.Context, tx querier, w *storyWriter, res *RunResult, id int64, fp uint64, hasMentions, isNew, changed bool, now time.Time) error {
	switch {
	case isNew && fp == 0 && !hasMentions:
		res.NewItems = append(res.NewItems, NewItem{ID: id, StoryID: id})
	case isNew:
		ni, err := w.assign(ctx, id, fp, now.Add(-StoryWindow), time.Time{})
		if err != nil {
			return err
		}
		res.NewItems = append(res.NewItems, ni)
	case changed:
		if err := w.refresh(ctx, id, fp); err != nil {
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
