package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func failRun(t *testing.T, s *Store, source string, at time.Time, ok bool) {
	t.Helper()
	run := Run{Source: source, StartedAt: at, FinishedAt: at, Status: StatusOK}
	if !ok {
		run.Status, run.Error = StatusError, "fetch: 503 Service Unavailable"
	}
	if _, err := s.SaveRun(context.Background(), run); err != nil {
		t.Fatal(err)
	}
}

func healthKinds(t *testing.T, s *Store) []string {
	t.Helper()
	as, err := s.ListAlerts(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(as) - 1; i >= 0; i-- { // oldest first
		a := as[i]
		if a.Rule != HealthRule || a.ItemID != 0 || a.Source == "" || a.Message == "" {
			t.Errorf("health alert %+v: want rule %s, no item, a source and a message", a, HealthRule)
		}
		out = append(out, a.Kind+"/"+a.Channel)
	}
	return out
}

func TestCheckSourceHealthFailingRepeatsAndRecovers(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	p := HealthPolicy{Failures: 3, Channels: []string{"log", "email"}}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	failRun(t, s, "wire", t0.Add(-time.Hour), true)
	steps := []struct {
		at         time.Duration
		ok         bool
		wantQueued int
	}{
		{0, false, 0},
		{time.Hour, false, 0},
		{2 * time.Hour, false, 1},  // third failure in a row
		{3 * time.Hour, false, 0},  // still failing, announced today
		{25 * time.Hour, false, 0}, // not yet a day since the notice
		{26 * time.Hour, false, 1}, // a day later: again
		{27 * time.Hour, true, 1},  // recovered
		{28 * time.Hour, true, 0},
	}
	for i, st := range steps {
		now := t0.Add(st.at)
		failRun(t, s, "wire", now, st.ok)
		n, err := s.CheckSourceHealth(ctx, "wire", now, p)
		if err != nil {
			t.Fatal(err)
		}
		if n != st.wantQueued {
			t.Errorf("step %d (+%s, ok=%v): queued %d notices, want %d", i, st.at, st.ok, n, st.wantQueued)
		}
	}
	got := fmt.Sprint(healthKinds(t, s))
	want := "[source_failing/log source_failing/email source_failing/log source_failing/email source_recovered/log source_recovered/email]"
	if got != want {
		t.Errorf("alerts = %s\nwant     %s", got, want)
	}
}

// saveDated stores one item of source published at pub, fetched at fetched.
func saveDated(t *testing.T, s *Store, source string, n int, pub, fetched time.Time) {
	t.Helper()
	it := Item{GUID: fmt.Sprintf("%s-%d", source, n), URL: fmt.Sprintf("https://%s.example/%d", source, n),
		Title: fmt.Sprint("item ", n), Text: "text", ContentHash: fmt.Sprint(n), Published: pub}
	if _, err := s.SaveRun(context.Background(), Run{Source: source, StartedAt: fetched, FinishedAt: fetched,
		Status: StatusOK, Items: []Item{it}}); err != nil {
		t.Fatal(err)
	}
}

// silencePolicy calls a source silent after four times its usual gap
// between items, and never before three days.
var silencePolicy = HealthPolicy{Failures: 3, Channels: []string{"log"}, SilentFactor: 4, SilentMin: 72 * time.Hour}

// saveDaily stores n items of source, published one a day from t0 and each
// fetched an hour after, and returns the newest fetch time.
func saveDaily(t *testing.T, s *Store, source string, n int, t0 time.Time) time.Time {
	t.Helper()
	for i := range n {
		at := t0.Add(time.Duration(i) * 24 * time.Hour)
		saveDated(t, s, source, i, at, at.Add(time.Hour))
	}
	return t0.Add(time.Duration(n-1)*24*time.Hour + time.Hour)
}

func TestCheckSourceHealthSilent(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	p := silencePolicy
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// "daily" publishes one item a day; "wire" has only three items, too few to judge.
	last := saveDaily(t, s, "daily", 10, t0) // newest fetch of "daily"
	saveDaily(t, s, "wire", 3, t0)
	tests := []struct {
		name       string
		at         time.Time
		wantQueued int
	}{
		{"3.5 days: under 4× the daily gap", last.Add(84 * time.Hour), 0},
		{"4 days and an hour: silent", last.Add(97 * time.Hour), 1},
		{"an hour later: already announced", last.Add(98 * time.Hour), 0},
		{"a day later: again", last.Add(121 * time.Hour), 1},
	}
	for _, tt := range tests {
		n, err := s.CheckSourcesHealth(ctx, []string{"daily", "wire"}, tt.at, p)
		if err != nil {
			t.Fatal(err)
		}
		if n != tt.wantQueued {
			t.Errorf("%s: queued %d, want %d", tt.name, n, tt.wantQueued)
		}
	}
	// A new item ends the silence.
	back := last.Add(122 * time.Hour)
	saveDated(t, s, "daily", 99, back, back)
	if n, err := s.CheckSourceHealth(ctx, "daily", back, p); err != nil || n != 1 {
		t.Errorf("after a new item: queued %d (%v), want 1 recovery", n, err)
	}
	got := fmt.Sprint(healthKinds(t, s))
	if want := "[source_silent/log source_silent/log source_recovered/log]"; got != want {
		t.Errorf("alerts = %s, want %s", got, want)
	}
	as, _ := s.ListAlerts(ctx, "", 10)
	for _, a := range as {
		if a.Source != "daily" {
			t.Errorf("alert for %s: only daily is silent", a.Source)
		}
	}
}

func TestCheckSourceHealthWithoutChannelsTracksState(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		failRun(t, s, "wire", t0.Add(time.Duration(i)*time.Hour), false)
	}
	if _, err := s.CheckSourceHealth(ctx, "wire", t0.Add(2*time.Hour), HealthPolicy{Failures: 3}); err != nil {
		t.Fatal(err)
	}
	// Channels turned on later: the problem was already noted today.
	n, err := s.CheckSourceHealth(ctx, "wire", t0.Add(3*time.Hour), HealthPolicy{Failures: 3, Channels: []string{"log"}})
	if err != nil || n != 0 {
		t.Errorf("queued %d (%v), want 0", n, err)
	}
	if got := healthKinds(t, s); len(got) != 0 {
		t.Errorf("alerts = %v, want none", got)
	}
}

// TestSaveRunHealthEndsSilence checks the health check SaveRun runs in the
// run's transaction: a silent source whose run stores a new item recovers
// at once, and a later run with nothing new does not call it silent again.
func TestSaveRunHealthEndsSilence(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	p := silencePolicy
	last := saveDaily(t, s, "daily", 10, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if n, err := s.CheckSourceHealth(ctx, "daily", last.Add(97*time.Hour), p); err != nil || n != 1 {
		t.Fatalf("silence: queued %d (%v), want 1", n, err)
	}
	back := last.Add(122 * time.Hour)
	it := Item{GUID: "daily-new", Title: "new", Text: "text", ContentHash: "n", Published: back}
	res, err := s.SaveRun(ctx, Run{Source: "daily", StartedAt: back, FinishedAt: back, Status: StatusOK, Items: []Item{it}, Health: &p})
	if err != nil || res.HealthNotices != 1 {
		t.Errorf("run with a new item: %d health notices (%v), want 1 recovery", res.HealthNotices, err)
	}
	later := back.Add(2 * time.Hour)
	res, err = s.SaveRun(ctx, Run{Source: "daily", StartedAt: later, FinishedAt: later, Status: StatusNotModified, Health: &p})
	if err != nil || res.HealthNotices != 0 {
		t.Errorf("run with nothing new two hours later: %d health notices (%v), want 0", res.HealthNotices, err)
	}
	if got, want := fmt.Sprint(healthKinds(t, s)), "[source_silent/log source_recovered/log]"; got != want {
		t.Errorf("alerts = %s, want %s", got, want)
	}
}
