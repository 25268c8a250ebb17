package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
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
	match := "items_fts MATCH ?"
	var args []any
	if s.dialect == postgresDialect {
		tsq, err := tsQuery(q.Match)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w: %v", q.Match, ErrBadQuery, err)
		}
		match = "items_fts.document @@ to_tsquery('newsmon', ?1)"
		args = append(args, tsq)
	} else {
		args = append(args, q.Match)
	}
	where := []string{match}
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
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	args = append(args, limit)
	var query string
	if s.dialect == postgresDialect {
		query = searchPostgres(where, q.ByRank)
	} else {
		query = searchSQLite(where, q.ByRank)
	}
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

// searchSQLite is the query of Search on SQLite: FTS5.
func searchSQLite(where []string, byRank bool) string {
	// Newest first walks the index in rowid order, newest stored first, and
	// stops at the limit: FTS5 yields rowids in order without a sort, so a
	// word found in most of a million items costs no more than a rare one,
	// and snippets are made only for the rows returned. The page is then
	// ordered by date below. Ranking has to score every match.
	order := "items_fts.rowid DESC"
	if byRank {
		order = "rank, date DESC"
	}
	// snippet column -1 picks the best column; 12 tokens around the match.
	return `SELECT i.id, coalesce(i.story_id, i.id), i.source, i.title, coalesce(i.canonical_url, i.url),
		coalesce(i.published_at, i.fetched_at) AS date,
		snippet(items_fts, -1, '` + SnippetOpen + `', '` + SnippetClose + `', '…', 12),
		bm25(items_fts, 5.0, 1.0) AS rank
		FROM items_fts CROSS JOIN items i ON i.id = items_fts.rowid
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY ` + order + ` LIMIT ?`
}

// searchPostgres is the query of Search on PostgreSQL: the GIN index of
// items_fts. The page is chosen first and its snippets (ts_headline, which
// parses the text again) made only for it. The rank is ts_rank with the
// title weighing 5 times the text, negated so that, as with bm25, lower
// is more relevant.
func searchPostgres(where []string, byRank bool) string {
	order := "items_fts.rowid DESC"
	if byRank {
		order = "rank, date DESC"
	}
	return `SELECT p.id, p.story, p.source, p.title, p.url, p.date,
		ts_headline('newsmon', p.title || ' … ' || left(i.text, ` + strconv.Itoa(maxIndexedChars) + `), to_tsquery('newsmon', ?1),
			'StartSel=` + SnippetOpen + `, StopSel=` + SnippetClose + `, MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…'),
		p.rank
		FROM (SELECT i.id, coalesce(i.story_id, i.id) AS story, i.source, i.title, coalesce(i.canonical_url, i.url) AS url,
			coalesce(i.published_at, i.fetched_at) AS date,
			-ts_rank('{0.1, 0.1, 0.2, 1.0}', items_fts.document, to_tsquery('newsmon', ?1)) AS rank
			FROM items_fts JOIN items i ON i.id = items_fts.rowid
			WHERE ` + strings.Join(where, " AND ") + `
			ORDER BY ` + order + ` LIMIT ?) p
		JOIN items i ON i.id = p.id
		ORDER BY ` + strings.NewReplacer("items_fts.rowid", "p.id", "rank", "p.rank", "date", "p.date").Replace(order)
}

// searchError tells a malformed query (the user's to fix) from a failure.
func searchError(match string, err error) error {
	msg := err.Error()
	// SQLITE_ERROR ("SQL logic error") from a fixed, tested statement can
	// only come from the MATCH expression the user wrote.
	if strings.Contains(msg, "fts5") || strings.Contains(msg, "SQL logic error") || pgCode(err) == pgSyntaxError {
		return fmt.Errorf("search %q: %w: %s", match, ErrBadQuery, msg)
	}
	return fmt.Errorf("search %q: %w", match, err)
}
