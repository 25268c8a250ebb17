package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCanonicalURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"HTTPS://Rights.Example.org/a?utm_source=x&id=3&fbclid=y#top", "https://rights.example.org/a?id=3"},
		{"http://example.org:80", "http://example.org/"},
		{"https://example.org:8443/x?gclid=1", "https://example.org:8443/x"},
		{"https://user:pw@example.org/x?b=2&a=1", "https://example.org/x?b=2&a=1"},
		{"mailto:someone@example.org", ""},
		{"/relative/path", ""},
		{"", ""},
	} {
		if got := CanonicalURL(tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTextOf(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain   text\n", "plain text"},
		{"<p>One &amp; two</p><p>Three<br>four</p>", "One & two\n\nThree\nfour"},
		{`<div>Keep<script>var x = "<p>drop</p>";</script> this</div><style>p{}</style>`, "Keep this"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"<b>Ali</b> <i>Aarrass</i>", "Ali Aarrass"},
		{" a\u00a0 b \n\n\n\n c\t\n", "a b\n\nc"},
		{"already clean\n\nparagraphs", "already clean\n\nparagraphs"},
	} {
		if got := TextOf(tt.in); got != tt.want {
			t.Errorf("TextOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseFeed(t *testing.T) {
	tests := []struct {
		file      string
		items     int
		first     Item
		wantError string
	}{
		{file: "testdata/rss2.xml", items: 2, first: Item{GUID: "g1", Link: "https://news.example.org/a1", Title: "First & best",
			Summary: "Teaser text.", Author: "A. Writer", Published: time.Date(2021, 5, 4, 9, 0, 0, 0, time.UTC)}},
		{file: "testdata/atom.xml", items: 1, first: Item{GUID: "urn:x:1", Link: "https://news.example.org/rel/1", Title: "Atom entry",
			Summary: "Short.", Content: "Long body.", Published: time.Date(2021, 5, 6, 9, 0, 0, 0, time.UTC)}},
		{file: "testdata/feed.json", items: 1, first: Item{GUID: "j1", Link: "https://news.example.org/j1", Title: "JSON item",
			Summary: "Hello world"}},
		{file: "testdata/not-a-feed.html", wantError: "failed to detect feed type"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ParseFeed(body, "https://news.example.org/feed")
			if tt.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("err = %v, want %q", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != tt.items {
				t.Fatalf("%d items, want %d", len(f.Items), tt.items)
			}
			got := f.Items[0]
			got.Hash = ""
			if got != tt.first {
				t.Errorf("first item\n got %+v\nwant %+v", got, tt.first)
			}
		})
	}
}

func TestParseFeedIdentityWithoutGUIDOrLink(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>t</title><item><title>Only a title</title></item></channel></rss>`)
	f, err := ParseFeed(body, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Items[0].GUID, "sha256:") {
		t.Errorf("GUID = %q, want a content hash", f.Items[0].GUID)
	}
}

// TestHashStrings pins the content hash: it identifies stored items, so it
// must not change with the code that computes it.
func TestHashStrings(t *testing.T) {
	for _, tt := range []struct {
		parts []string
		want  string
	}{
		{[]string{"Title", "Summary with é", ""}, "827272cd8a42ed286d7631d57c758c84"},
		{nil, "e3b0c44298fc1c149afbf4c8996fb924"},
		{[]string{string(make([]byte, 1500)), "x"}, "bcb322c1b09b43dabed7a5597a1577b8"},
	} {
		if got := hashStrings(tt.parts...); got != tt.want {
			t.Errorf("hashStrings(%q) = %s, want %s", tt.parts, got, tt.want)
		}
	}
	// Parts ending on the buffer's edge, and a part of exactly its size.
	for _, n := range []int{1023, 1024, 1025, 2048, 4000} {
		a, b := strings.Repeat("a", n), strings.Repeat("b", n/3)
		h := sha256.New()
		h.Write([]byte(a + "\x00" + b + "\x00"))
		if got, want := hashStrings(a, b), hex.EncodeToString(h.Sum(nil)[:16]); got != want {
			t.Errorf("hashStrings of %d and %d bytes = %s, want %s", n, n/3, got, want)
		}
	}
}

func FuzzTextOf(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "x\u00a0y", "a\xc2", " \n\n\n ", "<script>x</script>y",
		"<a href='x>y'>a</a>&amp;b", "<a b c=d e = 'f' / >x", "a<b", "</ p>x", "<br/>\r\n&nbsp;&copy", "<p>a  \n\n\n b</p>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := TextOf(in)
		if ref := textOfReference(in); out != ref {
			t.Fatalf("TextOf(%q) = %q, reference %q", in, out, ref)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from %q", in)
		}
		if again := collapseSpace(out); again != out {
			t.Fatalf("not collapsed: %q -> %q", out, again)
		}
	})
}
