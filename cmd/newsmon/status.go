package main

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/store"
)

// statusRuns is how many of a source's runs `status SOURCE` lists.
const statusRuns = 10

func runStatus(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("status", "status [SOURCE] [--json]\n\nShows each source's schedule and health from the database, with why a failing\n"+
		"source fails in a word or two (DNS, refused, timeout, TLS, HTTP 404, robots.txt,\n"+
		"not a feed, too large). With SOURCE: that source's whole last error and its\n"+
		"last runs. Safe to run while the daemon runs: it only reads.")
	asJSON := fs.Bool("json", false, "print one JSON object, errors in full (see docs/commands.md)")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		return fs.usageError("want at most one SOURCE, got %d arguments", len(pos))
	}
	cfg, st, code := e.openStore(ctx, "status", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	rep, err := readStatus(ctx, cfg, st, time.Now())
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon status:", err)
		return exitFailure
	}
	if len(pos) == 1 {
		return sourceStatus(ctx, e, cfg, st, rep, pos[0], *asJSON)
	}
	if *asJSON {
		return writeJSON(e, rep)
	}
	if cfg.IsPostgres() {
		fmt.Fprintf(e.stdout, "workers: %s\n", describeWorkers(rep.Workers, cfg.Location))
	} else {
		fmt.Fprintf(e.stdout, "daemon: %s\n", rep.Daemon.describe())
	}
	fmt.Fprintf(e.stdout, "database: %s, times in %s\n", rep.Database, cfg.Location)
	fmt.Fprintf(e.stdout, "search index: %s awaiting indexing (the daemon or `newsmon search` indexes them)\n\n",
		plural(rep.SearchIndexPending, "item", "items"))
	show := func(t jsonTime) string {
		if time.Time(t).IsZero() {
			return "-"
		}
		return time.Time(t).In(cfg.Location).Format("2006-01-02 15:04")
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSCHEDULE\tNEXT RUN\tLAST RUN\tLAST SUCCESS\tFAILURES\tITEMS 24H"+workerColumn(cfg)+"\tPROBLEM")
	failing := false
	for _, s := range rep.Sources {
		next := show(s.NextRun)
		if s.BackingOff {
			next += " (backoff)"
		}
		problem := ""
		if s.ConsecutiveFailures > 0 {
			failing = true
			problem = failureSummary(s.Cause, s.Error)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d%s\t%s\n", s.Source, s.Schedule, next, show(s.LastRun), show(s.LastSuccess),
			strconv.Itoa(s.ConsecutiveFailures), s.ItemsLastDay, workerCell(cfg, s.Worker), problem)
	}
	tw.Flush()
	if failing {
		fmt.Fprintln(e.stdout, "\n`newsmon status SOURCE` shows a source's whole error and its last runs.")
	}
	return exitOK
}

// workerColumn is the heading of the WORKER column, which status shows
// for a PostgreSQL database, where several workers run the sources.
func workerColumn(cfg config.Config) string {
	if cfg.IsPostgres() {
		return "\tWORKER"
	}
	return ""
}

// workerCell is a row's cell of the WORKER column, tab first, or nothing
// where there is no such column.
func workerCell(cfg config.Config, worker string) string {
	if cfg.IsPostgres() {
		return "\t" + cmp.Or(worker, "-")
	}
	return ""
}

// workerOf is a run's worker as status shows it: for PostgreSQL only.
func workerOf(cfg config.Config, worker string) string {
	if cfg.IsPostgres() {
		return worker
	}
	return ""
}

// failureSummary is a failure in a table cell: its cause in a word or two,
// or, for an error fetch does not recognise, the start of its text.
func failureSummary(cause, errText string) string {
	if cause != "" {
		return cause
	}
	return oneLineCut(errText, 60)
}

// statusJSON is `newsmon status --json`.
type statusJSON struct {
	Daemon             daemonJSON         `json:"daemon"`
	Workers            []workerJSON       `json:"workers,omitempty"` // PostgreSQL: the workers seen lately
	Database           string             `json:"database"`
	TimeZone           string             `json:"time_zone"`
	SearchIndexPending int                `json:"search_index_pending"`
	Sources            []sourceStatusJSON `json:"sources"`
}

type daemonJSON struct {
	Running bool   `json:"running"`
	PID     int    `json:"pid,omitempty"`
	Error   string `json:"error,omitempty"` // the lock file could not be read
}

func (d daemonJSON) describe() string {
	switch {
	case d.Error != "":
		return "unknown (" + d.Error + ")"
	case d.Running && d.PID > 0:
		return fmt.Sprintf("running (pid %d)", d.PID)
	case d.Running:
		return "running"
	}
	return "not running (next runs are as last planned)"
}

// workerJSON is one `newsmon run` worker of a PostgreSQL database.
type workerJSON struct {
	Name     string   `json:"name"` // host:pid, or postgres.worker
	Started  jsonTime `json:"started"`
	LastSeen jsonTime `json:"last_seen"` // its last lease heartbeat
}

// workersSeen is how far back `status` lists workers: a worker beats
// every third of postgres.lease.
func workersSeen(cfg config.Config) time.Duration { return 3 * cfg.Postgres.Lease.D() }

func describeWorkers(ws []workerJSON, loc *time.Location) string {
	if len(ws) == 0 {
		return "none running (next runs are as last planned)"
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprintf("%s (since %s)", w.Name, time.Time(w.Started).In(loc).Format("2006-01-02 15:04"))
	}
	return strconv.Itoa(len(ws)) + " running: " + strings.Join(parts, ", ")
}

// sourceStatusJSON is one source in `newsmon status --json`, and the head
// of `newsmon status SOURCE --json`.
type sourceStatusJSON struct {
	Source              string    `json:"source"`
	Type                string    `json:"type"`
	URL                 string    `json:"url"`
	Schedule            string    `json:"schedule"` // "disabled", or "(not in config)" for a source only the database knows
	NextRun             jsonTime  `json:"next_run"`
	BackingOff          bool      `json:"backing_off"`
	LastRun             jsonTime  `json:"last_run"`
	LastSuccess         jsonTime  `json:"last_success"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	ItemsLastDay        int       `json:"items_last_day"`
	Cause               string    `json:"cause"`            // of the last failure, while failing
	Error               string    `json:"error"`            // the last failure's whole text, while failing
	Worker              string    `json:"worker,omitempty"` // PostgreSQL: the worker that ran it last
	Runs                []runJSON `json:"runs,omitempty"`
}

// runJSON is one run in `newsmon status SOURCE --json`.
type runJSON struct {
	Started    jsonTime `json:"started"`
	Finished   jsonTime `json:"finished"`
	Status     string   `json:"status"` // ok, not_modified or error
	HTTPStatus int      `json:"http_status,omitempty"`
	Fetched    int      `json:"fetched"`
	New        int      `json:"new"`
	Cause      string   `json:"cause,omitempty"`
	Error      string   `json:"error,omitempty"` // a failure, or a warning on a run that succeeded
	Worker     string   `json:"worker,omitempty"`
}

func readStatus(ctx context.Context, cfg config.Config, st *store.Store, now time.Time) (statusJSON, error) {
	rep := statusJSON{Database: cfg.Database, TimeZone: cfg.Location.String(), Sources: []sourceStatusJSON{}}
	health, err := st.Health(ctx, now)
	if err != nil {
		return rep, err
	}
	scheds, err := st.Schedules(ctx)
	if err != nil {
		return rep, err
	}
	if rep.SearchIndexPending, err = st.PendingIndex(ctx); err != nil {
		return rep, err
	}
	if cfg.IsPostgres() {
		ws, err := st.Workers(ctx, now.Add(-workersSeen(cfg)))
		if err != nil {
			return rep, err
		}
		for _, w := range ws {
			rep.Workers = append(rep.Workers, workerJSON{Name: w.Name, Started: jsonTime(w.Started), LastSeen: jsonTime(w.LastSeen)})
		}
		rep.Daemon = daemonJSON{Running: len(ws) > 0}
	} else {
		held, pid, err := daemon.DatabaseHolder(cfg.Database)
		rep.Daemon = daemonJSON{Running: held, PID: pid}
		if err != nil {
			rep.Daemon = daemonJSON{Error: err.Error()}
		}
	}
	specs := map[string]string{}
	for _, s := range cfg.Sources {
		specs[s.Name] = cfg.ScheduleOf(s)
		if !s.IsEnabled() {
			specs[s.Name] = "disabled"
		}
	}
	for _, h := range health {
		s := sourceStatusJSON{Source: h.Name, Type: h.Type, URL: h.URL, LastRun: jsonTime(h.LastRun), LastSuccess: jsonTime(h.LastSuccess),
			ConsecutiveFailures: h.ConsecutiveFailures, ItemsLastDay: h.ItemsLastDay, Schedule: specs[h.Name]}
		s.Worker = workerOf(cfg, h.LastWorker)
		if s.Schedule == "" {
			s.Schedule = "(not in config)"
		}
		if s.ConsecutiveFailures > 0 {
			s.Cause, s.Error = h.LastCause, h.LastError
		}
		if sch := scheds[h.Name]; s.Schedule != "disabled" && s.Schedule != "(not in config)" {
			s.NextRun, s.BackingOff = jsonTime(sch.NextRun), now.Before(sch.BackoffUntil)
		}
		rep.Sources = append(rep.Sources, s)
	}
	return rep, nil
}

// sourceStatus prints one source in full: its state, its whole last error
// and its last runs.
func sourceStatus(ctx context.Context, e *env, cfg config.Config, st *store.Store, rep statusJSON, name string, asJSON bool) int {
	var src *sourceStatusJSON
	var names []string
	for i := range rep.Sources {
		names = append(names, rep.Sources[i].Source)
		if rep.Sources[i].Source == name {
			src = &rep.Sources[i]
		}
	}
	if src == nil {
		msg := fmt.Sprintf("newsmon status: no source named %q in %s", name, cfg.Database) + didYouMean(name, names)
		fmt.Fprintln(e.stderr, msg)
		return exitUsage
	}
	runs, err := st.RecentRuns(ctx, name, statusRuns)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon status:", err)
		return exitFailure
	}
	for _, r := range runs {
		src.Runs = append(src.Runs, runJSON{Started: jsonTime(r.Started), Finished: jsonTime(r.Finished), Status: r.Status,
			HTTPStatus: r.HTTPStatus, Fetched: r.Seen, New: r.New, Cause: r.Cause, Error: r.Error, Worker: workerOf(cfg, r.Worker)})
	}
	if asJSON {
		return writeJSON(e, src)
	}
	show := func(t jsonTime) string {
		if time.Time(t).IsZero() {
			return "-"
		}
		return time.Time(t).In(cfg.Location).Format("2006-01-02 15:04:05")
	}
	next := show(src.NextRun)
	if src.BackingOff {
		next += " (backing off after failures)"
	}
	for _, f := range [][2]string{
		{"source", src.Source}, {"type", src.Type}, {"url", src.URL}, {"schedule", src.Schedule}, {"next run", next},
		{"last run", show(src.LastRun)}, {"last success", show(src.LastSuccess)},
		{"failures", strconv.Itoa(src.ConsecutiveFailures) + " in a row"}, {"items 24h", strconv.Itoa(src.ItemsLastDay)},
	} {
		fmt.Fprintf(e.stdout, "%-13s %s\n", f[0]+":", f[1])
	}
	if src.ConsecutiveFailures > 0 {
		cause := src.Cause
		if cause == "" {
			cause = "(not recognised)"
		}
		fmt.Fprintf(e.stdout, "%-13s %s\n%-13s %s\n", "cause:", cause, "error:", src.Error)
	}
	if cfg.IsPostgres() {
		fmt.Fprintf(e.stdout, "%-13s %s\n", "worker:", cmp.Or(src.Worker, "-"))
	}
	fmt.Fprintf(e.stdout, "\nlast %s, newest first (times in %s):\n", plural(len(runs), "run", "runs"), cfg.Location)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tSTATUS\tHTTP\tFETCHED\tNEW"+workerColumn(cfg)+"\tCAUSE\tERROR")
	for _, r := range src.Runs {
		httpStatus := "-"
		if r.HTTPStatus != 0 {
			httpStatus = strconv.Itoa(r.HTTPStatus)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d%s\t%s\t%s\n", show(r.Started), r.Status, httpStatus, r.Fetched, r.New, workerCell(cfg, r.Worker), r.Cause, oneLineCut(r.Error, 200))
	}
	tw.Flush()
	return exitOK
}
