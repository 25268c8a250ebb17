package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Human labels are corrections by people (`newsmon label`). They are kept
// apart from the classifier's labels, in human_stances and human_topics,
// so reclassifying never touches them; the effective_stances and
// effective_topics views (and so coverage, daily_counts, search, alerts and
// the digest) give a person's label where there is one. Every change is
// also appended to label_history.

// StanceLabel is a person's stance label for one item and tracked person.
type StanceLabel struct {
	ItemID int64
	Person string // canonical name
	Label  string // supportive, critical or neutral
	By     string // who labelled
	Note   string
}

// SetStanceLabel records a person's stance label and returns the label the
// item showed for that person before (a person's earlier label, else the
// classifier's, else "").
func (s *Store) SetStanceLabel(ctx context.Context, l StanceLabel, now time.Time) (previous string, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := itemExists(ctx, tx, l.ItemID); err != nil {
			return err
		}
		previous, err = shownStance(ctx, tx, l.ItemID, l.Person)
		if err != nil {
			return err
		}
		ts := formatTime(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO human_stances (item_id, person, label, previous, labelled_by, labelled_at, note)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (item_id, person) DO UPDATE SET label = excluded.label, previous = excluded.previous,
				labelled_by = excluded.labelled_by, labelled_at = excluded.labelled_at, note = excluded.note`,
			l.ItemID, l.Person, l.Label, previous, l.By, ts, l.Note); err != nil {
			return err
		}
		return logLabel(ctx, tx, l.ItemID, l.Person, "stance", l.Label, previous, l.By, ts, l.Note)
	})
	if err != nil {
		return "", fmt.Errorf("label item %d for %s: %w", l.ItemID, l.Person, err)
	}
	return previous, nil
}

// ClearStanceLabel removes a person's stance label, so the classifier's
// shows again. It reports whether there was one.
func (s *Store) ClearStanceLabel(ctx context.Context, itemID int64, person, by string, now time.Time) (bool, error) {
	var found bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		var previous string
		err := tx.QueryRowContext(ctx, `DELETE FROM human_stances WHERE item_id = ? AND person = ? RETURNING label`, itemID, person).Scan(&previous)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return logLabel(ctx, tx, itemID, person, "stance", "", previous, by, formatTime(now), "")
	})
	if err != nil {
		return false, fmt.Errorf("clear label of item %d for %s: %w", itemID, person, err)
	}
	return found, nil
}

// TopicsLabel is a person's set of topics for one item; it replaces the
// classifier's set.
type TopicsLabel struct {
	ItemID int64
	Topics []string
	By     string
	Note   string
}

// SetTopicsLabel records a person's topics for an item and returns the
// topics it showed before.
func (s *Store) SetTopicsLabel(ctx context.Context, l TopicsLabel, now time.Time) (previous []string, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := itemExists(ctx, tx, l.ItemID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT topic FROM effective_topics WHERE item_id = ? ORDER BY topic`, l.ItemID)
		if err != nil {
			return err
		}
		previous = []string{}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			previous = append(previous, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		topics := l.Topics
		if topics == nil {
			topics = []string{}
		}
		value, before := jsonList(topics), jsonList(previous)
		ts := formatTime(now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO human_topics (item_id, topics, previous, labelled_by, labelled_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (item_id) DO UPDATE SET topics = excluded.topics, previous = excluded.previous,
				labelled_by = excluded.labelled_by, labelled_at = excluded.labelled_at`,
			l.ItemID, value, before, l.By, ts); err != nil {
			return err
		}
		return logLabel(ctx, tx, l.ItemID, "", "topics", value, before, l.By, ts, l.Note)
	})
	if err != nil {
		return nil, fmt.Errorf("label topics of item %d: %w", l.ItemID, err)
	}
	return previous, nil
}

// LabelledItem is an item with a person's stance label, for exporting a
// corpus that `newsmon eval` and `newsmon rules fit` read.
type LabelledItem struct {
	ItemID int64
	Source string
	URL    string
	Title  string
	Text   string
	Person string   // whom the label is about
	Stance string   // the person's label
	People []string // everyone the item mentions, Person first
	Topics []string // a person's topics, or nil when nobody labelled them
}

// HumanLabelled calls fn for every (item, person) with a person's stance
// label, in item order.
func (s *Store) HumanLabelled(ctx context.Context, fn func(LabelledItem) error) error {
	// The people an item mentions, first named first, as a JSON list.
	people := s.dialect.pick(`(SELECT json_group_array(person) FROM (SELECT person, min(first_offset) AS o FROM mentions m
			WHERE m.item_id = h.item_id GROUP BY person ORDER BY o))`,
		`(SELECT coalesce(json_agg(person ORDER BY o), '[]') FROM (SELECT person, min(first_offset) AS o FROM mentions m
			WHERE m.item_id = h.item_id GROUP BY person) p)`)
	rows, err := s.db.QueryContext(ctx, `SELECT h.item_id, i.source, coalesce(i.canonical_url, i.url), i.title, i.text,
		h.person, h.label, ht.topics, `+people+`
		FROM human_stances h JOIN items i ON i.id = h.item_id
		LEFT JOIN human_topics ht ON ht.item_id = h.item_id
		ORDER BY h.item_id, h.person`)
	if err != nil {
		return fmt.Errorf("read labelled items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it LabelledItem
		var topics sql.NullString
		var people string
		if err := rows.Scan(&it.ItemID, &it.Source, &it.URL, &it.Title, &it.Text, &it.Person, &it.Stance, &topics, &people); err != nil {
			return fmt.Errorf("read labelled items: %w", err)
		}
		var mentioned []string
		if err := json.Unmarshal([]byte(people), &mentioned); err != nil {
			return fmt.Errorf("read labelled item %d: %w", it.ItemID, err)
		}
		it.People = []string{it.Person}
		for _, p := range mentioned {
			if p != it.Person {
				it.People = append(it.People, p)
			}
		}
		if topics.Valid {
			if err := json.Unmarshal([]byte(topics.String), &it.Topics); err != nil {
				return fmt.Errorf("read labelled item %d: %w", it.ItemID, err)
			}
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return rows.Err()
}

func itemExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM items WHERE id = ?)`, id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no item %d", id)
	}
	return nil
}

// shownStance is the label the item shows for person now.
func shownStance(ctx context.Context, tx *sql.Tx, id int64, person string) (string, error) {
	var label string
	err := tx.QueryRowContext(ctx, `SELECT label FROM effective_stances WHERE item_id = ? AND person = ?`, id, person).Scan(&label)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return label, err
}

func logLabel(ctx context.Context, tx *sql.Tx, id int64, person, kind, value, previous, by string, ts any, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO label_history (item_id, person, kind, value, previous, labelled_by, labelled_at, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, person, kind, value, previous, by, ts, note)
	return err
}

func jsonList(list []string) string {
	b, _ := json.Marshal(list) // strings only: cannot fail
	return string(b)
}
