// Command newsmon watches the news for tracked people.
//
// Run "newsmon help" for the list of commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed
	exitUsage   = 2 // bad flags or a bad config
)

// env is what every command gets: where to write, and how it was called.
type env struct {
	stdin          io.Reader // nil reads as empty
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand. run returns an exit status.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

var commands = map[string]command{
	"check":      {"validate the config and show each source's next runs", runCheck},
	"fetch":      {"run every enabled source once, now", runFetch},
	"run":        {"run the daemon: sources on their schedules, until stopped", runRun},
	"status":     {"show each source's schedule and health", runStatus},
	"extract":    {"show what newsmon extracts from a page (FILE or URL)", runExtract},
	"classify":   {"show mentions, stances and topics, with evidence, for a file, URL or stored item", runClassify},
	"reclassify": {"re-run the current rules over stored items", runReclassify},
	"eval":       {"score the classifier on labelled corpora (also leave-people-out)", runEval},
	"rules":      {"fit the classifier's weights to labelled corpora (rules fit), or suggest cues", runRules},
	"label":      {"record your stance or topics for a stored item; it wins over the classifier's", runLabel},
	"search":     {"full-text search of stored items (FTS5 syntax), with filters", runSearch},
	"export":     {"write coverage (item × person) as CSV or JSON Lines", runExport},
	"backup":     {"write a consistent copy of the database while the daemon runs", runBackup},
	"copy":       {"copy the database to a new SQLite file or PostgreSQL database, verified", runCopy},
	"prune":      {"drop old items' full text per retention.text_days and shrink the file", runPrune},
	"alerts":     {"test a rule on stored items, list the outbox, or send due alerts", runAlerts},
	"digest":     {"send the digest now, or preview it", runDigest},
	"version":    {"print newsmon's version and the revision it was built from", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if percent, ok := gcPercent(os.Getenv); ok {
		debug.SetGCPercent(percent)
	}
	stopProfile := startCPUProfile(os.Getenv("NEWSMON_CPUPROFILE"))
	status := dispatch(ctx, e, os.Args[1:])
	stopProfile()
	os.Exit(status)
}

// defaultGCPercent is the Go collector's GOGC for newsmon. Its live heap is
// small (tens of MB: the SQLite page cache is not on it) and ingest
// allocates a copy of every feed's text on its way through, so at Go's
// default of 100 collection took a tenth of a cold fetch. At 150 the cold
// fetch of tools/e2ebench took 10% less time (3.31 s against 3.69 s,
// median of 5) for 3 MB more peak RSS (46 MB); 200 was no faster and
// peaked at 49 MB.
const defaultGCPercent = 150

// gcPercent is the GOGC newsmon sets: defaultGCPercent, unless GOGC in the
// environment has already set one (ok=false).
func gcPercent(getenv func(string) string) (percent int, ok bool) {
	if getenv("GOGC") != "" {
		return 0, false
	}
	return defaultGCPercent, true
}

// startCPUProfile writes a CPU profile of the whole command to path, for
// tuning (see "Benchmarks" in the README); an empty path profiles nothing.
// A "*" in the file name is replaced by a random string, so that several
// commands (a benchmark's cold and warm runs) keep their own profiles. The
// returned function stops the profile and closes the file.
func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsmon: NEWSMON_CPUPROFILE:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

func dispatch(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run(ctx, e, []string{"-h"})
			}
		}
		usage(e.stdout)
		return exitOK
	case "--version", "-version":
		return runVersion(ctx, e, args[1:])
	}
	if strings.HasPrefix(args[0], "-") {
		// Flags before the command ("newsmon --config c.yaml status") are
		// the command's: the command is the first argument naming one.
		for i, a := range args {
			if c, ok := commands[a]; ok {
				return c.run(ctx, e, append(slices.Clone(args[:i]), args[i+1:]...))
			}
		}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "newsmon: unknown command %q", args[0])
		fmt.Fprint(e.stderr, didYouMean(args[0], commandNames()))
		fmt.Fprintln(e.stderr, "\nRun \"newsmon help\" for the list of commands.")
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "newsmon watches the news for tracked people.\n\nUsage: newsmon COMMAND [flags] [arguments]\n\nCommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"newsmon COMMAND -h\" for a command's flags; flags may come before or after\n"+
		"the arguments. Every command takes --config FILE (default $NEWSMON_CONFIG, else\nconfig.yaml).")
}

// loadConfig loads the config, printing its problems.
func (e *env) loadConfig(path string) (config.Config, bool) {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return cfg, false
	}
	return cfg, true
}

// openExisting opens the database of cfg for a command that must not
// create one: all but run and fetch. A missing database is reported with
// where its path came from, so that a command run from another folder, by
// cron or with sudo, says which file it looked for instead of answering
// from a new, empty one.
func (e *env) openExisting(ctx context.Context, cmd string, cfg config.Config) (*store.Store, bool) {
	opts, err := databaseOptions(cfg, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsmon %s: %s: %v\n", cmd, cfg.Path, err)
		return nil, false
	}
	st, err := store.OpenExisting(ctx, cfg.Database, opts...)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsmon %s: %v\n", cmd, err)
		switch {
		case errors.Is(err, store.ErrNoDatabase) && cfg.IsPostgres():
			fmt.Fprintf(e.stderr, "newsmon %s: %s, the database of %s, has no newsmon tables; "+
				"`newsmon fetch` or `newsmon run` creates them\n", cmd, cfg.Database, cfg.Path)
		case errors.Is(err, store.ErrNoDatabase):
			fmt.Fprintf(e.stderr, "newsmon %s: %s is the database of %s (a relative database: is taken from the config file's folder); "+
				"`newsmon fetch` or `newsmon run` creates it\n", cmd, cfg.Database, cfg.Path)
		}
		return nil, false
	}
	return st, true
}

// logger builds the logger the config asks for.
func (e *env) logger(cfg config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// logFlags are --log-format, --log-level and --quiet, which override the
// config's log section for commands that log as they work.
type logFlags struct {
	format, level *string
	quiet         *bool
}

func (fs *flagSet) logFlags() logFlags {
	return logFlags{
		format: fs.String("log-format", "", "text or json (default: log.format in the config)"),
		level:  fs.String("log-level", "", "debug, info, warn or error (default: log.level in the config)"),
		quiet:  fs.Bool("quiet", false, "log errors only (same as --log-level error)"),
	}
}

// apply overrides l with the flags given.
func (f logFlags) apply(l *config.Log) error {
	level := *f.level
	if *f.quiet {
		if level != "" && level != "error" {
			return fmt.Errorf("--quiet and --log-level %s contradict each other", level)
		}
		level = "error"
	}
	return overrideLog(l, *f.format, level)
}
