package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// plainItems makes n distinct items named prefix-0 … prefix-(n-1).
func plainItems(prefix string, n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{GUID: fmt.Sprintf("%s-%d", prefix, i), URL: fmt.Sprintf("https://wire.example/%s/%d", prefix, i),
			CanonicalURL: fmt.Sprintf("https://wire.example/%s/%d", prefix, i), Title: "Item", Text: "Text", ContentHash: "h"}
	}
	return items
}

// A label the schema refuses (the same mention twice) makes an item that
// cannot be stored.
func unstorable(it Item) Item {
	m := Mention{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}
	it.Mentions = []Mention{m, m}
	return it
}

func TestPartBounds(t *testing.T) {
	big := Item{Text: strings.Repeat("x", maxPartBytes/3+1)}
	many := make([]Item, 2*maxPartItems+1)
	tests := []struct {
		name  string
		items []Item
		want  string
	}{
		{"no items", nil, "[[0 0]]"},
		{"one", []Item{{}}, "[[0 1]]"},
		{"by count", many, fmt.Sprintf("[[0 %d] [%d %d] [%d %d]]", maxPartItems, maxPartItems, 2*maxPartItems, 2*maxPartItems, 2*maxPartItems+1)},
		{"by bytes", []Item{big, big, big, {}}, "[[0 2] [2 4]]"},
		{"an item over the limit is a part", []Item{{Text: strings.Repeat("x", maxPartBytes+1)}, {}}, "[[0 1] [1 2]]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(partBounds(tt.items)); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// A save that fails is recorded: the run's row says error and why, the
// source counts a failure (which is what the daemon's backoff reads), and
// the store goes on writing.
func TestFailedSaveIsRecorded(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 2, 7, 0, 0, 0, time.UTC)
	items := plainItems("a", 3)
	items[1] = unstorable(items[1])
	res, err := s.SaveRun(ctx, Run{Source: "wire", StartedAt: at, FinishedAt: at, Status: StatusOK, Seen: 3, Items: items, ETag: `"v1"`})
	if err == nil {
		t.Fatal("saving an item the schema refuses: no error")
	}
	if res.RunID == 0 || res.New != 0 {
		t.Errorf("result %+v, want the failed run's row and nothing new", res)
	}
	if got := queryRow(t, s, `SELECT id, status, items_seen, items_new, error FROM fetch_runs`); !strings.HasPrefix(got,
		fmt.Sprintf("%d|error|3|0|storing items failed after 0 of 3: store labels of", res.RunID)) {
		t.Errorf("fetch_runs: %s", got)
	}
	if got := queryRow(t, s, `SELECT consecutive_failures, last_error != '', last_success_at IS NULL, etag FROM sources WHERE name = 'wire'`); got != "1|1|1|" {
		t.Errorf("source after a failed save: %s, want 1 failure, its error, no success, no validators", got)
	}
	if got := queryRow(t, s, `SELECT count(*) FROM items`); got != "0" {
		t.Errorf("%s items stored by a failed one-part run, want 0", got)
	}
	if err := s.SetBackoff(ctx, "wire", at.Add(time.Hour)); err != nil {
		t.Errorf("set backoff after a failed save: %v", err)
	}
	items[1] = plainItems("a", 2)[1]
	if res := saveItems(t, s, "wire", at.Add(time.Hour), items...); res.New != 3 {
		t.Errorf("the next run stored %d new items, want 3", res.New)
	}
	if got := queryRow(t, s, `SELECT consecutive_failures FROM sources WHERE name = 'wire'`); got != "0" {
		t.Errorf("failures after a good run: %s", got)
	}
}

// A save whose context is cancelled (a shutdown past its grace period) is
// recorded with the cause "cancelled"; a save that fails otherwise, "not
// stored".
func TestFailedSaveCause(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.SaveRun(ctx, Run{Source: "wire", StartedAt: at, FinishedAt: at, Status: StatusOK, Items: plainItems("c", 2)}); err == nil {
		t.Fatal("a save with a cancelled context: no error")
	}
	if _, err := s.SaveRun(context.Background(), Run{Source: "daily", StartedAt: at, FinishedAt: at, Status: StatusOK,
		Items: []Item{unstorable(plainItems("d", 1)[0])}}); err == nil {
		t.Fatal("a save the schema refuses: no error")
	}
	if got := queryRow(t, s, `SELECT source, status, cause FROM fetch_runs ORDER BY id`); got != "wire|error|cancelled\ndaily|error|not stored" {
		t.Errorf("runs:\n%s", got)
	}
}

// A save cut off by its context's deadline, mid-run, keeps the parts it
// wrote, records the run as failed with how far it got, and leaves the
// writer usable: the deadline once made database/sql roll the transaction
// back from another goroutine, which could leave the held connection
// inside it, so that every later write failed.
func TestSaveCutOffIsRecorded(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 5, 3, 7, 0, 0, 0, time.UTC)
	for round, timeout := range []time.Duration{20, 60, 150} {
		items := plainItems(fmt.Sprint("r", round), 40*maxPartItems)
		for i := range items {
			items[i].Mentions = []Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}}
			items[i].Fingerprint = uint64(i)*0x9e3779b97f4a7c15 | 1
			items[i].Text = fmt.Sprintf("Ali Aarrass item %d of round %d", i, round)
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout*time.Millisecond)
		res, err := s.SaveRun(ctx, Run{Source: "state", StartedAt: at, FinishedAt: at, Status: StatusOK, Items: items})
		cancel()
		if err == nil {
			t.Fatalf("a save of %d items within %v ms: no error", len(items), timeout)
		}
		// The deadline may strike in any statement of a part, so only the
		// start of the message and its cause are fixed.
		row := queryRow(t, s, `SELECT status, items_new, error FROM fetch_runs WHERE id = ?`, res.RunID)
		want := fmt.Sprintf("error|%d|storing items failed after %d of %d: ", res.New, res.New, len(items))
		if !strings.HasPrefix(row, want) || !strings.HasSuffix(row, "context deadline exceeded") {
			t.Errorf("round %d: fetch_runs row %q, want %q...context deadline exceeded", round, row, want)
		}
		if got, want := queryRow(t, s, `SELECT count(*) FROM items WHERE guid LIKE ?`, fmt.Sprint("r", round, "-%")), fmt.Sprint(res.New); got != want {
			t.Errorf("round %d: %s items stored, the result says %s", round, got, want)
		}
		if res.New%maxPartItems != 0 {
			t.Errorf("round %d: %d items stored: not whole parts", round, res.New)
		}
		if err := s.SetBackoff(context.Background(), "state", at.Add(time.Hour)); err != nil {
			t.Fatalf("round %d: set backoff after a save cut off: %v", round, err)
		}
	}
	if got := queryRow(t, s, `SELECT consecutive_failures FROM sources WHERE name = 'state'`); got != "3" {
		t.Errorf("consecutive failures %s, want 3", got)
	}
}

// A run of several parts leaves the writer between them: a run queued
// while its first part is written is written before its second, and the
// big run still has one fetch_runs row with its whole outcome.
func TestBigRunIsWrittenInParts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire", at.Add(-time.Hour)) // a first success: alerts are on
	big := plainItems("big", 2*maxPartItems+10)
	for i := range big {
		big[i].Alerts = []AlertRef{{Rule: "all", Channel: "log"}}
	}

	release := make(chan struct{})
	holding := make(chan struct{})
	go s.write(ctx, func(*sql.Tx) error { close(holding); <-release; return nil })
	<-holding
	var wg sync.WaitGroup
	var bigRes RunResult
	var bigErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		bigRes, bigErr = s.SaveRun(ctx, Run{Source: "wire", StartedAt: at, FinishedAt: at, Status: StatusOK, Items: big, ETag: `"v2"`})
	}()
	waitQueued(s, 1)
	go func() {
		defer wg.Done()
		saveItems(t, s, "daily", at, plainItems("small", 1)...)
	}()
	waitQueued(s, 2)
	close(release)
	wg.Wait()
	if bigErr != nil {
		t.Fatal(bigErr)
	}
	if bigRes.New != len(big) || len(bigRes.NewItems) != len(big) || bigRes.AlertsQueued["log"] != len(big) {
		t.Errorf("big run: %d new, %d new items, %v alerts; want %d each", bigRes.New, len(bigRes.NewItems), bigRes.AlertsQueued, len(big))
	}
	if got := queryRow(t, s, `SELECT (SELECT id FROM items WHERE source = 'daily') BETWEEN min(id) AND max(id) FROM items WHERE source = 'wire'`); got != "1" {
		t.Error("the small run was not written between the big run's parts")
	}
	if got := queryRow(t, s, `SELECT status, items_seen, items_new, error FROM fetch_runs WHERE id = ?`, bigRes.RunID); got != fmt.Sprintf("ok|%d|%d|", len(big), len(big)) {
		t.Errorf("big run's row: %s", got)
	}
	if got := queryRow(t, s, `SELECT count(*) FROM fetch_runs WHERE source = 'wire'`); got != "2" {
		t.Errorf("%s runs of wire, want 2", got)
	}
	if got := queryRow(t, s, `SELECT consecutive_failures, etag FROM sources WHERE name = 'wire'`); got != `0|"v2"` {
		t.Errorf("source after the big run: %s", got)
	}
}

// Until its last part, a run's row says it was interrupted and how far it
// got: what a crash between parts leaves.
func TestRunRowBeforeTheLastPart(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 5, 7, 0, 0, 0, time.UTC)
	run := Run{Source: "wire", StartedAt: at, FinishedAt: at, Status: StatusOK, Seen: 1200, Items: plainItems("p", 500)}
	res, err := s.commitGrouped(ctx, &runPart{run: run, first: true, total: 1200})
	if err != nil {
		t.Fatal(err)
	}
	if got := queryRow(t, s, `SELECT status, items_seen, items_new, error FROM fetch_runs WHERE id = ?`, res.RunID); got != "error|1200|500|run interrupted after storing 500 of 1200 items" {
		t.Errorf("row after the first part: %s", got)
	}
	if got := queryRow(t, s, `SELECT consecutive_failures, last_run_at IS NULL FROM sources WHERE name = 'wire'`); got != "0|1" {
		t.Errorf("source before the last part: %s, want untouched", got)
	}
}

// A part that fails ends the run: the parts before it stay, the run is
// recorded as failed with how far it got, and the next run stores the rest.
func TestFailedPartKeepsEarlierParts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	items := plainItems("f", 2*maxPartItems+100)
	bad := 2*maxPartItems + 50
	items[bad] = unstorable(items[bad])
	res, err := s.SaveRun(ctx, Run{Source: "wire", StartedAt: at, FinishedAt: at, Status: StatusOK, Items: items})
	if err == nil {
		t.Fatal("no error")
	}
	if res.New != 2*maxPartItems {
		t.Errorf("%d new, want the first two parts' %d", res.New, 2*maxPartItems)
	}
	want := fmt.Sprintf("error|%d|storing items failed after %d of %d: store labels of", 2*maxPartItems, 2*maxPartItems, len(items))
	if got := queryRow(t, s, `SELECT status, items_new, error FROM fetch_runs`); !strings.HasPrefix(got, want) {
		t.Errorf("row: %s, want it to begin %s", got, want)
	}
	if got := queryRow(t, s, `SELECT count(*) FROM items`); got != fmt.Sprint(2*maxPartItems) {
		t.Errorf("%s items stored, want %d", got, 2*maxPartItems)
	}
	if got := queryRow(t, s, `SELECT consecutive_failures FROM sources WHERE name = 'wire'`); got != "1" {
		t.Errorf("failures %s, want 1", got)
	}
	items[bad] = plainItems("f", bad+1)[bad]
	res = saveItems(t, s, "wire", at.Add(time.Hour), items...)
	if res.New != 100 {
		t.Errorf("the next run stored %d new, want the last 100", res.New)
	}
}
