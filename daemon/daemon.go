// Package daemon runs newsmon unattended: it schedules every enabled source
// on its cron spec, catches up on runs missed while it was stopped, backs off
// failing sources, serves /healthz and /metrics, and brings the full-text
// search index up to date after runs that stored items.
//
// The daemon decides only when a source runs. What a run does (the order of
// fetch, extract, classify and store) belongs to the Runner, in practice
// pipeline.Pipeline. The database is the schedule of record for backoff and
// the next planned run, so a restart forgets nothing.
//
// Rules: a source never runs twice at once (a fire while it runs is skipped,
// not queued); a panic in one run is recovered and logged with the source;
// at shutdown no new run starts, runs in flight get a grace period and are
// then cancelled, and Run returns only when every goroutine it started is done.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/daemon/metrics"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// Runner runs one source once. *pipeline.Pipeline is the real one; tests
// use others.
type Runner interface {
	RunSource(ctx context.Context, src config.Source) pipeline.Summary
}

var _ Runner = (*pipeline.Pipeline)(nil)

// Options are the daemon's dependencies that do not come from the config.
type Options struct {
	// Listener, when set, serves /healthz and /metrics; Run closes it.
	Listener net.Listener
	// Metrics is the registry to count into; nil makes a new one. Other
	// components may register their own metrics in it.
	Metrics *metrics.Registry
}

// Daemon schedules sources. Create it with New and start it with Run.
type Daemon struct {
	store   *store.Store
	log     *slog.Logger
	grace   time.Duration
	ln      net.Listener
	reg     *metrics.Registry
	m       *daemonMetrics
	sem     chan struct{} // caps runs in flight across all sources
	reloads chan *plan
	alive   atomic.Bool // the scheduling loop is running
	index   *indexer

	mu       sync.Mutex
	plan     *plan
	running  map[string]bool
	stopping bool
	wg       sync.WaitGroup // every fire in progress
}

// New builds a daemon for cfg; runner runs the sources.
func New(cfg config.Config, st *store.Store, runner Runner, log *slog.Logger, opts Options) (*Daemon, error) {
	d := &Daemon{
		store:   st,
		log:     log,
		grace:   cfg.Daemon.ShutdownGrace.D(),
		ln:      opts.Listener,
		reg:     opts.Metrics,
		sem:     make(chan struct{}, max(1, cfg.Fetch.Concurrency)),
		reloads: make(chan *plan),
		running: map[string]bool{},
		index:   newIndexer(st, log),
	}
	if d.reg == nil {
		d.reg = metrics.NewRegistry()
	}
	d.m = newDaemonMetrics(d.reg)
	p, err := compile(cfg, runner, time.Now())
	if err != nil {
		return nil, fmt.Errorf("schedule sources: %w", err)
	}
	d.plan = p
	return d, nil
}

// ErrNotRunning is returned by Reload when Run is not running.
var ErrNotRunning = errors.New("daemon is not running")

// Reload replaces the config and runner: sources are re-scheduled and the
// old schedule stops firing. Runs in flight finish with the old runner. On
// error nothing changes.
func (d *Daemon) Reload(ctx context.Context, cfg config.Config, runner Runner) error {
	p, err := compile(cfg, runner, time.Now())
	if err != nil {
		return fmt.Errorf("schedule sources: %w", err)
	}
	if !d.alive.Load() {
		return ErrNotRunning
	}
	select {
	case d.reloads <- p:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run schedules the sources until ctx is cancelled, then waits for runs in
// flight (cancelling them after the grace period) and returns. It returns
// an error only when it could not start.
func (d *Daemon) Run(ctx context.Context) error {
	// Runs get their own context so that a shutdown lets them finish
	// within the grace period instead of cutting them off at once.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()

	if err := d.initMetrics(ctx); err != nil {
		return err
	}
	var srv *http.Server
	srvDone := make(chan struct{})
	if d.ln != nil {
		srv = &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			defer close(srvDone)
			if err := srv.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("health server stopped", "err", err)
			}
		}()
	} else {
		close(srvDone)
	}

	indexCtx, stopIndex := context.WithCancel(ctx)
	indexDone := make(chan struct{})
	go func() {
		defer close(indexDone)
		d.index.run(indexCtx)
	}()
	d.index.poke() // items stored by one-shot fetches since the last start

	d.alive.Store(true)
	d.mu.Lock()
	p := d.plan
	d.mu.Unlock()
	c := d.start(ctx, runCtx, p)
	var stopped []context.Context // cron jobs still finishing, per stopped cron
	d.log.Info("daemon started", "sources", len(p.jobs), "timezone", p.loc.String())
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case np := <-d.reloads:
			stopped = append(stopped, c.Stop()) // runs of the old plan go on
			d.mu.Lock()
			d.plan = np
			d.mu.Unlock()
			c = d.start(ctx, runCtx, np)
			d.log.Info("config reloaded", "sources", len(np.jobs))
		}
	}
	d.alive.Store(false)
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	stopped = append(stopped, c.Stop())

	done := make(chan struct{})
	go func() {
		d.wg.Wait()
		for _, s := range stopped {
			<-s.Done()
		}
		close(done)
	}()
	select {
	case <-done:
	default:
		d.log.Info("waiting for runs in flight", "grace", d.grace)
		t := time.NewTimer(d.grace)
		select {
		case <-done:
			t.Stop()
		case <-t.C:
			d.log.Warn("grace period over: cancelling runs in flight")
			cancelRuns()
			<-done
		}
	}
	stopIndex()
	<-indexDone
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
	}
	<-srvDone
	d.log.Info("daemon stopped")
	return nil
}

// start schedules p's jobs on a new cron, runs those that missed a run, and
// records every source's next planned run.
func (d *Daemon) start(ctx, runCtx context.Context, p *plan) *cron.Cron {
	c := cron.New(cron.WithLocation(p.loc))
	now := time.Now().In(p.loc)
	scheds, err := d.store.Schedules(ctx)
	if err != nil {
		d.log.Error("read schedules: catch-up skipped", "err", err)
	}
	for _, j := range p.jobs {
		c.Schedule(j.sched, cron.FuncJob(func() { d.fire(ctx, runCtx, p, j) }))
		sch := scheds[j.src.Name]
		if err == nil && catchUpDue(j.sched, sch.LastSuccess, sch.BackoffUntil, now) {
			d.log.Info("catching up", "source", j.src.Name, "last_success", sch.LastSuccess)
			d.m.catchUps.Inc(j.src.Name)
			if d.begin(j) {
				go d.execute(ctx, runCtx, p, j)
			}
		} else {
			d.planNext(ctx, j, sch.BackoffUntil, now)
		}
	}
	c.Start()
	return c
}

// fire runs one scheduled run of j, unless the source is already running,
// in backoff, or the daemon is stopping.
func (d *Daemon) fire(ctx, runCtx context.Context, p *plan, j job) {
	if d.begin(j) {
		d.execute(ctx, runCtx, p, j)
	}
}

// begin marks j's source as running and counts it in d.wg, or reports false
// when it is already running or the daemon is stopping.
func (d *Daemon) begin(j job) bool {
	name := j.src.Name
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return false
	}
	if d.running[name] {
		d.m.skipped.Inc(name, "running")
		d.log.Info("previous run still going: skipped", "source", name, "url", j.src.URL)
		return false
	}
	d.running[name] = true
	d.wg.Add(1)
	return true
}

// execute is one run of j after begin: jitter, concurrency cap, backoff
// check, the run itself, and its bookkeeping.
func (d *Daemon) execute(ctx, runCtx context.Context, p *plan, j job) {
	name := j.src.Name
	log := d.log.With("source", name, "url", j.src.URL)
	defer func() {
		d.mu.Lock()
		delete(d.running, name)
		d.mu.Unlock()
		d.wg.Done()
	}()
	defer func() {
		if r := recover(); r != nil {
			d.m.panics.Inc(name)
			log.Error("run panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()

	slot := time.Now().Add(j.offset)
	if !sleep(ctx, j.offset) {
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
		log.Error("read schedule", "err", err)
		return
	}
	every := interval(j.sched, slot.In(p.loc))
	if slot.Before(sch.BackoffUntil) {
		d.m.skipped.Inc(name, "backoff")
		log.Debug("backing off: skipped", "until", sch.BackoffUntil, "failures", sch.ConsecutiveFailures)
		return
	}
	sum := p.runner.RunSource(runCtx, j.src)
	if sum.New > 0 || sum.Updated > 0 {
		d.index.poke()
	}
	d.record(ctx, log, p, j, slot, every, sum, runCtx.Err() != nil)
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
		d.m.failures.Set(0, name)
	case cancelled:
		// Cut off by our own shutdown: not the source's fault, no backoff.
	default:
		sch, err := d.store.SourceSchedule(ctx, name)
		if err != nil {
			log.Error("read schedule", "err", err)
			return
		}
		d.m.failures.Set(float64(sch.ConsecutiveFailures), name)
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
	d.planNext(ctx, j, until, time.Now().In(p.loc))
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
