package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/newsmon/newsmon/pipeline"
)

// progressEvery is how often the progress line is redrawn at most.
const progressEvery = 200 * time.Millisecond

// progressMeter shows a long command's progress on one terminal line,
// redrawn in place. Written to anything but a terminal (a log, a pipe) it
// shows nothing: the command's final line says what was done.
type progressMeter struct {
	w     io.Writer // nil: not a terminal
	now   func() time.Time
	start time.Time
	drawn time.Time // when the line was last drawn; zero: never
}

func newProgressMeter(w io.Writer, now func() time.Time) *progressMeter {
	if !isTerminal(w) {
		return &progressMeter{}
	}
	return &progressMeter{w: w, now: now, start: now()}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// update redraws the line, unless it was drawn less than progressEvery ago
// and the work is not finished.
func (m *progressMeter) update(p pipeline.ReclassifyProgress) {
	if m.w == nil {
		return
	}
	now := m.now()
	if !m.drawn.IsZero() && now.Sub(m.drawn) < progressEvery && p.Done < p.Total {
		return
	}
	m.drawn = now
	// \r returns to the start of the line, \033[K clears what a longer
	// line left.
	fmt.Fprintf(m.w, "\r%s\033[K", progressLine(p, now.Sub(m.start)))
}

// finish ends the progress line, so that what follows starts on its own.
func (m *progressMeter) finish() {
	if m.w != nil && !m.drawn.IsZero() {
		fmt.Fprintln(m.w)
	}
}

// progressLine says how far the work got: items done of the total, the
// rate of this run (an interrupted run resumed does not count) and the
// time left at that rate.
func progressLine(p pipeline.ReclassifyProgress, elapsed time.Duration) string {
	pct := 100.0
	if p.Total > 0 {
		pct = 100 * float64(p.Done) / float64(p.Total)
	}
	line := fmt.Sprintf("%d / %d items (%.0f%%)", p.Done, p.Total, pct)
	ran := p.Done - p.Resumed
	if ran <= 0 || elapsed <= 0 {
		return line + ", ETA unknown"
	}
	rate := float64(ran) / elapsed.Seconds()
	left := time.Duration(float64(p.Total-p.Done) / rate * float64(time.Second))
	return fmt.Sprintf("%s, %.0f items/s, ETA %s", line, rate, left.Round(time.Second))
}
