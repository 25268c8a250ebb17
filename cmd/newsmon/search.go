package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/newsmon/newsmon/store"
)

func runSearch(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("search", "search QUERY [--person P] [--stance S] [--topic T] [--since DATE] [--source NAME] [--rank] [--json]\n\n"+
		"Full-text search over titles and texts, newest first. QUERY is FTS5 syntax:\n"+
		"words, \"phrases\", AND/OR/NOT, NEAR(a b, 10), prefix*, title:word.\n"+
		"Items stored since the search index was last brought up to date are indexed first.")
	var q store.SearchQuery
	fs.StringVar(&q.Person, "person", "", "only items naming this person (with --stance: framing them so)")
	fs.StringVar(&q.Stance, "stance", "", "only items with this stance: supportive, critical, neutral, unclear")
	fs.StringVar(&q.Topic, "topic", "", "only items about this topic")
	fs.StringVar(&q.Source, "source", "", "only items from this source")
	since := fs.String("since", "", "only items published on or after this date (YYYY-MM-DD)")
	fs.BoolVar(&q.ByRank, "rank", false, "order by relevance instead of newest first")
	fs.IntVar(&q.Limit, "limit", 50, "at most this many results")
	asJSON := fs.Bool("json", false, "print JSON Lines")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(e.stderr, "newsmon search: want exactly one QUERY (quote it)")
		return exitUsage
	}
	q.Match = fs.Arg(0)
	var ok bool
	if q.Since, ok = parseDateFlag(e, "search", *since); !ok {
		return exitUsage
	}
	st, code := e.openStore(ctx, "search", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	// Ingest leaves indexing to the daemon; without one, or while it is
	// behind, the items stored since are indexed here, before the query.
	if _, err := st.IndexPending(ctx); err != nil {
		fmt.Fprintln(e.stderr, "newsmon search:", err)
		return exitFailure
	}
	hits, err := st.Search(ctx, q)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon search:", err)
		if errors.Is(err, store.ErrBadQuery) {
			return exitUsage
		}
		return exitFailure
	}
	enc := json.NewEncoder(e.stdout)
	for _, h := range hits {
		if *asJSON {
			enc.Encode(h)
			continue
		}
		fmt.Fprintf(e.stdout, "%s  %-12s %s\n    %s\n    %s\n\n", h.Date.Format("2006-01-02"), h.Source, h.Title, h.Snippet, h.URL)
	}
	if !*asJSON {
		fmt.Fprintf(e.stdout, "%d results\n", len(hits))
	}
	return exitOK
}

// parseDateFlag reads a YYYY-MM-DD (or RFC 3339) flag; "" is the zero time.
func parseDateFlag(e *env, cmd, v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	fmt.Fprintf(e.stderr, "newsmon %s: --since %q: want a date like 2026-01-31\n", cmd, v)
	return time.Time{}, false
}

// openStore loads the config and opens its database; on failure it prints
// why and returns a nil store and the exit status.
func (e *env) openStore(ctx context.Context, cmd, cfgPath string) (*store.Store, int) {
	cfg, ok := e.loadConfig(cfgPath)
	if !ok {
		return nil, exitUsage
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsmon %s: %v\n", cmd, err)
		return nil, exitFailure
	}
	return st, exitOK
}
