package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

func runCopy(ctx context.Context, e *env, args []string) int {
	flags, path := e.flags("copy", "copy --to DATABASE [--from DATABASE]\n\n"+
		"Copies every row of the config's database (or --from) into DATABASE, a new SQLite\n"+
		"file or an empty PostgreSQL database (postgres://USER@HOST/NAME), and checks that\n"+
		"each table holds the same rows on both sides (count and checksum). The search\n"+
		"index is rebuilt in the copy. Safe while the daemon runs: it reads one snapshot.\n"+
		"A PostgreSQL password other than the config's comes from PGPASSWORD or ~/.pgpass.")
	to := flags.String("to", "", "the `database` to copy into: a file that does not exist, or a postgres:// URL")
	from := flags.String("from", "", "the `database` to copy from (default: the config's)")
	if code, ok := flags.parseNone(args, ""); !ok {
		return code
	}
	if *to == "" {
		return flags.usageError("--to is required")
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	source := cfg.Database
	if *from != "" {
		source = *from
	}
	if source == *to {
		return flags.usageError("--to is the database copied from")
	}
	// The config's password is for the config's database only.
	optsFor := func(location string) ([]store.Option, error) {
		if location == cfg.Database {
			return databaseOptions(cfg, e.getenv)
		}
		return nil, nil
	}
	if !config.IsPostgresURL(*to) {
		if _, err := os.Lstat(*to); !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(e.stderr, "newsmon copy: %s exists: copy only into a new file\n", *to)
			return exitFailure
		}
	}
	opts, err := optsFor(source)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon copy:", err)
		return exitFailure
	}
	src, err := store.OpenExisting(ctx, source, opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon copy:", err)
		return exitFailure
	}
	defer src.Close()
	if opts, err = optsFor(*to); err != nil {
		fmt.Fprintln(e.stderr, "newsmon copy:", err)
		return exitFailure
	}
	dst, err := store.Open(ctx, *to, opts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon copy:", err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(e.stdout, "copying %s to %s\n", source, *to)
	fmt.Fprintln(tw, "TABLE\tROWS\tCHECKSUM")
	_, err = src.CopyTo(ctx, dst, func(t store.TableCopy) {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Table, t.Rows, t.Checksum)
		tw.Flush()
	})
	cerr := dst.Close()
	if err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon copy:", err)
		if config.IsPostgresURL(*to) {
			fmt.Fprintf(e.stderr, "newsmon copy: %s holds part of the copy: empty it (DROP its tables, or the database) before copying again\n", *to)
		} else {
			for _, f := range []string{*to, *to + "-wal", *to + "-shm"} {
				os.Remove(f)
			}
		}
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "verified: every table holds the same rows in both databases (counts and checksums)")
	return exitOK
}
