package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL. The store reaches it through pgx's database/sql adapter
// (stdlib), so that one store, with one set of queries, serves both
// databases: pgx's own interface would be faster for bulk work but would
// split every query function in two. Its connections rewrite SQLite's
// parameters as PostgreSQL's (rebind), and the few queries whose text
// differs are picked by dialect.

// pgMaxConns is the pool of one process: the writer, the alert sender's
// and the digest's locks, and the readers of fetch.concurrency runs.
// pgLeaseConns more serve the leases (store/leases.go) alone.
const (
	pgMaxConns   = 12
	pgLeaseConns = 2
)

// openPostgres opens the database at location, a postgres:// URL, and
// migrates it. The password comes from o (the config's password_env or
// password_file) or else, as for libpq, from PGPASSWORD or the password
// file; a password in the URL itself is refused by the config.
func openPostgres(ctx context.Context, location string, existing bool, o options) (*Store, error) {
	cfg, err := pgx.ParseConfig(location)
	if err != nil {
		// pgx's message quotes the URL; it holds no password (see above).
		return nil, fmt.Errorf("open database %s: %w", location, err)
	}
	if o.password != "" {
		cfg.Password = o.password
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "newsmon " + o.worker
	}
	// Times leave the server as instants (timestamptz), whatever the
	// session's zone; UTC keeps any text rendering the same as SQLite's.
	cfg.RuntimeParams["timezone"] = "UTC"
	connector := rebindConnector{stdlib.GetConnector(*cfg)}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns)
	s := newStore(db, postgresDialect, location, o)
	s.leaseDB = sql.OpenDB(connector)
	s.leaseDB.SetMaxOpenConns(pgLeaseConns)
	s.leaseDB.SetMaxIdleConns(pgLeaseConns)
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database %s: %w", location, err)
	}
	ms, err := loadMigrations(postgresDialect)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	if existing {
		has, err := s.hasMigrationsTable(ctx)
		if err == nil && !has {
			err = ErrNoDatabase
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open database %s: %w", location, err)
		}
	}
	if err := s.applyMigrations(ctx, ms); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database %s: %w", location, err)
	}
	return s, nil
}

// rebindConnector makes pgx connections that take SQLite's parameters.
type rebindConnector struct{ driver.Connector }

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(*stdlib.Conn)
	if !ok {
		conn.Close()
		return nil, errors.New("pgx returned an unexpected connection type")
	}
	return &rebindConn{pc}, nil
}

// rebindConn is a pgx connection whose queries are rebound. Everything
// else (transactions, pings, session resets, argument checks) is pgx's.
type rebindConn struct{ *stdlib.Conn }

func (c *rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.PrepareContext(ctx, rebind(query))
	if err != nil {
		return nil, err
	}
	ps, ok := st.(*stdlib.Stmt)
	if !ok {
		st.Close()
		return nil, errors.New("pgx returned an unexpected statement type")
	}
	return &rebindStmt{ps}, nil
}

// rebindStmt is a prepared statement whose arguments lose their NULs
// (withoutNUL), as the connection's queries' do.
type rebindStmt struct{ *stdlib.Stmt }

func (s *rebindStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.ExecContext(ctx, withoutNUL(args))
}

func (s *rebindStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.QueryContext(ctx, withoutNUL(args))
}

// ExecContext rebinds a query that has arguments; one without (a
// migration, many statements long) goes as it is.
func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) > 0 {
		query = rebind(query)
	}
	return c.Conn.ExecContext(ctx, query, withoutNUL(args))
}

func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		query = rebind(query)
	}
	return c.Conn.QueryContext(ctx, query, withoutNUL(args))
}

// withoutNUL replaces the NUL characters of text arguments, which
// PostgreSQL cannot store in text (SQLite can), by U+FFFD, as a bad byte
// of UTF-8 is: a feed or page holding one is stored, not refused.
func withoutNUL(args []driver.NamedValue) []driver.NamedValue {
	for i, a := range args {
		if s, ok := a.Value.(string); ok && strings.IndexByte(s, 0) >= 0 {
			args[i].Value = pgText(s)
		}
	}
	return args
}

// pgText is s as PostgreSQL can store it: NUL replaced by U+FFFD.
func pgText(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }
