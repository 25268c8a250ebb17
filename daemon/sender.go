package daemon

import (
	"context"
	"time"
)

// runSender delivers queued alerts until stop is closed: first what a
// stopped process left "sending" is delivered again under the same keys
// (alerts, and a digest cut short, which would otherwise wait for the next
// scheduled one), then a pass is made at start, every SendEvery, and
// whenever a run or a health check queued alerts. One pass at a time, each
// with the outbox of the plan in force when it starts; a pass in progress
// when stop closes is finished (ctx ends it after the grace period).
func (d *Daemon) runSender(ctx context.Context, stop <-chan struct{}) {
	p := d.current()
	if err := p.outbox.Recover(ctx); err != nil {
		d.log.Error("recover alerts left sending", "err", err)
	}
	if p.digest != nil {
		if err := p.digest.Resume(ctx); err != nil {
			d.log.Error("resume the digest left sending", "err", err)
		}
	}
	t := time.NewTicker(d.opts.SendEvery)
	defer t.Stop()
	for {
		if _, err := d.current().outbox.SendDue(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("send alerts", "err", err)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		case <-d.send:
		}
		select { // a stop that came with a tick or a wake wins
		case <-stop:
			return
		default:
		}
	}
}

// alertsQueued counts alerts a run or a health check queued, by channel,
// and wakes the sender for them.
func (d *Daemon) alertsQueued(byChannel map[string]int) {
	if len(byChannel) == 0 {
		return
	}
	for ch, n := range byChannel {
		d.m.queued.WithLabelValues(ch).Add(float64(n))
	}
	select {
	case d.send <- struct{}{}:
	default:
	}
}
