package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Digest statuses. A digest left "sending" by a stopped process is sent
// again (see SendingDigests); "unknown" marks such digests in databases of
// older versions and, like "failed", does not count as sent, so the next
// digest covers its period again.
const (
	DigestSending = "sending"
	DigestSent    = "sent"
	DigestFailed  = "failed"
	DigestUnknown = "unknown"
	DigestSkipped = "skipped" // an empty period with send_empty off
)

// DigestRecord is one row of the digests table.
type DigestRecord struct {
	ID          int64
	PeriodStart time.Time
	PeriodEnd   time.Time
	Recipients  []string
	Status      string
	Items       int
	// Counts are mentions per person and stance in the period.
	Counts  map[string]map[string]int
	Error   string
	Created time.Time
	Sent    time.Time
}

const digestColumns = `id, period_start, period_end, recipients, status, items, counts, error, created_at, sent_at`

func scanDigest(sc interface{ Scan(...any) error }) (DigestRecord, error) {
	var d DigestRecord
	var start, end, created, sent sql.NullString
	var rcpts, counts string
	if err := sc.Scan(&d.ID, &start, &end, &rcpts, &d.Status, &d.Items, &counts, &d.Error, &created, &sent); err != nil {
		return d, err
	}
	d.PeriodStart, d.PeriodEnd, d.Created, d.Sent = parseTime(start), parseTime(end), parseTime(created), parseTime(sent)
	if rcpts != "" {
		d.Recipients = strings.Split(rcpts, ",")
	}
	_ = json.Unmarshal([]byte(counts), &d.Counts) // a bad value only loses the deltas
	return d, nil
}

// LastSentDigest returns the digest that was sent most recently (by the end
// of its period); ok is false when none was ever sent.
func (s *Store) LastSentDigest(ctx context.Context) (d DigestRecord, ok bool, err error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+digestColumns+` FROM digests
		WHERE status IN ('sent', 'skipped') ORDER BY period_end DESC, id DESC LIMIT 1`)
	d, err = scanDigest(row)
	if err == sql.ErrNoRows {
		return DigestRecord{}, false, nil
	}
	if err != nil {
		return DigestRecord{}, false, fmt.Errorf("read last digest: %w", err)
	}
	return d, true, nil
}

// Digests returns up to limit digest attempts, newest first.
func (s *Store) Digests(ctx context.Context, limit int) ([]DigestRecord, error) {
	out, err := s.queryDigests(ctx, `ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	return out, nil
}

// queryDigests returns the digests rows that tail (WHERE, ORDER BY) selects.
func (s *Store) queryDigests(ctx context.Context, tail string, args ...any) ([]DigestRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+digestColumns+` FROM digests `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DigestRecord
	for rows.Next() {
		d, err := scanDigest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// StartDigest records, in a committed transaction, that a digest for d's
// period is about to be sent, and returns its id. Status is set to
// "sending" unless d.Status says otherwise (e.g. skipped).
func (s *Store) StartDigest(ctx context.Context, d DigestRecord, now time.Time) (int64, error) {
	if d.Status == "" {
		d.Status = DigestSending
	}
	counts, err := json.Marshal(d.Counts)
	if err != nil {
		return 0, fmt.Errorf("record digest: %w", err)
	}
	if d.Counts == nil {
		counts = []byte("{}")
	}
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		var sent any
		if d.Status == DigestSkipped {
			sent = formatTime(now)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO digests (period_start, period_end, recipients, status, items, counts, created_at, sent_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, formatTime(d.PeriodStart), formatTime(d.PeriodEnd),
			strings.Join(d.Recipients, ","), d.Status, d.Items, string(counts), formatTime(now), sent).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("record digest: %w", err)
	}
	return id, nil
}

// FinishDigest records the outcome of sending digest id: sent when errText
// is empty, failed otherwise.
func (s *Store) FinishDigest(ctx context.Context, id int64, errText string, now time.Time) error {
	status, sent := DigestSent, formatTime(now)
	if errText != "" {
		status, sent = DigestFailed, nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE digests SET status = ?, error = ?, sent_at = ? WHERE id = ?`, status, errText, sent, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("record digest %d outcome: %w", id, err)
	}
	return nil
}

// SendingDigests returns the digests a stopped process left "sending",
// oldest first: each may or may not have been delivered.
func (s *Store) SendingDigests(ctx context.Context) ([]DigestRecord, error) {
	out, err := s.queryDigests(ctx, `WHERE status = 'sending' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read digests left sending: %w", err)
	}
	return out, nil
}

// DigestItems returns the items that mention a tracked person and were
// first fetched in (start, end], oldest first, with their labels.
func (s *Store) DigestItems(ctx context.Context, start, end time.Time) ([]LabeledItem, error) {
	items, err := s.labeledItems(ctx, `i.fetched_at > ? AND i.fetched_at <= ?
		AND EXISTS (SELECT 1 FROM effective_stances s WHERE s.item_id = i.id)
		ORDER BY i.fetched_at, i.id`, []any{formatTime(start), formatTime(end)}, false)
	if err != nil {
		return nil, fmt.Errorf("read digest items: %w", err)
	}
	return items, nil
}

// StanceDate is one person's stance in one item, with the item's story
// and date (published, or first seen when the source gave no date), for
// counting stories per day.
type StanceDate struct {
	Date   time.Time
	Person string
	Label  string
	Score  float64
	// StoryID is the item's story (items.story_id), or the item's own id
	// when it has none.
	StoryID int64
}

// StanceDates returns every stance of items dated in [from, to), oldest
// first.
func (s *Store) StanceDates(ctx context.Context, from, to time.Time) ([]StanceDate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT coalesce(i.published_at, i.fetched_at) AS d, s.person, s.label, s.score,
		coalesce(i.story_id, i.id)
		FROM effective_stances s JOIN items i ON i.id = s.item_id
		WHERE coalesce(i.published_at, i.fetched_at) >= ? AND coalesce(i.published_at, i.fetched_at) < ?
		ORDER BY d, i.id`,
		formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("count stories per day: %w", err)
	}
	defer rows.Close()
	var out []StanceDate
	for rows.Next() {
		var d sql.NullString
		var sd StanceDate
		if err := rows.Scan(&d, &sd.Person, &sd.Label, &sd.Score, &sd.StoryID); err != nil {
			return nil, fmt.Errorf("count stories per day: %w", err)
		}
		sd.Date = parseTime(d)
		out = append(out, sd)
	}
	return out, rows.Err()
}
