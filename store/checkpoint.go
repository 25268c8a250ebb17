package store

import (
	"context"
	"time"
)

// Checkpoints. In WAL mode SQLite copies the log back into the database
// file (a checkpoint) once the log passes wal_autocheckpoint pages, in the
// connection that happened to commit: the writer, which every run waits
// for. The store instead runs passive checkpoints from a goroutine of its
// own, at most every checkpointEvery while writes go on, so that the
// copying overlaps with the next runs instead of delaying them. A passive
// checkpoint never blocks readers or the writer. wal_autocheckpoint stays
// on, set high, as a backstop should this goroutine fall behind.
//
// While writes go on without a pause, a passive checkpoint never reaches
// the log's end, so the log is not started over and, past the backstop,
// the writer checkpoints again (0.33 s of the writer's time in a traced
// cold fetch of 30,000 items). Restarting the log from here under the
// writer lock was tried and made no measurable difference, so it is not
// done.
//
// Each pass copies every page changed since the last one and syncs the
// log and the database, so a page changed in every group of runs (an
// index's hot leaves) is copied once per pass: a pass a second copies and
// syncs far less than four did (docs/performance.md), and the copying
// still overlaps with the runs.
const (
	checkpointEvery = time.Second
	// autocheckpointPages is the backstop: 40 MB of log at 4 KB pages,
	// 160 MB at 16 KB (pageSize).
	autocheckpointPages = 10000
	// walSizeLimit is what the log file is cut back to when it starts
	// over: without it, the file keeps the largest size it ever reached
	// (a cold fetch's backstop) for the life of the database.
	walSizeLimit = 64 << 20
)

// checkpointer runs until stop is closed, then closes done. A kick after a
// commit asks for a checkpoint.
type checkpointer struct {
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

func (s *Store) startCheckpointer() {
	c := &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.ckpt = c
	go func() {
		defer close(c.done)
		for {
			select {
			case <-c.stop:
				return
			case <-c.kick:
			}
			// Errors are left for the next commit's backstop: a checkpoint
			// that fails (a reader holding an old snapshot, a full disk)
			// loses nothing, the log just stays longer.
			s.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
			select {
			case <-c.stop:
				return
			case <-time.After(checkpointEvery):
			}
		}
	}()
}

// committed tells the checkpointer the log has grown. Before the
// checkpointer starts (migrations at open), c is nil and SQLite's backstop
// does the work.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() {
	if c == nil {
		return
	}
	close(c.stop)
	<-c.done
}
