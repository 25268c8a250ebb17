package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

// openDatabase opens cfg's database, creating it when it is a new SQLite
// file: for run and fetch. On PostgreSQL the password comes from
// postgres.password_env or password_file (databaseOptions).
func (e *env) openDatabase(ctx context.Context, cfg config.Config) (*store.Store, error) {
	opts, err := databaseOptions(cfg, e.getenv)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.Database, opts...)
}

// databaseOptions are how newsmon connects to cfg's database: on
// PostgreSQL, the password (never printed) and the worker's name. Without
// password_env or password_file the password is PGPASSWORD's, or the
// password file's (~/.pgpass), as for libpq.
func databaseOptions(cfg config.Config, getenv func(string) string) ([]store.Option, error) {
	if !cfg.IsPostgres() {
		return nil, nil
	}
	opts := []store.Option{}
	if cfg.Postgres.Worker != "" {
		opts = append(opts, store.WithWorker(cfg.Postgres.Worker))
	}
	switch pg := cfg.Postgres; {
	case pg.PasswordEnv != "":
		pw := getenv(pg.PasswordEnv)
		if pw == "" {
			return nil, fmt.Errorf("postgres.password_env: environment variable %s is not set (or empty) in this environment; "+
				"newsmon run needs it in its own, e.g. a systemd EnvironmentFile", pg.PasswordEnv)
		}
		opts = append(opts, store.WithPassword(pw))
	case pg.PasswordFile != "":
		b, err := os.ReadFile(pg.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("postgres.password_file: %w", err)
		}
		pw := strings.TrimRight(string(b), "\r\n")
		if pw == "" {
			return nil, errors.New("postgres.password_file: " + pg.PasswordFile + " is empty")
		}
		opts = append(opts, store.WithPassword(pw))
	}
	return opts, nil
}
