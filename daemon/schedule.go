package daemon

import (
	"hash/fnv"
	"time"

	"github.com/robfig/cron/v3"
)

// zoned runs a schedule in a time zone, so that the one cron of the
// daemon can hold the schedules of successive configs, each in its own.
type zoned struct {
	cron.Schedule
	loc *time.Location
}

func (z zoned) Next(t time.Time) time.Time { return z.Schedule.Next(t.In(z.loc)) }

// interval is the time between the schedule's next two fires after now; for
// irregular specs ("0 7 * * 1-5") it is an estimate, which is all backoff and
// catch-up need.
func interval(s cron.Schedule, now time.Time) time.Duration {
	a := s.Next(now)
	return s.Next(a).Sub(a)
}

// lastFire is the schedule's latest fire at or before now: the slot a fire
// of the cron is for, which every worker of a shared database computes
// alike. It looks back one interval, then twice as far, and so on, until
// a fire is found, then walks forward to the last one.
func lastFire(s cron.Schedule, now time.Time) time.Time {
	step := max(interval(s, now), time.Second)
	from := now.Add(-step)
	for range 40 {
		if f := s.Next(from); !f.IsZero() && !f.After(now) {
			for n := s.Next(f); !n.IsZero() && !n.After(now); n = s.Next(n) {
				f = n
			}
			return f
		}
		step *= 2
		from = now.Add(-step)
	}
	return now
}

// jitterOffset is a stable pseudo-random offset in [0, min(jitter, every/2)),
// derived from the source name (as Prometheus spreads scrape targets): the
// same source keeps the same rhythm across restarts, different sources are
// spread out.
func jitterOffset(name string, jitter, every time.Duration) time.Duration {
	limit := min(jitter, every/2)
	if limit <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(h.Sum64() % uint64(limit))
}

// backoff is how long after a failed run's slot the source must wait, after
// n consecutive failures: one interval after the first failure (the normal
// next run), then doubling, capped at max.
func backoff(n int, every, max time.Duration) time.Duration {
	if n < 1 {
		return 0
	}
	d := every
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// catchUpDue reports whether a source missed a run while the daemon was not
// running: it never succeeded, or a fire was due since its last success.
// A source backing off waits for its backoff instead.
func catchUpDue(s cron.Schedule, lastSuccess, backoffUntil, now time.Time) bool {
	if now.Before(backoffUntil) {
		return false
	}
	return lastSuccess.IsZero() || !s.Next(lastSuccess).After(now)
}
