package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// ChangedItem is an item SaveRun updated because its content changed, with
// the stances it had before: an alert rule that the new labels match and the
// previous ones did not is news; one both match is not.
type ChangedItem struct {
	ID              int64
	StoryID         int64
	PreviousStances []Stance // as stored before this run, evidence included
}

// Revision is a replaced version of an item and the labels it had.
type Revision struct {
	Title        string
	Text         string // "" once retention dropped it
	ContentHash  string
	ContentSince time.Time // when this version was first stored
	ReplacedAt   time.Time
	Stances      []Stance
	Topics       []Topic
}

// revisionStance and revisionTopic are the JSON shapes the items_revision
// trigger writes.
type revisionStance struct {
	Person   string          `json:"person"`
	Label    string          `json:"label"`
	Score    float64         `json:"score"`
	Evidence json.RawMessage `json:"evidence"`
}

type revisionTopic struct {
	Topic    string          `json:"topic"`
	Score    float64         `json:"score"`
	Evidence json.RawMessage `json:"evidence"`
}

func decodeRevisionLabels(stancesJSON, topicsJSON string) ([]Stance, []Topic, error) {
	var rs []revisionStance
	var rt []revisionTopic
	if err := json.Unmarshal([]byte(stancesJSON), &rs); err != nil {
		return nil, nil, fmt.Errorf("decode revision stances: %w", err)
	}
	if err := json.Unmarshal([]byte(topicsJSON), &rt); err != nil {
		return nil, nil, fmt.Errorf("decode revision topics: %w", err)
	}
	var stances []Stance
	for _, s := range rs {
		stances = append(stances, Stance{Person: s.Person, Label: s.Label, Score: s.Score, Evidence: []byte(s.Evidence)})
	}
	var topics []Topic
	for _, t := range rt {
		topics = append(topics, Topic{Topic: t.Topic, Score: t.Score, Evidence: []byte(t.Evidence)})
	}
	return stances, topics, nil
}

// changedItem reads, inside SaveRun's transaction, the revision the update
// of id just recorded.
func changedItem(ctx context.Context, tx querier, id int64) (ChangedItem, error) {
	out := ChangedItem{ID: id}
	var stancesJSON, topicsJSON string
	var story sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT r.stances, r.topics, i.story_id FROM item_revisions r
		JOIN items i ON i.id = r.item_id WHERE r.item_id = ? ORDER BY r.id DESC LIMIT 1`, id).Scan(&stancesJSON, &topicsJSON, &story)
	if err != nil {
		return out, fmt.Errorf("read previous labels of item %d: %w", id, err)
	}
	out.StoryID = id
	if story.Valid {
		out.StoryID = story.Int64
	}
	out.PreviousStances, _, err = decodeRevisionLabels(stancesJSON, topicsJSON)
	return out, err
}

// Revisions returns the replaced versions of an item, oldest first.
func (s *Store) Revisions(ctx context.Context, itemID int64) ([]Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT title, text, content_hash, content_since, replaced_at, stances, topics
		FROM item_revisions WHERE item_id = ? ORDER BY id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("read revisions of item %d: %w", itemID, err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var since, replaced sql.NullString
		var sj, tj string
		if err := rows.Scan(&r.Title, &r.Text, &r.ContentHash, &since, &replaced, &sj, &tj); err != nil {
			return nil, fmt.Errorf("read revisions of item %d: %w", itemID, err)
		}
		r.ContentSince, r.ReplacedAt = parseTime(since), parseTime(replaced)
		if r.Stances, r.Topics, err = decodeRevisionLabels(sj, tj); err != nil {
			return nil, fmt.Errorf("read revisions of item %d: %w", itemID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read revisions of item %d: %w", itemID, err)
	}
	return out, nil
}
