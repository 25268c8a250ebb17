package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
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

func runAlerts(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, "Usage: newsmon alerts test RULE [--since 30d] | list [--status S] | send")
		return exitUsage
	}
	switch args[0] {
	case "test":
		return runAlertsTest(ctx, e, args[1:])
	case "list":
		return runAlertsList(ctx, e, args[1:])
	case "send":
		return runAlertsSend(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "newsmon alerts: unknown subcommand %q (want test, list or send)\n", args[0])
	return exitUsage
}

func runAlertsTest(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("alerts test", "alerts test RULE [--config PATH] [--since 30d]\n\nLists the stored items the rule would have matched. Sends nothing.")
	since := fs.String("since", "30d", "how far back to look (e.g. 30d, 12h)")
	var rule string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		rule, args = args[0], args[1:]
	}
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if rule == "" && fs.NArg() > 0 {
		rule = fs.Arg(0)
	}
	if rule == "" {
		fs.Usage()
		return exitUsage
	}
	back, err := config.ParseDuration(*since)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts test: --since:", err)
		return exitUsage
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	var r *pipeline.AlertRule
	for _, rc := range cfg.Alerts.Rules {
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
		fmt.Fprintf(e.stderr, "newsmon alerts test: no alert rule named %q in %s\n", rule, cfg.Path)
		return exitUsage
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts test:", err)
		return exitFailure
	}
	defer st.Close()
	items, err := st.AlertCandidates(ctx, time.Now().Add(-back), maxAlertsTest)
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
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", it.ID, date.UTC().Format("2006-01-02"), it.Source,
			strings.Join(sts, " "), oneLineCut(it.Title, 80), it.URL)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d of %d items with mentions since %s match rule %q (nothing was sent)\n",
		n, len(items), *since, rule)
	return exitOK
}

func runAlertsList(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("alerts list", "alerts list [--config PATH] [--status pending|sending|sent|failed|unknown] [--limit N]\n\nLists queued and delivered alerts, newest first.")
	status := fs.String("status", "", "only alerts with this status")
	limit := fs.Int("limit", 100, "at most this many")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	switch *status {
	case "", store.AlertPending, store.AlertSending, store.AlertSent, store.AlertFailed, store.AlertUnknown:
	default:
		fmt.Fprintf(e.stderr, "newsmon alerts list: unknown status %q\n", *status)
		return exitUsage
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts list:", err)
		return exitFailure
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
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", a.ID, a.Created.Format(time.RFC3339), a.Rule, a.Channel,
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
	fs, path := e.flags("alerts send", "alerts send [--config PATH]\n\nDelivers the alerts that are due, once, and exits.")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	log := e.logger(cfg.Log)
	held, pid, err := daemon.Holder(cfg.Database + ".lock")
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
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon alerts send:", err)
		return exitFailure
	}
	defer st.Close()
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
	fmt.Fprintf(e.stdout, "delivered %d alerts; %d to retry, %d failed for good\n", n, s.Retrying, s.Failed)
	if s.Retrying+s.Failed > 0 {
		return exitFailure
	}
	return exitOK
}

// newOutbox wires the alert sender from the config.
func newOutbox(cfg config.Config, st *store.Store, log *slog.Logger, getenv func(string) string) (*notify.Outbox, error) {
	mailer, err := mailerIfConfigured(cfg, getenv)
	if err != nil {
		return nil, err
	}
	return notify.NewOutbox(st, mailer, webhookClient(cfg), log, outboxConfig(cfg)), nil
}

// mailerIfConfigured is the SMTP client, or nil when smtp.host is unset.
func mailerIfConfigured(cfg config.Config, getenv func(string) string) (*notify.Mailer, error) {
	if cfg.SMTP.Host == "" {
		return nil, nil
	}
	return newMailer(cfg, getenv)
}

func webhookClient(cfg config.Config) *notify.WebhookClient {
	return notify.NewWebhookClient(notify.WebhookHTTPClient(cfg.Fetch.AllowPrivate, cfg.Fetch.Timeout.D()), cfg.Fetch.UserAgent)
}

// outboxConfig is where cfg sends alerts: each rule's targets, and the
// health targets for source-health alerts.
func outboxConfig(cfg config.Config) notify.OutboxConfig {
	rules := map[string]notify.Targets{}
	for _, r := range cfg.Alerts.Rules {
		rules[r.Name] = notify.Targets{Person: r.Person, Email: r.Email, Webhook: r.Webhook}
	}
	return notify.OutboxConfig{
		Rules:       rules,
		Health:      notify.Targets{Email: cfg.Alerts.HealthEmail, Webhook: cfg.Alerts.HealthWebhook},
		MaxAttempts: cfg.Alerts.MaxAttempts,
		GroupWindow: cfg.Alerts.GroupWindow.D(),
	}
}

// newMailer builds the SMTP client; the password comes from the
// environment variable or the file the config names, never from the
// config itself.
func newMailer(cfg config.Config, getenv func(string) string) (*notify.Mailer, error) {
	password := ""
	switch {
	case cfg.SMTP.PasswordEnv != "":
		password = getenv(cfg.SMTP.PasswordEnv)
		if password == "" && cfg.SMTP.Username != "" {
			return nil, fmt.Errorf("smtp password: environment variable %s is empty", cfg.SMTP.PasswordEnv)
		}
	case cfg.SMTP.PasswordFile != "":
		b, err := os.ReadFile(cfg.SMTP.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("read smtp password file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	return notify.NewMailer(notify.SMTPConfig{
		Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Security: cfg.SMTP.Security,
		Username: cfg.SMTP.Username, Password: password, From: cfg.SMTP.From,
		Timeout: cfg.SMTP.Timeout.D(),
	})
}

func oneLineCut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
