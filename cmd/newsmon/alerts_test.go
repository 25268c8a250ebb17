package main

import (
	"fmt"
	"github.com/newsmon/newsmon/internal/dbtest"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is an SMTP server that keeps every message it accepts, by
// recipient too, and the most messages to one recipient it received at once.
type mailSink struct {
	mu       sync.Mutex
	msgs     []string
	byRcpt   map[string][]string
	inFlight map[string]int
	maxIn    map[string]int
}

func (b *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{b: b}, nil }

type sinkSession struct {
	b  *mailSink
	to []string
}

func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b := s.b
	b.mu.Lock()
	for _, to := range s.to {
		b.inFlight[to]++
		b.maxIn[to] = max(b.maxIn[to], b.inFlight[to])
	}
	b.mu.Unlock()
	data, err := io.ReadAll(r)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, to := range s.to {
		b.inFlight[to]--
	}
	if err != nil {
		return err
	}
	b.msgs = append(b.msgs, string(data))
	for _, to := range s.to {
		b.byRcpt[to] = append(b.byRcpt[to], string(data))
	}
	return nil
}
func (s *sinkSession) Reset()        { s.to = nil }
func (s *sinkSession) Logout() error { return nil }

func (b *mailSink) messages() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.msgs...)
}

// received returns the messages to one recipient, and the most of them
// that were being received at once.
func (b *mailSink) received(to string) (msgs []string, maxInFlight int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.byRcpt[to]...), b.maxIn[to]
}

func startSink(t *testing.T) (*mailSink, int) {
	t.Helper()
	b := &mailSink{byRcpt: map[string][]string{}, inFlight: map[string]int{}, maxIn: map[string]int{}}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close(); _ = l.Close(); <-done })
	return b, l.Addr().(*net.TCPAddr).Port
}

// Our own words, long enough for the classifier to weigh.
const alertBody = `Ali Aarrass remains in prison, and his supporters say the torture he described has never been investigated. ` +
	`Rights groups called on the authorities to open an independent inquiry and to let doctors visit him. ` +
	`His family said the campaign for Ali Aarrass will continue until he is free, and they thanked everyone who wrote letters. ` +
	`Lawyers for Aarrass filed a new appeal this week, citing the findings of a United Nations body on arbitrary detention.`

func rssItem(guid, title string, pub time.Time) string {
	return fmt.Sprintf(`<item><guid>%s</guid><title>%s</title><link>https://news.example/%s</link><pubDate>%s</pubDate><description>%s</description></item>`,
		guid, title, guid, pub.UTC().Format(time.RFC1123Z), alertBody)
}

// rssServer serves an RSS feed whose items are feed's current value.
func rssServer(t *testing.T, feed *atomic.Value) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>%s</channel></rss>`, feed.Load())
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAlertsEndToEnd(t *testing.T) {
	now := time.Now()
	var feed atomic.Value
	feed.Store(rssItem("archive-1", "Archive piece on Aarrass", now.Add(-400*24*time.Hour)) +
		rssItem("first-run", "Campaign for Aarrass goes on", now.Add(-time.Hour)))
	srv := rssServer(t, &feed)
	sink, port := startSink(t)

	dir := t.TempDir()
	dbPath := dbtest.New(t)
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf(`database: %s
fetch:
  timeout: 5s
  allow_private_addresses: true
tracked:
  - name: Ali Aarrass
sources:
  - name: news
    type: feed
    url: %s/feed.rss
    full_text: false
smtp:
  host: 127.0.0.1
  port: %d
  security: none
  from: "newsmon <alerts@newsmon.example>"
alerts:
  group_window: 0s
  rules:
    - name: aarrass-any
      person: Ali Aarrass
      query: '"independent inquiry" -football'
      notify: [email, log]
      email: [desk@ngo.example]
    - name: never
      person: Ali Aarrass
      query: football
      notify: [log]
digest:
  to: [team@ngo.example]
`, dbPath, srv.URL, port)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	// First run of a new source: stored, no alerts.
	if code, out, errOut := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
		t.Fatalf("fetch: %d\n%s\n%s", code, out, errOut)
	}
	assertRows(t, dbPath, `SELECT count(*) FROM items`, "2")
	assertRows(t, dbPath, `SELECT count(*) FROM alerts`, "0")

	// Second run: a fresh item alerts; an old one (past max_age) does not.
	feed.Store(feed.Load().(string) +
		rssItem("fresh", "Rights groups want an inquiry for Aarrass <script>x</script>", now.Add(-2*time.Hour)) +
		rssItem("old-new", "Old piece newly seen about Aarrass", now.Add(-72*time.Hour)))
	if code, out, errOut := runCmd(t, "fetch", "--config", cfgPath); code != exitOK {
		t.Fatalf("fetch: %d\n%s\n%s", code, out, errOut)
	}
	assertRows(t, dbPath, `SELECT i.guid, a.rule, a.channel, a.status FROM alerts a JOIN items i ON i.id = a.item_id ORDER BY a.channel`,
		"fresh|aarrass-any|email|pending", "fresh|aarrass-any|log|pending")

	// alerts test lists every stored match, old and first-run ones included.
	code, out, errOut := runCmd(t, "alerts", "test", "aarrass-any", "--config", cfgPath, "--since", "30d")
	if code != exitOK || !strings.Contains(out, "4 of 4 items") || strings.Count(out, "news.example/") != 4 {
		t.Errorf("alerts test: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "alerts", "test", "never", "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "0 of 4 items") {
		t.Errorf("alerts test never:\n%s", out)
	}
	if len(sink.messages()) != 0 {
		t.Fatal("alerts test sent mail")
	}

	if code, out, errOut := runCmd(t, "alerts", "send", "--config", cfgPath); code != exitOK {
		t.Fatalf("alerts send: %d\n%s\n%s", code, out, errOut)
	}
	runCmd(t, "alerts", "send", "--config", cfgPath)
	msgs := sink.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d alert mails, want 1", len(msgs))
	}
	if !strings.Contains(msgs[0], "Rights groups want an inquiry") || strings.Contains(msgs[0], "<script>") {
		t.Errorf("alert mail:\n%s", msgs[0])
	}
	assertRows(t, dbPath, `SELECT status, count(*) FROM alerts GROUP BY status`, "sent|2")

	code, out, _ = runCmd(t, "alerts", "list", "--config", cfgPath, "--status", "sent")
	if code != exitOK || strings.Count(out, "aarrass-any") != 2 {
		t.Errorf("alerts list:\n%s", out)
	}

	// The digest: preview writes a file and records nothing; send mails once.
	eml := filepath.Join(dir, "d.eml")
	if code, out, errOut := runCmd(t, "digest", "--preview", "--out", eml, "--config", cfgPath); code != exitOK {
		t.Fatalf("digest preview: %d\n%s\n%s", code, out, errOut)
	}
	if b := readFile(t, eml); !strings.Contains(string(b), "multipart/alternative") {
		t.Errorf("preview .eml is not a MIME message")
	}
	// The HTML preview is the mail's HTML: the chart is in it, not a
	// reference to an attachment the file does not have.
	page := filepath.Join(dir, "d.html")
	if code, out, errOut := runCmd(t, "digest", "--preview", "--out", page, "--config", cfgPath); code != exitOK {
		t.Fatalf("digest preview: %d\n%s\n%s", code, out, errOut)
	}
	if b := string(readFile(t, page)); !strings.Contains(b, `<table role="img" aria-label="Ali Aarrass, stories per day`) || strings.Contains(b, "cid:") {
		t.Errorf("preview html does not carry its chart:\n%s", b)
	}
	assertRows(t, dbPath, `SELECT count(*) FROM digests`, "0")
	if code, out, errOut := runCmd(t, "digest", "--send", "--config", cfgPath); code != exitOK {
		t.Fatalf("digest send: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCmd(t, "digest", "--send", "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "nothing new") {
		t.Errorf("second digest: %s", out)
	}
	if msgs := sink.messages(); len(msgs) != 2 || !strings.Contains(msgs[1], "team@ngo.example") {
		t.Fatalf("want the alert and one digest, got %d mails", len(msgs))
	}
	assertRows(t, dbPath, `SELECT status, items FROM digests ORDER BY id`, "sent|4", "skipped|0")
}
