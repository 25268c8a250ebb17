package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A failed run keeps its cause beside its error, on the run and on the
// source; a success clears the source's.
func TestRunCauses(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i, run := range []Run{
		{Status: StatusError, Cause: "DNS", Error: "GET https://wire.example/feed: dial tcp: lookup wire.example: no such host"},
		{Status: StatusError, Cause: "HTTP 503", Error: "GET https://wire.example/feed: HTTP 503 Service Unavailable", HTTPStatus: 503},
	} {
		run.Source, run.StartedAt, run.FinishedAt = "wire", at.Add(time.Duration(i)*time.Hour), at.Add(time.Duration(i)*time.Hour)
		if _, err := s.SaveRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	wire := func() SourceHealth {
		t.Helper()
		health, err := s.Health(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range health {
			if h.Name == "wire" {
				return h
			}
		}
		t.Fatalf("no source wire in %+v", health)
		return SourceHealth{}
	}
	if h := wire(); h.LastCause != "HTTP 503" || !strings.Contains(h.LastError, "503 Service") {
		t.Fatalf("wire's health = %+v", h)
	}
	runs, err := s.RecentRuns(ctx, "wire", 10)
	if err != nil || len(runs) != 2 {
		t.Fatalf("RecentRuns = %+v, %v", runs, err)
	}
	if runs[0].Cause != "HTTP 503" || runs[0].HTTPStatus != 503 || runs[1].Cause != "DNS" || !runs[1].Started.Equal(at) {
		t.Errorf("runs, newest first: %+v", runs)
	}
	if _, err := s.SaveRun(ctx, Run{Source: "wire", Status: StatusOK, FinishedAt: at.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if h := wire(); h.LastCause != "" || h.LastError != "" {
		t.Errorf("after a success the source still shows %q / %q", h.LastCause, h.LastError)
	}
	if runs, _ := s.RecentRuns(ctx, "wire", 1); len(runs) != 1 || runs[0].Status != StatusOK {
		t.Errorf("RecentRuns(1) = %+v", runs)
	}
}
