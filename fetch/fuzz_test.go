package fetch

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzParseFeed feeds arbitrary bytes to ParseFeed: it must never panic, and
// whatever it returns must be valid UTF-8, since items go straight into
// SQLite, JSON webhooks and HTML digests. Whenever the fast path accepts a
// document, gofeed must accept it too and give the same Feed; whenever the
// quick shape check counts a document, encoding/xml's count agrees.
func FuzzParseFeed(f *testing.F) {
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`<rss version="2.0"><channel><item><title>a` + "\xff\xfe" + `</title><link>/x</link></item></channel></rss>`,
		`<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>`,
		`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":5,"title":["x"],"url":{}}]}`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">&lt;b&gt;x&lt;/b&gt;</title></entry></feed>`,
	} {
		f.Add([]byte(s))
	}
	for _, c := range fastPathCases {
		f.Add([]byte(c.doc))
	}
	f.Add(e2eFeed(3, 2))
	f.Add(e2eFeed(4, 2))
	r := rand.New(rand.NewPCG(1, 1))
	for range 20 {
		f.Add([]byte(randomDoc(r)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsGofeed(t, data, "https://example.org/feed")
		checkQuickShape(t, data)
		feed, err := ParseFeed(data, "https://example.org/feed")
		if err != nil {
			return
		}
		check := func(field, s string) {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", field, s)
			}
		}
		check("feed title", feed.Title)
		check("feed language", feed.Language)
		for _, it := range feed.Items {
			check("guid", it.GUID)
			check("link", it.Link)
			check("title", it.Title)
			check("summary", it.Summary)
			check("content", it.Content)
			check("author", it.Author)
			if it.GUID == "" {
				t.Errorf("item without a GUID: %+v", it)
			}
		}
	})
}
