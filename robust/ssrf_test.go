package robust

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
)

// publicAddr is a TEST-NET-3 address, which the guard treats as public. The
// tests put it on the loopback interface, so a server can listen on an
// address newsmon will connect to without fetch.allow_private_addresses.
const publicAddr = "203.0.113.7"

// addPublicAddr puts publicAddr on lo for the test, or skips the test when
// this machine does not allow it (it needs root, or CAP_NET_ADMIN).
func addPublicAddr(t *testing.T) { addLoopbackAddr(t, publicAddr) }

// addLoopbackAddr puts the IPv4 or IPv6 address addr on lo for the test,
// so a server can listen on it, or skips the test when this machine does
// not allow it.
func addLoopbackAddr(t *testing.T, addr string) {
	t.Helper()
	prefix := addr + "/32"
	if strings.Contains(addr, ":") {
		prefix = addr + "/128"
	}
	args := []string{"addr", "add", prefix, "dev", "lo"}
	if strings.Contains(addr, ":") {
		args = append(args, "nodad") // usable at once, not "tentative"
	}
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Skipf("cannot add %s to the loopback interface (needs root, iproute2 and IPv6): %v: %s", addr, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "addr", "del", prefix, "dev", "lo").CombinedOutput(); err != nil {
			t.Errorf("remove %s from lo: %v: %s", addr, err, out)
		}
	})
}

// serveOn starts h on addr (host only; the port is chosen by the kernel).
func serveOn(t *testing.T, host string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("listen on %s: %v", host, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// secretServer stands for a service inside the network: it counts every
// request it gets, which must stay zero.
func secretServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Logf("the secret server got %s %s", r.Method, r.URL)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><article><p>Ali Aarrass internal credentials page.</p></article></body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// (a) A source on 127.0.0.1 without the switch fails with a clear error.
func TestLoopbackSourceRefused(t *testing.T) {
	srv, hits := secretServer(t)
	s := writeConfig(t, srv.URL, options{}, "{name: local, type: feed, url: SRV/feed.xml, full_text: false}")
	// A failed source makes fetch exit 1; only a usage or database problem
	// would be anything else.
	if r := s.fetch(t); r.code != 1 || !strings.Contains(r.stdout, "private address") {
		t.Fatalf("fetch: %s\nwant exit 1 and the refusal's cause in the summary", r)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}
	got := rows(t, s.db, `SELECT status, cause, error FROM fetch_runs WHERE source = 'local'`)
	if len(got) != 1 || !strings.HasPrefix(got[0], "error|private address|") ||
		!strings.Contains(got[0], "refusing to connect to a private, loopback or link-local address: 127.0.0.1") {
		t.Errorf("fetch_runs: %q, want one error run naming the refused address", got)
	}
	assertRows(t, s.db, `SELECT count(*) FROM items`, "0")
}

// (b) A feed on an address the guard considers public links its items to
// loopback, metadata and file: URLs, and redirects one article to loopback.
// Full-text fetching must reach none of them, and record each failure.
func TestFeedLinksToPrivateAddresses(t *testing.T) {
	addPublicAddr(t)
	secret, hits := secretServer(t)
	mux := http.NewServeMux()
	var feed []byte
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed)
	})
	mux.HandleFunc("/article/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secret.URL+"/secret-via-redirect", http.StatusFound)
	})
	mux.HandleFunc("/article/fine", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><head><title>Appeal</title></head><body><article><p>Lawyers for Ali Aarrass say the appeal court will sit again next month, and that the family has asked for a public hearing.</p></article></body></html>")
	})
	pub := serveOn(t, publicAddr, mux)
	item := func(guid, link string) rssItem {
		return rssItem{guid: guid, title: "Ali Aarrass appeal " + guid, link: link, description: "A teaser about Ali Aarrass."}
	}
	feed = rss(
		item("loopback", secret.URL+"/secret"),
		item("metadata", "http://169.254.169.254/latest/meta-data/"),
		item("file", "file:///etc/passwd"),
		item("redirect", pub.URL+"/article/redirect"),
		item("fine", pub.URL+"/article/fine"),
	)
	s := writeConfig(t, pub.URL, options{}, "{name: wire, type: feed, url: SRV/feed.xml}")
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("fetch: %s", r)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}
	// The feed itself is fine: every item is stored, with the feed's text
	// where its page was refused.
	assertRows(t, s.db, `SELECT status FROM fetch_runs`, "ok")
	assertRows(t, s.db, `SELECT guid FROM items ORDER BY guid`, "file", "fine", "loopback", "metadata", "redirect")
	for _, tc := range []struct{ link, want string }{
		{secret.URL + "/secret", "refusing to connect to a private, loopback or link-local address: 127.0.0.1"},
		{"http://169.254.169.254/latest/meta-data/", "refusing to connect to a private, loopback or link-local address: 169.254.169.254"},
		{pub.URL + "/article/redirect", "refusing to connect to a private, loopback or link-local address: 127.0.0.1"},
	} {
		checkPageFailure(t, s.db, tc.link, tc.want)
	}
	// A file: link has no canonical http(s) URL, so it is never tried.
	assertRows(t, s.db, `SELECT count(*) FROM page_fetches WHERE url LIKE 'file:%'`, "0")
	assertRows(t, s.db, `SELECT status FROM page_fetches WHERE url LIKE '%/article/fine'`, "ok")
}

// checkPageFailure asserts that page_fetches records link as an error
// without an HTTP status, its message containing want.
func checkPageFailure(t *testing.T, db, link, want string) {
	t.Helper()
	got := rows(t, db, `SELECT status, http_status, error FROM page_fetches WHERE url = ? OR url = rtrim(?, '/')`, link, link)
	if len(got) != 1 {
		all := rows(t, db, `SELECT url, status, error FROM page_fetches`)
		t.Errorf("%s: %d page_fetches rows, want 1; all rows:\n  %s", link, len(got), strings.Join(all, "\n  "))
		return
	}
	if !strings.HasPrefix(got[0], "error|<nil>|") || !strings.Contains(got[0], want) {
		t.Errorf("%s: page_fetches %q, want error|<nil>|...%s", link, got[0], want)
	}
}

// (c) A crawl of a site on a public address whose listing links to
// loopback and metadata pages (allowed_domains lets the crawl try them, so
// the address guard is what stops it) and redirects an article to loopback.
func TestCrawlLinksToPrivateAddresses(t *testing.T) {
	addPublicAddr(t)
	secret, hits := secretServer(t)
	mux := http.NewServeMux()
	var listing string
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, listing)
	})
	mux.HandleFunc("/news/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secret.URL+"/news/via-redirect", http.StatusFound)
	})
	mux.HandleFunc("/news/fine", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><head><title>Hearing</title></head><body><article><p>Ali Aarrass will appear before the court again, his lawyers said on Tuesday in a short statement to the press.</p></article></body></html>")
	})
	pub := serveOn(t, publicAddr, mux)
	listing = fmt.Sprintf(`<html><body><ul>
<li><a href="%[1]s/news/secret">internal</a></li>
<li><a href="http://169.254.169.254/latest/meta-data/">metadata</a></li>
<li><a href="file:///etc/passwd">file</a></li>
<li><a href="%[2]s/news/redirect">redirect</a></li>
<li><a href="%[2]s/news/fine">fine</a></li>
</ul></body></html>`, secret.URL, pub.URL)
	s := writeConfig(t, pub.URL, options{},
		`{name: site, type: page, start_urls: ["SRV/"], allowed_domains: ["`+publicAddr+`", "127.0.0.1", "169.254.169.254"], articles: ["/news/", "/latest/"], max_depth: 1, delay: 1ms, robots_txt: false}`)
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("fetch: %s", r)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}
	assertRows(t, s.db, `SELECT status FROM fetch_runs`, "ok")
	assertRows(t, s.db, `SELECT count(*) FROM items WHERE url LIKE '%/news/fine'`, "1")
	for _, tc := range []struct{ link, want string }{
		{secret.URL + "/news/secret", "refusing to connect to a private, loopback or link-local address: 127.0.0.1"},
		{"http://169.254.169.254/latest/meta-data/", "refusing to connect to a private, loopback or link-local address: 169.254.169.254"},
		{pub.URL + "/news/redirect", "refusing to connect to a private, loopback or link-local address: 127.0.0.1"},
	} {
		checkPageFailure(t, s.db, tc.link, tc.want)
	}
	assertRows(t, s.db, `SELECT count(*) FROM page_fetches WHERE url LIKE 'file:%'`, "0")
}

// With private addresses allowed (an intranet setup), a feed's links still
// never reach the cloud metadata service.
func TestMetadataRefusedWhenPrivateAllowed(t *testing.T) {
	mux := http.NewServeMux()
	var feed []byte
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	feed = rss(rssItem{guid: "metadata", title: "Ali Aarrass", link: "http://169.254.169.254/latest/meta-data/iam/", description: "teaser"})
	s := writeConfig(t, srv.URL, options{}, "{name: intranet, type: feed, url: SRV/feed.xml, allow_private_addresses: true}")
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("fetch: %s", r)
	}
	assertRows(t, s.db, `SELECT status FROM fetch_runs`, "ok")
	checkPageFailure(t, s.db, "http://169.254.169.254/latest/meta-data/iam/", "refusing to connect to a cloud metadata address: 169.254.169.254")
}

// IPv6 addresses that carry an IPv4 one are judged by it. Each address
// below embeds 127.0.0.1 (or the metadata address) and is put on the
// loopback interface, where the kernel connects to it like any other: a
// guard that looked only at the IPv6 address let newsmon in.
func TestEmbeddedIPv4Refused(t *testing.T) {
	forms := []struct{ name, addr string }{
		{"nat64", "64:ff9b::7f00:1"},             // NAT64 well-known prefix
		{"nat64local", "64:ff9b:1:7f00:1::1"},    // local-use NAT64 (/48: not public whatever it embeds)
		{"compatible", "::7f00:1"},               // IPv4-compatible
		{"sixtofour", "2002:7f00:1::1"},          // 6to4
		{"teredo", "2001:0:7f00:1::1"},           // Teredo, 127.0.0.1 as its server
		{"isatap", "2001:db8:1:2:0:5efe:7f00:1"}, // ISATAP interface identifier under a documentation prefix
	}
	var hits atomic.Int64
	secret := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Logf("a server behind an embedded address got %s %s", r.Host, r.URL)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(rss(rssItem{guid: "secret", title: "Ali Aarrass internal", link: "https://news.example.org/s", description: "internal"}))
	})
	var sources []string
	for _, f := range forms {
		addLoopbackAddr(t, f.addr)
		srv := serveOn(t, f.addr, secret)
		sources = append(sources, fmt.Sprintf("{name: %s, type: feed, url: %q, full_text: false}", f.name, srv.URL+"/feed.xml"))
	}
	// With private addresses allowed, the metadata address reached through
	// NAT64 is refused all the same.
	const metadataNAT64 = "64:ff9b::a9fe:a9fe"
	addLoopbackAddr(t, metadataNAT64)
	meta := serveOn(t, metadataNAT64, secret)
	sources = append(sources, fmt.Sprintf("{name: metadata, type: feed, url: %q, full_text: false, allow_private_addresses: true}", meta.URL+"/feed.xml"))

	s := writeConfig(t, "", options{}, sources...)
	if r := s.fetch(t); r.code != 1 {
		t.Fatalf("fetch: %s\nwant exit 1: every source refused", r)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("servers behind embedded addresses got %d requests", n)
	}
	for _, f := range forms {
		want := "refusing to connect to a private, loopback or link-local address: " + netip.MustParseAddr(f.addr).String()
		got := rows(t, s.db, `SELECT status, error FROM fetch_runs WHERE source = ?`, f.name)
		if len(got) != 1 || !strings.HasPrefix(got[0], "error|") || !strings.Contains(got[0], want) {
			t.Errorf("%s: fetch_runs %q, want one error run containing %q", f.name, got, want)
		}
	}
	got := rows(t, s.db, `SELECT status, error FROM fetch_runs WHERE source = 'metadata'`)
	if want := "refusing to connect to a cloud metadata address: 64:ff9b::a9fe:a9fe (which embeds 169.254.169.254)"; len(got) != 1 || !strings.Contains(got[0], want) {
		t.Errorf("metadata through NAT64: fetch_runs %q, want %q", got, want)
	}
	assertRows(t, s.db, `SELECT count(*) FROM items`, "0")
}
