package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Item is one article to store, with what the classifier found in it.
type Item struct {
	GUID string // feed GUID; the canonical URL when the feed has none
	URL  string
	// CanonicalURL is the item's identity when it has a link; the GUID
	// identifies only items without one ("" here). See upsert.
	CanonicalURL string
	Title        string
	// Summary is stored as "" when it equals Text (a feed without separate
	// content): the text is then stored once.
	Summary   string
	Text      string
	Author    string
	Language  string
	Published time.Time // zero when unknown
	// ContentHash identifies the content as the source gave it; a changed
	// hash updates the stored item in place.
	ContentHash string
	// Fingerprint is classify.Fingerprint of Text (0: none); it groups
	// near-duplicates into stories.
	Fingerprint uint64
	// StoryKeys are classify.StoryKeys of Text, given with a fingerprint:
	// the story lookup finds the items that share one of them.
	StoryKeys []uint64

	Mentions []Mention
	Stances  []Stance
	Topics   []Topic
	// Alerts are queued, in the same transaction, when the item is new and
	// its source has had a successful run before (see store/alerts.go).
	Alerts []AlertRef
}

// Mention is how often, and first where, an item names a person one way.
type Mention struct {
	Person      string
	Spelling    string
	Count       int
	FirstOffset int
}

// Stance is how an item frames one person.
type Stance struct {
	Person       string
	Label        string
	Score        float64
	Evidence     []byte // JSON
	RulesVersion string
	Reason       string  // why, in a line
	Confidence   float64 // the model's probability of Label
}

// Topic is one thing an item is about.
type Topic struct {
	Topic        string
	Score        float64
	Evidence     []byte // JSON
	RulesVersion string
}

// Run statuses.
const (
	StatusOK          = "ok"
	StatusNotModified = "not_modified"
	StatusError       = "error"
)

// Run is one fetch of one source and the items it produced.
type Run struct {
	Source     string
	StartedAt  time.Time
	FinishedAt time.Time
	Status     string
	HTTPStatus int // 0 when no response
	Error      string
	// Cause names why a failed run failed in a word or two (fetch.Cause);
	// Error keeps the whole text.
	Cause string
	// Validators for the next conditional GET; both empty keeps the old ones.
	ETag, LastModified string
	// Seen counts the items the source returned; Items holds only those
	// that may be new or changed.
	Seen  int
	Items []Item
	// Health, when set, checks the source's health in the same transaction
	// once the run is recorded (see CheckSourceHealth), instead of in a
	// second one.
	Health *HealthPolicy

	// saving is when SaveRun was called: the run's time waiting for the
	// writer and storing its items is part of the run (see finishedAt).
	saving time.Time
	// worker is the process saving the run; lease, the daemon's lease of
	// the slot it ran, from SaveRun's context (WithLease).
	worker string
	lease  *Lease
}

// slot is the scheduled time the run was for, as fetch_runs.slot: NULL
// for a run not scheduled by the daemon (newsmon fetch).
func (r Run) slot() any {
	if r.lease == nil {
		return nil
	}
	return leaseTime(r.lease.Slot)
}

// finishedAt is when the run ends as recorded in fetch_runs: FinishedAt
// (the fetch done) plus the time spent since in SaveRun, queueing for
// the writer and storing the items, which on a busy database is most of a
// run. It is measured, so a caller's clock (a test's) stays in charge.
func (r Run) finishedAt() time.Time {
	if r.saving.IsZero() {
		return r.FinishedAt
	}
	return r.FinishedAt.Add(time.Since(r.saving))
}

// RunResult says what SaveRun did.
type RunResult struct {
	RunID           int64
	Seen            int // items the source returned
	New             int // items stored for the first time
	Updated         int // items whose content changed
	NewWithMentions int // new items naming a tracked person
	// NewItems are the new items with their stories, in run order.
	NewItems []NewItem
	// ChangedItems are the updated items with their previous stances.
	ChangedItems []ChangedItem
	// AlertsQueued counts the item alerts queued, by channel.
	AlertsQueued map[string]int
	// HealthNotices counts the source-health notices Run.Health queued;
	// each went to every channel of the policy.
	HealthNotices int
}

// SaveRun stores a run's items (new ones inserted, changed ones updated in
// place, unchanged ones left alone), its fetch_runs row and the source's
// health. A run is written in one transaction, or, when it has more items
// than one transaction should hold, in parts (see parts.go): each item with
// its labels, story and alerts is all or nothing, and the run's row records
// how far it got. Runs saved at the same time by several goroutines share
// transactions (see groupcommit.go); a run that fails does not stop the
// others.
//
// Cancelling ctx stops the save between two items. A save that fails is
// recorded all the same, in a transaction of its own: the run's row says
// error and what was stored, and the source counts a failure. The items of
// the parts written before the failure stay, and the returned result
// counts them.
func (s *Store) SaveRun(ctx context.Context, run Run) (RunResult, error) {
	if run.FinishedAt.IsZero() {
		run.FinishedAt = time.Now()
	}
	if run.StartedAt.IsZero() {
		run.StartedAt = run.FinishedAt
	}
	run.saving = time.Now()
	run.worker = s.worker
	if l, ok := leaseFrom(ctx); ok {
		run.lease = &l
	}
	return s.saveInParts(ctx, run)
}

// runWriter holds the statements of one transaction's runs.
type runWriter struct {
	tx      cachedTx
	items   *itemWriter
	stories *storyWriter
}

func (s *Store) prepareRunWriter(ctx context.Context, tx *sql.Tx) (*runWriter, error) {
	items, err := s.prepareItemWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	stories, err := s.prepareStoryWriter(ctx, tx)
	if err != nil {
		items.close()
		return nil, err
	}
	return &runWriter{tx: cachedTx{tx, s}, items: items, stories: stories}, nil
}

func (rw *runWriter) close() {
	rw.items.close()
	rw.stories.close()
}

// save writes one part of a run in rw's transaction.
func (rw *runWriter) save(ctx context.Context, p *runPart) (RunResult, error) {
	var res RunResult
	run := p.run
	tx, w := rw.tx, rw.items
	now := formatTime(run.FinishedAt)
	// The driver watches a cancellable context with a goroutine per
	// statement, and a cold fetch runs about 100,000 statements through the
	// one writer. They run without one; cancellation is checked between
	// items, which bounds the wait as well (an item is a few statements).
	caller := ctx
	ctx = context.WithoutCancel(ctx)
	// Only the holder of the slot's lease stores a run (PostgreSQL): one
	// that lost it to a takeover is the other worker's to store.
	if err := holdsLease(ctx, tx, w.dialect, run); err != nil {
		return res, err
	}
	// A source's first successful run alerts on nothing: its archive is not news.
	alertsOn, err := sourceHasSucceeded(ctx, tx, run.Source)
	if err != nil {
		return res, err
	}
	for i := range run.Items {
		if err := caller.Err(); err != nil {
			return res, err
		}
		it := &run.Items[i]
		id, isNew, changed, err := w.upsert(ctx, run.Source, it, now)
		if err != nil {
			return res, fmt.Errorf("store item %q: %w", it.URL, err)
		}
		if err := recordStory(ctx, tx, rw.stories, &res, id, it.Fingerprint, it.StoryKeys, len(it.Mentions) > 0, isNew, changed, run.FinishedAt); err != nil {
			return res, fmt.Errorf("store story of %q: %w", it.URL, err)
		}
		switch {
		case isNew:
			res.New++
			if len(it.Mentions) > 0 {
				res.NewWithMentions++
			}
			if alertsOn {
				if err := insertItemAlerts(ctx, tx, id, it.Alerts, run.FinishedAt, &res); err != nil {
					return res, fmt.Errorf("store alerts of %q: %w", it.URL, err)
				}
			}
		case changed:
			res.Updated++
		}
		if isNew || changed {
			if err := w.writeLabels(ctx, id, it, !isNew); err != nil {
				return res, fmt.Errorf("store labels of %q: %w", it.URL, err)
			}
		}
	}
	return res, p.recordRun(ctx, tx, w.dialect, &res)
}

// insertRunRow writes a run's fetch_runs row; counts gives its Seen and
// New.
func insertRunRow(ctx context.Context, tx querier, run Run, counts RunResult) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO fetch_runs
		(source, started_at, finished_at, status, http_status, items_seen, items_new, error, cause, worker, slot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		run.Source, formatTime(run.StartedAt), formatTime(run.finishedAt()), run.Status, nullIfZero(run.HTTPStatus),
		counts.Seen, counts.New, run.Error, run.Cause, run.worker, run.slot()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert fetch run: %w", err)
	}
	return id, nil
}

// finishRun records a run's outcome on its source (failures, last error,
// validators) and, when run.Health is set, checks the source's health.
// newItems is how many items the whole run stored.
func finishRun(ctx context.Context, tx querier, run Run, newItems int) (notices int, err error) {
	finished := formatTime(run.finishedAt())
	if run.Status == StatusError {
		_, err = tx.ExecContext(ctx, `UPDATE sources SET last_run_at = ?,
			consecutive_failures = consecutive_failures + 1, last_error = ?, last_cause = ? WHERE name = ?`,
			finished, run.Error, run.Cause, run.Source)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE sources SET last_run_at = ?1, last_success_at = ?1,
			consecutive_failures = 0, last_error = '', last_cause = '',
			etag = CASE WHEN ?2 = '' AND ?3 = '' THEN etag ELSE ?2 END,
			last_modified = CASE WHEN ?2 = '' AND ?3 = '' THEN last_modified ELSE ?3 END
			WHERE name = ?4`,
			finished, run.ETag, run.LastModified, run.Source)
	}
	if err != nil {
		return 0, fmt.Errorf("update source health: %w", err)
	}
	if run.Health == nil {
		return 0, nil
	}
	pol := run.Health.withDefaults()
	if newItems > 0 {
		// A source that has just given a new item is not silent: skip
		// the look at its history.
		pol.SilentFactor = 0
	}
	notices, err = checkSourceHealth(ctx, tx, run.Source, run.FinishedAt, pol)
	if err != nil {
		return 0, fmt.Errorf("check health of source %s: %w", run.Source, err)
	}
	return notices, nil
}

// itemWriter holds the statements SaveRun reuses for every item.
type itemWriter struct {
	findURL, findGUID, insert, update  *sql.Stmt
	delMentions, delStances, delTopics *sql.Stmt
	insMention, insStance, insTopic    *sql.Stmt
	tx                                 *sql.Tx
	// indexedThrough is the search index watermark (store/fts.go); it
	// cannot move during the transaction. SQLite only.
	indexedThrough int64
	dialect        dialect
}

func (s *Store) prepareItemWriter(ctx context.Context, tx *sql.Tx) (*itemWriter, error) {
	w := &itemWriter{tx: tx, dialect: s.dialect}
	if s.dialect == sqliteDialect {
		if err := tx.QueryRowContext(ctx, `SELECT indexed_through FROM search_index_state`).Scan(&w.indexedThrough); err != nil {
			return nil, fmt.Errorf("read search index watermark: %w", err)
		}
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.findURL, `SELECT id, source, content_hash FROM items WHERE canonical_url = ?`},
		{&w.findGUID, `SELECT id, source, content_hash FROM items WHERE source = ? AND guid = ?`},
		// A failed statement aborts a PostgreSQL transaction: there, a
		// known item is an insert that does nothing.
		{&w.insert, `INSERT INTO items (source, guid, url, canonical_url, title, summary, text, author,
			language, published_at, fetched_at, updated_at, content_hash)
			VALUES (?, ?, ?, nullif(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?)` + s.dialect.pick("", " ON CONFLICT DO NOTHING RETURNING id")},
		{&w.update, `UPDATE items SET url = ?, title = ?, summary = ?, text = ?, author = ?, language = ?,
			published_at = coalesce(?, published_at), updated_at = ?, content_hash = ? WHERE id = ?`},
		{&w.delMentions, `DELETE FROM mentions WHERE item_id = ?`},
		{&w.delStances, `DELETE FROM stances WHERE item_id = ?`},
		{&w.delTopics, `DELETE FROM topics WHERE item_id = ?`},
		{&w.insMention, `INSERT INTO mentions (item_id, person, spelling, count, first_offset) VALUES (?, ?, ?, ?, ?)`},
		{&w.insStance, `INSERT INTO stances (item_id, person, label, score, evidence, rules_version, reason, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.insTopic, `INSERT INTO topics (item_id, topic, score, evidence, rules_version) VALUES (?, ?, ?, ?, ?)`},
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

func (w *itemWriter) close() {
	for _, st := range []*sql.Stmt{w.findURL, w.findGUID, w.insert, w.update, w.delMentions, w.delStances, w.delTopics, w.insMention, w.insStance, w.insTopic} {
		if st != nil {
			st.Close()
		}
	}
}

// upsert inserts a new item or updates a known one whose content changed.
// It tries the insert first: most items that reach it are new (callers
// skip the unchanged ones), and a plain INSERT that breaks a unique key
// is undone by SQLite before it writes anything (on PostgreSQL, does
// nothing), so the lookup is only paid for known items.
//
// An item with a link is the item stored under its canonical URL, or a new
// one: a GUID that the source already gave to another link identifies
// nothing (feeds that give every item one GUID exist), and the new item is
// stored under a GUID key of its own (guidKey). Only an item without a link
// is known by its source and GUID.
func (w *itemWriter) upsert(ctx context.Context, source string, it *Item, now any) (id int64, isNew, changed bool, err error) {
	id, isNew, err = w.insertItem(ctx, source, it.GUID, it, now)
	if err != nil || isNew {
		return id, isNew, false, err
	}
	var hash, owner string
	if it.CanonicalURL != "" {
		err = w.findURL.QueryRowContext(ctx, it.CanonicalURL).Scan(&id, &owner, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			// Not this link: the GUID alone was taken.
			id, isNew, err = w.insertItem(ctx, source, guidKey(it), it, now)
			if err != nil || isNew {
				return id, isNew, false, err
			}
			// Another worker stored the link meanwhile (PostgreSQL).
			err = w.findURL.QueryRowContext(ctx, it.CanonicalURL).Scan(&id, &owner, &hash)
		}
	} else {
		err = w.findGUID.QueryRowContext(ctx, source, it.GUID).Scan(&id, &owner, &hash)
	}
	if err != nil {
		return 0, false, false, err
	}
	if hash == it.ContentHash || owner != source {
		// The same article reached through another source's feed is a
		// sighting, not a new version: its first source owns it.
		return id, false, false, nil
	}
	_, err = w.update.ExecContext(ctx, it.URL, it.Title, storedSummary(it), it.Text, it.Author, it.Language,
		formatTime(it.Published), now, it.ContentHash, id)
	return id, false, true, err
}

// guidKey is what an item with a link is stored under in items.guid when
// its source already gave its GUID to another link: the GUID and the
// canonical URL, which no other item of the source can have.
func guidKey(it *Item) string {
	return it.GUID + " " + it.CanonicalURL
}

// insertItem inserts it as a new item stored under guid, and reports
// false, without an error, when a unique key says it is known.
func (w *itemWriter) insertItem(ctx context.Context, source, guid string, it *Item, now any) (int64, bool, error) {
	args := []any{source, guid, it.URL, it.CanonicalURL, it.Title, storedSummary(it), it.Text,
		it.Author, it.Language, formatTime(it.Published), now, now, it.ContentHash}
	if w.dialect == postgresDialect {
		var id int64
		err := w.insert.QueryRowContext(ctx, args...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return id, err == nil, err
	}
	r, err := w.insert.ExecContext(ctx, args...)
	if isUniqueViolation(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, false, err
	}
	if id <= w.indexedThrough {
		// A reused id: IndexPending will never reach it.
		_, err = w.tx.ExecContext(ctx, `INSERT INTO items_fts(rowid, title, text) VALUES (?, ?, ?)`, id, it.Title, it.Text)
	}
	return id, err == nil, err
}

// storedSummary is the summary as stored: "" when it repeats the text.
func storedSummary(it *Item) string {
	if it.Summary == it.Text {
		return ""
	}
	return it.Summary
}

// writeLabels stores the item's mentions, stances and topics, replacing any
// earlier ones when replace is set.
func (w *itemWriter) writeLabels(ctx context.Context, id int64, it *Item, replace bool) error {
	if replace {
		for _, st := range []*sql.Stmt{w.delMentions, w.delStances, w.delTopics} {
			if _, err := st.ExecContext(ctx, id); err != nil {
				return err
			}
		}
	}
	for _, m := range it.Mentions {
		if _, err := w.insMention.ExecContext(ctx, id, m.Person, m.Spelling, m.Count, m.FirstOffset); err != nil {
			return err
		}
	}
	for _, st := range it.Stances {
		if _, err := w.insStance.ExecContext(ctx, id, st.Person, st.Label, st.Score, string(st.Evidence), st.RulesVersion, st.Reason, st.Confidence); err != nil {
			return err
		}
	}
	for _, t := range it.Topics {
		if _, err := w.insTopic.ExecContext(ctx, id, t.Topic, t.Score, string(t.Evidence), t.RulesVersion); err != nil {
			return err
		}
	}
	return nil
}

// ItemKey identifies an item for Unchanged.
type ItemKey struct{ GUID, CanonicalURL, ContentHash string }

// Unchanged reports, for each key, whether the item is already stored with
// the same content, so callers can skip extracting and classifying it again.
// A key with a canonical URL is decided by the item stored under that URL
// (reached through another source's feed, it counts as unchanged: its
// first source owns it); a key without one by the source's item with the
// key's GUID. See upsert.
func (s *Store) Unchanged(ctx context.Context, source string, keys []ItemKey) ([]bool, error) {
	out := make([]bool, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	// One query for the whole feed: a round trip per item cost more than
	// the lookups themselves.
	list := make([][3]string, len(keys))
	for i, k := range keys {
		list[i] = [3]string{k.GUID, k.CanonicalURL, k.ContentHash}
		if s.dialect == postgresDialect { // as stored (withoutNUL): "\u0000" is no text to PostgreSQL
			list[i] = [3]string{pgText(k.GUID), pgText(k.CanonicalURL), pgText(k.ContentHash)}
		}
	}
	arg, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("look up known items of %s: %w", source, err)
	}
	st, err := s.stmt(ctx, s.dialect.pick(`SELECT k.key FROM json_each(?1) AS k WHERE coalesce(CASE WHEN k.value->>1 != ''
		THEN (SELECT content_hash = k.value->>2 OR source != ?2 FROM items WHERE canonical_url = k.value->>1)
		ELSE (SELECT content_hash = k.value->>2 FROM items WHERE source = ?2 AND guid = k.value->>0)
		END, 0)`,
		`SELECT k.n - 1 FROM json_array_elements(?1::json) WITH ORDINALITY AS k(value, n) WHERE coalesce(CASE WHEN k.value->>1 != ''
		THEN (SELECT content_hash = k.value->>2 OR source != ?2 FROM items WHERE canonical_url = k.value->>1)
		ELSE (SELECT content_hash = k.value->>2 FROM items WHERE source = ?2 AND guid = k.value->>0)
		END, false)`))
	if err != nil {
		return nil, fmt.Errorf("look up known items of %s: %w", source, err)
	}
	rows, err := st.QueryContext(ctx, string(arg), source)
	if err != nil {
		return nil, fmt.Errorf("look up known items of %s: %w", source, err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, fmt.Errorf("look up known items of %s: %w", source, err)
		}
		out[i] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up known items of %s: %w", source, err)
	}
	return out, nil
}
