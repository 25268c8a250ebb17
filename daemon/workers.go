package daemon

import (
	"context"
	"strings"
	"time"
)

// Several workers. Against a PostgreSQL database, several `newsmon run`
// processes (workers) run the same plan: every one fires every schedule,
// and the store's leases let one of them run each slot (execute, runTask).
// This worker's side of it: while it runs, it extends its leases every
// third of the lease (store.Heartbeat), and takes over the slots whose
// lease expired because their worker died (ExpiredLeases), running them
// at once. On SQLite, where one daemon runs at a time, none of this runs.

// runLeases extends this worker's leases and takes over expired ones
// until stop is closed. ctx and runCtx are Run's.
func (d *Daemon) runLeases(ctx, runCtx context.Context, stop <-chan struct{}) {
	started := time.Now()
	every := d.current().lease / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		// A reload may have changed postgres.lease: beat a third of the
		// lease in force, not of the one at start.
		lease := d.current().lease
		if lease/3 != every {
			every = lease / 3
			t.Reset(every)
		}
		// The heartbeat outlives Run's context: runs finishing within the
		// shutdown grace still hold their leases.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), every)
		if err := d.store.Heartbeat(hctx, started, lease); err != nil {
			d.log.Error("extend this worker's leases", "err", err)
		}
		cancel()
		if ctx.Err() == nil {
			d.takeOver(ctx, runCtx)
		}
		select {
		case <-stop:
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), every)
			if err := d.store.Leave(lctx); err != nil {
				d.log.Error("leave the workers", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

// takeOver runs at once the slots whose worker stopped extending their
// lease, for the jobs this worker's plan has.
func (d *Daemon) takeOver(ctx, runCtx context.Context) {
	expired, err := d.store.ExpiredLeases(ctx)
	if err != nil {
		d.log.Error("look for runs to take over", "err", err)
		return
	}
	p := d.current()
	for _, l := range expired {
		switch {
		case strings.HasPrefix(l.Job, sourceKey("")):
			name := strings.TrimPrefix(l.Job, sourceKey(""))
			j, ok := p.sources[name]
			if !ok || !d.begin(l.Job) {
				continue
			}
			d.log.Warn("taking over a run whose worker stopped", "source", name, "url", j.src.URL, "slot", l.Slot, "worker", l.Worker)
			go d.execute(ctx, runCtx, p, j, l.Slot, 0)
		case strings.HasPrefix(l.Job, taskKey("")):
			name := strings.TrimPrefix(l.Job, taskKey(""))
			t, ok := p.tasks[name]
			if !ok || !d.begin(l.Job) {
				continue
			}
			d.log.Warn("taking over a "+name+" whose worker stopped", "task", name, "slot", l.Slot, "worker", l.Worker)
			go d.runTask(runCtx, name, t, l.Slot)
		}
	}
}
