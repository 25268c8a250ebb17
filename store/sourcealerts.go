package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/newsmon/newsmon/config"
)

// HealthRule is the rule name that source-health alerts carry in the
// alerts table; config validation keeps it free for them.
const HealthRule = config.HealthRuleName

// Defaults of HealthPolicy's zero fields.
const (
	DefaultHealthRepeat   = 24 * time.Hour
	DefaultSilentSample   = 30
	DefaultSilentMinItems = 5
)

// HealthPolicy says when a source is unwell and where that is announced.
type HealthPolicy struct {
	// Failures is how many failed runs in a row make a source failing;
	// below 1, failures never alert.
	Failures int
	// Channels are where notices are queued. Without channels the state is
	// still tracked, so turning them on later does not announce old news.
	Channels []string
	// Repeat is how long before an ongoing problem is announced again;
	// zero means DefaultHealthRepeat.
	Repeat time.Duration
	// A source that has succeeded is silent when it has stored no new item
	// for more than SilentFactor times the median gap between the
	// publication dates of its newest SilentSample items, and for more than
	// SilentMin. A SilentFactor of zero turns the check off; sources with
	// fewer than SilentMinItems items are not judged.
	SilentFactor   float64
	SilentMin      time.Duration
	SilentSample   int
	SilentMinItems int
}

func (p HealthPolicy) withDefaults() HealthPolicy {
	if p.Repeat <= 0 {
		p.Repeat = DefaultHealthRepeat
	}
	if p.SilentSample < 2 {
		p.SilentSample = DefaultSilentSample
	}
	if p.SilentMinItems < 2 {
		p.SilentMinItems = DefaultSilentMinItems
	}
	return p
}

// healthState is a source_alert_state row.
type healthState struct {
	kind, message      string
	since, lastAlerted time.Time
}

// CheckSourceHealth compares a source's current health with what was last
// announced and, in one transaction, queues the notices that follow: a
// failing or silent notice when a problem starts (and again every Repeat
// while it lasts), a recovery notice when it ends. It returns how many
// notices it queued (each on every channel of p). Call it after each run of
// the source, and periodically for the silence check.
func (s *Store) CheckSourceHealth(ctx context.Context, source string, now time.Time, p HealthPolicy) (int, error) {
	p = p.withDefaults()
	var queued int
	err := s.write(ctx, func(tx *sql.Tx) (err error) {
		queued, err = checkSourceHealth(ctx, tx, source, now, p)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("check health of source %s: %w", source, err)
	}
	return queued, nil
}

// checkSourceHealth is CheckSourceHealth within tx, with p's defaults set.
// It returns how many notices it queued (0 or 1; each goes to every
// channel of p).
func checkSourceHealth(ctx context.Context, tx querier, source string, now time.Time, p HealthPolicy) (int, error) {
	var failures int
	var lastErr, lastCause string
	var lastOK sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT consecutive_failures, last_error, last_cause, last_success_at FROM sources WHERE name = ?`,
		source).Scan(&failures, &lastErr, &lastCause, &lastOK)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	st, has, err := readHealthState(ctx, tx, source)
	if err != nil {
		return 0, err
	}
	want, msg := "", ""
	switch {
	case p.Failures >= 1 && failures >= p.Failures:
		want, msg = AlertSourceFailing, failingMessage(failures, parseTime(lastOK), lastCause, lastErr)
	case failures == 0 && lastOK.Valid:
		silent, m, err := silence(ctx, tx, source, now, p)
		if err != nil {
			return 0, err
		}
		if silent {
			want, msg = AlertSourceSilent, m
		}
	case has && st.kind == AlertSourceSilent:
		// A failed run or two says nothing new about silence.
		return 0, nil
	}
	switch {
	case want == "" && has:
		if _, err := tx.ExecContext(ctx, `DELETE FROM source_alert_state WHERE source = ?`, source); err != nil {
			return 0, err
		}
		return 1, queueHealth(ctx, tx, source, AlertSourceRecovered, recoveredMessage(st, now), now, p.Channels)
	case want == "":
		return 0, nil
	case has && st.kind == want && now.Sub(st.lastAlerted) < p.Repeat:
		return 0, nil
	}
	since := now
	if has && st.kind == want {
		since = st.since
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO source_alert_state (source, kind, message, since, last_alerted_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, message = excluded.message,
		since = excluded.since, last_alerted_at = excluded.last_alerted_at`,
		source, want, msg, formatTime(since), formatTime(now)); err != nil {
		return 0, err
	}
	return 1, queueHealth(ctx, tx, source, want, msg, now, p.Channels)
}

// CheckSourcesHealth runs CheckSourceHealth for each named source (the
// configured ones) and returns the notices queued in all.
func (s *Store) CheckSourcesHealth(ctx context.Context, sources []string, now time.Time, p HealthPolicy) (int, error) {
	total := 0
	for _, name := range sources {
		n, err := s.CheckSourceHealth(ctx, name, now, p)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func readHealthState(ctx context.Context, tx querier, source string) (healthState, bool, error) {
	var st healthState
	var since, last sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT kind, message, since, last_alerted_at FROM source_alert_state WHERE source = ?`,
		source).Scan(&st.kind, &st.message, &since, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return healthState{}, false, nil
	}
	if err != nil {
		return healthState{}, false, fmt.Errorf("read alert state: %w", err)
	}
	st.since, st.lastAlerted = parseTime(since), parseTime(last)
	return st, true, nil
}

// silence applies the silent-source rule of HealthPolicy.
func silence(ctx context.Context, tx querier, source string, now time.Time, p HealthPolicy) (bool, string, error) {
	if p.SilentFactor <= 0 {
		return false, "", nil
	}
	var newest sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT max(fetched_at) FROM items WHERE source = ?`, source).Scan(&newest); err != nil {
		return false, "", fmt.Errorf("read newest item: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT coalesce(published_at, fetched_at) FROM items WHERE source = ?
		ORDER BY coalesce(published_at, fetched_at) DESC LIMIT ?`, source, p.SilentSample)
	if err != nil {
		return false, "", fmt.Errorf("read item dates: %w", err)
	}
	defer rows.Close()
	var dates []time.Time
	for rows.Next() {
		var ns sql.NullString
		if err := rows.Scan(&ns); err != nil {
			return false, "", err
		}
		if t := parseTime(ns); !t.IsZero() {
			dates = append(dates, t)
		}
	}
	if err := rows.Err(); err != nil {
		return false, "", err
	}
	if len(dates) < p.SilentMinItems || !newest.Valid {
		return false, "", nil
	}
	gaps := make([]time.Duration, len(dates)-1)
	for i := range gaps {
		gaps[i] = dates[i].Sub(dates[i+1])
	}
	slices.Sort(gaps)
	median := gaps[len(gaps)/2]
	if len(gaps)%2 == 0 {
		median = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
	}
	limit := max(time.Duration(p.SilentFactor*float64(median)), p.SilentMin)
	last := parseTime(newest)
	if now.Sub(last) <= limit {
		return false, "", nil
	}
	return true, fmt.Sprintf("no new item since %s (usually one every %s; flagged after %s)",
		last.UTC().Format("2006-01-02 15:04 UTC"), roundDuration(median), roundDuration(limit)), nil
}

func failingMessage(n int, lastOK time.Time, cause, lastErr string) string {
	s := "failed " + strconv.Itoa(n) + " runs in a row"
	if !lastOK.IsZero() {
		s += ", last success " + lastOK.UTC().Format("2006-01-02 15:04 UTC")
	} else {
		s += ", never succeeded"
	}
	switch {
	case cause != "" && lastErr != "":
		s += ": " + cause + " (" + lastErr + ")"
	case lastErr != "":
		s += ": " + lastErr
	}
	return s
}

func recoveredMessage(st healthState, now time.Time) string {
	what := "failing"
	if st.kind == AlertSourceSilent {
		what = "silent"
	}
	return fmt.Sprintf("working again after being %s for %s (since %s)", what,
		roundDuration(now.Sub(st.since)), st.since.UTC().Format("2006-01-02 15:04 UTC"))
}

// roundDuration shows d as days and hours, or minutes when short.
func roundDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if hours == 0 {
			return strconv.Itoa(days) + "d"
		}
		return strconv.Itoa(days) + "d" + strconv.Itoa(hours) + "h"
	case d >= time.Hour:
		return d.Round(time.Hour).String()
	default:
		return d.Round(time.Minute).String()
	}
}

// queueHealth queues one notice on each channel. The key holds the time of
// the notice, so a daily repeat is a new row, not a duplicate of the last.
func queueHealth(ctx context.Context, tx querier, source, kind, msg string, now time.Time, channels []string) error {
	ts := formatTime(now)
	for _, ch := range channels {
		key := kind + ":" + source + ":" + now.UTC().Format(time.RFC3339Nano) + ":" + ch
		if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (item_id, rule, channel, kind, source, message, dedupe_key,
			next_attempt_at, created_at) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			HealthRule, ch, kind, source, msg, key, ts, ts); err != nil {
			return fmt.Errorf("queue %s notice for %s: %w", kind, source, err)
		}
	}
	return nil
}
