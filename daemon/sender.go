package daemon

import (
	"context"
	"time"

	"github.com/newsmon/newsmon/store"
)

// runSender delivers queued alerts until stop is closed: first what a
// stopped process left "sending" is delivered again under the same keys
// (alerts, and a digest cut short, which would otherwise wait for the next
// scheduled one), then a pass is made at start, every SendEvery, and
// whenever a run or a health check queued alerts. One pass at a time, each
// with the outbox of the plan in force when it starts; a pass in progress
// when stop closes is finished (ctx ends it after the grace period).
//
// Among the workers sharing a PostgreSQL database, one sends: the one that
// holds the alerts lock (store.LockAlerts). The others try to take it at
// each tick, and one does as soon as the holder is gone; only then is
// anything left "sending" the dead holder's, to deliver again.
func (d *Daemon) runSender(ctx context.Context, stop <-chan struct{}) {
	var held *store.Lock
	defer func() {
		if held != nil {
			held.Unlock()
		}
	}()
	every := d.opts.SendEvery
	if d.store.Postgres() {
		// Runs on other workers cannot wake this one: look more often.
		every = min(every, PostgresSendEvery)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if held != nil {
			select {
			case <-held.Lost():
				d.log.Warn("lost the alerts lock (the connection to the database broke): another worker sends alerts now")
				held.Unlock()
				held = nil
			default:
			}
		}
		if held == nil {
			held = d.takeSender(ctx)
		}
		if held != nil {
			if _, err := d.current().outbox.SendDue(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("send alerts", "err", err)
			}
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

// PostgresSendEvery is how often, at most, the worker holding the alerts
// lock looks for due alerts, and the others try to take the lock.
const PostgresSendEvery = 2 * time.Second

// takeSender takes the alerts lock, if no other worker holds it, and
// delivers again what a stopped holder left "sending": alerts, and a
// digest unless a digest is being sent (which resends it first).
func (d *Daemon) takeSender(ctx context.Context) *store.Lock {
	l, err := d.store.TryLock(ctx, store.LockAlerts)
	if err != nil {
		d.log.Error("take the alerts lock", "err", err)
		return nil
	}
	if l == nil {
		return nil
	}
	p := d.current()
	if err := p.outbox.Recover(ctx); err != nil {
		d.log.Error("recover alerts left sending", "err", err)
	}
	if p.digest != nil {
		dl, err := d.store.TryLock(ctx, store.LockDigest)
		if err != nil {
			d.log.Error("take the digest lock", "err", err)
		}
		if dl != nil {
			if err := p.digest.Resume(ctx); err != nil {
				d.log.Error("resume the digest left sending", "err", err)
			}
			dl.Unlock()
		}
	}
	return l
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
