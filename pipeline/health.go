package pipeline

import (
	"context"
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
