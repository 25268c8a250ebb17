package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Big runs. A feed of many thousand items that all named someone held the
// writer for its whole save, stalling every other source behind it, until
// the save's deadline rolled it all back. A run is now written in parts of
// at most maxPartItems items and maxPartBytes of text, each in one
// transaction (shared with other runs by group commit), so no run holds the
// writer for longer than a part takes and other runs are written between
// its parts.
//
// Each item, with its labels, story and alerts, is in one part: all or
// nothing. The run's fetch_runs row is written with its first part and
// rewritten by each later one: until the last part it says the run was
// interrupted and how many items were stored, which is what a crash
// between parts leaves; the last part records the run's outcome and the
// source's health. A part that fails ends the run: the parts before it stay
// stored, and the run is recorded as failed (recordFailedSave).
const (
	// maxPartItems bounds the items of one transaction.
	maxPartItems = 500
	// maxPartBytes bounds the text (title, summary and text) of one
	// transaction: items may carry up to a megabyte of text each.
	maxPartBytes = 8 << 20
)

// Causes (fetch_runs.cause) of a run whose items could not all be stored;
// fetch names the causes of the others.
const (
	CauseNotStored = "not stored"
	// CauseCancelled is fetch.CauseCancelled: newsmon stopped during the
	// run, here while it stored the items.
	CauseCancelled = "cancelled"
)

// runPart is the part of a run that one transaction writes.
type runPart struct {
	run         Run // Items are the part's
	first, last bool
	from, total int   // the part's first item, and all items, in the run
	runID       int64 // the run's fetch_runs row, once the first part wrote it
	newBefore   int   // new items stored by earlier parts
}

// itemBytes is how much text an item brings to a transaction.
func itemBytes(it *Item) int { return len(it.Title) + len(it.Summary) + len(it.Text) }

// partBounds splits items into parts: [from, to) ranges of at most
// maxPartItems items and maxPartBytes (but at least one item each). A run
// without items is one empty part.
func partBounds(items []Item) [][2]int {
	bounds := [][2]int{{0, 0}}
	bytes := 0
	for i := range items {
		b := &bounds[len(bounds)-1]
		n := itemBytes(&items[i])
		if b[1] > b[0] && (b[1]-b[0] == maxPartItems || bytes+n > maxPartBytes) {
			bounds = append(bounds, [2]int{i, i})
			b, bytes = &bounds[len(bounds)-1], 0
		}
		b[1]++
		bytes += n
	}
	return bounds
}

// saveInParts writes run part by part (see SaveRun).
func (s *Store) saveInParts(ctx context.Context, run Run) (RunResult, error) {
	res := RunResult{Seen: max(run.Seen, len(run.Items))}
	bounds := partBounds(run.Items)
	for i, b := range bounds {
		p := &runPart{run: run, first: i == 0, last: i == len(bounds)-1,
			from: b[0], total: len(run.Items), runID: res.RunID, newBefore: res.New}
		p.run.Items = run.Items[b[0]:b[1]]
		r, err := s.commitGrouped(ctx, p)
		if errors.Is(err, ErrLeaseLost) {
			// Another worker runs the slot, and records it.
			return res, fmt.Errorf("save run of %s: %w", run.Source, err)
		}
		if err != nil {
			return s.recordFailedSave(ctx, run, res, b[0], err)
		}
		res.add(r)
	}
	return res, nil
}

// add counts a part's result into a run's.
func (r *RunResult) add(p RunResult) {
	r.RunID = p.RunID
	r.New += p.New
	r.Updated += p.Updated
	r.NewWithMentions += p.NewWithMentions
	r.NewItems = append(r.NewItems, p.NewItems...)
	r.ChangedItems = append(r.ChangedItems, p.ChangedItems...)
	if len(p.AlertsQueued) > 0 && r.AlertsQueued == nil {
		r.AlertsQueued = map[string]int{}
	}
	for ch, n := range p.AlertsQueued {
		r.AlertsQueued[ch] += n
	}
	r.HealthNotices += p.HealthNotices
}

// recordRun writes the run's fetch_runs row as of the end of this part (its
// outcome after the last part, its progress before) and, after the last
// part, the source's health, in dialect d. res is the part's result; its
// RunID is set.
func (p *runPart) recordRun(ctx context.Context, tx querier, d dialect, res *RunResult) error {
	run := p.run
	counts := RunResult{Seen: max(run.Seen, p.total), New: p.newBefore + res.New}
	if !p.last {
		run.Status = StatusError
		run.Error = fmt.Sprintf("run interrupted after storing %d of %d items", p.from+len(run.Items), p.total)
	}
	var err error
	if p.first {
		res.RunID, err = insertRunRow(ctx, tx, run, counts)
	} else {
		res.RunID, err = p.runID, updateRunRow(ctx, tx, p.runID, run, counts)
	}
	if err != nil || !p.last {
		return err
	}
	if run.lease != nil && d == postgresDialect {
		// The slot is done in the transaction that records its run.
		if err := finishLease(ctx, tx, *run.lease, run.worker); err != nil {
			return err
		}
	}
	res.HealthNotices, err = finishRun(ctx, tx, run, counts.New)
	return err
}

// updateRunRow rewrites the fetch_runs row id with run's outcome.
func updateRunRow(ctx context.Context, tx querier, id int64, run Run, counts RunResult) error {
	_, err := tx.ExecContext(ctx, `UPDATE fetch_runs SET finished_at = ?, status = ?, http_status = ?,
		items_seen = ?, items_new = ?, error = ?, cause = ? WHERE id = ?`,
		formatTime(run.finishedAt()), run.Status, nullIfZero(run.HTTPStatus), counts.Seen, counts.New, run.Error, run.Cause, id)
	if err != nil {
		return fmt.Errorf("update fetch run: %w", err)
	}
	return nil
}

// recordFailedSave records a run whose part starting at item stored failed
// with cause, in a transaction of its own: the run's row says error and
// what was stored (res), the source counts a failure, so that the daemon
// backs off, and its health is checked. It returns res and the save's error.
func (s *Store) recordFailedSave(ctx context.Context, run Run, res RunResult, stored int, cause error) (RunResult, error) {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(cause, ctxErr) {
		// A deadline or a cancel can surface as another error: pgx closes
		// the connection of a query it cancels ("driver: bad connection").
		// The context's error is why, and says whether it was a shutdown.
		cause = fmt.Errorf("%w: %w", cause, ctxErr)
	}
	err := fmt.Errorf("save run of %s: %w", run.Source, cause)
	failed := run
	failed.Status, failed.Cause, failed.ETag, failed.LastModified, failed.Items = StatusError, CauseNotStored, "", "", nil
	failed.Error = fmt.Sprintf("storing items failed after %d of %d: %v", stored, len(run.Items), cause)
	if errors.Is(cause, context.Canceled) {
		failed.Cause = CauseCancelled
	}
	// Recorded even when ctx was cancelled: a shutdown mid-save still
	// leaves the run's row.
	ctx = context.WithoutCancel(ctx)
	rerr := s.write(ctx, func(tx *sql.Tx) error {
		q := cachedTx{tx, s}
		counts := RunResult{Seen: res.Seen, New: res.New}
		var err error
		if res.RunID == 0 {
			res.RunID, err = insertRunRow(ctx, q, failed, counts)
		} else {
			err = updateRunRow(ctx, q, res.RunID, failed, counts)
		}
		if err != nil {
			return err
		}
		res.HealthNotices, err = finishRun(ctx, q, failed, res.New)
		return err
	})
	if rerr != nil {
		return res, errors.Join(err, fmt.Errorf("record the failed run of %s: %w", run.Source, rerr))
	}
	return res, err
}

// nullIfZero stores 0 as NULL (an HTTP status when there was no response).
func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
