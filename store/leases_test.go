package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// twoWorkers opens one PostgreSQL database as two workers, a and b.
func twoWorkers(t *testing.T) (a, b *Store) {
	t.Helper()
	ctx := context.Background()
	u := dbtest.NewPostgres(t)
	var err error
	if a, err = Open(ctx, u, WithWorker("a")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if b, err = Open(ctx, u, WithWorker("b")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := a.SyncSources(ctx, []SourceDef{{Name: "wire", Type: "feed", URL: "https://wire.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func claim(t *testing.T, s *Store, slot time.Time, ttl time.Duration) bool {
	t.Helper()
	got, err := s.Claim(context.Background(), "source wire", slot, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A slot is run by one worker, once; while a worker holds a source's lease
// no other runs the source, for that slot or the next.
func TestClaimOncePerSlot(t *testing.T) {
	a, b := twoWorkers(t)
	ctx := context.Background()
	t1 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	if !claim(t, a, t1, time.Minute) {
		t.Fatal("a did not get a free slot")
	}
	if claim(t, b, t1, time.Minute) || claim(t, b, t2, time.Minute) {
		t.Fatal("b got a slot of a source a is running")
	}
	// a's run is saved with its lease: the slot is done in the same
	// transaction, and recorded in fetch_runs.
	l := Lease{Job: "source wire", Slot: t1}
	if _, err := a.SaveRun(WithLease(ctx, l), Run{Source: "wire", Status: StatusOK, FinishedAt: t1}); err != nil {
		t.Fatal(err)
	}
	if claim(t, b, t1, time.Minute) {
		t.Error("b got a slot that was done")
	}
	if !claim(t, b, t2, time.Minute) {
		t.Error("b did not get the next slot")
	}
	var worker, slot string
	if err := a.db.QueryRow(`SELECT worker, slot FROM fetch_runs`).Scan(&worker, &slot); err != nil {
		t.Fatal(err)
	}
	if worker != "a" || !parseTime(sql.NullString{String: slot, Valid: true}).Equal(t1) {
		t.Errorf("fetch_runs worker %q slot %q, want a and %v", worker, slot, t1)
	}
}

// A worker that stops extending its lease loses it: the slot is another's
// to run, and the first worker's run, when it comes, is not stored.
func TestExpiredLeaseIsTakenOver(t *testing.T) {
	a, b := twoWorkers(t)
	ctx := context.Background()
	t1 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if !claim(t, a, t1, 200*time.Millisecond) {
		t.Fatal("a did not get a free slot")
	}
	if got, err := b.ExpiredLeases(ctx); err != nil || len(got) != 0 {
		t.Fatalf("expired leases before the lease ran out: %v %v", got, err)
	}
	time.Sleep(300 * time.Millisecond)
	got, err := b.ExpiredLeases(ctx)
	if err != nil || len(got) != 1 || got[0].Job != "source wire" || !got[0].Slot.Equal(t1) || got[0].Worker != "a" {
		t.Fatalf("expired leases: %+v %v", got, err)
	}
	if !claim(t, b, t1, time.Minute) {
		t.Fatal("b could not take the expired slot over")
	}
	l := Lease{Job: "source wire", Slot: t1}
	item := Item{GUID: "g", Title: "Late", Text: "late", ContentHash: "h"}
	if _, err := a.SaveRun(WithLease(ctx, l), Run{Source: "wire", Status: StatusOK, FinishedAt: t1, Items: []Item{item}}); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("a's late save: %v, want ErrLeaseLost", err)
	}
	var items, runs int
	if err := a.db.QueryRow(`SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM fetch_runs)`).Scan(&items, &runs); err != nil {
		t.Fatal(err)
	}
	if items != 0 || runs != 0 {
		t.Errorf("after a lost lease: %d items and %d runs stored, want none", items, runs)
	}
	if _, err := b.SaveRun(WithLease(ctx, l), Run{Source: "wire", Status: StatusOK, FinishedAt: t1, Items: []Item{item}}); err != nil {
		t.Fatalf("b's save: %v", err)
	}
}

// A worker that extends its leases keeps them; one that abandons a slot
// hands it over at once.
func TestHeartbeatAndAbandon(t *testing.T) {
	a, b := twoWorkers(t)
	ctx := context.Background()
	t1 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	if !claim(t, a, t1, 300*time.Millisecond) {
		t.Fatal("a did not get a free slot")
	}
	for range 6 {
		time.Sleep(100 * time.Millisecond)
		if err := a.Heartbeat(ctx, t1, 300*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := b.ExpiredLeases(ctx); err != nil || len(got) != 0 || claim(t, b, t1, time.Minute) {
		t.Fatalf("a lease kept alive expired: %+v %v", got, err)
	}
	ws, err := b.Workers(ctx, t1)
	if err != nil || len(ws) != 1 || ws[0].Name != "a" || !ws[0].Started.Equal(t1) {
		t.Errorf("workers: %+v %v", ws, err)
	}
	if err := a.AbandonLease(ctx, Lease{Job: "source wire", Slot: t1}); err != nil {
		t.Fatal(err)
	}
	if !claim(t, b, t1, time.Minute) {
		t.Error("b could not take an abandoned slot")
	}
	if err := a.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	if ws, err := b.Workers(ctx, t1); err != nil || len(ws) != 0 {
		t.Errorf("workers after a left: %+v %v", ws, err)
	}
}

// A named lock is held by one worker at a time, and lost when its
// connection goes, as when its worker is killed.
func TestLockIsExclusiveAndLostWithItsConnection(t *testing.T) {
	a, b := twoWorkers(t)
	ctx := context.Background()
	la, err := a.TryLock(ctx, LockAlerts)
	if err != nil || la == nil {
		t.Fatalf("a's lock: %v %v", la, err)
	}
	if lb, err := b.TryLock(ctx, LockAlerts); err != nil || lb != nil {
		t.Fatalf("b took a held lock: %v %v", lb, err)
	}
	if ld, err := b.TryLock(ctx, LockDigest); err != nil || ld == nil {
		t.Fatalf("b could not take another lock: %v", err)
	} else {
		ld.Unlock()
	}
	// The server ends a's session, as when its process dies.
	if _, err := b.db.Exec(`SELECT pg_terminate_backend(l.pid) FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted AND l.pid != pg_backend_pid()
		AND l.objid = (`+lockKeySQL("?")+` & 4294967295)::oid`, lockKey(LockAlerts)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-la.Lost():
	case <-time.After(3 * lockWatchEvery):
		t.Fatal("a did not notice it lost the lock")
	}
	la.Unlock()
	lb, err := b.WaitLock(ctx, LockAlerts)
	if err != nil || lb == nil {
		t.Fatalf("b's lock after a's loss: %v", err)
	}
	lb.Unlock()
	lb.Unlock() // harmless twice
}

// On SQLite one daemon runs at a time: every claim is granted, and leases
// write nothing.
func TestSQLiteGrantsEveryClaim(t *testing.T) {
	dbtest.SQLiteOnly(t, "SQLite's leases")
	s := openTest(t)
	t1 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for range 2 {
		if got, err := s.Claim(context.Background(), "source wire", t1, time.Minute); err != nil || !got {
			t.Fatalf("claim on SQLite: %v %v", got, err)
		}
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM leases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d lease rows on SQLite, want none", n)
	}
}
