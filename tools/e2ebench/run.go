package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/newsmon/newsmon/internal/benchfeed"
)

// measurement is one run of one client against the fixture server.
type measurement struct {
	Client  string  `json:"client"` // newsmon or newsboat
	Phase   string  `json:"phase"`  // cold, index (newsmon only) or warm
	WallSec float64 `json:"wall_seconds"`
	// CPUSec is the child's user + system CPU time: on a busy machine it
	// is steadier than wall time.
	CPUSec   float64 `json:"cpu_seconds"`
	MaxRSSMB float64 `json:"peak_rss_mb"`
	// What the server saw during the run.
	Feeds200 int64 `json:"feeds_200"`
	Feeds304 int64 `json:"feeds_304"`
	Pages    int64 `json:"pages"`
	BytesOut int64 `json:"bytes_sent"`
	// Items is the number of items in the feeds fetched with a 200.
	Items       int64   `json:"items"`
	ItemsPerSec float64 `json:"items_per_second"`
	PagesPerSec float64 `json:"pages_per_second"`
	// Stored is the sum of the NEW column of `newsmon fetch` (newsmon only).
	Stored int `json:"stored,omitempty"`
	// Failed counts sources the client reported as failed (newsmon only).
	Failed  int   `json:"failed,omitempty"`
	DBBytes int64 `json:"db_bytes"`
}

// child runs a command with its output in files and returns its wall time
// and peak resident set size.
func child(ctx context.Context, dir, name string, env []string, bin string, args ...string) (wall, cpu time.Duration, rssKB int64, stdout []byte, err error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	errFile, err := os.Create(filepath.Join(dir, name+".stderr"))
	if err != nil {
		return 0, 0, 0, nil, err
	}
	defer errFile.Close()
	cmd.Stdout, cmd.Stderr = &out, errFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	// Peak RSS is the child's VmHWM, polled: the rusage Maxrss of a child
	// includes its parent's RSS at exec time on Linux (the exec happens in
	// the parent's address space after vfork), and this process holds every
	// feed in memory.
	done := make(chan struct{})
	peak := make(chan int64, 1)
	go func() {
		var hwm int64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			hwm = max(hwm, vmHWM(status))
			select {
			case <-done:
				peak <- hwm
				return
			case <-t.C:
			}
		}
	}()
	runErr := cmd.Wait()
	wall = time.Since(start)
	close(done)
	rssKB = <-peak
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if runErr != nil {
		return wall, cpu, rssKB, out.Bytes(), fmt.Errorf("%s %s: %w (stderr in %s)", bin, strings.Join(args, " "), runErr, errFile.Name())
	}
	return wall, cpu, rssKB, out.Bytes(), nil
}

// vmHWM reads the VmHWM line (peak resident set, in kB) of a
// /proc/PID/status file; 0 once the process has gone.
func vmHWM(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(b, []byte("VmHWM:"))
	if !ok {
		return 0
	}
	line, _, _ := bytes.Cut(rest, []byte("\n"))
	n, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(line), []byte(" kB"))), 10, 64)
	return n
}

// parseFetchTable sums the NEW column of `newsmon fetch` output and counts
// the rows that report an error.
func parseFetchTable(out []byte) (stored, failed int) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		if n, err := strconv.Atoi(f[2]); err == nil {
			stored += n
		}
		if len(f) > 4 && f[4] != "(not" {
			failed++
		}
	}
	return stored, failed
}

// fileSizes adds up the sizes of the files that exist among paths.
func fileSizes(paths ...string) int64 {
	var n int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// summary is the best and the median of one client's phase over the runs.
type summary struct {
	Client      string  `json:"client"`
	Phase       string  `json:"phase"`
	Runs        int     `json:"runs"`
	BestWall    float64 `json:"best_wall_seconds"`
	MedianWall  float64 `json:"median_wall_seconds"`
	BestCPU     float64 `json:"best_cpu_seconds"`
	MedianCPU   float64 `json:"median_cpu_seconds"`
	BestRSS     float64 `json:"best_peak_rss_mb"`
	MedianRSS   float64 `json:"median_peak_rss_mb"`
	ItemsPerSec float64 `json:"median_items_per_second"`
	PagesPerSec float64 `json:"median_pages_per_second"`
	DBBytes     int64   `json:"db_bytes"`
	Feeds304    int64   `json:"feeds_304"`
	Failed      int     `json:"failed"`
}

func summarise(ms []measurement) []summary {
	type key struct{ client, phase string }
	groups := map[key][]measurement{}
	var order []key
	for _, m := range ms {
		k := key{m.Client, m.Phase}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], m)
	}
	var out []summary
	for _, k := range order {
		g := groups[k]
		walls, cpus, rss, ips, pps := make([]float64, len(g)), make([]float64, len(g)), make([]float64, len(g)), make([]float64, len(g)), make([]float64, len(g))
		s := summary{Client: k.client, Phase: k.phase, Runs: len(g)}
		for i, m := range g {
			walls[i], cpus[i], rss[i], ips[i], pps[i] = m.WallSec, m.CPUSec, m.MaxRSSMB, m.ItemsPerSec, m.PagesPerSec
			s.DBBytes = max(s.DBBytes, m.DBBytes)
			s.Feeds304 = max(s.Feeds304, m.Feeds304)
			s.Failed = max(s.Failed, m.Failed)
		}
		s.BestWall, s.MedianWall = minOf(walls), benchfeed.Median(walls)
		s.BestCPU, s.MedianCPU = minOf(cpus), benchfeed.Median(cpus)
		s.BestRSS, s.MedianRSS = minOf(rss), benchfeed.Median(rss)
		s.ItemsPerSec, s.PagesPerSec = benchfeed.Median(ips), benchfeed.Median(pps)
		out = append(out, s)
	}
	return out
}

func minOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return m
}
