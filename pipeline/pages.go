package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"sync"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/fetch"
	"github.com/newsmon/newsmon/store"
)

// pageConcurrency bounds the linked pages one feed run fetches at once.
const pageConcurrency = 4

const pageAccept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

// fullTexts fetches the linked page of every new item of a full_text feed
// (once: a page fetched before is not fetched again), extracts it and
// records each page's outcome. It returns the articles by item index; an
// item whose page failed is absent and keeps its feed text.
func (p *Pipeline) fullTexts(ctx context.Context, src config.Source, in []fetch.Item, keys []store.ItemKey, log *slog.Logger) map[int]extract.Article {
	out := map[int]extract.Article{}
	if src.Type != config.SourceFeed || !src.WantsFullText() || len(in) == 0 {
		return out
	}
	need, err := p.store.NeedPages(ctx, src.Name, keys)
	if err != nil {
		log.Warn("full text skipped", "err", err)
		return out
	}
	var (
		mu      sync.Mutex
		records []store.PageFetch
		wg      sync.WaitGroup
		sem     = make(chan struct{}, pageConcurrency)
		claimed = map[string]bool{} // one fetch per URL even if two items share it
	)
	for i := range in {
		if !need[i] || claimed[keys[i].CanonicalURL] {
			continue
		}
		claimed[keys[i].CanonicalURL] = true
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a, rec := p.fetchArticle(ctx, src, in[i].Link, keys[i].CanonicalURL)
			if rec.Status != store.PageOK {
				log.Info("page fetch failed; keeping the feed text", "url", in[i].Link, "err", rec.Error)
			}
			mu.Lock()
			defer mu.Unlock()
			records = append(records, rec)
			if rec.Status == store.PageOK {
				out[i] = a
			}
		}()
	}
	wg.Wait()
	if err := p.store.RecordPages(context.WithoutCancel(ctx), records); err != nil {
		log.Warn("record page fetches", "err", err)
	}
	return out
}

// fetchArticle fetches and extracts one linked page with the shared client.
func (p *Pipeline) fetchArticle(ctx context.Context, src config.Source, link, canonical string) (extract.Article, store.PageFetch) {
	rec := store.PageFetch{URL: canonical, Source: src.Name, Kind: store.PageFeedItem, Status: store.PageOK}
	resp, err := p.client.Get(ctx, fetch.Request{URL: link, Accept: pageAccept, AllowPrivate: src.AllowPrivate || p.cfg.Fetch.AllowPrivate})
	rec.FetchedAt = p.now()
	if resp != nil {
		rec.HTTPStatus, rec.ContentType, rec.Bytes = resp.Status, resp.ContentType, len(resp.Body)
	}
	if err != nil {
		rec.Status, rec.Error = store.PageError, err.Error()
		return extract.Article{}, rec
	}
	a, err := extractPage(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		rec.Status, rec.Error = store.PageError, err.Error()
	}
	return a, rec
}

// extractPage extracts a fetched page; an unparsable pageURL only means
// relative links stay unresolved.
func extractPage(body []byte, contentType, pageURL string) (extract.Article, error) {
	u, _ := url.Parse(pageURL) // nil on error
	return extract.FromHTML(body, contentType, u)
}

// applyArticle puts what the page says into a feed item: its text when
// longer than the feed's, and the metadata the feed lacks.
func applyArticle(it *store.Item, a extract.Article) {
	if len(a.Text) > len(it.Text) {
		it.Text = a.Text
	}
	if it.Title == "" {
		it.Title = a.Title
	}
	if it.Author == "" {
		it.Author = a.Author
	}
	if it.Language == "" {
		it.Language = a.Language
	}
	if it.Published.IsZero() {
		it.Published = a.Published
	}
}

// crawlSource crawls a type: page source. Listing pages are followed and
// recorded; article pages are extracted, and those naming a tracked person
// become items. Every page's outcome is recorded in page_fetches.
func (p *Pipeline) crawlSource(ctx context.Context, src config.Source, run *store.Run, log *slog.Logger) error {
	opts, err := crawlOptions(src, p.cfg.Fetch.AllowPrivate)
	if err != nil {
		return err
	}
	done, err := p.store.DoneArticles(ctx, src.Name)
	if err != nil {
		return err
	}
	opts.Skip = func(u string) bool { return done[u] }

	var (
		records           []store.PageFetch
		startStatus       int
		startOK, articles int
		failed            int
		firstErr          error
		startURLs         = map[string]bool{}
	)
	for _, u := range opts.StartURLs {
		startURLs[fetch.CanonicalURL(u)] = true
	}
	stats, err := p.client.Crawl(ctx, opts, func(pg fetch.Page) {
		rec := store.PageFetch{URL: pg.URL, Source: src.Name, Kind: store.PageListing, Status: store.PageOK,
			HTTPStatus: pg.Status, ContentType: pg.ContentType, Bytes: len(pg.Body), FetchedAt: p.now()}
		if pg.Article {
			rec.Kind = store.PageArticle
		}
		if startURLs[pg.URL] && startStatus == 0 {
			startStatus = pg.Status
		}
		switch {
		case errors.Is(pg.Err, fetch.ErrRobotsDisallowed):
			rec.Status, rec.Error = store.PageBlocked, pg.Err.Error()
		case pg.Err != nil:
			rec.Status, rec.Error = store.PageError, pg.Err.Error()
		case pg.Article:
			articles++
			a, err := extractPage(pg.Body, pg.ContentType, pg.FinalURL)
			if err != nil {
				rec.Status, rec.Error = store.PageError, err.Error()
				break
			}
			it := store.Item{GUID: pg.URL, URL: pg.FinalURL, CanonicalURL: pg.URL, Title: a.Title, Text: a.Text,
				Author: a.Author, Language: a.Language, Published: a.Published, ContentHash: hashText(a.Title, a.Text)}
			label(p.classifier, &it, src.StancePrior)
			if len(it.Mentions) > 0 {
				run.Items = append(run.Items, it)
			}
		}
		if rec.Status != store.PageOK {
			failed++
			if firstErr == nil {
				firstErr = pg.Err
			}
			log.Info("page failed", "url", pg.URL, "err", rec.Error)
		} else if startURLs[pg.URL] {
			startOK++
		}
		records = append(records, rec)
	})
	if rerr := p.store.RecordPages(context.WithoutCancel(ctx), records); rerr != nil {
		log.Warn("record page fetches", "err", rerr)
	}
	if err != nil {
		return err
	}
	run.HTTPStatus = startStatus
	if startOK == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if firstErr != nil {
			return fmt.Errorf("crawl %s: no start page could be fetched: %w", src.Name, firstErr)
		}
		return fmt.Errorf("crawl %s: no start page could be fetched", src.Name)
	}
	run.Status, run.Seen = store.StatusOK, articles
	if failed > 0 {
		run.Error = fmt.Sprintf("warning: %d of %d pages failed (see the page_failures view)", failed, len(records))
	}
	log.Debug("crawl done", "requests", stats.Requests, "articles", articles, "skipped", stats.Skipped,
		"limited", stats.Limited, "failed", failed)
	return nil
}

// crawlOptions converts a page source's settings into fetch's terms.
func crawlOptions(src config.Source, allowPrivate bool) (fetch.CrawlOptions, error) {
	opts := fetch.CrawlOptions{
		StartURLs: src.StartURLs, AllowedDomains: src.AllowedDomains,
		MaxDepth: src.MaxDepth, MaxPages: src.MaxPages, Parallelism: src.Parallelism,
		Delay: src.Delay.D(), RandomDelay: src.RandomDelay.D(),
		IgnoreRobots: !src.ObeysRobots(), AllowPrivate: src.AllowPrivate || allowPrivate,
	}
	if len(opts.StartURLs) == 0 && src.URL != "" {
		opts.StartURLs = []string{src.URL}
	}
	for _, list := range []struct {
		res []string
		dst *[]*regexp.Regexp
	}{{src.Follow, &opts.Follow}, {src.Articles, &opts.Articles}} {
		for _, s := range list.res {
			re, err := regexp.Compile(s)
			if err != nil {
				return opts, fmt.Errorf("source %s: pattern %q: %w", src.Name, s, err)
			}
			*list.dst = append(*list.dst, re)
		}
	}
	return opts, nil
}

// hashText is the content hash of a crawled page's article. It is not
// fetch's hash of a feed item (which covers the summary too, and ends each
// part with a NUL): pages and feed items are never compared with each
// other, and changing either formula would make every stored item of its
// kind look changed, and get a revision, on its next fetch.
func hashText(title, text string) string {
	h := sha256.Sum256([]byte(title + "\x00" + text))
	return hex.EncodeToString(h[:16])
}
