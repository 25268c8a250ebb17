package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit queues runs behind a held writer: they are written in
// shared transactions, each caller gets its own run's result, an item two
// runs of a group carry is stored once, and a run that cannot be stored (its
// source is unknown) fails alone while the rest of its group is stored.
func TestGroupCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 7, 0, 0, 0, time.UTC)
	sources := []string{"wire", "daily", "portal", "campaign", "state", "nosuchsource"}
	const perRun = 3

	release := make(chan struct{})
	holding := make(chan struct{})
	go s.write(ctx, func(*sql.Tx) error { close(holding); <-release; return nil })
	<-holding

	type outcome struct {
		res RunResult
		err error
	}
	out := make([]outcome, len(sources))
	var wg sync.WaitGroup
	for i, src := range sources {
		items := make([]Item, perRun)
		for j := range items {
			items[j] = Item{GUID: fmt.Sprintf("%s-%d", src, j), CanonicalURL: fmt.Sprintf("https://%s.example/%d", src, j),
				Title: "Item", Text: "Text of " + src, ContentHash: "h"}
		}
		// The same article, under one canonical URL, in two feeds.
		items = append(items, Item{GUID: src + "-shared", CanonicalURL: "https://wire.example/shared", Title: "Shared", Text: "shared", ContentHash: "s"})
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.SaveRun(ctx, Run{Source: src, StartedAt: at, FinishedAt: at, Status: StatusOK, Seen: len(items), Items: items})
			out[i] = outcome{res, err}
		}()
	}
	// Let every run queue, then let the writer go.
	waitQueued(s, len(sources))
	close(release)
	wg.Wait()

	s.writeMu.Lock()
	groups := s.groups
	s.writeMu.Unlock()
	if groups != 0 {
		t.Errorf("%d groups committed, want 0: the group with the bad run must be written run by run", groups)
	}
	shared := 0
	for i, src := range sources {
		o := out[i]
		if src == "nosuchsource" {
			if o.err == nil {
				t.Errorf("run of an unknown source: no error")
			}
			continue
		}
		if o.err != nil {
			t.Errorf("run of %s: %v", src, o.err)
			continue
		}
		if o.res.New != perRun && o.res.New != perRun+1 {
			t.Errorf("run of %s: %d new, want %d or %d", src, o.res.New, perRun, perRun+1)
		}
		shared += o.res.New - perRun
		var runs int
		s.db.QueryRow(`SELECT count(*) FROM fetch_runs WHERE source = ? AND id = ?`, src, o.res.RunID).Scan(&runs)
		if runs != 1 {
			t.Errorf("run of %s: RunID %d is not its fetch_runs row", src, o.res.RunID)
		}
	}
	if shared != 1 {
		t.Errorf("the shared article was new in %d runs, want 1", shared)
	}
	var items int
	s.db.QueryRow(`SELECT count(*) FROM items`).Scan(&items)
	if want := (len(sources)-1)*perRun + 1; items != want {
		t.Errorf("%d items stored, want %d", items, want)
	}

	// Without a bad run, a queue is written as one group.
	release2 := make(chan struct{})
	holding2 := make(chan struct{})
	go s.write(ctx, func(*sql.Tx) error { close(holding2); <-release2; return nil })
	<-holding2
	for i, src := range sources[:5] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, out[i].err = s.SaveRun(ctx, Run{Source: src, StartedAt: at.Add(time.Hour), FinishedAt: at.Add(time.Hour), Status: StatusNotModified})
		}()
	}
	waitQueued(s, 5)
	close(release2)
	wg.Wait()
	for i := range sources[:5] {
		if out[i].err != nil {
			t.Error(out[i].err)
		}
	}
	s.writeMu.Lock()
	groups = s.groups
	s.writeMu.Unlock()
	if groups != 1 {
		t.Errorf("%d groups committed, want 1", groups)
	}
}

// waitQueued waits until n runs wait for the writer.
func waitQueued(s *Store, n int) {
	for {
		s.queueMu.Lock()
		queued := len(s.queue)
		s.queueMu.Unlock()
		if queued == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
