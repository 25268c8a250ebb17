// Package daemon runs newsmon unattended, and is the one owner of time: it
// holds the plan a config asks for (every enabled source on its cron spec,
// the digest, the hourly health check) on one cron scheduler, runs the
// alert sender and the search indexer as workers, catches up on runs
// missed while it was stopped, backs off failing sources, reloads the
// config on SIGHUP, and serves /healthz and /metrics.
//
// The daemon decides only when things run. What a run does (the order of
// fetch, extract, classify and store) belongs to the Runner, in practice
// pipeline.Pipeline; how an alert or a digest is sent belongs to notify,
// which the daemon calls for one pass at a time. The database is the
// schedule of record for backoff and the next planned run, so a restart
// forgets nothing.
//
// Rules: a source or task never runs twice at once (a fire while it runs
// is skipped, not queued); a panic in one run is recovered and logged; a
// reload swaps the whole plan at once or keeps the old one; at shutdown
// nothing new starts, work in flight gets a grace period and is then
// cancelled, and Run returns only when every goroutine it started is done.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// Runner runs one source once. *pipeline.Pipeline is the real one; tests
// wrap it.
type Runner interface {
	RunSource(ctx context.Context, src config.Source) pipeline.Summary
}

var _ Runner = (*pipeline.Pipeline)(nil)

// DefaultSendEvery is how often the sender looks for due alerts when no
// run wakes it: retries and grouped alerts come due on their own.
const DefaultSendEvery = 30 * time.Second

// Options are the daemon's dependencies that do not come from the config.
type Options struct {
	// Listener, when set, serves /healthz and /metrics; Run closes it.
	Listener net.Listener
	// Getenv reads the environment variable that holds the SMTP
	// password; nil means os.Getenv.
	Getenv func(string) string
	// Reload delivers SIGHUP. At each signal Run calls Load and adopts the
	// config it returns, as Reload does; an error is logged and the old
	// plan goes on.
	Reload <-chan os.Signal
	Load   func() (config.Config, error)
	// WrapRunner, when set, wraps each plan's pipeline, so that tests can
	// watch or disturb runs.
	WrapRunner func(*pipeline.Pipeline) Runner
	// SendEvery overrides DefaultSendEvery.
	SendEvery time.Duration
}

// Daemon runs the plan of a config. Create it with New and start it with Run.
type Daemon struct {
	store *store.Store
	log   *slog.Logger
	opts  Options
	ln    net.Listener
	reg   *prometheus.Registry
	m     *daemonMetrics
	sem   chan struct{} // caps source runs in flight across all sources
	alive atomic.Bool   // Run is scheduling
	index *indexer
	send  chan struct{} // wakes the sender
	// reloads hands plans built by Reload to Run, which answers on reply.
	reloads chan reload

	mu       sync.Mutex
	plan     *plan
	cron     *cron.Cron
	srv      *http.Server
	entries  map[string]entry // cron entries by key (sourceKey, taskKey)
	running  map[string]bool  // keys of sources and tasks running
	stopping bool
	wg       sync.WaitGroup // every fire in progress
}

type reload struct {
	plan  *plan
	reply chan error
}

// entry is a job's place on the cron. A reload keeps the entries whose
// spec did not change, so that their next fire is neither lost nor doubled.
type entry struct {
	id   cron.EntryID
	spec string
}

func sourceKey(name string) string { return "source " + name }
func taskKey(name string) string   { return "task " + name }

// New builds a daemon for cfg. It fails when cfg's plan cannot be built;
// smtp settings that do not work are logged and leave email off until a
// reload fixes them.
func New(cfg config.Config, st *store.Store, log *slog.Logger, opts Options) (*Daemon, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.SendEvery <= 0 {
		opts.SendEvery = DefaultSendEvery
	}
	d := &Daemon{
		store:   st,
		log:     log,
		opts:    opts,
		ln:      opts.Listener,
		reg:     newRegistry(),
		sem:     make(chan struct{}, max(1, cfg.Fetch.Concurrency)),
		index:   newIndexer(st, log),
		send:    make(chan struct{}, 1),
		reloads: make(chan reload),
		entries: map[string]entry{},
		running: map[string]bool{},
	}
	d.m = newDaemonMetrics(d.reg)
	p, err := d.compile(cfg, time.Now())
	if err != nil {
		return nil, fmt.Errorf("plan the daemon's work: %w", err)
	}
	if p.mailErr != nil {
		log.Error("email alerts and digest disabled until the config is fixed", "err", p.mailErr)
	}
	d.plan = p
	return d, nil
}

func (d *Daemon) getenv(k string) string { return d.opts.Getenv(k) }

// current is the plan in force.
func (d *Daemon) current() *plan {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.plan
}

// ErrNotRunning is returned by Reload when Run is not running.
var ErrNotRunning = errors.New("daemon is not running")

// Reload replaces the plan with cfg's, whole: sources, digest, health
// check and alert targets change together, and runs in flight finish with
// the old plan. A change that needs a restart (the database), rules that
// do not compile or smtp settings that do not work leave the old plan in
// force, and are returned.
func (d *Daemon) Reload(ctx context.Context, cfg config.Config) error {
	if !d.alive.Load() {
		return ErrNotRunning
	}
	np, err := d.prepare(cfg)
	if err != nil {
		return err
	}
	r := reload{plan: np, reply: make(chan error, 1)}
	select {
	case d.reloads <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// prepare builds the plan a reload to cfg would adopt.
func (d *Daemon) prepare(cfg config.Config) (*plan, error) {
	old := d.current().cfg
	if cfg.Database != old.Database {
		return nil, fmt.Errorf("the database changed (%s to %s): restart newsmon to switch databases", old.Database, cfg.Database)
	}
	if cfg.Listen != old.Listen || cfg.Log != old.Log || cfg.Fetch.Concurrency != old.Fetch.Concurrency {
		d.log.Warn("reload: listen, log and fetch.concurrency take effect at the next restart")
	}
	np, err := d.compile(cfg, time.Now())
	if err != nil {
		return nil, err
	}
	if np.mailErr != nil {
		return nil, fmt.Errorf("smtp settings do not work: %w", np.mailErr)
	}
	return np, nil
}

// Run carries out the plan until ctx is cancelled, then waits for the work
// in flight (cancelling it after the grace period) and returns. It returns
// an error only when it could not start.
func (d *Daemon) Run(ctx context.Context) error {
	// Work in flight gets its own context, so that a shutdown lets it finish
	// within the grace period instead of cutting it off at once.
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()

	if err := d.initMetrics(ctx); err != nil {
		return err
	}
	p := d.current()
	if err := p.pipeline.SyncSources(ctx); err != nil {
		return fmt.Errorf("start daemon: %w", err)
	}
	srvDone := d.serve()

	indexCtx, stopIndex := context.WithCancel(ctx)
	indexDone := make(chan struct{})
	go func() {
		defer close(indexDone)
		d.index.run(indexCtx)
	}()
	d.index.poke() // items stored by one-shot fetches since the last start
	stopSender := make(chan struct{})
	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		d.runSender(runCtx, stopSender)
	}()
	stopLeases := make(chan struct{})
	leasesDone := make(chan struct{})
	go func() {
		defer close(leasesDone)
		if d.store.Postgres() {
			d.runLeases(ctx, runCtx, stopLeases)
		}
	}()

	d.alive.Store(true)
	c := cron.New(cron.WithLocation(time.UTC))
	d.mu.Lock()
	d.cron = c
	d.mu.Unlock()
	d.adopt(ctx, runCtx, nil, p)
	c.Start()
	d.log.Info("daemon started", "sources", len(p.sources), "timezone", p.cfg.Location.String())
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case r := <-d.reloads:
			r.reply <- d.swap(ctx, runCtx, r.plan)
		case <-d.opts.Reload:
			d.reloadFromSignal(ctx, runCtx)
		}
	}

	d.alive.Store(false)
	d.mu.Lock()
	d.stopping = true
	grace := d.plan.cfg.Daemon.ShutdownGrace.D()
	d.mu.Unlock()
	cronDone := c.Stop()
	close(stopSender)
	done := make(chan struct{})
	go func() {
		<-cronDone.Done() // every job the cron started has returned
		d.wg.Wait()
		<-senderDone
		close(done)
	}()
	select {
	case <-done:
	default:
		d.log.Info("waiting for runs in flight", "grace", grace)
		t := time.NewTimer(grace)
		select {
		case <-done:
			t.Stop()
		case <-t.C:
			d.log.Warn("grace period over: cancelling runs in flight")
			cancelRuns()
			<-done
		}
	}
	close(stopLeases) // every run is done: no lease is left to extend
	<-leasesDone
	stopIndex()
	<-indexDone
	d.stopServing(ctx)
	<-srvDone
	d.log.Info("daemon stopped")
	return nil
}

// reloadFromSignal reads the config again and adopts it, or logs why not.
func (d *Daemon) reloadFromSignal(ctx, runCtx context.Context) {
	if d.opts.Load == nil {
		d.log.Warn("SIGHUP: no config to reload")
		return
	}
	d.log.Info("SIGHUP: reloading config")
	cfg, err := d.opts.Load()
	if err != nil {
		d.log.Error("reload: config has problems; keeping the old one", "err", err)
		return
	}
	np, err := d.prepare(cfg)
	if err == nil {
		err = d.swap(ctx, runCtx, np)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		d.log.Info("reload cut off by shutdown")
	case err != nil:
		d.log.Error("reload: keeping the old config", "err", err)
	}
}

// swap makes np the plan in force: its sources are recorded, then the plan
// and its cron entries change together.
func (d *Daemon) swap(ctx, runCtx context.Context, np *plan) error {
	if err := np.pipeline.SyncSources(ctx); err != nil {
		return err
	}
	d.adopt(ctx, runCtx, d.current(), np)
	d.log.Info("config reloaded", "sources", len(np.sources), "rules", len(np.cfg.Alerts.Rules),
		"digest_to", len(np.cfg.Digest.To))
	return nil
}

// adopt makes p the plan in force (old is the one it replaces; nil at
// start). Cron entries whose spec did not change are kept; the others are
// replaced. New sources, and sources whose schedule changed, are caught up
// as at a start.
func (d *Daemon) adopt(ctx, runCtx context.Context, old, p *plan) {
	want := map[string]string{}
	for name, j := range p.sources {
		want[sourceKey(name)] = j.spec
	}
	for name, t := range p.tasks {
		want[taskKey(name)] = t.spec
	}
	d.mu.Lock()
	d.plan = p
	for key, e := range d.entries {
		if want[key] != e.spec {
			d.cron.Remove(e.id)
			delete(d.entries, key)
		}
	}
	var fresh []string
	for _, name := range p.order {
		key := sourceKey(name)
		if _, ok := d.entries[key]; ok {
			continue
		}
		j := p.sources[name]
		id := d.cron.Schedule(j.sched, cron.FuncJob(func() { d.fireSource(ctx, runCtx, name) }))
		d.entries[key] = entry{id: id, spec: j.spec}
		fresh = append(fresh, name)
	}
	for name, t := range p.tasks {
		key := taskKey(name)
		if _, ok := d.entries[key]; ok {
			continue
		}
		id := d.cron.Schedule(t.sched, cron.FuncJob(func() { d.fireTask(runCtx, name) }))
		d.entries[key] = entry{id: id, spec: t.spec}
	}
	d.mu.Unlock()
	d.catchUp(ctx, runCtx, p, fresh)
}

// serve starts the /healthz and /metrics server, if there is a listener;
// the returned channel is closed when it has stopped.
func (d *Daemon) serve() chan struct{} {
	done := make(chan struct{})
	if d.ln == nil {
		close(done)
		return done
	}
	srv := &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second}
	d.mu.Lock()
	d.srv = srv
	d.mu.Unlock()
	go func() {
		defer close(done)
		if err := srv.Serve(d.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("health server stopped", "err", err)
		}
	}()
	return done
}

// stopServing closes the server, letting requests in progress finish.
func (d *Daemon) stopServing(ctx context.Context) {
	d.mu.Lock()
	srv := d.srv
	d.mu.Unlock()
	if srv == nil {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
}
