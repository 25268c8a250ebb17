package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Schedule is the daemon's view of one source: what it needs to decide
// whether the source is due, and what it planned.
type Schedule struct {
	Name                string
	LastSuccess         time.Time // zero: never succeeded
	ConsecutiveFailures int
	NextRun             time.Time // zero: not planned
	BackoffUntil        time.Time // zero: not backing off
}

// ErrNoSource is returned for a source the database does not know.
var ErrNoSource = errors.New("no such source")

const scheduleColumns = `name, last_success_at, consecutive_failures, next_run_at, backoff_until`

func scanSchedule(sc interface{ Scan(...any) error }) (Schedule, error) {
	var s Schedule
	var lastOK, next, backoff sql.NullString
	if err := sc.Scan(&s.Name, &lastOK, &s.ConsecutiveFailures, &next, &backoff); err != nil {
		return Schedule{}, err
	}
	s.LastSuccess = parseTime(lastOK)
	s.NextRun, s.BackoffUntil = parseTime(next), parseTime(backoff)
	return s, nil
}

// SourceSchedule returns one source's schedule state.
func (s *Store) SourceSchedule(ctx context.Context, name string) (Schedule, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM sources WHERE name = ?`, name)
	sch, err := scanSchedule(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Schedule{}, fmt.Errorf("read schedule of %s: %w", name, ErrNoSource)
	}
	if err != nil {
		return Schedule{}, fmt.Errorf("read schedule of %s: %w", name, err)
	}
	return sch, nil
}

// Schedules returns every source's schedule state, keyed by name.
func (s *Store) Schedules(ctx context.Context) (map[string]Schedule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	defer rows.Close()
	out := map[string]Schedule{}
	for rows.Next() {
		sch, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("read schedules: %w", err)
		}
		out[sch.Name] = sch
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	return out, nil
}

// SetBackoff records the time before which the source must not run; the
// zero time clears it.
func (s *Store) SetBackoff(ctx context.Context, name string, until time.Time) error {
	return s.setSourceTime(ctx, "backoff_until", name, until)
}

// SetNextRun records when the daemon plans to run the source next; the zero
// time clears it.
func (s *Store) SetNextRun(ctx context.Context, name string, next time.Time) error {
	return s.setSourceTime(ctx, "next_run_at", name, next)
}

// preciseTimeFormat is timeFormat with milliseconds.
const preciseTimeFormat = "2006-01-02T15:04:05.000Z"

// setSourceTime sets one of the daemon's timestamp columns; column is
// always a literal from SetBackoff or SetNextRun, never user input.
func (s *Store) setSourceTime(ctx context.Context, column, name string, t time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Milliseconds, unlike the other timestamps: a backoff decides
		// whether a fire one second later runs. parseTime reads both.
		var v any
		if !t.IsZero() {
			v = t.UTC().Format(preciseTimeFormat)
		}
		_, err := tx.ExecContext(ctx, `UPDATE sources SET `+column+` = ? WHERE name = ?`, v, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("set %s of %s: %w", column, name, err)
	}
	return nil
}
