package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// ftsBatch collects the ids of the items a run inserts and adds them to the
// full-text index with one statement (migration 0009 says why). It must be
// flushed before an UPDATE of any item of the run: the update trigger
// removes the old version from the index, which must then be there.
type ftsBatch struct {
	insert  *sql.Stmt
	pending []byte // JSON array of item ids
}

func prepareFTSBatch(ctx context.Context, tx *sql.Tx) (*ftsBatch, error) {
	st, err := tx.PrepareContext(ctx, `INSERT INTO items_fts(rowid, title, text)
		SELECT id, title, text FROM items WHERE id IN (SELECT value FROM json_each(?))`)
	if err != nil {
		return nil, fmt.Errorf("prepare search index insert: %w", err)
	}
	return &ftsBatch{insert: st}, nil
}

func (b *ftsBatch) add(id int64) {
	if len(b.pending) == 0 {
		b.pending = append(b.pending, '[')
	} else {
		b.pending = append(b.pending, ',')
	}
	b.pending = strconv.AppendInt(b.pending, id, 10)
}

func (b *ftsBatch) flush(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	b.pending = append(b.pending, ']')
	_, err := b.insert.ExecContext(ctx, string(b.pending))
	b.pending = b.pending[:0]
	if err != nil {
		return fmt.Errorf("add items to the search index: %w", err)
	}
	return nil
}

func (b *ftsBatch) close() { b.insert.Close() }
