package robust

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Hostile titles, as the text a reader would see. In the feed they are
// HTML-escaped once (feed titles may hold HTML, so this is how a title says
// "<script>" as text) and then XML-escaped; newsmon must store exactly this
// text and print it escaped.
var hostileTitles = map[string]string{
	"script": `Ali Aarrass <script>alert("x")</script> appeal`,
	"img":    `Ali Aarrass <img src=x onerror=alert(1)> hearing`,
	"drop":   `Ali Aarrass '); DROP TABLE items;-- verdict`,
	"or":     `Ali Aarrass " OR 1=1 -- statement`,
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// hookReceiver keeps every webhook body it gets.
type hookReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.bodies = append(h.bodies, b)
	h.mu.Unlock()
}

// Markup, scripts and SQL in feed text are stored verbatim, arrive escaped
// in the HTML digest, its .eml and the alert mails, and webhook bodies stay
// valid JSON whatever bytes the text holds.
func TestInjection(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	box := &mailbox{}
	port := startMailbox(t, box)
	hook := &hookReceiver{}
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)

	var feed, jsonFeed atomic.Value
	feed.Store(rss(distinctItems(rng, 0, 0, 1)...))
	jsonFeed.Store([]byte(`{"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": []}`))
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(feed.Load().([]byte))
	})
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		w.Write(jsonFeed.Load().([]byte))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	tail := fmt.Sprintf(`smtp: {host: 127.0.0.1, port: %d, security: none, from: "newsmon <monitor@example.org>"}
alerts:
  max_age: 87600h
  group_window: 0s
  rules:
    - name: aarrass
      person: Ali Aarrass
      notify: [email, webhook]
      email: [desk@ngo.example]
      webhook: %s/hook
`, port, hookSrv.URL)
	s := writeConfig(t, srv.URL, options{allowPrivate: true, tail: tail},
		"{name: wire, type: feed, url: SRV/feed.xml, full_text: false}",
		"{name: jwire, type: feed, url: SRV/feed.json, full_text: false}")
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("priming fetch: %s", r)
	}

	var items []rssItem
	for guid, title := range hostileTitles {
		items = append(items, rssItem{
			guid:  guid,
			title: xmlEscape(htmlEscape(title)),
			link:  "https://news.example.org/" + guid,
			// Markup in the summary too, as CDATA the way feeds send it.
			description: "<![CDATA[<p>" + htmlEscape(title) + ` <script>document.location="https://evil.example/"</script> ` +
				strings.Join(strings.Fields(distinctItems(rng, 1, 0, 1)[0].description), " ") + "</p>]]>",
		})
	}
	// A title with live markup (escaped once, for XML only) is HTML: its
	// tags are dropped and only its text is kept.
	items = append(items, rssItem{guid: "live", title: xmlEscape(`Ali Aarrass <b onmouseover="alert(2)">bold</b><script>alert(3)</script> ruling`),
		link: "https://news.example.org/live", description: distinctItems(rng, 3, 0, 1)[0].description})
	feed.Store(rss(items...))
	// JSON can carry what XML cannot: NUL, invalid UTF-8 (raw bytes),
	// U+2028 and U+2029, which break JavaScript string literals.
	jsonFeed.Store([]byte(`{"version": "https://jsonfeed.org/version/1.1", "title": "j", "items": [` +
		`{"id": "bytes", "url": "https://news.example.org/bytes", "title": "Ali Aarrass \"quoted\" back\\slash nul\u0000 bad` + "\xff\xfe" + ` ls` + "\u2028" + `ps` + "\u2029" + `end", ` +
		`"content_text": "tab\t and \u0000 and ` + "\xc3" + ` and ` + "\u2028" + ` ` + distinctItems(rng, 2, 0, 1)[0].description + `"}]}`))
	if r := s.fetch(t); r.code != 0 {
		t.Fatalf("hostile fetch: %s", r)
	}

	// SQL-looking text is data: stored exactly as sent, and the tables are all there.
	for guid, title := range hostileTitles {
		got := rows(t, s.db, `SELECT title FROM items WHERE guid = ?`, guid)
		if len(got) != 1 || got[0] != title {
			t.Errorf("item %s: stored title %q, want %q", guid, got, title)
		}
	}
	assertRows(t, s.db, `SELECT count(*) FROM items WHERE guid IN ('script', 'img', 'drop', 'or', 'bytes', 'live')`, "6")
	if got := rows(t, s.db, `SELECT title FROM items WHERE guid = 'live'`); len(got) != 1 || strings.ContainsAny(got[0], "<>") || !strings.Contains(got[0], "bold") {
		t.Errorf("title with live markup stored as %q: want its text without tags", got)
	}
	byteTitle := rows(t, s.db, `SELECT title FROM items WHERE guid = 'bytes'`)
	if len(byteTitle) != 1 || !utf8.ValidString(byteTitle[0]) || !strings.Contains(byteTitle[0], `"quoted" back\slash`) {
		t.Errorf("JSON item title stored as %q: want valid UTF-8 keeping the quotes and backslash", byteTitle)
	}

	// Alerts: mail and webhook.
	if r := newsmon(t, "alerts", "send", "--config", s.cfg); r.code != 0 {
		t.Fatalf("alerts send: %s", r)
	}
	assertRows(t, s.db, `SELECT channel, status, count(*) FROM alerts GROUP BY channel, status ORDER BY channel`,
		"email|sent|6", "webhook|sent|6")
	msgs := box.messages()
	if len(msgs) == 0 {
		t.Fatal("no alert mail")
	}
	for _, raw := range msgs {
		checkMail(t, "alert mail", raw)
	}

	hook.mu.Lock()
	bodies := append([][]byte(nil), hook.bodies...)
	hook.mu.Unlock()
	if len(bodies) == 0 {
		t.Fatal("no webhook post")
	}
	var all strings.Builder
	for _, b := range bodies {
		if !json.Valid(b) {
			t.Errorf("webhook body is not valid JSON:\n%q", b)
			continue
		}
		if !utf8.Valid(b) {
			t.Errorf("webhook body is not valid UTF-8: %q", b)
		}
		var v struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		all.WriteString(v.Text)
	}
	for _, want := range []string{`"quoted" back\slash`, `'); DROP TABLE items;--`, `" OR 1=1 --`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("webhook texts lack %q:\n%s", want, all.String())
		}
	}

	// The digest, as HTML and as the whole message.
	out := filepath.Join(s.dir, "digest")
	if r := newsmon(t, "digest", "--preview", "--config", s.cfg, "--out", out+".html"); r.code != 0 {
		t.Fatalf("digest --preview html: %s", r)
	}
	html, err := os.ReadFile(out + ".html")
	if err != nil {
		t.Fatal(err)
	}
	checkHTML(t, "digest.html", string(html))
	if r := newsmon(t, "digest", "--preview", "--config", s.cfg, "--out", out+".eml"); r.code != 0 {
		t.Fatalf("digest --preview eml: %s", r)
	}
	eml, err := os.ReadFile(out + ".eml")
	if err != nil {
		t.Fatal(err)
	}
	checkMail(t, "digest.eml", eml)
}

// checkMail checks a message's HTML part (if any) is escaped and its text
// part names the hostile items.
func checkMail(t *testing.T, what string, raw []byte) {
	t.Helper()
	_, parts := mailParts(t, raw)
	if h, ok := parts["text/html"]; ok {
		checkHTML(t, what, h)
	}
	if !strings.Contains(parts["text/plain"], "Aarrass") {
		t.Errorf("%s: text part does not name the items:\n%s", what, parts["text/plain"])
	}
}

// checkHTML asserts that no markup from the feeds is live in the document
// (no script element, no event-handler attribute, no element from a
// feed) and that the hostile titles are there, escaped.
func checkHTML(t *testing.T, what, doc string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data == "script" {
			t.Errorf("%s: live <script> element: %s", what, tok)
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") || (tok.Data == "img" && a.Key == "src" && a.Val == "x") ||
				strings.Contains(a.Val, "evil.example") {
				t.Errorf("%s: live markup from a feed: %s", what, tok)
			}
		}
	}
	if !strings.Contains(doc, "&lt;script&gt;") {
		t.Errorf("%s: the <script> title is not there escaped", what)
	}
}
