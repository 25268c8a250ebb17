package store

import (
	"context"
	"database/sql"
	"fmt"
)

// IndexBatch is how many items IndexPending adds to the search index per
// transaction. Measured on 30,000 items of 4 KB (e2ebench's index phase):
// batches of 200, 500, 1000 and 2000 took 5.9, 6.1, 7.3 and 7.2 s with a
// peak RSS of 36, 38, 50 and 64 MB, since FTS5 holds a batch's terms in
// memory until it writes them. 500 keeps few segments to merge and holds
// the writer for about a tenth of a second at a time.
const IndexBatch = 500

// IndexPending adds the items stored since the last call to the full-text
// index (items_fts), in transactions of IndexBatch items, and returns how
// many it added. Ingest leaves indexing to it (migration 0011 says why);
// it stops early, with ctx's error, when ctx is cancelled.
func (s *Store) IndexPending(ctx context.Context) (int, error) {
	if s.dialect == postgresDialect {
		return s.indexQueue(ctx)
	}
	total := 0
	for {
		n := 0
		err := s.write(ctx, func(tx *sql.Tx) error {
			var from int64
			var through sql.NullInt64 // NULL when nothing is pending
			if err := tx.QueryRowContext(ctx, `SELECT indexed_through FROM search_index_state`).Scan(&from); err != nil {
				return fmt.Errorf("read search index watermark: %w", err)
			}
			err := tx.QueryRowContext(ctx, `SELECT count(*), max(id) FROM
				(SELECT id FROM items WHERE id > ? ORDER BY id LIMIT ?)`, from, IndexBatch).Scan(&n, &through)
			if err != nil || n == 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO items_fts(rowid, title, text)
				SELECT id, title, text FROM items WHERE id > ? AND id <= ?`, from, through.Int64); err != nil {
				return fmt.Errorf("add items to the search index: %w", err)
			}
			_, err = tx.ExecContext(ctx, `UPDATE search_index_state SET indexed_through = ?`, through.Int64)
			return err
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("index stored items for search: %w", err)
		}
		if n < IndexBatch {
			return total, nil
		}
	}
}

// maxIndexedChars is how much of an item's text PostgreSQL indexes: a
// tsvector holds at most 1 MB and word positions up to 16,383, which
// 100,000 characters of text about reach. FTS5 has no such limit.
const maxIndexedChars = 100000

// indexQueue is IndexPending on PostgreSQL, where a trigger queues what
// needs indexing (migrations/postgres/0001_init.sql). Batches are taken
// with SKIP LOCKED, so the indexers of several workers share the queue,
// and written beside the process's writer: PostgreSQL has no single
// write lock to queue for.
func (s *Store) indexQueue(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := s.writeAside(ctx, func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `WITH batch AS (
					DELETE FROM search_queue WHERE item_id IN
						(SELECT item_id FROM search_queue ORDER BY item_id LIMIT ? FOR UPDATE SKIP LOCKED)
					RETURNING item_id),
				indexed AS (
					INSERT INTO items_fts (rowid, document)
					SELECT i.id, setweight(to_tsvector('newsmon', i.title), 'A') ||
						setweight(to_tsvector('newsmon', left(i.text, ?)), 'B')
					FROM items i JOIN batch b ON b.item_id = i.id
					ON CONFLICT (rowid) DO UPDATE SET document = excluded.document)
				SELECT count(*) FROM batch`,
				IndexBatch, maxIndexedChars).Scan(&n)
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("index stored items for search: %w", err)
		}
		if n < IndexBatch {
			return total, nil
		}
	}
}

// PendingIndex counts the stored items not yet in the search index.
func (s *Store) PendingIndex(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.dialect.pick(`SELECT count(*) FROM items
		WHERE id > (SELECT indexed_through FROM search_index_state)`, `SELECT count(*) FROM search_queue`)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count items awaiting the search index: %w", err)
	}
	return n, nil
}
