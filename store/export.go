package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// CoverageRow is one row of the coverage view: one item and one person it
// mentions, with how it frames them.
type CoverageRow struct {
	ItemID  int64
	Date    time.Time // published, or first seen
	Outlet  string    // the source's name
	Person  string
	Title   string
	URL     string
	Stance  string
	Score   float64
	Topics  []string
	StoryID int64
	// HumanLabel says Stance was set by a person (`newsmon label`).
	HumanLabel bool
}

// CoverageFilter narrows Coverage; zero fields do not filter.
type CoverageFilter struct {
	Since  time.Time
	Person string
}

// Coverage calls fn for each coverage row matching f, oldest first, reading
// rows as it goes so that an export of the whole database stays small in
// memory. An error from fn stops it and is returned.
func (s *Store) Coverage(ctx context.Context, f CoverageFilter, fn func(CoverageRow) error) error {
	where := []string{"1 = 1"}
	var args []any
	if f.Person != "" {
		where = append(where, "person = ?")
		args = append(args, f.Person)
	}
	if !f.Since.IsZero() {
		where = append(where, "date >= ?")
		args = append(args, formatTime(f.Since))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT item_id, date, outlet, person, title, url, stance, score, topics,
		coalesce(story_id, item_id), human_label FROM coverage WHERE `+strings.Join(where, " AND ")+` ORDER BY date, item_id, person`, args...)
	if err != nil {
		return fmt.Errorf("read coverage: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r CoverageRow
		var date sql.NullString
		var topics string
		if err := rows.Scan(&r.ItemID, &date, &r.Outlet, &r.Person, &r.Title, &r.URL, &r.Stance, &r.Score, &topics, &r.StoryID, &r.HumanLabel); err != nil {
			return fmt.Errorf("read coverage: %w", err)
		}
		r.Date = parseTime(date)
		r.Topics = []string{}
		if topics != "" {
			r.Topics = strings.Split(topics, ",")
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read coverage: %w", err)
	}
	return nil
}
