package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SourceDef is a source as configured.
type SourceDef struct{ Name, Type, URL string }

// SyncSources records the configured sources, so that items and runs can
// refer to them. A source whose URL changed forgets its validators; sources
// removed from the config keep their row and their history.
func (s *Store) SyncSources(ctx context.Context, defs []SourceDef) error {
	now := time.Now().UTC().Format(timeFormat)
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, d := range defs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sources (name, type, url, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (name) DO UPDATE SET type = excluded.type, url = excluded.url,
					etag = CASE WHEN sources.url = excluded.url THEN sources.etag ELSE '' END,
					last_modified = CASE WHEN sources.url = excluded.url THEN sources.last_modified ELSE '' END`,
				d.Name, d.Type, d.URL, now); err != nil {
				return fmt.Errorf("record source %s: %w", d.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync sources: %w", err)
	}
	return nil
}

// Validators returns the ETag and Last-Modified stored for a source.
func (s *Store) Validators(ctx context.Context, source string) (etag, lastModified string, err error) {
	st, err := s.stmt(ctx, "SELECT etag, last_modified FROM sources WHERE name = ?")
	if err == nil {
		err = st.QueryRowContext(ctx, source).Scan(&etag, &lastModified)
	}
	if err == sql.ErrNoRows {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read validators of %s: %w", source, err)
	}
	return etag, lastModified, nil
}

// SourceHealth is what the database knows about how a source is doing.
type SourceHealth struct {
	Name                string
	Type, URL           string
	LastRun             time.Time
	LastSuccess         time.Time
	ConsecutiveFailures int
	LastError           string
	LastCause           string // LastError in a word or two; "" when not recognised
	ItemsLastDay        int
	// LastWorker is the worker (host:pid) that ran the source last; ""
	// before migration 0018.
	LastWorker string
}

// Health returns every source's health, ordered by name.
func (s *Store) Health(ctx context.Context, now time.Time) ([]SourceHealth, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.name, s.type, s.url, s.last_run_at, s.last_success_at,
		s.consecutive_failures, s.last_error, s.last_cause,
		(SELECT count(*) FROM items i WHERE i.source = s.name AND i.fetched_at >= ?),
		coalesce((SELECT f.worker FROM fetch_runs f WHERE f.source = s.name ORDER BY f.started_at DESC, f.id DESC LIMIT 1), '')
		FROM sources s ORDER BY s.name`, now.Add(-24*time.Hour).UTC().Format(timeFormat))
	if err != nil {
		return nil, fmt.Errorf("read source health: %w", err)
	}
	defer rows.Close()
	var out []SourceHealth
	for rows.Next() {
		var h SourceHealth
		var lastRun, lastOK sql.NullString
		if err := rows.Scan(&h.Name, &h.Type, &h.URL, &lastRun, &lastOK, &h.ConsecutiveFailures, &h.LastError, &h.LastCause,
			&h.ItemsLastDay, &h.LastWorker); err != nil {
			return nil, fmt.Errorf("read source health: %w", err)
		}
		h.LastRun, h.LastSuccess = parseTime(lastRun), parseTime(lastOK)
		out = append(out, h)
	}
	return out, rows.Err()
}

// RunRecord is one row of fetch_runs: one run of one source.
type RunRecord struct {
	Started, Finished time.Time
	Status            string // StatusOK, StatusNotModified or StatusError
	HTTPStatus        int    // 0 when there was no response
	Seen, New         int
	Cause, Error      string // Error is also a warning on a run that succeeded
	Worker            string // host:pid of the process that ran it
}

// RecentRuns returns a source's last runs, newest first.
func (s *Store) RecentRuns(ctx context.Context, source string, limit int) ([]RunRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT started_at, finished_at, status, coalesce(http_status, 0),
		items_seen, items_new, cause, error, worker FROM fetch_runs WHERE source = ? ORDER BY id DESC LIMIT ?`, source, limit)
	if err != nil {
		return nil, fmt.Errorf("read runs of %s: %w", source, err)
	}
	defer rows.Close()
	var out []RunRecord
	for rows.Next() {
		var r RunRecord
		var started, finished sql.NullString
		if err := rows.Scan(&started, &finished, &r.Status, &r.HTTPStatus, &r.Seen, &r.New, &r.Cause, &r.Error, &r.Worker); err != nil {
			return nil, fmt.Errorf("read runs of %s: %w", source, err)
		}
		r.Started, r.Finished = parseTime(started), parseTime(finished)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read runs of %s: %w", source, err)
	}
	return out, nil
}
