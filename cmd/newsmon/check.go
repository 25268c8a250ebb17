package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/pipeline"
)

func runCheck(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("check", "check [--config PATH]\n\nValidates the config, reporting every problem with file:line, and shows\neach source's next three runs in the configured time zone.")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	if err := checkRules(cfg); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "%s: ok (%d people, %d sources)\n\n", cfg.Path, len(cfg.Tracked), len(cfg.Sources))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tTYPE\tSCHEDULE\tNEXT RUNS ("+cfg.Location.String()+")")
	now := time.Now().In(cfg.Location)
	for _, s := range cfg.Sources {
		spec := cfg.ScheduleOf(s)
		if !s.IsEnabled() {
			fmt.Fprintf(tw, "%s\t%s\t%s\tdisabled\n", s.Name, s.Type, spec)
			continue
		}
		sched, _ := config.ParseSchedule(spec) // validated by Load
		next, t := "", now
		for i := range 3 {
			t = sched.Next(t)
			if i > 0 {
				next += ", "
			}
			next += t.Format("Mon 2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Type, spec, next)
	}
	tw.Flush()
	return exitOK
}

// checkRules builds what the config describes beyond plain values (the
// classifier's names and rules) to report problems Load cannot see.
func checkRules(cfg config.Config) error {
	_, err := pipeline.NewClassifier(cfg)
	return err
}
