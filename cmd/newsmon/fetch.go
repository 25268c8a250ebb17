package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/fetch"
	"github.com/newsmon/newsmon/pipeline"
)

func runFetch(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("fetch", "fetch [--source NAME] [--quiet | --log-level LEVEL]\n\nRuns every enabled source once, now, and prints one line per source: what it\nfetched, or why it failed in a word or two (`newsmon status SOURCE` shows the\nwhole error). Exits 1 only when every source failed.")
	only := fs.String("source", "", "run only this source (even if disabled)")
	logf := fs.logFlags()
	if code, ok := fs.parseNone(args, "one source is --source NAME"); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	if err := logf.apply(&cfg.Log); err != nil {
		return fs.usageError("%v", err)
	}
	var sources []config.Source
	for _, s := range cfg.Sources {
		if (*only == "" && s.IsEnabled()) || s.Name == *only {
			sources = append(sources, s)
		}
	}
	if *only != "" && len(sources) == 0 {
		var names []string
		for _, s := range cfg.Sources {
			names = append(names, s.Name)
		}
		msg := fmt.Sprintf("newsmon fetch: no source named %q in %s", *only, cfg.Path) + didYouMean(*only, names)
		fmt.Fprintln(e.stderr, msg)
		return exitUsage
	}
	log := e.logger(cfg.Log)
	st, err := e.openDatabase(ctx, cfg)
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
	fmt.Fprintln(tw, "SOURCE\tFETCHED\tNEW\tNEW WITH MENTIONS\tPROBLEM")
	failed := 0
	for _, s := range sums {
		problem := ""
		switch {
		case s.Err != nil:
			failed++
			problem = failureSummary(fetch.Cause(s.Err), s.Err.Error())
		case s.NotModified:
			problem = "(not modified)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", s.Source, s.Seen, s.New, s.NewWithMentions, problem)
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintln(e.stdout, "\n`newsmon status SOURCE` shows a source's whole error and its last runs.")
	}
	if len(sums) > 0 && failed == len(sums) {
		return exitFailure
	}
	return exitOK
}
