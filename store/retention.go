package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PruneResult says what Prune did.
type PruneResult struct {
	Items      int   // items whose text was dropped
	Revisions  int   // revisions whose text was dropped
	SizeBefore int64 // database file bytes before
	SizeAfter  int64 // and after
}

// Prune drops the full text (and summary) of items first seen more than
// textDays before now, and of revisions replaced that long ago. Metadata,
// labels and their evidence (which quotes the sentences that matter) are
// kept forever. The FTS triggers remove the dropped text from the search
// index. textDays <= 0 keeps everything. The story keys of items first
// seen before the story window, which no lookup reads, are dropped whatever
// textDays is.
//
// Freed pages are returned to the file system: the first Prune of a
// database switches it to auto_vacuum=incremental, which SQLite only allows
// through a full VACUUM (a one-time rewrite that needs free disk space as
// large as the database); later runs release free pages with
// incremental_vacuum, which is cheap.
func (s *Store) Prune(ctx context.Context, now time.Time, textDays int) (PruneResult, error) {
	var res PruneResult
	var err error
	if res.SizeBefore, err = s.fileSize(ctx); err != nil {
		return res, err
	}
	if textDays > 0 {
		cutoff := formatTime(now.Add(-time.Duration(textDays) * 24 * time.Hour))
		err = s.write(ctx, func(tx *sql.Tx) error {
			r, err := tx.ExecContext(ctx, `UPDATE items SET text = '', summary = '', text_pruned_at = ?
				WHERE fetched_at < ? AND (text != '' OR summary != '')`, formatTime(now), cutoff)
			if err != nil {
				return fmt.Errorf("drop old item text: %w", err)
			}
			n, _ := r.RowsAffected()
			res.Items = int(n)
			r, err = tx.ExecContext(ctx, `UPDATE item_revisions SET text = '' WHERE replaced_at < ? AND text != ''`, cutoff)
			if err != nil {
				return fmt.Errorf("drop old revision text: %w", err)
			}
			n, _ = r.RowsAffected()
			res.Revisions = int(n)
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("prune: %w", err)
		}
	}
	// Items first seen before the story window are no new item's
	// candidates any more (a reclassification gives the items it relabels
	// their keys again).
	err = s.write(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"story_keys", "story_keyless"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE seen < ?`, now.Add(-StoryWindow).Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("prune: drop old story keys: %w", err)
	}
	if err := s.reclaim(ctx); err != nil {
		return res, fmt.Errorf("prune: %w", err)
	}
	if res.SizeAfter, err = s.fileSize(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// reclaim gives free pages back to the file system (see Prune). On
// PostgreSQL, autovacuum marks the emptied space for reuse by later items
// (only a VACUUM FULL, which locks the tables while it rewrites them, would
// give it back); reclaim indexes the emptied items again, which the
// retention UPDATE queued, so that the search index forgets their text.
func (s *Store) reclaim(ctx context.Context) error {
	if s.dialect == postgresDialect {
		_, err := s.IndexPending(ctx)
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("reclaim space: %w", err)
	}
	defer conn.Close()
	// The FTS index merges its segments so the text's old entries are gone
	// from the file, not just marked deleted.
	if _, err := conn.ExecContext(ctx, `INSERT INTO items_fts(items_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("optimize search index: %w", err)
	}
	var mode int
	if err := conn.QueryRowContext(ctx, "PRAGMA auto_vacuum").Scan(&mode); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	const incremental = 2
	if mode != incremental {
		if _, err := conn.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
			return fmt.Errorf("set auto_vacuum: %w", err)
		}
		if _, err := conn.ExecContext(ctx, "VACUUM"); err != nil {
			return fmt.Errorf("vacuum: %w", err)
		}
	} else if _, err := conn.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
		return fmt.Errorf("incremental vacuum: %w", err)
	}
	// Fold the WAL back into the database file so its size is the real one.
	// The store's own checkpointer may be copying pages at this moment
	// (checkpoint.go): SQLite runs one checkpoint at a time and answers
	// busy to the other, so try again for a while. A log still busy after
	// that is folded back by a later checkpoint; nothing is lost meanwhile.
	for try := 0; try < 100; try++ {
		var busy, logPages, copied int
		if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &copied); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// fileSize is the database's size in bytes as SQLite sees it (pages × page
// size), or PostgreSQL's pg_database_size.
func (s *Store) fileSize(ctx context.Context) (int64, error) {
	if s.dialect == postgresDialect {
		var size int64
		if err := s.db.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&size); err != nil {
			return 0, fmt.Errorf("read database size: %w", err)
		}
		return size, nil
	}
	var pages, size int64
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return 0, fmt.Errorf("read page count: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, fmt.Errorf("read page size: %w", err)
	}
	return pages * size, nil
}
