package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/daemon"
	"github.com/newsmon/newsmon/daemon/metrics"
	"github.com/newsmon/newsmon/notify"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// healthCheckEvery is how often the daemon looks for silent sources; the
// store announces each problem at most daily however often it looks.
const healthCheckEvery = time.Hour

// notifyMetrics are the alert and digest series on /metrics.
type notifyMetrics struct {
	queued, alerts *metrics.Counter
	digests        *metrics.Counter
	lastDigest     *metrics.Gauge
}

func newNotifyMetrics(r *metrics.Registry) *notifyMetrics {
	return &notifyMetrics{
		queued: r.Counter("newsmon_alerts_queued_total", "Alerts queued (item and source health), by channel.", "channel"),
		alerts: r.Counter("newsmon_alerts_delivered_total",
			"Alert deliveries by outcome: sent, retry (failed, will retry), failed (gave up), unknown (interrupted).", "channel", "outcome"),
		digests:    r.Counter("newsmon_digests_total", "Digest attempts by outcome: sent, failed, skipped.", "outcome"),
		lastDigest: r.Gauge("newsmon_digest_last_success_timestamp_seconds", "Unix time of the last digest sent."),
	}
}

func (m *notifyMetrics) addQueued(byChannel map[string]int) {
	for ch, n := range byChannel {
		m.queued.Add(float64(n), ch)
	}
}

func (m *notifyMetrics) digest(outcome string, at time.Time) {
	m.digests.Inc(outcome)
	if outcome == notify.OutcomeSent {
		m.lastDigest.Set(float64(at.Unix()))
	}
}

// countingRunner counts the alerts each run queues and wakes the sender
// for them.
type countingRunner struct {
	p  *pipeline.Pipeline
	m  *notifyMetrics
	ob *notify.Outbox
}

func (r countingRunner) RunSource(ctx context.Context, src config.Source) pipeline.Summary {
	sum := r.p.RunSource(ctx, src)
	r.m.addQueued(sum.AlertsQueued)
	if len(sum.AlertsQueued) > 0 {
		r.ob.Wake()
	}
	return sum
}

var _ daemon.Runner = countingRunner{}

// notifier runs, for `newsmon run`, the alert sender, the digest schedule
// and the hourly source-health check, and takes a reloaded config without
// a restart.
type notifier struct {
	log    *slog.Logger
	getenv func(string) string
	m      *notifyMetrics
	ob     *notify.Outbox
	job    *notify.DigestJob

	mu sync.Mutex
	p  *pipeline.Pipeline // for the health check; replaced on reload

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startNotifier starts the sender, the digest schedule (when smtp is
// configured; it sends only while digest.to is set) and the health check.
// Mail settings that do not work are logged and their channel stays off
// until a reload fixes them.
func startNotifier(ctx context.Context, cfg config.Config, st *store.Store, p *pipeline.Pipeline, log *slog.Logger,
	getenv func(string) string, reg *metrics.Registry) *notifier {
	n := &notifier{log: log, getenv: getenv, m: newNotifyMetrics(reg), p: p}
	ctx, n.cancel = context.WithCancel(ctx)
	mailer, err := mailerIfConfigured(cfg, getenv)
	if err != nil {
		log.Error("email alerts and digest disabled until the config is fixed", "err", err)
	}
	n.ob = notify.NewOutbox(st, mailer, webhookClient(cfg), log, n.outboxConfig(cfg))
	n.wg.Go(func() {
		if err := n.ob.Run(ctx); err != nil {
			log.Error("alert sender stopped", "err", err)
		}
	})
	n.job = notify.NewDigestJob(st, mailer, log, n.digestConfig(cfg))
	sched, err := config.ParseSchedule(cfg.Digest.Schedule)
	if err != nil { // validated already; kept for safety
		log.Error("digest disabled", "err", err)
	} else {
		n.wg.Go(func() { n.job.RunSchedule(ctx, sched) })
	}
	n.wg.Go(func() { n.healthLoop(ctx) })
	return n
}

func (n *notifier) outboxConfig(cfg config.Config) notify.OutboxConfig {
	c := outboxConfig(cfg)
	c.Observe = func(channel, outcome string, k int) { n.m.alerts.Add(float64(k), channel, outcome) }
	return c
}

func (n *notifier) digestConfig(cfg config.Config) notify.DigestConfig {
	c := digestConfig(cfg)
	c.Observe = n.m.digest
	return c
}

// runner wraps p so that the daemon's runs count their alerts.
func (n *notifier) runner(p *pipeline.Pipeline) daemon.Runner {
	return countingRunner{p: p, m: n.m, ob: n.ob}
}

// reload switches the sender, the digest and the health check to cfg. A
// mail server that cannot be set up keeps the old config for mail.
func (n *notifier) reload(cfg config.Config, p *pipeline.Pipeline) {
	n.mu.Lock()
	n.p = p
	n.mu.Unlock()
	mailer, err := mailerIfConfigured(cfg, n.getenv)
	if err != nil {
		n.log.Error("reload: smtp settings do not work; alerts and digest keep the old ones", "err", err)
		return
	}
	n.ob.Reload(mailer, webhookClient(cfg), n.outboxConfig(cfg))
	sched, err := config.ParseSchedule(cfg.Digest.Schedule)
	if err != nil {
		sched = nil
	}
	n.job.Reload(mailer, n.digestConfig(cfg), sched)
	n.log.Info("alerts and digest reloaded", "rules", len(cfg.Alerts.Rules), "digest_to", len(cfg.Digest.To))
}

// healthLoop looks for silent sources every healthCheckEvery. It waits
// before the first look so as not to compete with the catch-up runs of a
// start; silence is measured in days, an hour changes nothing.
func (n *notifier) healthLoop(ctx context.Context) {
	t := time.NewTicker(healthCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n.mu.Lock()
		p := n.p
		n.mu.Unlock()
		queued, err := p.CheckHealth(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			n.log.Error("check source health", "err", err)
		}
		n.m.addQueued(queued)
		if len(queued) > 0 {
			n.ob.Wake()
		}
	}
}

// stop stops everything and waits for it.
func (n *notifier) stop() {
	n.cancel()
	n.wg.Wait()
}
