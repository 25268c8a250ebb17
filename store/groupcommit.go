package store

import (
	"context"
	"database/sql"
)

// Group commit. When many sources finish at once (a `newsmon fetch` of a
// thousand feeds, the daemon's catch-up at start), their runs queue for the
// one writer. Instead of a transaction each, the caller that gets the
// writer next writes every queued run, up to maxGroup, in one transaction:
// pages that every run touches (the indexes' hot leaves, the sources row,
// fetch_runs) are written to the WAL once per group instead of once per
// run, and the per-transaction cost is shared. A run alone in the queue is
// written at once, as before.
//
// What is queued is a part of a run (see parts.go): a small run is one
// part. Each part stays atomic: if any part of a group fails, the group's
// transaction is rolled back and its parts are written one by one, so the
// failure is reported to its own caller and the others are stored.

// maxGroup bounds the parts of a group. A group also holds at most
// maxPartItems items and maxPartBytes of text (more only when one part is
// alone), so that one transaction stays short for the writers that queue
// behind it: other runs, the alert sender, the digest, the search indexer.
const maxGroup = 32

// pendingRun is a part of a run waiting for the writer. Its result fields
// are set, and done, by whichever caller writes it, while holding writeMu.
type pendingRun struct {
	ctx         context.Context
	part        *runPart
	items, size int // the part's items and bytes of text
	res         RunResult
	err         error
	done        bool
}

// commitGrouped queues part and returns once it is written, by this caller
// or by another that took the writer first.
func (s *Store) commitGrouped(ctx context.Context, part *runPart) (RunResult, error) {
	p := &pendingRun{ctx: ctx, part: part, items: len(part.run.Items)}
	for i := range part.run.Items {
		p.size += itemBytes(&part.run.Items[i])
	}
	s.queueMu.Lock()
	s.queue = append(s.queue, p)
	s.queueMu.Unlock()

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// The queue is first in, first out, so p is written by the time the
	// groups ahead of it and its own are.
	for !p.done {
		s.queueMu.Lock()
		n := groupSize(s.queue)
		group := append([]*pendingRun(nil), s.queue[:n]...)
		s.queue = append(s.queue[:0:0], s.queue[n:]...)
		s.queueMu.Unlock()
		s.writeGroup(group)
	}
	return p.res, p.err
}

// groupSize is how many parts at the head of queue the next group takes.
func groupSize(queue []*pendingRun) int {
	n, items, size := 0, 0, 0
	for _, p := range queue {
		if n == maxGroup || n > 0 && (items+p.items > maxPartItems || size+p.size > maxPartBytes) {
			break
		}
		n, items, size = n+1, items+p.items, size+p.size
	}
	return n
}

// writeGroup writes group's runs, holding writeMu.
func (s *Store) writeGroup(group []*pendingRun) {
	if len(group) > 1 {
		if results, err := s.saveRuns(group); err == nil {
			for i, p := range group {
				p.res, p.done = results[i], true
			}
			s.groups++
			return
		}
	}
	for i, p := range group {
		results, err := s.saveRuns(group[i : i+1])
		p.res, p.err, p.done = results[0], err, true
	}
}

// saveRuns writes runs in one transaction, holding writeMu. On an error
// nothing is stored and every result is zero.
func (s *Store) saveRuns(runs []*pendingRun) ([]RunResult, error) {
	results := make([]RunResult, len(runs))
	err := s.writeLocked(runs[0].ctx, func(tx *sql.Tx) error {
		rw, err := s.prepareRunWriter(runs[0].ctx, tx)
		if err != nil {
			return err
		}
		defer rw.close()
		for i, p := range runs {
			if results[i], err = rw.save(p.ctx, p.part); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		clear(results)
	}
	return results, err
}
