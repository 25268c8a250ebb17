// Package pipeline is newsmon's one orchestrator: it is the only code that
// knows the order of the stages, fetch → extract → classify → store, and it
// converts each stage's output into the next stage's input.
//
// A run of one source never affects another: each source's failure is
// recorded in its own fetch_runs row and returned in its Summary, and the
// other sources go on. Scheduling (when to run) belongs to the daemon package.
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/fetch"
	"github.com/newsmon/newsmon/store"
)

// Pipeline runs sources through the stages. It is safe for concurrent use.
type Pipeline struct {
	cfg        config.Config
	store      *store.Store
	client     *fetch.Client
	classifier *classify.Classifier
	alerts     []AlertRule
	log        *slog.Logger
	now        func() time.Time
}

// New builds the stages from cfg. It fails when the tracked names or the
// classifier rules do not compile.
func New(cfg config.Config, st *store.Store, log *slog.Logger) (*Pipeline, error) {
	c, err := NewClassifier(cfg)
	if err != nil {
		return nil, err
	}
	rules, err := CompileAlertRules(cfg)
	if err != nil {
		return nil, err
	}
	return &Pipeline{
		alerts:     rules,
		cfg:        cfg,
		store:      st,
		client:     NewClient(cfg),
		classifier: c,
		log:        log,
		now:        time.Now,
	}, nil
}

// NewClient builds the HTTP client cfg describes: its User-Agent, timeout
// and body limit. Every fetch newsmon makes goes through one of these.
func NewClient(cfg config.Config) *fetch.Client {
	return fetch.NewClient(fetch.Options{
		UserAgent:    cfg.Fetch.UserAgent,
		Timeout:      cfg.Fetch.Timeout.D(),
		MaxBodyBytes: int64(cfg.Fetch.MaxBodyBytes),
		Concurrency:  cfg.Fetch.Concurrency,
	})
}

// People converts the tracked list of cfg into the classifier's terms.
func People(cfg config.Config) []classify.Person {
	people := make([]classify.Person, len(cfg.Tracked))
	for i, p := range cfg.Tracked {
		people[i] = classify.Person{Name: p.Name, Aliases: p.Aliases}
	}
	return people
}

// SyncSources records cfg's sources in the database.
func (p *Pipeline) SyncSources(ctx context.Context) error {
	defs := make([]store.SourceDef, len(p.cfg.Sources))
	for i, s := range p.cfg.Sources {
		u := s.URL
		if u == "" && len(s.StartURLs) > 0 {
			u = s.StartURLs[0]
		}
		defs[i] = store.SourceDef{Name: s.Name, Type: s.Type, URL: u}
	}
	return p.store.SyncSources(ctx, defs)
}

// Summary is what one run of one source did.
type Summary struct {
	Source          string
	Seen            int
	New             int
	NewWithMentions int
	Updated         int
	NotModified     bool
	HTTPStatus      int
	Duration        time.Duration
	// Err says the run failed. Its fetch_runs row says so too; a save that
	// failed part-way keeps the items of the parts written (counted above).
	Err error
	// RetryAfter is the server's Retry-After on a 429 or 503, when it gave one.
	RetryAfter time.Duration
	// AlertsQueued counts the alerts the run queued (item and source
	// health), by channel.
	AlertsQueued map[string]int
}

// RunAll runs the given sources, fetching at most cfg.Fetch.Concurrency at
// a time, starting them in order, and returns their summaries in the same
// order.
func (p *Pipeline) RunAll(ctx context.Context, sources []config.Source) []Summary {
	out := make([]Summary, len(sources))
	fetching := make(chan struct{}, max(1, p.cfg.Fetch.Concurrency))
	storing := make(chan struct{}, storeQueue)
	var wg sync.WaitGroup
	for i, src := range sources {
		select {
		case fetching <- struct{}{}:
		case <-ctx.Done():
			out[i] = Summary{Source: src.Name, Err: ctx.Err()}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Once the run is ready to be stored, its fetching slot is
			// traded for a storing one.
			slot := fetching
			out[i] = p.runSource(ctx, src, func() {
				storing <- struct{}{}
				<-fetching
				slot = storing
			})
			<-slot
		}()
	}
	wg.Wait()
	return out
}

// storeQueue bounds the runs RunAll holds fetched, waiting for the writer.
// They give up their fetching slot, so that the next sources are fetched
// meanwhile and the writer finds more runs to store in one transaction
// (the WAL pages every run touches are written once per group). Queued
// runs hold their items in memory, so a longer queue trades peak RSS for
// fewer writes (the measurements are in docs/performance.md).
const storeQueue = 16

// RunSource fetches one source, classifies what is new and stores it, in one
// transaction with the run's fetch_runs row.
func (p *Pipeline) RunSource(ctx context.Context, src config.Source) Summary {
	return p.runSource(ctx, src, nil)
}

// runSource is RunSource, calling queued (if not nil) once the source is
// fetched and classified, before it waits to be stored.
func (p *Pipeline) runSource(ctx context.Context, src config.Source, queued func()) Summary {
	log := p.log.With("source", src.Name, "url", src.URL)
	started := p.now()
	run := store.Run{Source: src.Name, StartedAt: started}
	var err error
	switch src.Type {
	case config.SourceFeed:
		err = p.fetchFeed(ctx, src, &run, log)
	case config.SourcePage:
		err = p.crawlSource(ctx, src, &run, log)
	default:
		err = fmt.Errorf("source type %q is not supported yet", src.Type)
	}
	run.FinishedAt = p.now()
	sum := Summary{Source: src.Name, HTTPStatus: run.HTTPStatus, NotModified: run.Status == store.StatusNotModified}
	if err != nil {
		run.Status, run.Error, run.Cause, run.Items = store.StatusError, err.Error(), fetch.Cause(err), nil
		run.ETag, run.LastModified = "", ""
		sum.Err = err
		var se *fetch.StatusError
		if errors.As(err, &se) {
			sum.RetryAfter = se.RetryAfter
		}
	}
	queueAlerts(p.alerts, src.Name, run.Items, run.FinishedAt, p.cfg.Alerts.MaxAge.D())
	// SaveRun records the outcome even when ctx is cancelled (a shutdown
	// mid-run): it stops storing items and records the run as failed.
	health := HealthPolicy(p.cfg)
	run.Health = &health
	if queued != nil {
		queued()
	}
	res, serr := p.store.SaveRun(ctx, run)
	if serr != nil && !errors.Is(serr, store.ErrLeaseLost) { // the daemon says what a lost lease means
		log.Error("store run", "err", serr)
		if sum.Err == nil {
			sum.Err = serr
		}
	}
	sum.Seen, sum.New, sum.Updated, sum.NewWithMentions = res.Seen, res.New, res.Updated, res.NewWithMentions
	sum.AlertsQueued = res.AlertsQueued
	if res.HealthNotices > 0 {
		log.Warn("source health notice queued", "notices", res.HealthNotices)
		sum.AlertsQueued = addPerChannel(sum.AlertsQueued, res.HealthNotices, health.Channels)
	}
	sum.Duration = p.now().Sub(started) // storing included: on a busy database it is most of the run
	if sum.Err != nil {
		log.Warn("source failed", "cause", run.Cause, "err", sum.Err, "http_status", run.HTTPStatus)
	} else {
		log.Info("source fetched", "seen", sum.Seen, "new", sum.New, "new_with_mentions", sum.NewWithMentions,
			"updated", sum.Updated, "not_modified", sum.NotModified, "duration", sum.Duration)
	}
	return sum
}

const feedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"

func (p *Pipeline) fetchFeed(ctx context.Context, src config.Source, run *store.Run, log *slog.Logger) error {
	etag, lastMod, err := p.store.Validators(ctx, src.Name)
	if err != nil {
		return err
	}
	resp, err := p.client.Get(ctx, fetch.Request{
		URL: src.URL, ETag: etag, LastModified: lastMod, Accept: feedAccept,
		AllowPrivate: src.AllowPrivate || p.cfg.Fetch.AllowPrivate,
	})
	if resp != nil {
		run.HTTPStatus = resp.Status
	}
	if err != nil {
		return err
	}
	if resp.NotModified {
		run.Status = store.StatusNotModified
		return nil
	}
	feed, err := fetch.ParseFeed(resp.Body, resp.URL)
	if err != nil {
		return fmt.Errorf("%s: %w", src.URL, err)
	}
	// The items hold copies of their text: the body (up to
	// fetch.max_body_bytes) can go while they are classified and stored.
	resp.Body = nil
	items, warning, err := p.prepareItems(ctx, src, feed.Items, feed.Language)
	if err != nil {
		return err
	}
	run.Status, run.Items, run.Seen, run.Error = store.StatusOK, items, len(feed.Items), warning
	run.ETag, run.LastModified = resp.ETag, resp.LastModified
	log.Debug("feed parsed", "items", len(feed.Items))
	return nil
}

// prepareItems turns feed items into store items, classifying only the ones
// that are new or changed. warning notes items that lacked links or dates:
// they are stored all the same, but a user should know the feed is odd.
func (p *Pipeline) prepareItems(ctx context.Context, src config.Source, in []fetch.Item, language string) ([]store.Item, string, error) {
	keys := make([]store.ItemKey, len(in))
	noLink, noDate := 0, 0
	for i, it := range in {
		keys[i] = store.ItemKey{GUID: it.GUID, CanonicalURL: fetch.CanonicalURL(it.Link), ContentHash: it.Hash}
		if keys[i].CanonicalURL == "" {
			noLink++
		}
		if it.Published.IsZero() {
			noDate++
		}
	}
	unchanged, err := p.store.Unchanged(ctx, src.Name, keys)
	if err != nil {
		return nil, "", err
	}
	full := p.fullTexts(ctx, src, in, keys, p.log.With("source", src.Name))
	out := make([]store.Item, 0, len(in))
	for i, it := range in {
		if unchanged[i] {
			continue
		}
		body := it.Content
		if body == "" {
			body = it.Summary
		}
		si := store.Item{
			GUID: it.GUID, URL: it.Link, CanonicalURL: keys[i].CanonicalURL,
			Title: it.Title, Summary: it.Summary, Text: body, Author: it.Author,
			Language: language, Published: it.Published, ContentHash: it.Hash,
		}
		if a, ok := full[i]; ok {
			applyArticle(&si, a)
		}
		label(p.classifier, &si, src.StancePrior)
		out = append(out, si)
	}
	var warning string
	if noLink > 0 || noDate > 0 {
		warning = fmt.Sprintf("warning: of %d items, %d have no link and %d no date (stored all the same)", len(in), noLink, noDate)
	}
	return out, warning, nil
}

// label classifies the item with c: who it mentions, how it frames each of
// them, what it is about, and its fingerprint. Ingest and Reclassify both
// label with it, so stored labels do not depend on which of them wrote
// them. Items that name no tracked person get no stance or
// topics: most of a general news feed is about other things, and matching
// alone is several times faster than classifying. They keep their text, so
// `newsmon reclassify` labels them when a person is added.
//
// Only items that name someone get a fingerprint, and so a story: stories
// exist for the digest and alerts, which show only such items, and the
// fingerprint and story lookup were a third of the cost of storing an item.
func label(c *classify.Classifier, it *store.Item, prior string) {
	it.Fingerprint, it.StoryKeys = 0, nil
	m := c.Matcher()
	// Most items of a general news feed name no one: rule them out before
	// building the title-and-text string Match (and Classify) read.
	if !m.MayMention(it.Title) && !m.MayMention(it.Text) || len(m.Match(it.Title+"\n\n"+it.Text)) == 0 {
		it.Mentions, it.Stances, it.Topics = nil, nil, nil
		return
	}
	if fp, keys, ok := classify.Signature(it.Text); ok {
		it.Fingerprint, it.StoryKeys = fp, keys[:]
	}
	res := c.Classify(classify.Document{Title: it.Title, Text: it.Text, StancePrior: prior})
	applyResult(it, res)
}

// applyResult converts a classification into the store's labels of it.
func applyResult(it *store.Item, res classify.Result) {
	it.Mentions = AggregateMentions(res.Mentions)
	it.Stances, it.Topics = nil, nil
	for _, st := range res.Stances {
		it.Stances = append(it.Stances, store.Stance{Person: st.Person, Label: st.Label, Score: st.Score,
			Evidence: evidenceJSON(st.Evidence), RulesVersion: res.RulesVersion, Reason: st.Reason, Confidence: st.Confidence})
	}
	for _, t := range res.Topics {
		it.Topics = append(it.Topics, store.Topic{Topic: t.Topic, Score: t.Score,
			Evidence: evidenceJSON(t.Evidence), RulesVersion: res.RulesVersion})
	}
}

// storedEvidence is the JSON shape of evidence in the stances and topics
// tables; it is part of the documented SQL surface.
type storedEvidence struct {
	Phrase     string  `json:"phrase"`
	Sentence   string  `json:"sentence"`
	Offset     int     `json:"offset"`
	Weight     float64 `json:"weight"`
	Discounted string  `json:"discounted,omitempty"`
}

func evidenceJSON(ev []classify.Evidence) []byte {
	out := make([]storedEvidence, len(ev))
	for i, e := range ev {
		out[i] = storedEvidence{Phrase: e.Phrase, Sentence: e.Sentence, Offset: e.Offset, Weight: e.Weight, Discounted: e.Discounted}
	}
	b, err := json.Marshal(out)
	if err != nil { // cannot happen: plain strings and numbers
		return []byte("[]")
	}
	return b
}

// AggregateMentions counts mentions per (person, spelling), keeping the
// first offset, in order of first appearance.
func AggregateMentions(ms []classify.Mention) []store.Mention {
	type key struct{ person, spelling string }
	idx := map[key]int{}
	var out []store.Mention
	for _, m := range ms {
		k := key{m.Person, m.Spelling}
		if i, ok := idx[k]; ok {
			out[i].Count++
			continue
		}
		idx[k] = len(out)
		out = append(out, store.Mention{Person: m.Person, Spelling: m.Spelling, Count: 1, FirstOffset: m.Start})
	}
	return out
}
