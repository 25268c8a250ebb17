package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rssWith is an RSS 2.0 document whose one item ends with extra.
func rssWith(extra string) string {
	return `<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x"><channel><title>T</title>` +
		`<item><title>Court hears appeal</title><link>https://news.example.org/1</link>` + extra + `</item></channel></rss>`
}

// nested is n elements, each inside the one before.
func nested(n int) string { return strings.Repeat("<a>", n) + "deep" + strings.Repeat("</a>", n) }

func TestParseFeedShapeBounds(t *testing.T) {
	rdf := func(items string) string {
		return `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>T</title></channel>` + items + `</rdf:RDF>`
	}
	jsonFeed := func(items string) string {
		return `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":[` + items + `{"id":"last"}]}`
	}
	tests := []struct {
		name    string
		doc     string
		refused bool
		items   int // when not refused
	}{
		// The item's child is 4 deep (rss, channel, item, a).
		{"nested to the limit", rssWith(nested(maxXMLDepth - 3)), false, 1},
		{"nested one past the limit", rssWith(nested(maxXMLDepth - 2)), true, 0},
		{"unclosed elements", `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>` + strings.Repeat("<a>", 100_000), true, 0},
		{"unclosed elements in Atom", `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry>` + strings.Repeat("<a>", 100_000), true, 0},
		{"unclosed elements in a description", rssWith("<description>" + strings.Repeat("<b>", 100_000)), true, 0},
		{"empty items", rssWith("</item>" + strings.Repeat("<item/>", 100_000) + "<item>"), true, 0},
		{"empty RDF items", rdf(strings.Repeat("<item/>", 100_000)), true, 0},
		{"empty extension elements", rssWith(strings.Repeat("<x:a/>", 100_000)), true, 0},
		{"empty categories", rssWith(strings.Repeat("<category/>", 100_000)), true, 0},
		{"empty JSON items", jsonFeed(strings.Repeat("{},", 100_000)), true, 0},
		{"empty JSON tags", jsonFeed(`{"id":"1","tags":[` + strings.Repeat(`"",`, 100_000) + `""]},`), true, 0},
		// Dense, but no denser than real feeds get.
		{"many short items", rssWith("</item>" + strings.Repeat("<item><title>Court hears an appeal</title></item>", 20_000) + "<item>"), false, 20_002},
		{"many short RDF items", rdf(strings.Repeat(`<item><title>Court hears an appeal</title></item>`, 20_000)), false, 20_000},
		{"many short JSON items", jsonFeed(strings.Repeat(`{"id":"https://news.example.org/1","title":"Court hears an appeal"},`, 20_000)), false, 20_001},
		// Markup inside CDATA is text, one token, however dense.
		{"CDATA full of markup", rssWith("<description><![CDATA[" + strings.Repeat("<b></b>", 100_000) + "<p>Kept.</p>]]></description>"), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFeed([]byte(tt.doc), "https://news.example.org/feed")
			if tt.refused {
				if !errors.Is(err, ErrFeedShape) {
					t.Fatalf("err = %v, want ErrFeedShape", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != tt.items {
				t.Errorf("%d items, want %d", len(f.Items), tt.items)
			}
			// Whichever path read it, gofeed's agrees.
			sameAsGofeed(t, []byte(tt.doc), "https://news.example.org/feed")
		})
	}
}

// The fast path declines what is beyond the bounds, so that ParseFeed's
// answer does not depend on which path ran.
func TestFastPathDeclinesBeyondShapeBounds(t *testing.T) {
	for name, doc := range map[string]string{
		"deep":  rssWith(nested(maxXMLDepth)),
		"dense": rssWith("</item>" + strings.Repeat("<item/>", 100_000) + "<item>"),
	} {
		if _, ok := parseCommon([]byte(doc), "https://news.example.org/feed"); ok {
			t.Errorf("%s: the fast path accepted a document beyond the shape bounds", name)
		}
	}
	if _, ok := parseCommon([]byte(rssWith(nested(10))), "https://news.example.org/feed"); !ok {
		t.Error("the fast path declined an ordinary nested element")
	}
}

// A nesting bomb of 3.4 million unclosed elements is 10 MB of XML and
// about 10 KB gzipped. Fetched and parsed, it must cost memory near its
// size: parsing alone used to allocate 1.1 GB, and hold 0.4 GB at once.
// Every byte the fetch and the parse allocate counts (TotalAlloc), so the
// bound holds whatever the collector does.
func TestNestingBombMemory(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>x</title>`))
	zw.Write(bytes.Repeat([]byte("<a>"), 3_400_000))
	zw.Close()
	if gz.Len() > 16<<10 {
		t.Fatalf("the bomb is %d bytes gzipped, want about 10 KB", gz.Len())
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	}))
	defer srv.Close()
	c := NewClient(Options{UserAgent: "t", Timeout: 30 * time.Second, MaxBodyBytes: 16 << 20})

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := c.Get(context.Background(), Request{URL: srv.URL, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseFeed(resp.Body, resp.URL)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrFeedShape) {
		t.Errorf("err = %v, want ErrFeedShape", err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes gzipped, %d inflated: %.1f MB allocated", gz.Len(), len(resp.Body), float64(allocated)/(1<<20))
	if allocated > 100<<20 {
		t.Errorf("fetching and parsing the bomb allocated %d MB, want under 100 MB", allocated>>20)
	}
}

// checkQuickShape fails when quickXMLShape counts body and its verdict is
// not exactXMLShape's. It reports whether the quick count ran.
func checkQuickShape(t testing.TB, body []byte) bool {
	t.Helper()
	body = dropControls(body)
	budget := nodeBudget(len(body))
	counted, quick := quickXMLShape(body, budget)
	if !counted {
		return false
	}
	if exact := exactXMLShape(body, budget); (quick == nil) != (exact == nil) {
		t.Fatalf("quick shape check: %v, encoding/xml's count: %v; document:\n%s", quick, exact, clip(body))
	}
	return true
}

func TestQuickShapeAgreesWithDecoder(t *testing.T) {
	deep := strings.Repeat("<a>", maxXMLDepth) + strings.Repeat("</a>", maxXMLDepth)
	for _, tt := range []struct {
		name, doc string
		quick     bool // the quick count reads it
	}{
		{"nested to the limit", rssWith(nested(maxXMLDepth - 3)), true},
		{"nested past the limit", rssWith(nested(maxXMLDepth)), true},
		{"empty element past the limit", `<r>` + strings.Repeat("<a>", maxXMLDepth-1) + `<b/>`, true},
		{"empty element at the limit", `<r>` + strings.Repeat("<a>", maxXMLDepth-2) + `<b/>`, true},
		{"unclosed", `<rss>` + strings.Repeat("<a>", 1000), true},
		{"dense", rssWith(strings.Repeat("<x:a/>", 100_000)), true},
		{"markup in CDATA, comments and instructions", rssWith(`<description><![CDATA[` + deep + `]]></description><!--` + deep + `--><?pi ` + deep + `?>`), true},
		{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">` + rssWith(nested(maxXMLDepth))[21:], true},
		{"DOCTYPE with '>' quoted", `<!DOCTYPE rss SYSTEM "a>b">` + rssWith(nested(maxXMLDepth))[21:], true},
		{"DOCTYPE with declarations", `<!DOCTYPE rss [<!ENTITY e "` + deep + `">]>` + rssWith(nested(maxXMLDepth))[21:], false},
		{"another encoding", `<?xml version="1.0" encoding="ISO-8859-1"?>` + rssWith(nested(maxXMLDepth))[21:], false},
		{"an unquoted attribute", `<rss version=2.0>` + strings.Repeat("<a>", maxXMLDepth+1), false},
		{"a mismatched end tag", `<rss><a><b></a>` + strings.Repeat("<a>", maxXMLDepth), true},
	} {
		if got := checkQuickShape(t, []byte(tt.doc)); got != tt.quick {
			t.Errorf("%s: quick count ran %v, want %v", tt.name, got, tt.quick)
		}
	}
}
