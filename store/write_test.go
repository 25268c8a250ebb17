package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// A write whose context ends while it runs leaves the write connection
// usable. database/sql rolled such a transaction back from a goroutine of
// its own, racing the writer's open rows, and now and then left the held
// connection inside the transaction: every later write failed with "cannot
// start a transaction within a transaction" (for the daemon: a save that
// ran into its deadline, then its backoff could not be recorded).
func TestWriteCutOffLeavesWriterUsable(t *testing.T) {
	s := openTest(t)
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(5+i%20)*time.Millisecond)
		err := s.write(ctx, func(tx *sql.Tx) error {
			// As a run's save does: statements prepared once per store and
			// run without a cancellable context, ctx checked between them.
			query, err := s.txStmt(ctx, tx, `SELECT name, url FROM sources`)
			if err != nil {
				return err
			}
			update, err := s.txStmt(ctx, tx, `UPDATE sources SET url = url WHERE name = ?`)
			if err != nil {
				return err
			}
			stmtCtx := context.WithoutCancel(ctx)
			for ctx.Err() == nil {
				if _, err := update.ExecContext(stmtCtx, "wire"); err != nil {
					return err
				}
				rows, err := query.QueryContext(stmtCtx)
				if err != nil {
					return err
				}
				for rows.Next() {
					var name, url string
					if err := rows.Scan(&name, &url); err != nil {
						rows.Close()
						return err
					}
				}
				if err := rows.Close(); err != nil {
					return err
				}
			}
			return ctx.Err()
		})
		cancel()
		if err == nil {
			t.Fatal("a write past its deadline reported no error")
		}
		if err := s.SetBackoff(context.Background(), "wire", time.Now()); err != nil {
			t.Fatalf("attempt %d: the next write after one cut off: %v", i, err)
		}
	}
}
