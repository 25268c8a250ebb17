package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/notify"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// maxAlertsTest bounds how many stored items `alerts test` tries.
const maxAlertsTest = 100000

// Synopses of the subcommands of `newsmon alerts`.
const (
	alertsTestUsage = "alerts test RULE [--since 30d|DATE]"
	alertsListUsage = "alerts list [--status pending|sending|sent|failed|unknown] [--limit N]"
	alertsSendUsage = "alerts send [--quiet | --log-level LEVEL]"
)

// alertsCommands are the subcommands of `newsmon alerts`.
var alertsCommands = []struct {
	name, synopsis string
	run            func(ctx context.Context, e *env, args []string) int
}{
	{"test", alertsTestUsage, runAlertsTest},
	{"list", alertsListUsage, runAlertsList},
	{"send", alertsSendUsage, runAlertsSend},
}

func runAlerts(ctx context.Context, e *env, args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage:")
		for _, c := range alertsCommands {
			fmt.Fprintln(w, "  newsmon "+c.synopsis)
		}
		fmt.Fprintln(w, "\ntest lists the stored items a rule would have matched, sending nothing; list\n"+
			"shows the outbox; send delivers the alerts that are due, once (for use without\n"+
			"the daemon). Run \"newsmon alerts SUBCOMMAND -h\" for its flags.")
	}
	// The subcommand is the first argument that names one, so that flags
	// may come before it too ("alerts --config c.yaml send").
	for i, a := range args {
		for _, c := range alertsCommands {
			if a == c.name {
				return c.run(ctx, e, append(slices.Clone(args[:i]), args[i+1:]...))
			}
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "help" {
			usage(e.stdout)
			return exitOK
		}
	}
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	names := []string{}
	for _, c := range alertsCommands {
		names = append(names, c.name)
	}
	fmt.Fprintf(e.stderr, "newsmon alerts: unknown subcommand %q", args[0])
	fmt.Fprint(e.stderr, didYouMean(args[0], names))
	fmt.Fprintln(e.stderr)
	usage(e.stderr)
	return exitUsage
}

func runAlertsTest(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("alerts test", alertsTestUsage+"\n\nLists the stored items the rule would have matched. Sends nothing.")
	since := fs.since("30d", "how far back to look")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return fs.usageError("want exactly one RULE (a name from alerts.rules), got %d arguments", len(pos))
	}
	rule := pos[0]
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	var r *pipeline.AlertRule
	var names []string
	for _, rc := range cfg.Alerts.Rules {
		names = append(names, rc.Name)
		if rc.Name == rule {
			cr, err := pipeline.CompileAlertRule(rc)
			if err != nil {
				fmt.Fprintln(e.stderr, "newsmon alerts test:", err)
				return exitUsage
			}
			r = &cr
		}
	}
	if r == nil {
		msg := fmt.Sprintf("newsmon alerts test: no alert rule named %q in %s", rule, cfg.Path) + didYouMean(rule, names)
		if len(names) > 0 {
			msg += "; rules: " + strings.Join(names, ", ")
		}
		fmt.Fprintln(e.stderr, msg)
		return exitUsage
	}
	st, ok := e.openExisting(ctx, "alerts test", cfg)
	if !ok {
		return exitFailure
	}
	defer st.Close()
	from := since.at(time.Now(), cfg.Location)
	items, err := st.AlertCandidates(ctx, from, maxAlertsTest)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts test:", err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tSOURCE\tSTANCES\tTITLE\tURL")
	n := 0
	for _, it := range items {
		if !r.MatchStored(it) {
			continue
		}
		n++
		date := it.Published
		if date.IsZero() {
			date = it.Fetched
		}
		var sts []string
		for _, s := range it.Stances {
			sts = append(sts, fmt.Sprintf("%s:%s(%.2f)", s.Person, s.Label, s.Score))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", it.ID, date.In(cfg.Location).Format("2006-01-02"), it.Source,
			strings.Join(sts, " "), oneLineCut(it.Title, 80), it.URL)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d of %s with mentions since %s match rule %q (nothing was sent)\n",
		n, plural(len(items), "item", "items"), from.In(cfg.Location).Format("2006-01-02 15:04"), rule)
	return exitOK
}

func runAlertsList(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("alerts list", alertsListUsage+"\n\nLists queued and delivered alerts, newest first.")
	status := fs.String("status", "", "only alerts with this status")
	limit := fs.Int("limit", 100, "at most this many")
	if code, ok := fs.parseNone(args, ""); !ok {
		return code
	}
	statuses := []string{store.AlertPending, store.AlertSending, store.AlertSent, store.AlertFailed, store.AlertWithdrawn, store.AlertUnknown}
	if *status != "" && !slices.Contains(statuses, *status) {
		msg := fmt.Sprintf("unknown --status %q", *status) + didYouMean(*status, statuses)
		return fs.usageError("%s; want one of %s", msg, strings.Join(statuses, ", "))
	}
	cfg, st, code := e.openStore(ctx, "alerts list", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	as, err := st.ListAlerts(ctx, *status, *limit)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts list:", err)
		return exitFailure
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tRULE\tCHANNEL\tKIND\tITEM/SOURCE\tSTATUS\tATTEMPTS\tERROR")
	for _, a := range as {
		what := a.Source
		if a.ItemID != 0 {
			what = fmt.Sprint(a.ItemID)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Created.In(cfg.Location).Format("2006-01-02 15:04"), a.Rule, a.Channel,
			a.Kind, what, a.Status, a.Attempts, oneLineCut(a.LastError, 80))
	}
	tw.Flush()
	return exitOK
}

// runAlertsSend delivers due alerts once, for use without the daemon (from
// cron). It refuses to run while a daemon holds the database: the daemon
// sends alerts itself, and two senders would each mark the other's rows
// "sending" as interrupted.
func runAlertsSend(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("alerts send", alertsSendUsage+"\n\nDelivers the alerts that are due, once, and exits; says which alerts wait\n"+
		"(for alerts.group_window, or to retry a failed delivery) and until when.")
	logf := fs.logFlags()
	if code, ok := fs.parseNone(args, ""); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	if err := logf.apply(&cfg.Log); err != nil {
		return fs.usageError("%v", err)
	}
	log := e.logger(cfg.Log)
	if !cfg.IsPostgres() {
		held, pid, err := daemon.DatabaseHolder(cfg.Database)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon alerts send: check for a running daemon:", err)
			return exitFailure
		}
		if held {
			who := "a running daemon"
			if pid > 0 {
				who = fmt.Sprintf("the daemon (pid %d)", pid)
			}
			fmt.Fprintf(e.stderr, "newsmon alerts send: %s is using %s and sends alerts itself; not sending\n", who, cfg.Database)
			return exitFailure
		}
	}
	st, ok := e.openExisting(ctx, "alerts send", cfg)
	if !ok {
		return exitFailure
	}
	defer st.Close()
	// On PostgreSQL the sender is whoever holds the alerts lock: a worker
	// of newsmon run, or this command.
	lock, err := st.TryLock(ctx, store.LockAlerts)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts send:", err)
		return exitFailure
	}
	if lock == nil {
		fmt.Fprintf(e.stderr, "newsmon alerts send: a newsmon run worker is sending the alerts of %s itself; not sending\n", cfg.Database)
		return exitFailure
	}
	defer lock.Unlock()
	ob, err := newOutbox(cfg, st, log, e.getenv)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts send:", err)
		return exitUsage
	}
	if err := ob.Recover(ctx); err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts send:", err)
		return exitFailure
	}
	n, err := ob.SendDue(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts send:", err)
		return exitFailure
	}
	s := ob.Stats()
	fmt.Fprintf(e.stdout, "delivered %s; %d to retry, %d failed for good\n", plural(n, "alert", "alerts"), s.Retrying, s.Failed)
	now := time.Now()
	waiting, err := ob.Waiting(ctx, now)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts send:", err)
		return exitFailure
	}
	for _, w := range waiting {
		why := fmt.Sprintf("gathered for alerts.group_window (%s)", cfg.Alerts.GroupWindow.D())
		if w.Retry {
			why = "to retry after a failed delivery"
		}
		fmt.Fprintf(e.stdout, "waiting: %s of rule %q by %s, %s, until %s (in %s)\n", plural(w.Alerts, "alert", "alerts"),
			w.Rule, w.Channel, why, w.Due.In(cfg.Location).Format("2006-01-02 15:04:05"), w.Due.Sub(now).Round(time.Second))
	}
	if len(waiting) > 0 {
		fmt.Fprintln(e.stdout, "run `newsmon alerts send` again after that time, or keep `newsmon run` running")
	}
	if s.Retrying+s.Failed > 0 {
		return exitFailure
	}
	return exitOK
}

// newOutbox wires the alert sender from the config.
func newOutbox(cfg config.Config, st *store.Store, log *slog.Logger, getenv func(string) string) (*notify.Outbox, error) {
	mailer, err := notify.MailerFor(cfg, getenv)
	if err != nil {
		return nil, err
	}
	return notify.NewOutbox(st, mailer, notify.WebhookClientFor(cfg), log, notify.OutboxConfigFor(cfg)), nil
}

func oneLineCut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
