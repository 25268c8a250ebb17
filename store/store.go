// Package store keeps newsmon's data in one SQLite file, or in a
// PostgreSQL database that several `newsmon run` workers share.
//
// It is the only package that imports database/sql. The schema is a series
// of numbered .sql files per dialect embedded in the binary
// (migrations/sqlite, migrations/postgres), applied in order when the
// database is opened and recorded in schema_migrations, so an older
// database upgrades in place; both dialects end in the same tables,
// columns and views. Every multi-row write is one transaction, and writes
// from one process go through a single mutex and a single connection, so
// that concurrent fetches queue for the writer instead of failing with
// SQLITE_BUSY, and the writer's page cache stays warm. On PostgreSQL,
// writers of several processes run side by side; a transaction that loses
// a race with another's (a deadlock) is run again.
//
// The store decides nothing about content: callers hand it items already
// matched and classified, as the store's own types.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/newsmon/newsmon/config"
)

// Store is an open newsmon database.
type Store struct {
	db       *sql.DB
	dialect  dialect
	location string     // the file, or the PostgreSQL URL (which holds no password)
	worker   string     // this process, as fetch_runs and leases name it
	writeMu  sync.Mutex // one writer per process
	// writer is the connection every write of this process uses, held
	// while the store is open (guarded by writeMu); see writeLocked.
	writer *sql.Conn

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // see stmt

	queueMu sync.Mutex
	queue   []*pendingRun // see commitGrouped
	// groups counts the transactions that held more than one run, for tests.
	groups int

	ckpt  *checkpointer // SQLite only
	locks *localLocks   // SQLite only: see TryLock
	// leaseDB is PostgreSQL's pool of connections for leases (leaseWrite).
	leaseDB *sql.DB
}

// spillKiB is how much a transaction may change (in dirty pages held in
// memory) before SQLite writes pages to the WAL ahead of the commit. By
// default it does so once the page cache (2 MB) is full, and a page spilled
// and changed again is written again; at the commit SQLite then reads back
// every frame from the first spilled one to recompute their checksums. A
// group of runs (up to maxPartItems items and maxPartBytes of text) makes
// more dirty pages than that: with this bound it is written once, at its
// commit (docs/performance.md has the figures), and its pages return to
// the cache's bound afterwards. Larger transactions (a migration of a big
// database) still spill past it.
const spillKiB = 16 << 10

// BusyTimeout is how long a write waits for another process's lock (a user's
// sqlite3 session, a backup) before giving up.
const BusyTimeout = 30 * time.Second

// ErrNoDatabase says OpenExisting found no database file (or, on
// PostgreSQL, a database without newsmon's tables).
var ErrNoDatabase = errors.New("no such database file")

// Option sets how Open connects.
type Option func(*options)

type options struct {
	password string
	worker   string
}

// WithPassword is the PostgreSQL password (from the config's
// postgres.password_env or password_file). Without it, the URL's standard
// environment variables (PGPASSWORD, PGPASSFILE) are read, as by libpq.
// It is never printed.
func WithPassword(p string) Option { return func(o *options) { o.password = p } }

// WithWorker names this process in fetch_runs and leases; the default is
// the host name and the process id.
func WithWorker(name string) Option { return func(o *options) { o.worker = name } }

// DefaultWorker is this process's name by default: host:pid.
func DefaultWorker() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// Open opens the database at location, a SQLite file path or a
// postgres:// URL, and migrates it, creating it when missing. A new SQLite
// database and its -wal and -shm files (SQLite gives them the database's
// mode) are readable by the owner only; a PostgreSQL database must exist
// (newsmon creates its tables, not the database).
func Open(ctx context.Context, location string, opts ...Option) (*Store, error) {
	return open(ctx, location, false, opts)
}

// OpenExisting is Open for commands that only read (or, like backup, need
// data to act on): it never creates a database, and fails with
// ErrNoDatabase when location does not exist (or, on PostgreSQL, has no
// newsmon tables), so that a mistyped or unresolved path is reported
// instead of answered from an empty database. Like Open, it takes the
// write lock only when the schema needs migrating.
func OpenExisting(ctx context.Context, location string, opts ...Option) (*Store, error) {
	return open(ctx, location, true, opts)
}

func open(ctx context.Context, location string, existing bool, opts []Option) (*Store, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.worker == "" {
		o.worker = DefaultWorker()
	}
	if config.IsPostgresURL(location) {
		return openPostgres(ctx, location, existing, o)
	}
	path := location
	ms, err := loadMigrations(sqliteDialect)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	if existing {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				err = ErrNoDatabase
			}
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
	} else if err := createDatabaseFile(path); err != nil {
		return nil, err
	}
	return openWith(ctx, path, ms, existing, o)
}

// createDatabaseFile creates an empty file at path, which SQLite takes as a
// new database, with mode 0600: SQLite would create it 0644. An existing
// file is left as it is, but for its page size if it is still empty.
func createDatabaseFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return openError(path, err)
	}
	if err == nil {
		f.Close()
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > 0 {
		return nil // not new: its page size is set for good
	}
	return setPageSize(path)
}

// pageSize is the page size of a new database. Most of what newsmon
// writes is items of a few kilobytes each, in groups of hundreds, and
// SQLite writes a WAL frame's header and its page in two calls: with 4 KB
// pages a group's commit was mostly system calls, and items of 3-5 KB each
// took an overflow page. Larger pages make a third as many writes for a
// database of about the same size (docs/performance.md). SQLite fixes the
// page size when it writes the database's first page: a database created
// before keeps its own.
const pageSize = 16 << 10

// setPageSize sets the page size of the empty database at path, before
// the connections of openWith, whose journal_mode pragma would fix it
// first (the driver runs the DSN's pragmas in alphabetical order).
func setPageSize(path string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("PRAGMA page_size = %d; PRAGMA journal_mode = WAL", pageSize)); err != nil {
		return fmt.Errorf("set page size of %s: %w", path, err)
	}
	return nil
}

// openWith opens the SQLite database and applies the given migrations.
// With existing set, SQLite is told not to create the file (mode=rw)
// either.
func openWith(ctx context.Context, path string, ms []migration, existing bool, o options) (*Store, error) {
	// Connection-scoped pragmas go in the DSN so that every pooled
	// connection gets them, not just the one a db.Exec happens to use.
	q := url.Values{}
	for _, p := range []string{
		fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()),
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
		"temp_store(MEMORY)",
		fmt.Sprintf("wal_autocheckpoint(%d)", autocheckpointPages), // see checkpoint.go
		fmt.Sprintf("cache_spill(%d)", -spillKiB),
		fmt.Sprintf("journal_size_limit(%d)", walSizeLimit), // see checkpoint.go
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // take the write lock at BEGIN: no deadlocking lock upgrades
	if existing {
		q.Set("mode", "rw")
	}
	// The path is escaped: in a file: URI a '?' or '#' in a folder name
	// would otherwise start the parameters.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Idle connections are kept (database/sql keeps 2 by default): a
	// SQLite connection is costly to open (the pragmas above) and loses the
	// statements prepared on it. With 2, a cold fetch of 1000 feeds spent
	// about a twentieth of its CPU opening and closing connections.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	s := newStore(db, sqliteDialect, path, o)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		db.Close()
		return nil, fmt.Errorf("open database %s: journal mode is %q, want wal", path, mode)
	}
	if err := s.applyMigrations(ctx, ms); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	s.startCheckpointer()
	return s, nil
}

func newStore(db *sql.DB, d dialect, location string, o options) *Store {
	s := &Store{db: db, dialect: d, location: location, worker: o.worker, stmts: map[string]*sql.Stmt{}}
	if d == sqliteDialect {
		s.locks = &localLocks{held: map[string]bool{}}
	}
	return s
}

// Close stops the checkpointer and closes the database.
func (s *Store) Close() error {
	s.ckpt.close()
	if s.leaseDB != nil {
		s.leaseDB.Close()
	}
	s.writeMu.Lock()
	if s.writer != nil {
		s.writer.Close()
		s.writer = nil
	}
	s.writeMu.Unlock()
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[string]*sql.Stmt{}
	s.stmtMu.Unlock()
	return s.db.Close()
}

// stmt returns query prepared once per store. The write path runs the same
// dozen statements for every run, and SQLite compiling them afresh each
// time cost a twentieth of a cold fetch; database/sql keeps each prepared
// on every connection that has run it.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	st, ok := s.stmts[query]
	if !ok {
		var err error
		if st, err = s.db.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		s.stmts[query] = st
	}
	return st, nil
}

// querier is what the store's helpers need of a transaction: *sql.Tx, or a
// cachedTx on the write path.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// cachedTx is a transaction whose queries use statements prepared once per
// store (see stmt). A query that does not prepare runs on the bare
// transaction, which reports the same error where the caller looks for it.
type cachedTx struct {
	*sql.Tx
	s *Store
}

func (c cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, err := c.s.txStmt(ctx, c.Tx, query); err == nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.Tx.QueryRowContext(ctx, query, args...)
}

func (c cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.s.txStmt(ctx, c.Tx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.s.txStmt(ctx, c.Tx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txStmt is stmt as a statement of tx.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// Path is the database file, or the PostgreSQL URL (without a password).
func (s *Store) Path() string { return s.location }

// Postgres reports whether the database is PostgreSQL, which several
// workers may share.
func (s *Store) Postgres() bool { return s.dialect == postgresDialect }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// write runs fn in one immediate transaction, serialised with the
// process's other writes.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.writeLocked(ctx, fn)
}

// writeLocked is write for a caller holding writeMu.
//
// Every write goes through one connection. SQLite keeps a page cache per
// connection and drops it when another connection has written; with writes
// spread over the pool, each transaction began by re-reading the index
// pages it was about to change.
//
// On PostgreSQL, other workers write at the same time: a transaction that
// deadlocks with one of theirs (two runs inserting the same two articles
// in opposite orders) is rolled back by the server and run again here, up
// to maxRetries times.
func (s *Store) writeLocked(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return retryRaces(ctx, func() error { return s.writeOnce(ctx, fn) })
}

// retryRaces runs once again while it fails with an error isRetryable
// accepts, at most maxRetries times, after a short pause each time.
func retryRaces(ctx context.Context, once func() error) error {
	for attempt := 0; ; attempt++ {
		err := once()
		if err == nil || !isRetryable(err) || attempt == maxRetries {
			return err
		}
		select {
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// writeAside runs fn in a transaction of its own, on a pooled connection,
// beside the process's writer rather than after it: on PostgreSQL, for
// work that must not wait for a long group of runs (a lease's heartbeat)
// or that would hold them up (indexing). Like write, it runs fn again when
// it lost a race with another transaction. On SQLite, which has one
// writer, it is write.
func (s *Store) writeAside(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.dialect == sqliteDialect {
		return s.write(ctx, fn)
	}
	return retryRaces(ctx, func() error { return txOnce(ctx, s.db, fn) })
}

func txOnce(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// maxRetries bounds how often a write that lost a race is run again.
const maxRetries = 8

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx, err := s.beginWrite(ctx)
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) {
		// The held connection broke: begin again on a fresh one.
		s.dropWriter()
		tx, err = s.beginWrite(ctx)
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			s.dropWriter()
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		// SQLite may leave the transaction open after a failed COMMIT.
		s.dropWriter()
		return fmt.Errorf("commit: %w", err)
	}
	s.ckpt.committed()
	return nil
}

// beginWrite begins a transaction on the write connection, taking one from
// the pool if none is held. The transaction is not bound to ctx: when a
// transaction's context ends, database/sql rolls it back from a goroutine
// of its own, and when that happened while a query's rows were open (a
// run's save cut off by its deadline), the rollback could fail and leave
// the held connection inside the transaction, failing every later write
// with "cannot start a transaction within a transaction". Writers pass ctx
// to their statements, or check it between them, and roll back themselves.
func (s *Store) beginWrite(ctx context.Context) (*sql.Tx, error) {
	if s.writer == nil {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		s.writer = c
	}
	return s.writer.BeginTx(context.WithoutCancel(ctx), nil)
}

// dropWriter closes the held write connection for good (a transaction that
// could not be ended cleanly may still be open on it); the next write takes
// a fresh one.
func (s *Store) dropWriter() {
	if s.writer == nil {
		return
	}
	// Raw's error discards the connection instead of returning it to the
	// pool; closing a SQLite connection rolls back what it had open.
	s.writer.Raw(func(any) error { return driver.ErrBadConn })
	s.writer.Close()
	s.writer = nil
}

// timeFormat is ISO-8601 in UTC, which SQLite's date functions understand.
const timeFormat = "2006-01-02T15:04:05Z"

// formatTime renders t for storage; the zero time becomes NULL.
func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeFormat)
}

// parseTime reads a stored timestamp; NULL becomes the zero time. SQLite
// holds timeFormat (or preciseTimeFormat) text; PostgreSQL's timestamptz
// reaches database/sql as a time.Time, which it renders as RFC 3339 with
// the session's offset when scanned into a string.
func parseTime(ns sql.NullString) time.Time {
	if !ns.Valid {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, ns.String)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
