package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// StoredItem is an item as stored, for classifying it again or explaining it.
type StoredItem struct {
	ID        int64
	Source    string
	URL       string
	Title     string
	Text      string
	Published time.Time
	Fetched   time.Time
	// TextPruned is set once retention has dropped the item's text: its
	// labels can no longer be worked out again.
	TextPruned bool
}

const storedItemColumns = `id, source, url, title, text, published_at, fetched_at, text_pruned_at IS NOT NULL`

func scanStoredItem(row interface{ Scan(...any) error }) (StoredItem, error) {
	var it StoredItem
	var pub, fetched sql.NullString
	err := row.Scan(&it.ID, &it.Source, &it.URL, &it.Title, &it.Text, &pub, &fetched, &it.TextPruned)
	it.Published, it.Fetched = parseTime(pub), parseTime(fetched)
	return it, err
}

// Item reads one stored item.
func (s *Store) Item(ctx context.Context, id int64) (StoredItem, error) {
	it, err := scanStoredItem(s.db.QueryRowContext(ctx, `SELECT `+storedItemColumns+` FROM items WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return it, fmt.Errorf("read item %d: no such item", id)
	}
	if err != nil {
		return it, fmt.Errorf("read item %d: %w", id, err)
	}
	return it, nil
}

// ItemsAfter returns up to limit items with id > afterID, in id order,
// published (or else fetched) at or after since (zero: all), for
// classifying history in batches.
func (s *Store) ItemsAfter(ctx context.Context, afterID int64, since time.Time, limit int) ([]StoredItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+storedItemColumns+` FROM items
		WHERE id > ?1 AND coalesce(published_at, fetched_at) >= ?2
		ORDER BY id LIMIT ?3`, afterID, sinceArg(since), limit)
	if err != nil {
		return nil, fmt.Errorf("read items after %d: %w", afterID, err)
	}
	defer rows.Close()
	var out []StoredItem
	for rows.Next() {
		it, err := scanStoredItem(rows)
		if err != nil {
			return nil, fmt.Errorf("read items after %d: %w", afterID, err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read items after %d: %w", afterID, err)
	}
	return out, nil
}

// sinceArg is a lower bound on dates for a query: since, or, when it is
// zero, a date before any.
func sinceArg(since time.Time) string {
	return since.UTC().Format(timeFormat) // the zero time is year 1
}

// CountItemsAfter counts the items ItemsAfter would return with no limit.
func (s *Store) CountItemsAfter(ctx context.Context, afterID int64, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM items
		WHERE id > ?1 AND coalesce(published_at, fetched_at) >= ?2`, afterID, sinceArg(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items after %d: %w", afterID, err)
	}
	return n, nil
}

// Labels are an item's mentions, stances, topics and fingerprint, as the
// classifier gives them.
type Labels struct {
	ItemID      int64
	Mentions    []Mention
	Stances     []Stance
	Topics      []Topic
	Fingerprint uint64   // as Item.Fingerprint
	StoryKeys   []uint64 // as Item.StoryKeys
}

// ReclassifyProgress is how far a reclassification of stored items got.
type ReclassifyProgress struct {
	// Job says how the labels are computed (rules, people, priors, range):
	// progress is resumed only by a job that computes them the same way.
	Job     string
	Since   time.Time // the range: items published (or fetched) since; zero: all
	AfterID int64     // every item with an id up to this one is done
	Done    int       // items relabelled
	Changed int       // labels changed
	Started time.Time
}

// ReclassifyProgress returns the progress an interrupted reclassification
// left, if any.
func (s *Store) ReclassifyProgress(ctx context.Context) (ReclassifyProgress, bool, error) {
	var p ReclassifyProgress
	var since, started sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT job, since, after_id, done, changed, started_at FROM reclassify_progress`).
		Scan(&p.Job, &since, &p.AfterID, &p.Done, &p.Changed, &started)
	if err == sql.ErrNoRows {
		return ReclassifyProgress{}, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read reclassify progress: %w", err)
	}
	p.Since, p.Started = parseTime(since), parseTime(started)
	return p, true, nil
}

// EndReclassify forgets the progress of a finished reclassification.
func (s *Store) EndReclassify(ctx context.Context) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM reclassify_progress`)
		return err
	})
	if err != nil {
		return fmt.Errorf("end reclassify: %w", err)
	}
	return nil
}

// ReplaceLabels replaces the labels of a batch of items in one transaction
// and returns how many labels changed: a person's stance label that differs
// (or appears, or goes), and a topic tag added or dropped.
//
// Fingerprints and stories follow the rules of ingest: an item that is
// in no story yet and now names someone (or has a fingerprint) joins the
// story of the closest item seen in the StoryWindow before it that shares
// a story key with it, or starts its own; an item already in a story keeps
// it and gets its new fingerprint. Either way the item is filed under its
// story keys. Revisions keep the labels they had.
//
// prog, when not nil, is the progress once the batch is done: its Changed
// is increased by the batch's changes and it is recorded in the same
// transaction, so that an interrupted run resumes after the last batch it
// committed.
func (s *Store) ReplaceLabels(ctx context.Context, batch []Labels, prog *ReclassifyProgress) (changed int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		changed = 0
		w, err := s.prepareItemWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		sw, err := s.prepareStoryWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer sw.close()
		for _, l := range batch {
			before, err := labelSignature(ctx, tx, l.ItemID)
			if err != nil {
				return err
			}
			it := Item{Mentions: l.Mentions, Stances: l.Stances, Topics: l.Topics}
			if err := w.writeLabels(ctx, l.ItemID, &it, true); err != nil {
				return fmt.Errorf("write labels of item %d: %w", l.ItemID, err)
			}
			if err := restory(ctx, tx, sw, l); err != nil {
				return fmt.Errorf("write story of item %d: %w", l.ItemID, err)
			}
			changed += diffCount(before, signatureOf(l))
		}
		if prog == nil {
			return nil
		}
		next := *prog
		next.Changed += changed
		if err := saveProgress(ctx, tx, next); err != nil {
			return err
		}
		*prog = next
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("replace labels: %w", err)
	}
	return changed, nil
}

// restory gives a relabelled item the fingerprint and story that ingest
// would give it with these labels.
func restory(ctx context.Context, tx *sql.Tx, w *storyWriter, l Labels) error {
	var story sql.NullInt64
	var fetched sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT story_id, fetched_at FROM items WHERE id = ?`, l.ItemID).Scan(&story, &fetched); err != nil {
		return err
	}
	switch {
	case story.Valid:
		return w.refresh(ctx, l.ItemID, l.Fingerprint, l.StoryKeys)
	case l.Fingerprint != 0 || len(l.Mentions) > 0:
		seen := parseTime(fetched)
		_, err := w.assign(ctx, l.ItemID, l.Fingerprint, l.StoryKeys, seen.Add(-StoryWindow), seen)
		return err
	}
	return nil
}

func saveProgress(ctx context.Context, tx *sql.Tx, p ReclassifyProgress) error {
	now := formatTime(time.Now())
	started := formatTime(p.Started)
	if started == nil {
		started = now
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO reclassify_progress (id, job, since, after_id, done, changed, started_at, updated_at)
		VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
		ON CONFLICT (id) DO UPDATE SET job = ?1, since = ?2, after_id = ?3, done = ?4, changed = ?5, started_at = ?6, updated_at = ?7`,
		p.Job, formatTime(p.Since), p.AfterID, p.Done, p.Changed, started, now)
	if err != nil {
		return fmt.Errorf("record reclassify progress: %w", err)
	}
	return nil
}

// labelSignature lists an item's labels as "stance:person=label" and
// "topic:name" strings, sorted.
func labelSignature(ctx context.Context, tx *sql.Tx, id int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT 'stance:' || person || '=' || label FROM stances WHERE item_id = ?1
		UNION ALL SELECT 'topic:' || topic FROM topics WHERE item_id = ?1`, id)
	if err != nil {
		return nil, fmt.Errorf("read labels of item %d: %w", id, err)
	}
	defer rows.Close()
	var sig []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		sig = append(sig, s)
	}
	slices.Sort(sig)
	return sig, rows.Err()
}

func signatureOf(l Labels) []string {
	var sig []string
	for _, st := range l.Stances {
		sig = append(sig, "stance:"+st.Person+"="+st.Label)
	}
	for _, t := range l.Topics {
		sig = append(sig, "topic:"+t.Topic)
	}
	slices.Sort(sig)
	return sig
}

// diffCount counts labels that differ between two sorted signatures; a
// stance whose label changed counts once.
func diffCount(before, after []string) int {
	key := func(s string) string { k, _, _ := strings.Cut(s, "="); return k }
	old := map[string]string{}
	for _, s := range before {
		old[key(s)] = s
	}
	n := 0
	for _, s := range after {
		if prev, ok := old[key(s)]; !ok || prev != s {
			n++
		}
		delete(old, key(s))
	}
	return n + len(old)
}
