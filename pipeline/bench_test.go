package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/fetch"
	"github.com/newsmon/newsmon/internal/dbtest"
	"github.com/newsmon/newsmon/store"
)

var benchWords = strings.Fields(`the government said on Monday that talks with the opposition would resume
after a week of protests in the capital where police arrested dozens of people according to a statement
from the interior ministry officials declined to comment on reports that the prime minister had met union
leaders while analysts warned that inflation and unemployment remained the main worries of voters ahead
of next year's parliamentary elections the court adjourned the hearing until further notice and lawyers
for the defence called the charges politically motivated as human rights groups urged restraint`)

// benchFeed builds an RSS feed of n items with 2–5 KB descriptions, about
// 2% of which name a tracked person, as a general news feed would.
func benchFeed(n int, prefix string) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>General news</title>`)
	for i := range n {
		var d strings.Builder
		size := 2048 + r.IntN(3072)
		for d.Len() < size {
			d.WriteString(benchWords[r.IntN(len(benchWords))])
			d.WriteByte(' ')
			if r.IntN(15) == 0 {
				d.WriteString(". ")
			}
		}
		if i%50 == 0 {
			d.WriteString(" Supporters of Ali Aarass said he was tortured and called for his release. ")
		}
		fmt.Fprintf(&b, `<item><title>Story %d of the day</title><link>https://news.example.org/%s/%d?utm_source=rss</link>`+
			`<guid>%s-%d</guid><pubDate>Tue, 04 May 2021 09:00:00 +0000</pubDate><description>%s</description></item>`,
			i, prefix, i, prefix, i, d.String())
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// BenchmarkIngest measures parse + match (+ classify for the items that
// mention someone) + store of a 500-item feed, with no network.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Tracked = []config.Person{{Name: "Ali Aarrass"}, {Name: "Mohamed Hajib"}}
	cfg.Sources = []config.Source{{Name: "bench", Type: "feed", URL: "https://news.example.org/feed", FullText: new(false)}}
	p := newPipeline(b, cfg, dbtest.New(b))
	const perFeed = 500
	template := benchFeed(perFeed, "PREFIX")
	b.SetBytes(int64(len(template)))
	b.ResetTimer()
	items := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		body := bytes.ReplaceAll(template, []byte("PREFIX"), []byte(fmt.Sprintf("run%d", i)))
		b.StartTimer()
		feed, err := fetch.ParseFeed(body, "https://news.example.org/feed")
		if err != nil {
			b.Fatal(err)
		}
		prepared, _, err := p.prepareItems(ctx, cfg.Sources[0], feed.Items, "")
		if err != nil {
			b.Fatal(err)
		}
		res, err := p.store.SaveRun(ctx, store.Run{Source: "bench", Status: store.StatusOK, Items: prepared})
		if err != nil {
			b.Fatal(err)
		}
		if res.New != perFeed || res.NewWithMentions != perFeed/50 {
			b.Fatalf("new %d with mentions %d", res.New, res.NewWithMentions)
		}
		items += res.New
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkParseFeed measures fetch.ParseFeed alone on BenchmarkIngest's
// feed: gofeed's parse is the floor under the ingest rate.
func BenchmarkParseFeed(b *testing.B) {
	const perFeed = 500
	body := benchFeed(perFeed, "p")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := fetch.ParseFeed(body, "https://news.example.org/feed"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*perFeed)/b.Elapsed().Seconds(), "items/s")
}
