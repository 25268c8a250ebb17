package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

// HealthPolicy is cfg's source-health alerting in the store's terms.
func HealthPolicy(cfg config.Config) store.HealthPolicy {
	return store.HealthPolicy{
		Failures:     cfg.Alerts.FailuresToAlert,
		Channels:     cfg.Alerts.HealthNotify,
		SilentFactor: cfg.Alerts.SilentFactor,
		SilentMin:    cfg.Alerts.SilentMin.D(),
	}
}

// afterRun checks the source's health once its run is recorded, queuing a
// failing or recovery notice when the run changed it, and returns the
// alerts queued by the run and the check, by channel. A failed check is
// logged: the run itself is stored.
func (p *Pipeline) afterRun(ctx context.Context, source string, now time.Time, queued map[string]int, log *slog.Logger) map[string]int {
	pol := HealthPolicy(p.cfg)
	n, err := p.store.CheckSourceHealth(ctx, source, now, pol)
	if err != nil {
		log.Error("check source health", "err", err)
		return queued
	}
	if n > 0 {
		log.Warn("source health notice queued", "notices", n)
		queued = addPerChannel(queued, n, pol.Channels)
	}
	return queued
}

// addPerChannel adds n notices on each channel to queued: the store queues
// every health notice once per channel.
func addPerChannel(queued map[string]int, n int, channels []string) map[string]int {
	if n == 0 {
		return queued
	}
	if queued == nil {
		queued = map[string]int{}
	}
	for _, ch := range channels {
		queued[ch] += n
	}
	return queued
}

// CheckHealth checks every enabled source's health at now, above all for
// silence, which no run reveals: it is meant to run periodically (the
// daemon does, hourly). It returns the alerts queued, by channel.
func (p *Pipeline) CheckHealth(ctx context.Context, now time.Time) (map[string]int, error) {
	var names []string
	for _, s := range p.cfg.Sources {
		if s.IsEnabled() {
			names = append(names, s.Name)
		}
	}
	pol := HealthPolicy(p.cfg)
	n, err := p.store.CheckSourcesHealth(ctx, names, now, pol)
	return addPerChannel(map[string]int{}, n, pol.Channels), err
}
