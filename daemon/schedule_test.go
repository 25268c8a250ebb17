package daemon

import (
	"testing"
	"time"

	"github.com/newsmon/newsmon/config"
)

func TestBackoff(t *testing.T) {
	const h = time.Hour
	for _, tc := range []struct {
		n          int
		every, max time.Duration
		want       time.Duration
	}{
		{0, h, 6 * h, 0},
		{1, h, 6 * h, h},
		{2, h, 6 * h, 2 * h},
		{3, h, 6 * h, 4 * h},
		{4, h, 6 * h, 6 * h}, // capped
		{60, h, 6 * h, 6 * h},
		{3, 30 * time.Minute, 6 * h, 2 * h},
		{2, 10 * h, 6 * h, 6 * h}, // an interval above the cap is capped too
	} {
		if got := backoff(tc.n, tc.every, tc.max); got != tc.want {
			t.Errorf("backoff(%d, %v, %v) = %v, want %v", tc.n, tc.every, tc.max, got, tc.want)
		}
	}
}

func TestCatchUpDue(t *testing.T) {
	hourly, _ := config.ParseSchedule("@hourly")
	daily7, _ := config.ParseSchedule("0 7 * * *")
	now := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		spec          string
		lastOK, until time.Time
		want          bool
	}{
		{"never ran", "@hourly", time.Time{}, time.Time{}, true},
		{"ran this hour", "@hourly", now.Add(-20 * time.Minute), time.Time{}, false},
		{"missed the 9:00 run", "@hourly", now.Add(-40 * time.Minute), time.Time{}, true},
		{"asleep overnight", "0 7 * * *", now.Add(-26 * time.Hour), time.Time{}, true},
		{"ran after 7:00 today", "0 7 * * *", now.Add(-2 * time.Hour), time.Time{}, false},
		{"never ran but backing off", "@hourly", time.Time{}, now.Add(time.Minute), false},
		{"backoff over", "@hourly", time.Time{}, now.Add(-time.Minute), true},
	} {
		s := hourly
		if tc.spec != "@hourly" {
			s = daily7
		}
		if got := catchUpDue(s, tc.lastOK, tc.until, now); got != tc.want {
			t.Errorf("%s: catchUpDue = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestJitterOffset(t *testing.T) {
	seen := map[time.Duration]bool{}
	for _, name := range []string{"a", "b", "c", "amnesty", "hespress", "al-monitor"} {
		o := jitterOffset(name, 30*time.Second, time.Hour)
		if o < 0 || o >= 30*time.Second {
			t.Errorf("%s: offset %v outside [0, 30s)", name, o)
		}
		if o != jitterOffset(name, 30*time.Second, time.Hour) {
			t.Errorf("%s: offset not stable", name)
		}
		seen[o] = true
		// Never more than half the interval, so a run cannot slide into the next.
		if o := jitterOffset(name, 30*time.Second, 2*time.Second); o >= time.Second {
			t.Errorf("%s: offset %v for a 2s interval", name, o)
		}
		if o := jitterOffset(name, 0, time.Hour); o != 0 {
			t.Errorf("%s: offset %v with jitter off", name, o)
		}
	}
	if len(seen) < 5 {
		t.Errorf("offsets not spread: %v", seen)
	}
}
