package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/notify"
	"github.com/newsmon/newsmon/pipeline"
)

func runCheck(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("check", "check [--config FILE]\n\nValidates the config, reporting every problem with file:line, warns about\nsettings that work but are probably not meant, and shows each source's next\nthree runs in the configured time zone.")
	if code, ok := fs.parseNone(args, "the config is --config FILE"); !ok {
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
	// The mail settings as run and the alert sender would take them: the
	// password from its variable or file.
	if _, err := notify.MailerFor(cfg, e.getenv); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", cfg.Path, err)
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "%s: ok (%s, %s)\n", cfg.Path, plural(len(cfg.Tracked), "person", "people"), plural(len(cfg.Sources), "source", "sources"))
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tTYPE\tSCHEDULE\tNEXT RUNS ("+cfg.Location.String()+")")
	now := time.Now().In(cfg.Location)
	for _, s := range cfg.Sources {
		spec := cfg.ScheduleOf(s)
		if !s.IsEnabled() {
			fmt.Fprintf(tw, "%s\t%s\t%s\tdisabled\n", s.Name, s.Type, spec)
			continue
		}
		sched, _ := cfg.JobSchedule(spec) // validated by Load
		var next []string
		for t := sched.Next(now); !t.IsZero() && len(next) < 3; t = sched.Next(t) {
			next = append(next, t.Format("Mon 2006-01-02 15:04"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Type, spec, strings.Join(next, ", "))
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
