package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/store"
)

func runStatus(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("status", "status [--config PATH]\n\nShows each source's schedule and health from the database. Safe to run\nwhile the daemon runs: it only reads.")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon status:", err)
		return exitFailure
	}
	defer st.Close()
	now := time.Now()
	health, err := st.Health(ctx, now)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon status:", err)
		return exitFailure
	}
	scheds, err := st.Schedules(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon status:", err)
		return exitFailure
	}

	switch held, pid, err := daemon.Holder(cfg.Database + ".lock"); {
	case err != nil:
		fmt.Fprintf(e.stdout, "daemon: unknown (%v)\n", err)
	case held && pid > 0:
		fmt.Fprintf(e.stdout, "daemon: running (pid %d)\n", pid)
	case held:
		fmt.Fprintln(e.stdout, "daemon: running")
	default:
		fmt.Fprintln(e.stdout, "daemon: not running (next runs are as last planned)")
	}
	fmt.Fprintf(e.stdout, "database: %s, times in %s\n", cfg.Database, cfg.Location)
	pending, err := st.PendingIndex(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon status:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "search index: %d items awaiting indexing (the daemon or `newsmon search` indexes them)\n\n", pending)

	specs := map[string]string{}
	for _, s := range cfg.Sources {
		specs[s.Name] = cfg.ScheduleOf(s)
		if !s.IsEnabled() {
			specs[s.Name] = "disabled"
		}
	}
	show := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(cfg.Location).Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSCHEDULE\tNEXT RUN\tLAST RUN\tLAST SUCCESS\tFAILURES\tITEMS 24H\tLAST ERROR")
	for _, h := range health {
		spec, ok := specs[h.Name]
		if !ok {
			spec = "(not in config)"
		}
		sch := scheds[h.Name]
		next := show(sch.NextRun)
		if spec == "disabled" || spec == "(not in config)" {
			next = "-"
		} else if now.Before(sch.BackoffUntil) {
			next += " (backoff)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", h.Name, spec, next, show(h.LastRun), show(h.LastSuccess),
			strconv.Itoa(h.ConsecutiveFailures), h.ItemsLastDay, shorten(h.LastError, 80))
	}
	tw.Flush()
	return exitOK
}

// shorten keeps a table row on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
