package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrBadQuery is returned, wrapped with SQLite's explanation, when a search
// query is not valid FTS5 syntax.
var ErrBadQuery = errors.New("invalid search query")

// SearchQuery is a full-text search with optional filters. Match uses FTS5
// syntax: words, "exact phrases", AND / OR / NOT, NEAR(a b, 10), prefix*,
// and column filters such as title:word.
type SearchQuery struct {
	Match  string
	Person string    // only items with a stance on this person
	Stance string    // with Person: only this label; alone: any person framed this way
	Topic  string    // only items about this topic
	Source string    // only items from this source
	Since  time.Time // only items published (or first seen) at or after this
	// ByRank orders by relevance (bm25, title weighted 5×) instead of newest first.
	ByRank bool
	Limit  int // 0 means 50
}

// SearchHit is one matching item.
type SearchHit struct {
	ItemID  int64
	StoryID int64
	Source  string
	Title   string
	URL     string
	Date    time.Time // published, or first seen
	// Snippet is an excerpt of the text around the match, matched terms
	// between « and ».
	Snippet string
	Rank    float64 // bm25: lower is more relevant
}

// Snippet markers around matched terms.
const (
	SnippetOpen  = "«"
	SnippetClose = "»"
)

// Search runs a full-text query.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	if strings.TrimSpace(q.Match) == "" {
		return nil, fmt.Errorf("search: %w: empty query", ErrBadQuery)
	}
	where := []string{"items_fts MATCH ?"}
	args := []any{q.Match}
	switch {
	case q.Person != "" && q.Stance != "":
		where = append(where, "EXISTS (SELECT 1 FROM effective_stances s WHERE s.item_id = i.id AND s.person = ? AND s.label = ?)")
		args = append(args, q.Person, q.Stance)
	case q.Person != "":
		where = append(where, "EXISTS (SELECT 1 FROM mentions m WHERE m.item_id = i.id AND m.person = ?)")
		args = append(args, q.Person)
	case q.Stance != "":
		where = append(where, "EXISTS (SELECT 1 FROM effective_stances s WHERE s.item_id = i.id AND s.label = ?)")
		args = append(args, q.Stance)
	}
	if q.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM effective_topics t WHERE t.item_id = i.id AND t.topic = ?)")
		args = append(args, q.Topic)
	}
	if q.Source != "" {
		where = append(where, "i.source = ?")
		args = append(args, q.Source)
	}
	if !q.Since.IsZero() {
		where = append(where, "coalesce(i.published_at, i.fetched_at) >= ?")
		args = append(args, formatTime(q.Since))
	}
	// Newest first walks the index in rowid order, newest stored first, and
	// stops at the limit: FTS5 yields rowids in order without a sort, so a
	// word found in most of a million items costs no more than a rare one,
	// and snippets are made only for the rows returned. The page is then
	// ordered by date below. Ranking has to score every match.
	order := "items_fts.rowid DESC"
	if q.ByRank {
		order = "rank, date DESC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	args = append(args, limit)
	// snippet column -1 picks the best column; 12 tokens around the match.
	query := `SELECT i.id, coalesce(i.story_id, i.id), i.source, i.title, coalesce(i.canonical_url, i.url),
		coalesce(i.published_at, i.fetched_at) AS date,
		snippet(items_fts, -1, '` + SnippetOpen + `', '` + SnippetClose + `', '…', 12),
		bm25(items_fts, 5.0, 1.0) AS rank
		FROM items_fts CROSS JOIN items i ON i.id = items_fts.rowid
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, searchError(q.Match, err)
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		var date sql.NullString
		if err := rows.Scan(&h.ItemID, &h.StoryID, &h.Source, &h.Title, &h.URL, &date, &h.Snippet, &h.Rank); err != nil {
			return nil, searchError(q.Match, err)
		}
		h.Date = parseTime(date)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, searchError(q.Match, err)
	}
	if !q.ByRank {
		sort.SliceStable(out, func(a, b int) bool { return out[a].Date.After(out[b].Date) })
	}
	return out, nil
}

// searchError tells a malformed query (the user's to fix) from a failure.
func searchError(match string, err error) error {
	msg := err.Error()
	// SQLITE_ERROR ("SQL logic error") from a fixed, tested statement can
	// only come from the MATCH expression the user wrote.
	if strings.Contains(msg, "fts5") || strings.Contains(msg, "SQL logic error") {
		return fmt.Errorf("search %q: %w: %s", match, ErrBadQuery, msg)
	}
	return fmt.Errorf("search %q: %w", match, err)
}
