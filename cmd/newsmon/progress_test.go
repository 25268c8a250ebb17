package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/pipeline"
)

func TestProgressLine(t *testing.T) {
	for _, tc := range []struct {
		p       pipeline.ReclassifyProgress
		elapsed time.Duration
		want    string
	}{
		{pipeline.ReclassifyProgress{Total: 5000}, 0, "0 / 5000 items (0%), ETA unknown"},
		{pipeline.ReclassifyProgress{Done: 1000, Total: 5000}, 4 * time.Second, "1000 / 5000 items (20%), 250 items/s, ETA 16s"},
		// A resumed run's rate counts only what this run did.
		{pipeline.ReclassifyProgress{Done: 3000, Resumed: 2000, Total: 5000}, 10 * time.Second, "3000 / 5000 items (60%), 100 items/s, ETA 20s"},
		{pipeline.ReclassifyProgress{Done: 2000, Resumed: 2000, Total: 5000}, time.Second, "2000 / 5000 items (40%), ETA unknown"},
		{pipeline.ReclassifyProgress{}, time.Second, "0 / 0 items (100%), ETA unknown"},
	} {
		if got := progressLine(tc.p, tc.elapsed); got != tc.want {
			t.Errorf("progressLine(%+v, %v) = %q, want %q", tc.p, tc.elapsed, got, tc.want)
		}
	}
}

// On a terminal the line is redrawn in place, at most every
// progressEvery unless the work is done; elsewhere nothing is written.
func TestProgressMeter(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &progressMeter{w: &buf, now: func() time.Time { return clock }, start: clock}
	m.update(pipeline.ReclassifyProgress{Total: 4})
	clock = clock.Add(progressEvery / 2)
	m.update(pipeline.ReclassifyProgress{Done: 1, Total: 4}) // too soon: not drawn
	clock = clock.Add(progressEvery)
	m.update(pipeline.ReclassifyProgress{Done: 2, Total: 4})
	m.update(pipeline.ReclassifyProgress{Done: 4, Total: 4}) // done: drawn at once
	m.finish()
	draws := strings.Split(buf.String(), "\r")[1:]
	if len(draws) != 3 || !strings.HasPrefix(draws[1], "2 / 4") || !strings.HasPrefix(draws[2], "4 / 4") || !strings.HasSuffix(buf.String(), "\n") {
		t.Errorf("meter wrote %q", buf.String())
	}

	buf.Reset()
	quiet := newProgressMeter(&buf, time.Now) // a buffer is not a terminal
	quiet.update(pipeline.ReclassifyProgress{Done: 1, Total: 1})
	quiet.finish()
	if buf.Len() != 0 {
		t.Errorf("meter wrote %q to a non-terminal", buf.String())
	}
}
