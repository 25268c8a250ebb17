package main

import (
	"errors"
	"time"

	"github.com/newsmon/newsmon/config"
)

// sinceFlag is the --since of every command that has one: a duration back
// from now ("7d", "12h", "90m") or a date ("2026-01-31", midnight in the
// config's time zone, or a full RFC 3339 time).
type sinceFlag struct {
	raw  string
	back time.Duration // when a duration
	date time.Time     // when a date; its clock and zone are resolved by at
	day  bool          // date is a calendar day, to be put in the config's zone
}

var errSince = errors.New("want a duration back from now (7d, 12h) or a date (2026-01-31)")

func (s *sinceFlag) String() string { return s.raw }

func (s *sinceFlag) Set(v string) error {
	*s = sinceFlag{raw: v}
	if v == "" {
		return nil
	}
	if d, err := config.ParseDuration(v); err == nil {
		s.back = d
		return nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		s.date, s.day = t, true
		return nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		s.date = t
		return nil
	}
	return errSince
}

// at is the moment the flag names, seen at now in loc; the zero time when
// the flag was not given.
func (s *sinceFlag) at(now time.Time, loc *time.Location) time.Time {
	switch {
	case s.raw == "":
		return time.Time{}
	case s.day:
		if loc == nil {
			loc = time.UTC
		}
		return time.Date(s.date.Year(), s.date.Month(), s.date.Day(), 0, 0, 0, 0, loc)
	case !s.date.IsZero():
		return s.date
	}
	return now.Add(-s.back)
}

// since adds a --since flag to fs, with the given default ("" for none).
func (fs *flagSet) since(def, what string) *sinceFlag {
	s := &sinceFlag{}
	if def != "" {
		if err := s.Set(def); err != nil {
			panic("bad default --since " + def)
		}
	}
	fs.Var(s, "since", what+": a duration back from now (7d, 12h) or a date (2026-01-31)")
	return s
}
