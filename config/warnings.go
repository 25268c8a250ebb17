package config

import (
	"fmt"
	"time"
)

// minSensibleInterval is the shortest gap between runs of a source that
// newsmon accepts without a warning. Five-field cron cannot go below a
// minute; only "@every" can, and a feed polled every few seconds gets its
// fetcher blocked long before it gets news sooner.
const minSensibleInterval = time.Minute

// Warnings are settings that are valid but probably not meant. Load
// accepts them; `newsmon check` shows them and the daemon logs them.
func (c *Config) Warnings() Problems {
	var ws Problems
	warn := func(path, spec string) {
		s, err := ParseSchedule(spec)
		if err != nil {
			return // a problem Load reports
		}
		now := time.Now()
		first := s.Next(now)
		if gap := s.Next(first).Sub(first); gap > 0 && gap < minSensibleInterval {
			ws = append(ws, c.Problem(path, "schedule %q runs every %s: servers may block a fetcher that polls "+
				"this often, and feeds rarely change faster than every few minutes (use @every 1m or more)", spec, gap))
		}
	}
	for i, s := range c.Sources {
		if s.Schedule == "" {
			continue
		}
		warn(fmt.Sprintf("sources[%d].schedule", i), s.Schedule)
	}
	warn("daemon.default_schedule", c.Daemon.DefaultSchedule)
	return ws
}
