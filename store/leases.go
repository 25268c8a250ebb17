package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Leases: how several workers share the scheduled work of one PostgreSQL
// database. Every worker runs the same schedules; when a slot comes, each
// tries to take the job's lease for it (Claim), and one wins. The winner
// extends its leases while it works (Heartbeat) and marks the slot done in
// the transaction that records the work (SaveRun, for a source run) or
// right after it (FinishLease). A worker that dies stops extending its
// leases; once one has expired, another worker finds it (ExpiredLeases),
// claims the same slot and runs it. Times are the database server's
// (clock_timestamp()), so the workers' clocks need not agree.
//
// On SQLite one daemon runs at a time, under its lock file: every claim
// succeeds and nothing is written.

// Lease is a worker's hold on one scheduled slot of a job.
type Lease struct {
	Job    string    // "source NAME", "digest", "health check"
	Slot   time.Time // the scheduled time being run
	Worker string    // the holder, as ExpiredLeases reports it
}

// ErrLeaseLost says a worker's lease expired and another worker took its
// slot over: the work it was about to record is the other's to do.
var ErrLeaseLost = errors.New("lease lost: another worker took the slot over")

// leaseTime renders a lease time: to the millisecond, as the daemon's
// planned times.
func leaseTime(t time.Time) string { return t.UTC().Format(preciseTimeFormat) }

// Claim takes job's lease for slot, for ttl, and reports whether it got it.
// It does not when another worker holds an unexpired lease of job (a
// source never runs twice at once), or when slot, or a later one, is done.
// A lease that expired is taken over, for its slot or a later one.
func (s *Store) Claim(ctx context.Context, job string, slot time.Time, ttl time.Duration) (bool, error) {
	if s.dialect == sqliteDialect {
		return true, nil
	}
	var got bool
	err := s.leaseWrite(ctx, func(tx *sql.Tx) error {
		var holder string
		err := tx.QueryRowContext(ctx, `INSERT INTO leases (job, worker, slot, lease_until)
			VALUES (?1, ?2, ?3, clock_timestamp() + ?4::bigint * interval '1 millisecond')
			ON CONFLICT (job) DO UPDATE SET worker = excluded.worker, slot = excluded.slot, lease_until = excluded.lease_until
			WHERE (leases.worker IS NULL OR leases.lease_until < clock_timestamp())
			AND (leases.done_slot IS NULL OR leases.done_slot < excluded.slot)
			RETURNING worker`, job, s.worker, leaseTime(slot), ttl.Milliseconds()).Scan(&holder)
		if errors.Is(err, sql.ErrNoRows) {
			got = false
			return nil
		}
		got = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim %s at %s: %w", job, leaseTime(slot), err)
	}
	return got, nil
}

// leaseWrite runs fn in a transaction on the connections kept for leases,
// so that claims and heartbeats never queue behind the runs' reads for a
// connection of the pool: a heartbeat that comes late loses leases.
func (s *Store) leaseWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retryRaces(ctx, func() error { return txOnce(ctx, s.leaseDB, fn) })
}

// releaseSQL marks this worker's lease of a slot done; it changes no row
// when the lease was taken over.
const releaseSQL = `UPDATE leases SET worker = NULL, lease_until = NULL, done_slot = slot
	WHERE job = ? AND worker = ? AND slot = ?`

// holdsLease fails with ErrLeaseLost unless the run's worker still holds
// the lease of its slot, and locks it until the transaction ends, so that
// no takeover comes between this part of the run and its commit.
func holdsLease(ctx context.Context, tx querier, d dialect, run Run) error {
	if run.lease == nil || d != postgresDialect {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM leases WHERE job = ? AND worker = ? AND slot = ? FOR UPDATE`,
		run.lease.Job, run.worker, leaseTime(run.lease.Slot)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrLeaseLost
	}
	return err
}

// FinishLease marks l's slot done and frees the job for its next slot. It
// returns ErrLeaseLost when another worker took the slot over meanwhile.
func (s *Store) FinishLease(ctx context.Context, l Lease) error {
	if s.dialect == sqliteDialect {
		return nil
	}
	err := s.leaseWrite(ctx, func(tx *sql.Tx) error { return finishLease(ctx, tx, l, s.worker) })
	if err != nil {
		return fmt.Errorf("finish %s at %s: %w", l.Job, leaseTime(l.Slot), err)
	}
	return nil
}

func finishLease(ctx context.Context, tx querier, l Lease, worker string) error {
	r, err := tx.ExecContext(ctx, releaseSQL, l.Job, worker, leaseTime(l.Slot))
	if err != nil {
		return err
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// AbandonLease gives l's slot up undone (a worker stopping before it ran
// it): the lease expires now, and another worker takes the slot over.
func (s *Store) AbandonLease(ctx context.Context, l Lease) error {
	if s.dialect == sqliteDialect {
		return nil
	}
	err := s.leaseWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE leases SET lease_until = clock_timestamp() - interval '1 millisecond'
			WHERE job = ? AND worker = ? AND slot = ?`, l.Job, s.worker, leaseTime(l.Slot))
		return err
	})
	if err != nil {
		return fmt.Errorf("give up %s at %s: %w", l.Job, leaseTime(l.Slot), err)
	}
	return nil
}

// Heartbeat extends every lease this worker holds by ttl from now, and
// records that the worker is alive (the workers table, which `newsmon
// status` reads).
func (s *Store) Heartbeat(ctx context.Context, started time.Time, ttl time.Duration) error {
	if s.dialect == sqliteDialect {
		return nil
	}
	err := s.leaseWrite(ctx, func(tx *sql.Tx) error {
		// A lease row locked by this worker's own run, marking it done,
		// is skipped: waiting for that transaction would delay every other
		// lease, and once it commits the lease is done.
		if _, err := tx.ExecContext(ctx, `UPDATE leases SET lease_until = clock_timestamp() + ?::bigint * interval '1 millisecond'
			WHERE job IN (SELECT job FROM leases WHERE worker = ? FOR UPDATE SKIP LOCKED)`, ttl.Milliseconds(), s.worker); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO workers (name, started_at, last_seen_at) VALUES (?, ?, clock_timestamp())
			ON CONFLICT (name) DO UPDATE SET last_seen_at = excluded.last_seen_at`, s.worker, formatTime(started))
		return err
	})
	if err != nil {
		return fmt.Errorf("extend leases: %w", err)
	}
	return nil
}

// Leave removes this worker from the workers table, at a clean stop; a
// worker that dies stays listed until its last heartbeat is old.
func (s *Store) Leave(ctx context.Context) error {
	if s.dialect == sqliteDialect {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM workers WHERE name = ?`, s.worker); err != nil {
		return fmt.Errorf("leave the workers: %w", err)
	}
	return nil
}

// ExpiredLeases returns the slots whose holder stopped extending its lease
// before finishing them, oldest first.
func (s *Store) ExpiredLeases(ctx context.Context) ([]Lease, error) {
	if s.dialect == sqliteDialect {
		return nil, nil
	}
	rows, err := s.leaseDB.QueryContext(ctx, `SELECT job, slot, worker FROM leases
		WHERE worker IS NOT NULL AND lease_until < clock_timestamp() ORDER BY slot, job`)
	if err != nil {
		return nil, fmt.Errorf("read expired leases: %w", err)
	}
	defer rows.Close()
	var out []Lease
	for rows.Next() {
		var l Lease
		var slot sql.NullString
		if err := rows.Scan(&l.Job, &slot, &l.Worker); err != nil {
			return nil, fmt.Errorf("read expired leases: %w", err)
		}
		l.Slot = parseTime(slot)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read expired leases: %w", err)
	}
	return out, nil
}

// WorkerInfo is a worker as the workers table knows it.
type WorkerInfo struct {
	Name              string
	Started, LastSeen time.Time
}

// Workers returns the workers seen since t, by name.
func (s *Store) Workers(ctx context.Context, since time.Time) ([]WorkerInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, started_at, last_seen_at FROM workers
		WHERE last_seen_at >= ? ORDER BY name`, formatTime(since))
	if err != nil {
		return nil, fmt.Errorf("read workers: %w", err)
	}
	defer rows.Close()
	var out []WorkerInfo
	for rows.Next() {
		var w WorkerInfo
		var started, seen sql.NullString
		if err := rows.Scan(&w.Name, &started, &seen); err != nil {
			return nil, fmt.Errorf("read workers: %w", err)
		}
		w.Started, w.LastSeen = parseTime(started), parseTime(seen)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read workers: %w", err)
	}
	return out, nil
}

type leaseKey struct{}

// WithLease returns a context that carries l: a source run saved with it
// (SaveRun) marks l's slot done in the same transaction, or is not stored
// at all when l was lost (ErrLeaseLost), so that a slot is recorded once
// even when a worker stalled past its lease and another took over. The
// lease travels in the context, as a deadline does, through the pipeline
// that never looks at it.
func WithLease(ctx context.Context, l Lease) context.Context {
	return context.WithValue(ctx, leaseKey{}, l)
}

func leaseFrom(ctx context.Context) (Lease, bool) {
	l, ok := ctx.Value(leaseKey{}).(Lease)
	return l, ok
}
