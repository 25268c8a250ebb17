package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Page kinds and statuses recorded in page_fetches.
const (
	PageFeedItem = "feed_item" // the linked page of a feed item
	PageListing  = "listing"   // a crawled page whose links are followed
	PageArticle  = "article"   // a crawled article page

	PageOK      = "ok"
	PageError   = "error"
	PageBlocked = "blocked" // robots.txt disallows it
)

// MaxPageAttempts is how many times a failing article page is tried before
// crawls stop asking for it.
const MaxPageAttempts = 3

// PageFetch is the outcome of fetching one page.
type PageFetch struct {
	URL         string // canonical
	Source      string
	Kind        string
	Status      string
	HTTPStatus  int // 0 when no response
	Error       string
	ContentType string
	Bytes       int
	FetchedAt   time.Time
}

// RecordPages stores the outcome of each page fetch, replacing the earlier
// outcome for the same URL and counting the attempts, in one transaction.
func (s *Store) RecordPages(ctx context.Context, pages []PageFetch) error {
	if len(pages) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO page_fetches (url, source, kind, status, http_status,
			error, content_type, bytes, attempts, first_fetched_at, last_fetched_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9)
			ON CONFLICT (url) DO UPDATE SET source = excluded.source, kind = excluded.kind,
				status = excluded.status, http_status = excluded.http_status, error = excluded.error,
				content_type = excluded.content_type, bytes = excluded.bytes,
				attempts = page_fetches.attempts + 1, last_fetched_at = excluded.last_fetched_at`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, p := range pages {
			var code any
			if p.HTTPStatus != 0 {
				code = p.HTTPStatus
			}
			if _, err := st.ExecContext(ctx, p.URL, p.Source, p.Kind, p.Status, code, p.Error,
				p.ContentType, p.Bytes, formatTime(p.FetchedAt)); err != nil {
				return fmt.Errorf("page %s: %w", p.URL, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record page fetches: %w", err)
	}
	return nil
}

// NeedPages reports, for each feed item key, whether its linked page should
// be fetched: the item is new (not stored under its canonical URL)
// and the page was not already fetched successfully.
func (s *Store) NeedPages(ctx context.Context, source string, keys []ItemKey) ([]bool, error) {
	out := make([]bool, len(keys))
	st, err := s.db.PrepareContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM items WHERE canonical_url = ?1)
		OR EXISTS (SELECT 1 FROM page_fetches WHERE url = ?1 AND status = 'ok')`)
	if err != nil {
		return nil, fmt.Errorf("look up fetched pages of %s: %w", source, err)
	}
	defer st.Close()
	for i, k := range keys {
		if k.CanonicalURL == "" {
			continue
		}
		var known bool
		if err := st.QueryRowContext(ctx, k.CanonicalURL).Scan(&known); err != nil {
			return nil, fmt.Errorf("look up fetched pages of %s: %w", source, err)
		}
		out[i] = !known
	}
	return out, nil
}

// DoneArticles returns the canonical URLs a crawl of source need not fetch
// again: articles stored as items, pages fetched successfully as articles
// or for a feed item's full text (most mention no tracked person and are not
// items), pages blocked by robots.txt, and pages of source that failed
// MaxPageAttempts times.
func (s *Store) DoneArticles(ctx context.Context, source string) (map[string]bool, error) {
	// Items and pages of every source count: an article another source
	// already brought in is not fetched again.
	rows, err := s.db.QueryContext(ctx, `SELECT canonical_url FROM items WHERE canonical_url IS NOT NULL
		UNION SELECT url FROM page_fetches WHERE kind != 'listing'
			AND (status IN ('ok', 'blocked') OR (source = ?1 AND attempts >= ?2))`, source, MaxPageAttempts)
	if err != nil {
		return nil, fmt.Errorf("read fetched articles of %s: %w", source, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("read fetched articles of %s: %w", source, err)
		}
		out[u] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read fetched articles of %s: %w", source, err)
	}
	return out, nil
}
