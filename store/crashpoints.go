//go:build crashpoints && unix

package store

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"

	"modernc.org/sqlite"
)

// Crash points, for robust/crash_test.go only: they are compiled into a
// binary built with -tags crashpoints, never into newsmon itself.
//
// With NEWSMON_CRASH_AFTER=N in its environment, such a binary kills itself
// with SIGKILL at its N-th write to the database: a row about to be
// inserted, updated or deleted (in a rowid table), or a transaction about to
// commit. A test can so stop a run at any exact point of its work, many
// times, without guessing at delays. With NEWSMON_CRASH_COUNT=FILE it
// keeps the number of writes so far in FILE, to learn how many points a
// run has.
func init() {
	after, _ := strconv.ParseInt(os.Getenv("NEWSMON_CRASH_AFTER"), 10, 64)
	var counter *os.File
	if path := os.Getenv("NEWSMON_CRASH_COUNT"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "crash points:", err)
			os.Exit(3)
		}
		counter = f
	}
	if after <= 0 && counter == nil {
		return
	}
	var writes atomic.Int64
	point := func() {
		n := writes.Add(1)
		if counter != nil {
			counter.WriteAt([]byte(fmt.Sprintf("%20d\n", n)), 0)
		}
		if n == after {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // not past this point, should the signal take a moment
		}
	}
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		h, ok := c.(sqlite.HookRegisterer)
		if !ok {
			return fmt.Errorf("crash points: %T cannot take hooks", c)
		}
		h.RegisterPreUpdateHook(func(sqlite.SQLitePreUpdateData) { point() })
		h.RegisterCommitHook(func() int32 { point(); return 0 })
		return nil
	})
}
