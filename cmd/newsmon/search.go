package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

func runSearch(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("search", "search QUERY [--person P] [--stance S] [--topic T] [--since 7d|DATE] [--source NAME] [--rank] [--json]\n\n"+
		"Full-text search over titles and texts, newest first. QUERY is FTS5 syntax:\n"+
		"words, \"phrases\", AND/OR/NOT, NEAR(a b, 10), prefix*, title:word; quote it\n"+
		"when it has more than one word. A filter that names nothing known (a person,\n"+
		"stance, topic or source) is an error, not an empty result. Items stored since\n"+
		"the search index was last brought up to date are indexed first.")
	var q store.SearchQuery
	person := fs.String("person", "", "only items naming this person (any name or alias; with --stance: framing them so)")
	stance := fs.String("stance", "", "only items with this stance: supportive, critical, neutral, unclear")
	topic := fs.String("topic", "", "only items about this topic")
	source := fs.String("source", "", "only items from this source")
	since := fs.since("", "only items published since")
	fs.BoolVar(&q.ByRank, "rank", false, "order by relevance instead of newest first")
	fs.IntVar(&q.Limit, "limit", 50, "at most this many results")
	asJSON := fs.Bool("json", false, "print JSON Lines (see docs/commands.md)")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return fs.usageError("want exactly one QUERY, got %d arguments (quote a query of several words: \"ali aarrass\")", len(pos))
	}
	q.Match = pos[0]
	cfg, st, code := e.openStore(ctx, "search", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	q.Since = since.at(time.Now(), cfg.Location)
	f := &filters{cfg: cfg, st: st}
	got, err := f.resolve(ctx, filterValues{person: *person, stance: *stance, topic: *topic, source: *source})
	if err != nil {
		return e.filterFailed("search", err)
	}
	q.Person, q.Stance, q.Topic, q.Source = got.person, got.stance, got.topic, got.source
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
	if *asJSON {
		lines := make([]any, len(hits))
		for i, h := range hits {
			lines[i] = searchHitJSON{ItemID: h.ItemID, StoryID: h.StoryID, Source: h.Source, Title: h.Title,
				URL: h.URL, Date: jsonTime(h.Date), Snippet: h.Snippet, Rank: h.Rank}
		}
		return writeJSONLines(e, lines)
	}
	for _, h := range hits {
		fmt.Fprintf(e.stdout, "%s  %-12s %s\n    %s\n    %s\n\n", h.Date.In(cfg.Location).Format("2006-01-02"), h.Source,
			oneLineCut(h.Title, 200), oneLineCut(h.Snippet, 400), h.URL)
	}
	fmt.Fprintln(e.stdout, plural(len(hits), "result", "results"))
	return exitOK
}

// filterFailed prints why a filter could not be used; a value that names
// nothing is a usage error.
func (e *env) filterFailed(cmd string, err error) int {
	fmt.Fprintf(e.stderr, "newsmon %s: %v\n", cmd, err)
	var fe *filterError
	var ps config.Problems
	if errors.As(err, &fe) || errors.As(err, &ps) {
		return exitUsage
	}
	return exitFailure
}

// openStore loads the config and opens its database; on failure it prints
// why and returns a nil store and the exit status.
func (e *env) openStore(ctx context.Context, cmd, cfgPath string) (config.Config, *store.Store, int) {
	cfg, ok := e.loadConfig(cfgPath)
	if !ok {
		return cfg, nil, exitUsage
	}
	st, ok := e.openExisting(ctx, cmd, cfg)
	if !ok {
		return cfg, nil, exitFailure
	}
	return cfg, st, exitOK
}
