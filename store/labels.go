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
}

// Item reads one stored item.
func (s *Store) Item(ctx context.Context, id int64) (StoredItem, error) {
	var it StoredItem
	var pub sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT id, source, url, title, text, published_at FROM items WHERE id = ?`, id).
		Scan(&it.ID, &it.Source, &it.URL, &it.Title, &it.Text, &pub)
	if err == sql.ErrNoRows {
		return it, fmt.Errorf("read item %d: no such item", id)
	}
	if err != nil {
		return it, fmt.Errorf("read item %d: %w", id, err)
	}
	it.Published = parseTime(pub)
	return it, nil
}

// ItemsAfter returns up to limit items with id > afterID, in id order,
// fetched at or after since (zero: all), for classifying history in batches.
func (s *Store) ItemsAfter(ctx context.Context, afterID int64, since time.Time, limit int) ([]StoredItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, url, title, text, published_at FROM items
		WHERE id > ? AND (? IS NULL OR coalesce(published_at, fetched_at) >= ?)
		ORDER BY id LIMIT ?`, afterID, formatTime(since), formatTime(since), limit)
	if err != nil {
		return nil, fmt.Errorf("read items after %d: %w", afterID, err)
	}
	defer rows.Close()
	var out []StoredItem
	for rows.Next() {
		var it StoredItem
		var pub sql.NullString
		if err := rows.Scan(&it.ID, &it.Source, &it.URL, &it.Title, &it.Text, &pub); err != nil {
			return nil, fmt.Errorf("read items after %d: %w", afterID, err)
		}
		it.Published = parseTime(pub)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Labels are an item's mentions, stances and topics.
type Labels struct {
	ItemID   int64
	Mentions []Mention
	Stances  []Stance
	Topics   []Topic
}

// ReplaceLabels replaces the labels of a batch of items in one transaction
// and returns how many labels changed: a person's stance label that differs
// (or appears, or goes), and a topic tag added or dropped.
func (s *Store) ReplaceLabels(ctx context.Context, batch []Labels) (changed int, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		w, err := s.prepareItemWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, l := range batch {
			before, err := labelSignature(ctx, tx, l.ItemID)
			if err != nil {
				return err
			}
			it := Item{Mentions: l.Mentions, Stances: l.Stances, Topics: l.Topics}
			if err := w.writeLabels(ctx, l.ItemID, &it, true); err != nil {
				return fmt.Errorf("write labels of item %d: %w", l.ItemID, err)
			}
			changed += diffCount(before, signatureOf(l))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("replace labels: %w", err)
	}
	return changed, nil
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
