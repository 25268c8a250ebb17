package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// Named locks: work that one process at a time may do among all those
// sharing a database, such as sending alerts (the outbox) or a digest. On
// PostgreSQL a lock is a session advisory lock, held on a connection of its
// own: the server drops it when the connection ends, so a worker killed
// with kill -9 loses it as soon as the kernel closes its socket. On SQLite
// one daemon runs at a time (its lock file), and a lock only keeps two
// goroutines of this process apart.

// Names of the locks newsmon takes.
const (
	LockAlerts = "alerts" // the outbox's sender
	LockDigest = "digest" // sending a digest, or one left interrupted
)

// Lock is a named lock held by this process.
type Lock struct {
	release func()
	lost    chan struct{}
	once    sync.Once
}

// Lost is closed when the lock is no longer held although Unlock was not
// called: its connection to PostgreSQL broke. Work done under the lock must
// stop; another worker may take the lock at once.
func (l *Lock) Lost() <-chan struct{} { return l.lost }

// Unlock releases the lock; it is harmless twice.
func (l *Lock) Unlock() { l.once.Do(l.release) }

// lockWatchEvery is how often a held PostgreSQL lock's connection is
// checked, so that a broken one is noticed.
const lockWatchEvery = 2 * time.Second

// TryLock takes the lock name if no process sharing the database holds it,
// and returns nil, without error, if one does.
func (s *Store) TryLock(ctx context.Context, name string) (*Lock, error) {
	if s.dialect == sqliteDialect {
		return s.locks.try(name), nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+lockKeySQL("?")+`)`, lockKey(name)).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if !got {
		conn.Close()
		return nil, nil
	}
	l := &Lock{lost: make(chan struct{})}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(lockWatchEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			pctx, cancel := context.WithTimeout(context.Background(), lockWatchEvery)
			err := conn.PingContext(pctx)
			cancel()
			if err != nil {
				close(l.lost)
				return
			}
		}
	}()
	l.release = func() {
		close(stop)
		<-done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+lockKeySQL("?")+`)`, lockKey(name))
		if err != nil {
			// The session may still hold the lock: it must not go back to
			// the pool, where another query would keep it alive.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	return l, nil
}

// WaitLock takes the lock name, waiting (until ctx is done) while another
// process holds it.
func (s *Store) WaitLock(ctx context.Context, name string) (*Lock, error) {
	for {
		l, err := s.TryLock(ctx, name)
		if err != nil || l != nil {
			return l, err
		}
		select {
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		}
	}
}

// lockKey is what a lock's name is hashed from: newsmon's name space in the
// database's advisory locks, which other programs share. The key is the
// same for every worker of one newsmon database; two newsmon databases in
// two schemas of one PostgreSQL database (search_path in the URL) have
// their own, as their tables are their own: the schema is part of the
// name, filled in by the server (see lockKeySQL).
func lockKey(name string) string { return "newsmon lock " + name }

// lockKeySQL is the advisory lock key of the lock named by parameter param.
func lockKeySQL(param string) string {
	return "hashtextextended(" + param + " || ' in ' || current_schema(), 0)"
}

// localLocks are the locks of a SQLite database: one process at a time
// opens it for the daemon's work.
type localLocks struct {
	mu   sync.Mutex
	held map[string]bool
}

func (ll *localLocks) try(name string) *Lock {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	if ll.held[name] {
		return nil
	}
	ll.held[name] = true
	return &Lock{lost: make(chan struct{}), release: func() {
		ll.mu.Lock()
		delete(ll.held, name)
		ll.mu.Unlock()
	}}
}
