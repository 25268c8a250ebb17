package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/notify"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// healthCheckSpec is when the daemon looks for silent sources: silence is
// measured in days, and the store announces each problem at most daily
// however often it looks. A fixed time of the hour, not "every hour from
// now", so that reloads do not keep putting it off.
const healthCheckSpec = "@hourly"

// Names of the plan's tasks, as logged.
const (
	taskDigest      = "digest"
	taskHealthCheck = "health check"
)

// plan is everything one config asks of the daemon: the source runs, the
// digest and the health check on the cron, and the outbox the sender
// delivers with. Nothing in it changes once built: a reload builds a new
// plan and swaps it whole, and work in flight finishes with the plan it
// started with.
type plan struct {
	cfg        config.Config
	pipeline   *pipeline.Pipeline // stores sources, checks health
	runner     Runner             // runs sources: the pipeline, or a test's wrapper
	sources    map[string]job     // enabled sources by name
	order      []string           // their names in config order
	tasks      map[string]task
	outbox     *notify.Outbox
	digest     *notify.DigestJob // nil when no digest is configured
	maxBackoff time.Duration
	// lease is how long a worker's claim on a run outlives it
	// (PostgreSQL: see store.Claim).
	lease time.Duration
	// mailErr says why email is off in this plan (smtp settings that do not
	// work); nil when it works or is not configured.
	mailErr error
}

// job is one enabled source with its compiled schedule.
type job struct {
	src   config.Source
	spec  string // schedule and time zone: what keeps a cron entry across reloads
	sched cron.Schedule
	// offset delays every run of the source by the same amount, so that
	// many sources on one spec do not all fire in the same second.
	offset time.Duration
}

// task is a periodic job other than a source run. It never runs twice at
// once, and gets the grace period at shutdown as runs do.
type task struct {
	spec  string
	sched cron.Schedule
	run   func(ctx context.Context) error
}

// compile builds the plan for cfg. It fails when the config asks for
// something that cannot be done (rules that do not compile, a bad
// schedule); smtp settings that do not work leave email off and are
// reported in plan.mailErr.
func (d *Daemon) compile(cfg config.Config, now time.Time) (*plan, error) {
	pl, err := pipeline.New(cfg, d.store, d.log)
	if err != nil {
		return nil, err
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	p := &plan{cfg: cfg, pipeline: pl, runner: pl, sources: map[string]job{}, tasks: map[string]task{},
		maxBackoff: cfg.Daemon.MaxBackoff.D(), lease: cfg.Postgres.Lease.D()}
	if d.opts.WrapRunner != nil {
		p.runner = d.opts.WrapRunner(pl)
	}
	schedule := func(spec string) (cron.Schedule, string, error) {
		s, err := cfg.JobSchedule(spec)
		if err != nil {
			return nil, "", err
		}
		return zoned{s, loc}, spec + " " + loc.String(), nil
	}
	for _, s := range cfg.Sources {
		if !s.IsEnabled() {
			continue
		}
		sched, spec, err := schedule(cfg.ScheduleOf(s))
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		p.sources[s.Name] = job{src: s, spec: spec, sched: sched,
			offset: jitterOffset(s.Name, cfg.Daemon.Jitter.D(), interval(sched, now))}
		p.order = append(p.order, s.Name)
	}

	mailer, err := notify.MailerFor(cfg, d.getenv)
	if err != nil {
		p.mailErr = err
	}
	ocfg := notify.OutboxConfigFor(cfg)
	ocfg.Observe = d.m.delivered
	p.outbox = notify.NewOutbox(d.store, mailer, notify.WebhookClientFor(cfg), d.log, ocfg)

	sched, spec, err := schedule(healthCheckSpec)
	if err != nil {
		return nil, err
	}
	p.tasks[taskHealthCheck] = task{spec: spec, sched: sched, run: func(ctx context.Context) error {
		queued, err := pl.CheckHealth(ctx, time.Now())
		d.alertsQueued(queued)
		return err
	}}
	if len(cfg.Digest.To) > 0 {
		sched, spec, err := schedule(cfg.Digest.Schedule)
		if err != nil {
			return nil, fmt.Errorf("digest: %w", err)
		}
		dcfg := notify.DigestConfigFor(cfg)
		dcfg.Observe = d.m.digest
		digest := notify.NewDigestJob(d.store, mailer, d.log, dcfg)
		p.digest = digest
		p.tasks[taskDigest] = task{spec: spec, sched: sched, run: func(ctx context.Context) error {
			// The digest lock keeps this send apart from the sender's
			// recovery of an interrupted digest (runSender) and from a
			// `newsmon digest --send` (PostgreSQL).
			l, err := d.store.WaitLock(ctx, store.LockDigest)
			if err != nil {
				return err
			}
			defer l.Unlock()
			_, err = digest.Send(ctx)
			return err
		}}
	}
	return p, nil
}
