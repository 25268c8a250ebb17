package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// catchUp runs at once the named sources of p that missed a run (see
// catchUpDue), and records the next planned run of the others.
func (d *Daemon) catchUp(ctx, runCtx context.Context, p *plan, names []string) {
	if len(names) == 0 {
		return
	}
	scheds, err := d.store.Schedules(ctx)
	if err != nil {
		d.log.Error("read schedules: catch-up skipped", "err", err)
	}
	now := time.Now()
	for _, name := range names {
		j := p.sources[name]
		sch := scheds[name]
		if err == nil && catchUpDue(j.sched, sch.LastSuccess, sch.BackoffUntil, now) {
			d.log.Info("catching up", "source", name, "last_success", sch.LastSuccess)
			d.m.catchUps.WithLabelValues(name).Inc()
			if d.begin(sourceKey(name)) {
				go d.execute(ctx, runCtx, p, j, lastFire(j.sched, now), j.offset)
			}
		} else {
			d.planNext(ctx, j, sch.BackoffUntil, now)
		}
	}
}

// fireSource runs one scheduled run of the source, as the plan in force
// has it, unless it is already running, in backoff, or the daemon is
// stopping.
func (d *Daemon) fireSource(ctx, runCtx context.Context, name string) {
	p := d.current()
	j, ok := p.sources[name]
	if !ok { // removed by a reload since the cron started this fire
		return
	}
	if d.begin(sourceKey(name)) {
		d.execute(ctx, runCtx, p, j, lastFire(j.sched, time.Now()), j.offset)
		return
	}
	if d.isRunning(sourceKey(name)) {
		d.m.skipped.WithLabelValues(name, "running").Inc()
		d.log.Info("previous run still going: skipped", "source", name, "url", j.src.URL)
	}
}

// begin marks key as running and counts it in d.wg, or reports false when
// it is already running or the daemon is stopping. end undoes it.
func (d *Daemon) begin(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping || d.running[key] {
		return false
	}
	d.running[key] = true
	d.wg.Add(1)
	return true
}

func (d *Daemon) end(key string) {
	d.mu.Lock()
	delete(d.running, key)
	d.mu.Unlock()
	d.wg.Done()
}

func (d *Daemon) isRunning(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.running[key]
}

// execute is one run of j, for its scheduled time slot, after begin:
// jitter (offset), concurrency cap, backoff check, the slot's lease (on
// PostgreSQL, where other workers run the same schedules: the one that
// takes it runs the slot), the run itself, and its bookkeeping.
func (d *Daemon) execute(ctx, runCtx context.Context, p *plan, j job, slot time.Time, offset time.Duration) {
	name := j.src.Name
	log := d.log.With("source", name, "url", j.src.URL)
	defer d.end(sourceKey(name))
	var held *store.Lease // claimed, and not yet recorded done by SaveRun
	defer func() {
		if r := recover(); r != nil {
			d.m.panics.WithLabelValues(name).Inc()
			log.Error("run panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if held != nil { // the slot is spent, as by a run that failed
				if err := d.store.FinishLease(context.WithoutCancel(ctx), *held); err != nil {
					log.Error("finish the run's lease", "err", err)
				}
			}
		}
	}()

	at := time.Now().Add(offset)
	if !sleep(ctx, offset) {
		return
	}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-d.sem }()

	sch, err := d.store.SourceSchedule(ctx, name)
	if err != nil {
		if ctx.Err() == nil { // not a shutdown before the run began
			log.Error("read schedule", "err", err)
		}
		return
	}
	every := interval(j.sched, at)
	if at.Before(sch.BackoffUntil) {
		d.m.skipped.WithLabelValues(name, "backoff").Inc()
		log.Debug("backing off: skipped", "until", sch.BackoffUntil, "failures", sch.ConsecutiveFailures)
		return
	}
	lease := store.Lease{Job: sourceKey(name), Slot: slot}
	got, err := d.store.Claim(ctx, lease.Job, lease.Slot, p.lease)
	if err != nil {
		if ctx.Err() == nil { // not a shutdown before the run began
			log.Error("claim the run", "slot", slot, "err", err)
		}
		return
	}
	if !got {
		d.m.skipped.WithLabelValues(name, "taken").Inc()
		log.Debug("another worker runs this slot, or ran it: skipped", "slot", slot)
		return
	}
	// SaveRun marks the slot done in the run's transaction (store.WithLease).
	held = &lease
	sum := p.runner.RunSource(store.WithLease(runCtx, lease), j.src)
	held = nil
	if errors.Is(sum.Err, store.ErrLeaseLost) {
		log.Warn("this worker stalled past its lease and another took the run over; its own run is not recorded", "slot", slot)
		return
	}
	if sum.New > 0 || sum.Updated > 0 {
		d.index.poke()
	}
	d.alertsQueued(sum.AlertsQueued)
	d.record(ctx, log, p, j, at, every, sum, runCtx.Err() != nil)
}

// record counts a run and updates the source's backoff and next run.
func (d *Daemon) record(ctx context.Context, log *slog.Logger, p *plan, j job, slot time.Time, every time.Duration, sum pipeline.Summary, cancelled bool) {
	// The bookkeeping of a finished run is done even during shutdown.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), store.BusyTimeout)
	defer cancel()
	name := j.src.Name
	status := store.StatusOK
	switch {
	case sum.Err != nil:
		status = store.StatusError
	case sum.NotModified:
		status = store.StatusNotModified
	}
	d.m.observe(name, status, sum, time.Now())
	var until time.Time
	switch {
	case sum.Err == nil:
		d.m.failures.WithLabelValues(name).Set(0)
	case cancelled:
		// Cut off by our own shutdown: not the source's fault, no backoff.
	default:
		sch, err := d.store.SourceSchedule(ctx, name)
		if err != nil {
			log.Error("read schedule", "err", err)
			return
		}
		d.m.failures.WithLabelValues(name).Set(float64(sch.ConsecutiveFailures))
		// Half an interval early, so that the fire meant to be the retry
		// is not lost to timer skew or to an off-grid catch-up slot.
		until = slot.Add(backoff(sch.ConsecutiveFailures, every, p.maxBackoff) - every/2)
		if sum.RetryAfter > 0 {
			until = later(until, time.Now().Add(min(sum.RetryAfter, p.maxBackoff)))
		}
		if sch.ConsecutiveFailures > 1 || sum.RetryAfter > 0 {
			log.Warn("source backing off", "failures", sch.ConsecutiveFailures, "until", until, "retry_after", sum.RetryAfter)
		}
	}
	if err := d.store.SetBackoff(ctx, name, until); err != nil {
		log.Error("record backoff", "err", err)
	}
	d.planNext(ctx, j, until, time.Now())
}

// planNext records the source's next run: its next fire, or the first fire
// after its backoff.
func (d *Daemon) planNext(ctx context.Context, j job, backoffUntil, now time.Time) {
	next := j.sched.Next(now)
	if next.Before(backoffUntil) {
		next = j.sched.Next(backoffUntil.Add(-time.Nanosecond))
		if next.Before(backoffUntil) {
			next = j.sched.Next(backoffUntil)
		}
	}
	if err := d.store.SetNextRun(ctx, j.src.Name, next.Add(j.offset)); err != nil && ctx.Err() == nil {
		d.log.Error("record next run", "source", j.src.Name, "err", err)
	}
}

// fireTask runs the plan's task name once, unless it is still running or
// the daemon is stopping.
func (d *Daemon) fireTask(runCtx context.Context, name string) {
	t, ok := d.current().tasks[name]
	if !ok {
		return
	}
	key := taskKey(name)
	if !d.begin(key) {
		if d.isRunning(key) {
			d.log.Warn("previous "+name+" still going: skipped", "task", name)
		}
		return
	}
	d.runTask(runCtx, name, t, lastFire(t.sched, time.Now()))
}

// runTask runs task t, named name, for its slot, after begin: once among
// the workers sharing the database, the one that takes the slot's lease.
func (d *Daemon) runTask(runCtx context.Context, name string, t task, slot time.Time) {
	key := taskKey(name)
	defer d.end(key)
	defer func() {
		if r := recover(); r != nil {
			d.log.Error(name+" panicked", "task", name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	lease := store.Lease{Job: key, Slot: slot}
	got, err := d.store.Claim(runCtx, lease.Job, lease.Slot, d.current().lease)
	if err != nil {
		d.log.Error("claim "+name, "task", name, "slot", slot, "err", err)
		return
	}
	if !got {
		d.log.Debug("another worker runs this "+name+", or ran it: skipped", "task", name, "slot", slot)
		return
	}
	// A task that failed, or panicked, is done all the same: the next
	// digest covers a failed one's period, the next health check looks
	// again. Deferred, so that a panic does not leave the lease held, and
	// extended by this worker's heartbeats, for as long as it lives.
	defer func() {
		if err := d.store.FinishLease(context.WithoutCancel(runCtx), lease); err != nil {
			d.log.Error("finish "+name, "task", name, "slot", slot, "err", err)
		}
	}()
	if err := t.run(runCtx); err != nil && runCtx.Err() == nil {
		d.log.Error(name+" failed", "task", name, "err", err)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// sleep waits d or until ctx is done, reporting whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
