package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/daemon/metrics"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
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

	lock, err := daemon.Lock(cfg.Database + ".lock")
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

	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitFailure
	}
	defer st.Close()
	p, err := pipeline.New(cfg, st, log)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitUsage
	}
	if err := p.SyncSources(ctx); err != nil {
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitFailure
	}
	var ln net.Listener
	if cfg.Listen != "" {
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			fmt.Fprintf(e.stderr, "newsmon run: listen on %s: %v\n", cfg.Listen, err)
			return exitFailure
		}
		log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}
	reg := metrics.NewRegistry()
	n := startNotifier(ctx, cfg, st, p, log, e.getenv, reg)
	defer n.stop()
	d, err := daemon.New(cfg, st, n.runner(p), log, daemon.Options{Listener: ln, Metrics: reg})
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon run:", err)
		return exitUsage
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx) }()
	for {
		select {
		case err := <-errc:
			if err != nil {
				log.Error("daemon failed", "err", err)
				return exitFailure
			}
			return exitOK
		case <-hup:
			if next, ok := reload(ctx, cfg, *path, st, d, n, log); ok {
				cfg = next
			}
		}
	}
}

// reload re-reads the config at path and hands it to the daemon. Anything
// wrong (a bad file, rules that do not compile, a change that needs a
// restart) is logged and the old config keeps running.
func reload(ctx context.Context, old config.Config, path string, st *store.Store, d *daemon.Daemon, n *notifier, log *slog.Logger) (config.Config, bool) {
	log.Info("SIGHUP: reloading config", "path", path)
	cfg, err := config.Load(path)
	if err != nil {
		log.Error("reload: config has problems; keeping the old one", "err", err)
		return old, false
	}
	if cfg.Database != old.Database {
		log.Error("reload: database changed; restart newsmon to switch databases; keeping the old config", "old", old.Database, "new", cfg.Database)
		return old, false
	}
	if cfg.Listen != old.Listen || cfg.Log != old.Log {
		log.Warn("reload: listen and log settings take effect at the next restart")
	}
	p, err := pipeline.New(cfg, st, log)
	if err != nil {
		log.Error("reload: keeping the old config", "err", err)
		return old, false
	}
	if err := p.SyncSources(ctx); err != nil {
		log.Error("reload: keeping the old config", "err", err)
		return old, false
	}
	if err := d.Reload(ctx, cfg, n.runner(p)); err != nil {
		log.Error("reload: keeping the old config", "err", err)
		return old, false
	}
	n.reload(cfg, p)
	return cfg, true
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
