package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Copying a database to another, of either kind: SQLite to PostgreSQL
// when a deployment outgrows one machine, PostgreSQL to SQLite to take the
// data home (and `newsmon backup` of a PostgreSQL database). Both are
// migrated to the same schema, so a copy is table by table, column by
// column; only the representation of times (text, timestamptz) and JSON
// (text, json) changes, and NUL characters, which PostgreSQL cannot hold
// in text, become U+FFFD. The search index is not copied but rebuilt.
//
// The source is read in one snapshot, so the daemon may go on writing to
// it. Each table is verified: its row count and a checksum of its rows
// (as values, not as bytes: "2026-11-23T07:00:00Z" and the timestamptz
// it becomes are one value) must be the same on both sides.

// copyTables are the tables a copy holds, parents before children.
// TestCopyCoversTheSchema fails when a migration adds a table not here.
var copyTables = []string{
	"sources", "items", "mentions", "stances", "topics", "item_revisions", "fetch_runs", "page_fetches",
	"alerts", "source_alert_state", "digests", "reclassify_progress", "leases", "workers",
	"human_stances", "human_topics", "label_history", "story_keys", "story_keyless",
}

// notCopied are the tables each database keeps for itself: its schema
// version, and its search index, which the copy rebuilds.
var notCopied = []string{"schema_migrations", "items_fts", "search_index_state", "search_queue"}

// TableCopy is one table of a copy.
type TableCopy struct {
	Table    string
	Rows     int64
	Checksum string // of the rows' values, the same on both sides
}

// copyBatch is how many rows one INSERT statement holds, and
// copyBatch*copyTx how many one transaction of the destination writes.
const (
	copyBatch = 100
	copyTx    = 50
)

// CopyTo copies every row of s into dst, which must hold no data yet, and
// verifies each table. progress, when not nil, is told after each table.
func (s *Store) CopyTo(ctx context.Context, dst *Store, progress func(TableCopy)) ([]TableCopy, error) {
	if err := dst.mustBeEmpty(ctx); err != nil {
		return nil, err
	}
	snap, done, err := s.snapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: read %s: %w", s.location, err)
	}
	defer done()
	var out []TableCopy
	var withIDs []string // tables with an id column
	for _, table := range copyTables {
		tc, err := copyTable(ctx, snap, dst, table)
		if err != nil {
			return out, fmt.Errorf("copy %s: %w", table, err)
		}
		if slices.Contains(tc.columns, "id") {
			withIDs = append(withIDs, table)
		}
		got, err := dst.checksum(ctx, table, tc.columns)
		if err != nil {
			return out, fmt.Errorf("copy %s: verify: %w", table, err)
		}
		if got != tc.TableCopy {
			return out, fmt.Errorf("copy %s: verify: the copy has %d rows (checksum %s), the original %d (%s)",
				table, got.Rows, got.Checksum, tc.Rows, tc.Checksum)
		}
		out = append(out, tc.TableCopy)
		if progress != nil {
			progress(tc.TableCopy)
		}
	}
	if err := dst.afterCopy(ctx, withIDs); err != nil {
		return out, fmt.Errorf("copy: %w", err)
	}
	return out, nil
}

// mustBeEmpty refuses a destination that holds data: a copy adds to
// nothing.
func (s *Store) mustBeEmpty(ctx context.Context) error {
	for _, t := range copyTables {
		var n int64
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return fmt.Errorf("copy: read %s of %s: %w", t, s.location, err)
		}
		if n > 0 {
			return fmt.Errorf("copy: %s already holds data (%d rows in %s): copy only into a new database", s.location, n, t)
		}
	}
	return nil
}

// reader is what a copy reads through: a transaction's snapshot, or, on
// SQLite, a connection holding a read transaction.
type reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// snapshot opens a read-only view of s that does not change while the
// copy reads it. SQLite's writes take the write lock at BEGIN (the
// _txlock of the DSN); a plain BEGIN on a connection of its own reads a
// snapshot of the WAL without holding writers up.
func (s *Store) snapshot(ctx context.Context) (reader, func(), error) {
	if s.dialect == postgresDialect {
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, nil, err
		}
		return tx, func() { tx.Rollback() }, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		conn.Close()
		return nil, nil, err
	}
	// The snapshot starts at the first read.
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		return nil, nil, err
	}
	return conn, func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
	}, nil
}

// tableCopy is a table as read from the source.
type tableCopy struct {
	TableCopy
	columns []string
}

// copyTable copies one table and returns its count and checksum as read.
func copyTable(ctx context.Context, src reader, dst *Store, table string) (tableCopy, error) {
	cols, err := dst.columns(ctx, table)
	if err != nil {
		return tableCopy{}, err
	}
	out := tableCopy{TableCopy: TableCopy{Table: table}, columns: cols}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return out, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	var sum rowSum
	var batch [][]any
	var pending [][][]any // batches of the current transaction
	flush := func() error {
		if len(batch) > 0 {
			pending = append(pending, batch)
			batch = nil
		}
		if len(pending) == 0 {
			return nil
		}
		err := dst.write(ctx, func(tx *sql.Tx) error {
			for _, b := range pending {
				if err := insertRows(ctx, tx, dst.dialect, table, cols, b); err != nil {
					return err
				}
			}
			return nil
		})
		pending = nil
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return out, fmt.Errorf("read: %w", err)
		}
		sum.add(vals)
		out.Rows++
		for i, v := range vals {
			vals[i] = valueFor(dst.dialect, v)
		}
		batch = append(batch, vals)
		if len(batch) == copyBatch {
			pending = append(pending, batch)
			batch = nil
			if len(pending) == copyTx {
				if err := flush(); err != nil {
					return out, fmt.Errorf("write: %w", err)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("read: %w", err)
	}
	if err := flush(); err != nil {
		return out, fmt.Errorf("write: %w", err)
	}
	out.Checksum = sum.String()
	return out, nil
}

// columns lists a table's columns in s.
func (s *Store) columns(ctx context.Context, table string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// insertRows writes rows with one INSERT.
func insertRows(ctx context.Context, tx *sql.Tx, d dialect, table string, cols []string, rows [][]any) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	query := b.String()
	if d == postgresDialect {
		// Numbered as PostgreSQL's: the rebind cache is for the store's
		// own few queries, not for one per batch size and table.
		query = rebindText(query)
	}
	_, err := tx.ExecContext(ctx, query, args...)
	return err
}

// valueFor converts a value read from one database for the other: times
// and JSON that PostgreSQL returns as time.Time and []byte become the text
// SQLite keeps. Text goes to PostgreSQL as text, which it parses into its
// column's type.
func valueFor(d dialect, v any) any {
	switch x := v.(type) {
	case time.Time:
		if d == sqliteDialect {
			return storedTime(x)
		}
	case []byte:
		return string(x)
	}
	return v
}

// storedTime is t as SQLite keeps it: timeFormat, or preciseTimeFormat for
// the daemon's times that have milliseconds.
func storedTime(t time.Time) string {
	if t.Nanosecond() != 0 {
		return t.UTC().Format(preciseTimeFormat)
	}
	return t.UTC().Format(timeFormat)
}

// afterCopy brings what is not copied up to date: PostgreSQL's id
// sequences of the tables withIDs continue after the copied ids, and the
// search index is built.
func (s *Store) afterCopy(ctx context.Context, withIDs []string) error {
	if s.dialect == postgresDialect {
		for _, t := range withIDs {
			var seq sql.NullString
			if err := s.db.QueryRowContext(ctx, `SELECT pg_get_serial_sequence(?, 'id')`, t).Scan(&seq); err != nil {
				return fmt.Errorf("continue the ids of %s: %w", t, err)
			}
			if !seq.Valid { // an id that is not generated (reclassify_progress)
				continue
			}
			if _, err := s.db.ExecContext(ctx, `SELECT setval(?, coalesce(max(id), 0) + 1, false) FROM `+t, seq.String); err != nil {
				return fmt.Errorf("continue the ids of %s: %w", t, err)
			}
		}
	}
	if _, err := s.IndexPending(ctx); err != nil {
		return err
	}
	return nil
}

// checksum reads a table's rows back and sums them as copyTable did.
func (s *Store) checksum(ctx context.Context, table string, cols []string) (TableCopy, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return TableCopy{}, err
	}
	defer rows.Close()
	out := TableCopy{Table: table}
	var sum rowSum
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return out, err
		}
		sum.add(vals)
		out.Rows++
	}
	out.Checksum = sum.String()
	return out, rows.Err()
}

// rowSum is a checksum of a set of rows that does not depend on their
// order (the two databases return them in different orders, and sort
// text differently): the sum, lane by lane, of each row's SHA-256.
type rowSum [4]uint64

func (s *rowSum) add(vals []any) {
	h := sha256.New()
	for _, v := range vals {
		c := canonical(v)
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(c)))
		h.Write(n[:])
		h.Write([]byte(c))
	}
	d := h.Sum(nil)
	for i := range s {
		s[i] += binary.BigEndian.Uint64(d[i*8:])
	}
}

func (s rowSum) String() string {
	b := make([]byte, 32)
	for i, x := range s {
		binary.BigEndian.PutUint64(b[i*8:], x)
	}
	return hex.EncodeToString(b[:12])
}

// canonical renders a value read from either database as one text per
// value: a time as RFC 3339 in UTC, whether SQLite's text or PostgreSQL's
// timestamptz; numbers in their shortest form; NUL as PostgreSQL stores it.
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "\x00null"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return canonicalText(string(x))
	case string:
		return canonicalText(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

func canonicalText(s string) string {
	if len(s) >= 20 && len(s) <= 35 && s[4] == '-' && s[10] == 'T' {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	return pgText(s)
}
