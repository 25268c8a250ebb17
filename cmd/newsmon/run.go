package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/daemon"
)

func runRun(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("run", "run [--log-format text|json] [--log-level LEVEL | --quiet]\n\nRuns the daemon: every enabled source on its schedule until SIGINT or\nSIGTERM. SIGHUP re-reads the config. One daemon per database.")
	logf := fs.logFlags()
	if code, ok := fs.parseNone(args, ""); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	if err := logf.apply(&cfg.Log); err != nil {
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitUsage
	}
	log := e.logger(cfg.Log)
	for _, w := range cfg.Warnings() {
		log.Warn("config: " + w.String())
	}

	// One daemon per SQLite file; on PostgreSQL, workers share the work
	// through the database's leases and locks.
	if !cfg.IsPostgres() {
		lock, err := daemon.LockDatabase(cfg.Database)
		if err != nil {
			var le *daemon.LockedError
			if errors.As(err, &le) {
				fmt.Fprintf(e.stderr, "newsmon run: another daemon is already running on %s: %v\n", cfg.Database, err)
			} else {
				fmt.Fprintln(e.stderr, "newsmon run:", err)
			}
			return exitFailure
		}
		defer lock.Unlock()
	}

	st, err := e.openDatabase(ctx, cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitFailure
	}
	defer st.Close()
	var ln net.Listener
	if cfg.Listen != "" {
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			fmt.Fprintf(e.stderr, "newsmon run: listen on %s: %v\n", cfg.Listen, err)
			return exitFailure
		}
		log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d, err := daemon.New(cfg, st, log, daemon.Options{
		Listener: ln,
		Getenv:   e.getenv,
		Reload:   hup,
		Load: func() (config.Config, error) {
			next, err := config.Load(*path)
			if err != nil {
				return next, err
			}
			for _, w := range next.Warnings() {
				log.Warn("config: " + w.String())
			}
			return next, logf.apply(&next.Log) // the flags were checked at start
		},
	})
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitUsage
	}
	if err := d.Run(ctx); err != nil {
		log.Error("daemon failed", "err", err)
		return exitFailure
	}
	return exitOK
}

// overrideLog applies the --log-format and --log-level flags.
func overrideLog(l *config.Log, format, level string) error {
	if format != "" {
		if format != "text" && format != "json" {
			return fmt.Errorf("--log-format: expected text or json, got %q", format)
		}
		l.Format = format
	}
	if level != "" {
		switch level {
		case "debug", "info", "warn", "error":
		default:
			return fmt.Errorf("--log-level: expected debug, info, warn or error, got %q", level)
		}
		l.Level = level
	}
	return nil
}
