package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

func runFetch(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("fetch", "fetch [--config PATH] [--source NAME]\n\nRuns every enabled source once, now, and prints one line per source.\nExits 1 only when every source failed.")
	only := fs.String("source", "", "run only this source (even if disabled)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	var sources []config.Source
	for _, s := range cfg.Sources {
		if (*only == "" && s.IsEnabled()) || s.Name == *only {
			sources = append(sources, s)
		}
	}
	if *only != "" && len(sources) == 0 {
		fmt.Fprintf(e.stderr, "newsmon fetch: no source named %q in %s\n", *only, cfg.Path)
		return exitUsage
	}
	log := e.logger(cfg.Log)
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon fetch:", err)
		return exitFailure
	}
	defer st.Close()
	p, err := pipeline.New(cfg, st, log)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon fetch:", err)
		return exitUsage
	}
	if err := p.SyncSources(ctx); err != nil {
		fmt.Fprintln(e.stderr, "newsmon fetch:", err)
		return exitFailure
	}
	sums := p.RunAll(ctx, sources)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFETCHED\tNEW\tNEW WITH MENTIONS\tERROR")
	failed := 0
	for _, s := range sums {
		errText := ""
		switch {
		case s.Err != nil:
			failed++
			errText = s.Err.Error()
		case s.NotModified:
			errText = "(not modified)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", s.Source, s.Seen, s.New, s.NewWithMentions, errText)
	}
	tw.Flush()
	if len(sums) > 0 && failed == len(sums) {
		return exitFailure
	}
	return exitOK
}
