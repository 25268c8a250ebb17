package daemon

import (
	"context"
	"log/slog"
	"time"

	"github.com/newsmon/newsmon/store"
)

// indexer keeps the full-text index up to date. Runs store items without
// indexing them (store.IndexPending says why); a run that stored something
// wakes the indexer, which adds whatever is pending in large batches. Wakes
// during a pass coalesce into one more pass.
type indexer struct {
	store *store.Store
	log   *slog.Logger
	wake  chan struct{}
}

func newIndexer(st *store.Store, log *slog.Logger) *indexer {
	return &indexer{store: st, log: log, wake: make(chan struct{}, 1)}
}

// poke asks for a pass without waiting for it.
func (x *indexer) poke() {
	select {
	case x.wake <- struct{}{}:
	default:
	}
}

// run makes a pass at each poke until ctx is cancelled. A cancelled pass
// keeps the batches it committed; the next start picks up the rest.
func (x *indexer) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-x.wake:
		}
		start := time.Now()
		n, err := x.store.IndexPending(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			x.log.Error("search index not brought up to date", "indexed", n, "err", err)
		case n > 0:
			x.log.Debug("search index brought up to date", "indexed", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
}
