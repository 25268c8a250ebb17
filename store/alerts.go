package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AlertRef asks SaveRun to queue one alert for a new item: the rule it
// matched and the channel to notify.
type AlertRef struct{ Rule, Channel string }

// Alert statuses. A row moves pending → sending → sent, or back to pending
// (with a later NextAttempt) after a failed try, or to failed once it has
// used up its attempts. A row found "sending" when the sender starts was
// being delivered when the process stopped, and is delivered again (see
// SendingAlerts). Older versions marked such rows unknown. A pending row
// whose rule a person's label no longer matches is withdrawn, never sent
// (SetItemAlerts).
const (
	AlertPending   = "pending"
	AlertSending   = "sending"
	AlertSent      = "sent"
	AlertFailed    = "failed"
	AlertUnknown   = "unknown"
	AlertWithdrawn = "withdrawn"
)

// Alert kinds.
const (
	AlertItem            = "item"
	AlertSourceFailing   = "source_failing"
	AlertSourceSilent    = "source_silent"
	AlertSourceRecovered = "source_recovered"
)

// Alert is one row of the outbox.
type Alert struct {
	ID          int64
	ItemID      int64 // 0 for source-health alerts
	Rule        string
	Channel     string
	Kind        string
	Source      string // for health alerts
	Message     string // for health alerts
	Key         string // idempotency key, stable across retries
	Status      string
	Attempts    int
	LastError   string
	NextAttempt time.Time
	Created     time.Time
	Sent        time.Time
	Item        *LabeledItem // the item, for item alerts read by ClaimDueAlerts and SendingAlerts
}

// LabeledItem is a stored item with its stances and topics, as alerts and
// the digest show it.
type LabeledItem struct {
	ID        int64
	Source    string
	Title     string
	URL       string
	Text      string // only filled by AlertCandidates
	Published time.Time
	Fetched   time.Time
	StoryID   int64
	Stances   []ItemStance
	Topics    []string
}

// ItemStance is how an item frames one person, with its evidence sentences.
type ItemStance struct {
	Person   string
	Label    string // a person's label (Human) where there is one, else the classifier's
	Score    float64
	Evidence []string
	Reason   string // the classifier's reason for its label
	Human    bool   // Label was set by a person (`newsmon label`)
}

// alertKey is the idempotency key of an item alert.
func alertKey(itemID int64, rule, channel string) string {
	return "item:" + strconv.FormatInt(itemID, 10) + ":" + rule + ":" + channel
}

// sourceHasSucceeded reports whether source had a successful run before the
// current transaction's own run is recorded.
func sourceHasSucceeded(ctx context.Context, tx querier, source string) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT last_success_at IS NOT NULL FROM sources WHERE name = ?`, source).Scan(&ok)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read source %s: %w", source, err)
	}
	return ok, nil
}

// insertItemAlerts queues refs for a new item, skipping a rule that has
// already alerted on another item of the same story (a repost or wire copy),
// or is about to: an alert withdrawn by a person's label does not count.
func insertItemAlerts(ctx context.Context, tx querier, itemID int64, refs []AlertRef, now time.Time, res *RunResult) error {
	for _, r := range refs {
		var seen bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM alerts a JOIN items i ON i.id = a.item_id
			WHERE a.rule = ?1 AND a.item_id != ?2 AND a.status != 'withdrawn'
			AND i.story_id = (SELECT story_id FROM items WHERE id = ?2))`, r.Rule, itemID).Scan(&seen); err != nil {
			return fmt.Errorf("check story alerts: %w", err)
		}
		if seen {
			continue
		}
		ts := formatTime(now)
		ins, err := tx.ExecContext(ctx, `INSERT INTO alerts (item_id, rule, channel, kind, dedupe_key, next_attempt_at, created_at)
			VALUES (?, ?, ?, 'item', ?, ?, ?) ON CONFLICT DO NOTHING`,
			itemID, r.Rule, r.Channel, alertKey(itemID, r.Rule, r.Channel), ts, ts)
		if err != nil {
			return fmt.Errorf("queue alert %s/%s: %w", r.Rule, r.Channel, err)
		}
		if n, _ := ins.RowsAffected(); n > 0 {
			if res.AlertsQueued == nil {
				res.AlertsQueued = map[string]int{}
			}
			res.AlertsQueued[r.Channel]++
		}
	}
	return nil
}

const alertColumns = `id, coalesce(item_id, 0), rule, channel, kind, source, message, dedupe_key, status,
	attempts, last_error, next_attempt_at, created_at, sent_at`

func scanAlert(sc interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var next, created, sent sql.NullString
	err := sc.Scan(&a.ID, &a.ItemID, &a.Rule, &a.Channel, &a.Kind, &a.Source, &a.Message, &a.Key, &a.Status,
		&a.Attempts, &a.LastError, &next, &created, &sent)
	a.NextAttempt, a.Created, a.Sent = parseTime(next), parseTime(created), parseTime(sent)
	return a, err
}

// ClaimDueAlerts marks as sending, in one committed transaction, every
// pending alert of each (rule, channel) group that is due: its next attempt
// has come and its oldest alert has waited groupWindow, so that alerts
// arriving close together go out as one message. It returns them with
// their items, oldest first.
func (s *Store) ClaimDueAlerts(ctx context.Context, now time.Time, groupWindow time.Duration) ([]Alert, error) {
	var out []Alert
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = queryAlerts(ctx, tx, `SELECT `+alertColumns+` FROM alerts a
			WHERE status = 'pending' AND next_attempt_at <= ?1
			AND EXISTS (SELECT 1 FROM alerts b WHERE b.status = 'pending' AND b.rule = a.rule
				AND b.channel = a.channel AND b.created_at <= ?2)
			ORDER BY created_at, id`, formatTime(now), formatTime(now.Add(-groupWindow)))
		if err != nil {
			return err
		}
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
			out[i].Status = AlertSending
		}
		_, err = tx.ExecContext(ctx, `UPDATE alerts SET status = 'sending'
			WHERE `+s.dialect.inIDs("id", "?"), idList(ids))
		return err
	})
	if err == nil {
		err = s.attachItems(ctx, out)
	}
	if err != nil {
		return nil, fmt.Errorf("claim due alerts: %w", err)
	}
	return out, nil
}

// attachItems sets the Item of every item alert in as.
func (s *Store) attachItems(ctx context.Context, as []Alert) error {
	var ids []int64
	for _, a := range as {
		if a.ItemID != 0 {
			ids = append(ids, a.ItemID)
		}
	}
	if len(ids) == 0 { // nothing due, or only source-health alerts
		return nil
	}
	items, err := s.labeledItems(ctx, `i.id IN (`+placeholders(len(ids))+`)`, int64Args(ids), false)
	if err != nil {
		return err
	}
	byID := map[int64]*LabeledItem{}
	for i := range items {
		byID[items[i].ID] = &items[i]
	}
	for i := range as {
		as[i].Item = byID[as[i].ItemID]
	}
	return nil
}

// MarkAlertsSent records that the alerts were delivered.
func (s *Store) MarkAlertsSent(ctx context.Context, ids []int64, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'sent', attempts = attempts + 1,
			last_error = '', sent_at = ? WHERE `+s.dialect.inIDs("id", "?"), formatTime(now), idList(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark alerts sent: %w", err)
	}
	return nil
}

// MarkAlertsFailed records a failed delivery: each alert goes back to
// pending, due at retryAt, or to failed once it has had maxAttempts.
func (s *Store) MarkAlertsFailed(ctx context.Context, ids []int64, errText string, retryAt time.Time, maxAttempts int) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET attempts = attempts + 1, last_error = ?1,
			next_attempt_at = ?2,
			status = CASE WHEN attempts + 1 >= ?3 THEN 'failed' ELSE 'pending' END
			WHERE `+s.dialect.inIDs("id", "?4"), errText, formatTime(retryAt), maxAttempts, idList(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark alerts failed: %w", err)
	}
	return nil
}

// SendingAlerts returns, with their items, the alerts a stopped process
// left "sending": claimed, and maybe delivered or maybe not. The sender
// delivers them again, as the same groups under the same keys, before it
// claims anything else (see notify.Outbox.Recover).
func (s *Store) SendingAlerts(ctx context.Context) ([]Alert, error) {
	out, err := queryAlerts(ctx, s.db, `SELECT `+alertColumns+` FROM alerts a WHERE status = 'sending' ORDER BY created_at, id`)
	if err == nil {
		err = s.attachItems(ctx, out)
	}
	if err != nil {
		return nil, fmt.Errorf("read alerts left sending: %w", err)
	}
	return out, nil
}

// ListAlerts returns up to limit alerts, newest first, with the given
// status ("" for any).
func (s *Store) ListAlerts(ctx context.Context, status string, limit int) ([]Alert, error) {
	out, err := queryAlerts(ctx, s.db, `SELECT `+alertColumns+` FROM alerts
		WHERE ?1 = '' OR status = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// queryAlerts runs a query selecting alertColumns, in a transaction or not.
func queryAlerts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]Alert, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AlertCandidates returns up to limit items fetched at or after since that
// mention a tracked person, with their text, newest first: what an alert
// rule is tried against by `newsmon alerts test`.
func (s *Store) AlertCandidates(ctx context.Context, since time.Time, limit int) ([]LabeledItem, error) {
	items, err := s.labeledItems(ctx, `i.fetched_at >= ? AND EXISTS (SELECT 1 FROM effective_stances s WHERE s.item_id = i.id)
		ORDER BY i.fetched_at DESC, i.id DESC LIMIT ?`, []any{formatTime(since), limit}, true)
	if err != nil {
		return nil, fmt.Errorf("read alert candidates: %w", err)
	}
	return items, nil
}

// labeledItems reads the items matching where (a condition on items i,
// possibly followed by ORDER BY and LIMIT), then their stances and topics.
func (s *Store) labeledItems(ctx context.Context, where string, args []any, withText bool) ([]LabeledItem, error) {
	text := "''"
	if withText {
		text = "i.text"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT i.id, i.source, i.title, coalesce(i.canonical_url, i.url), `+text+`,
		i.published_at, i.fetched_at, coalesce(i.story_id, i.id) FROM items i WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []LabeledItem
	idx := map[int64]int{}
	for rows.Next() {
		var it LabeledItem
		var pub, fetched sql.NullString
		if err := rows.Scan(&it.ID, &it.Source, &it.Title, &it.URL, &it.Text, &pub, &fetched, &it.StoryID); err != nil {
			rows.Close()
			return nil, err
		}
		it.Published, it.Fetched = parseTime(pub), parseTime(fetched)
		idx[it.ID] = len(out)
		out = append(out, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Labels are read in batches to stay under SQLite's variable limit.
	const batch = 500
	for start := 0; start < len(out); start += batch {
		ids := make([]int64, 0, batch)
		for _, it := range out[start:min(start+batch, len(out))] {
			ids = append(ids, it.ID)
		}
		if err := s.readItemLabels(ctx, ids, out, idx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) readItemLabels(ctx context.Context, ids []int64, out []LabeledItem, idx map[int64]int) error {
	in := placeholders(len(ids))
	rows, err := s.db.QueryContext(ctx, `SELECT item_id, person, label, score, evidence, reason, human FROM effective_stances
		WHERE item_id IN (`+in+`) ORDER BY item_id, person`, int64Args(ids)...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var st ItemStance
		var ev string
		if err := rows.Scan(&id, &st.Person, &st.Label, &st.Score, &ev, &st.Reason, &st.Human); err != nil {
			rows.Close()
			return err
		}
		st.Evidence = evidenceSentences(ev)
		out[idx[id]].Stances = append(out[idx[id]].Stances, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT item_id, topic FROM effective_topics WHERE item_id IN (`+in+`)
		ORDER BY item_id, score DESC, topic`, int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var topic string
		if err := rows.Scan(&id, &topic); err != nil {
			return err
		}
		out[idx[id]].Topics = append(out[idx[id]].Topics, topic)
	}
	return rows.Err()
}

// evidenceSentences pulls the distinct sentences out of stored evidence
// JSON, strongest evidence first as stored; bad JSON gives none.
func evidenceSentences(js string) []string {
	var ev []struct {
		Sentence string `json:"sentence"`
	}
	if json.Unmarshal([]byte(js), &ev) != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range ev {
		if e.Sentence != "" && !seen[e.Sentence] {
			seen[e.Sentence] = true
			out = append(out, e.Sentence)
		}
	}
	return out
}

func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// idList renders ids as a JSON array, for one statement over all of them
// (see inIDs).
func idList(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// inIDs is the condition that column is one of the ids in the JSON array
// parameter param (an idList). On PostgreSQL an array, which an index
// serves one id at a time.
func (d dialect) inIDs(column, param string) string {
	return d.pick(column+` IN (SELECT value FROM json_each(`+param+`))`,
		column+` = ANY (ARRAY(SELECT json_array_elements_text(`+param+`::json)::bigint))`)
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
