package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/newsmon/newsmon/internal/dbtest"
	"io"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/newsmon/newsmon/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// outboxFixture is a store with one source that has run before, so new
// items queue their alerts.
func outboxFixture(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.SyncSources(ctx, []store.SourceDef{{Name: "wire", Type: "feed", URL: "https://wire.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveRun(ctx, store.Run{Source: "wire", Status: store.StatusOK, FinishedAt: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return st
}

func saveItems(t *testing.T, st *store.Store, titles []string, refs ...store.AlertRef) {
	t.Helper()
	run := store.Run{Source: "wire", Status: store.StatusOK}
	for _, title := range titles {
		run.Items = append(run.Items, store.Item{
			GUID: title, URL: "https://wire.example/" + url.PathEscape(title), CanonicalURL: "https://wire.example/" + url.PathEscape(title),
			Title: title, Text: "Body of " + title, ContentHash: title, Published: time.Now().Add(-time.Hour),
			Mentions: []store.Mention{{Person: "Ali Aarrass", Spelling: "Aarrass", Count: 1}},
			Stances: []store.Stance{{Person: "Ali Aarrass", Label: "critical", Score: -0.8,
				Evidence: []byte(`[{"sentence":"Officials called the claims invented."}]`), RulesVersion: "t"}},
			Topics: []store.Topic{{Topic: "torture", Score: 1, Evidence: []byte(`[]`), RulesVersion: "t"}},
			Alerts: refs,
		})
	}
	if _, err := st.SaveRun(context.Background(), run); err != nil {
		t.Fatal(err)
	}
}

func countStatus(t *testing.T, st *store.Store, status string) int {
	t.Helper()
	as, err := st.ListAlerts(context.Background(), status, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(as)
}

func TestOutboxEmailRetriesThenDeliversOnce(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{`<script>alert(1)</script> Aarrass <b>lies</b>`}, store.AlertRef{Rule: "critical", Channel: ChannelEmail})

	tempFail := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	failing := &testBackend{dataErr: tempFail}
	ob := NewOutbox(st, testMailer(t, startSMTP(t, failing), "", ""), nil, quiet, OutboxConfig{
		Rules:       map[string]Targets{"critical": {Person: "Ali Aarrass", Email: []string{"desk@ngo.example"}}},
		MaxAttempts: 3, RetryBase: time.Minute,
	})
	clock := time.Now()
	ob.now = func() time.Time { return clock }

	n, err := ob.SendDue(ctx)
	if err != nil || n != 0 {
		t.Fatalf("SendDue against a 4xx server = %d, %v; want 0, nil", n, err)
	}
	if got := countStatus(t, st, store.AlertPending); got != 1 {
		t.Fatalf("pending after 4xx = %d, want 1", got)
	}
	// Before the backoff has passed nothing is due.
	good := &testBackend{}
	ob.mail = testMailer(t, startSMTP(t, good), "", "")
	if n, _ := ob.SendDue(ctx); n != 0 {
		t.Fatalf("sent %d before the retry time", n)
	}
	// Connection refused: still pending.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ob.mail = testMailer(t, l.Addr().(*net.TCPAddr).Port, "", "")
	l.Close()
	clock = clock.Add(2 * time.Minute)
	if n, err := ob.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("SendDue with connection refused = %d, %v; want 0, nil", n, err)
	}
	if got := countStatus(t, st, store.AlertPending); got != 1 {
		t.Fatalf("pending after connection refused = %d, want 1", got)
	}
	ob.mail = testMailer(t, startSMTP(t, good), "", "")
	clock = clock.Add(time.Hour)
	if n, err := ob.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("SendDue after recovery = %d, %v; want 1", n, err)
	}
	if n, _ := ob.SendDue(ctx); n != 0 {
		t.Fatalf("second SendDue sent %d more", n)
	}
	msgs := good.messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want exactly 1", len(msgs))
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<alert-") || !strings.HasSuffix(id, "@newsmon.example>") {
		t.Errorf("Message-ID = %q, want a deterministic alert id", id)
	}
	if msgs[0].To[0] != "desk@ngo.example" {
		t.Errorf("rcpt = %v", msgs[0].To)
	}
	parts := mimeParts(t, m)
	html := parts["text/html"]
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("hostile title not escaped in HTML:\n%s", html)
	}
	if !strings.Contains(parts["text/plain"], "Officials called the claims invented.") {
		t.Errorf("text part lacks the evidence:\n%s", parts["text/plain"])
	}
	if got := countStatus(t, st, store.AlertSent); got != 1 {
		t.Errorf("sent rows = %d, want 1", got)
	}
}

func TestOutboxGivesUpAfterMaxAttempts(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{"Aarrass story"}, store.AlertRef{Rule: "r", Channel: ChannelEmail})
	port := startSMTP(t, &testBackend{rcptErr: &smtp.SMTPError{Code: 451, Message: "later"}})
	ob := NewOutbox(st, testMailer(t, port, "", ""), nil, quiet, OutboxConfig{
		Rules: map[string]Targets{"r": {Email: []string{"a@b.example"}}}, MaxAttempts: 2, RetryBase: time.Second})
	clock := time.Now()
	ob.now = func() time.Time { return clock }
	for range 3 {
		if _, err := ob.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Hour)
	}
	as, _ := st.ListAlerts(ctx, "", 10)
	if len(as) != 1 || as[0].Status != store.AlertFailed || as[0].Attempts != 2 || !strings.Contains(as[0].LastError, "451") {
		t.Fatalf("alerts = %+v, want one failed after 2 attempts with the server's error", as)
	}
}

func TestOutboxGroupsAndRecovers(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{"First Aarrass piece", "Second Aarrass piece"}, store.AlertRef{Rule: "r", Channel: ChannelEmail})
	good := &testBackend{}
	ob := NewOutbox(st, testMailer(t, startSMTP(t, good), "", ""), nil, quiet, OutboxConfig{
		Rules: map[string]Targets{"r": {Email: []string{"a@b.example"}}}, MaxAttempts: 3, GroupWindow: 10 * time.Minute})
	clock := time.Now()
	ob.now = func() time.Time { return clock }
	if n, _ := ob.SendDue(ctx); n != 0 {
		t.Fatalf("sent %d inside the group window", n)
	}
	clock = clock.Add(11 * time.Minute)
	if n, err := ob.SendDue(ctx); err != nil || n != 2 {
		t.Fatalf("SendDue = %d, %v; want 2 alerts", n, err)
	}
	msgs := good.messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "2 new items") {
		t.Fatalf("want one grouped message, got %d", len(msgs))
	}

	// A crash after claiming, before or after the message went out: the
	// row is left sending, and Recover delivers its group again under the
	// same Message-ID.
	messageIDs := func() []string {
		var ids []string
		for _, m := range good.messages() {
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, msg.Header.Get("Message-Id"))
		}
		return ids
	}
	for i, delivered := range []bool{false, true} {
		saveItems(t, st, []string{fmt.Sprintf("Aarrass piece %d after a crash", i)}, store.AlertRef{Rule: "r", Channel: ChannelEmail})
		claimed, err := st.ClaimDueAlerts(ctx, clock.Add(time.Hour), 0)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %d alerts, %v", len(claimed), err)
		}
		before := len(good.messages())
		if delivered {
			if err := ob.deliver(ctx, claimed); err != nil {
				t.Fatal(err)
			}
		}
		if err := ob.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		ids := messageIDs()
		if want := before + 1 + btoi(delivered); len(ids) != want {
			t.Fatalf("crash (delivered: %v): %d messages, want %d", delivered, len(ids), want)
		}
		if delivered && ids[len(ids)-1] != ids[len(ids)-2] {
			t.Errorf("resent under another Message-ID: %q then %q", ids[len(ids)-2], ids[len(ids)-1])
		}
		if countStatus(t, st, store.AlertSending) != 0 || countStatus(t, st, store.AlertSent) != 3+i {
			t.Errorf("after Recover: %d sending, %d sent", countStatus(t, st, store.AlertSending), countStatus(t, st, store.AlertSent))
		}
	}
	clock = clock.Add(2 * time.Hour)
	if n, _ := ob.SendDue(ctx); n != 0 {
		t.Fatalf("sent %d more alerts after Recover", n)
	}
	if s := ob.Stats(); s.Unknown != 2 || s.Sent != 4 {
		t.Errorf("stats %+v, want 2 found interrupted and 4 sent", s)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestOutboxWebhook(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{"Quote \" and \\ and <b>tags</b> about Aarrass\x00"}, store.AlertRef{Rule: "hook", Channel: ChannelWebhook})
	var mu sync.Mutex
	var bodies [][]byte
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		n := len(bodies)
		mu.Unlock()
		if n == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	cfg := OutboxConfig{Rules: map[string]Targets{"hook": {Webhook: srv.URL + "/hooks/secret"}}, MaxAttempts: 3, RetryBase: time.Second}

	// The default client refuses loopback addresses.
	guarded := NewOutbox(st, nil, NewWebhookClient(WebhookHTTPClient(false, time.Second), "t"), quiet, cfg)
	if n, _ := guarded.SendDue(ctx); n != 0 {
		t.Fatal("posted to a loopback webhook without allow_private_addresses")
	}
	as, _ := st.ListAlerts(ctx, store.AlertPending, 10)
	if len(as) != 1 || !strings.Contains(as[0].LastError, "private, loopback or link-local address") {
		t.Fatalf("alerts = %+v, want pending with a private-address error", as)
	}

	ob := NewOutbox(st, nil, NewWebhookClient(WebhookHTTPClient(true, time.Second), "t"), quiet, cfg)
	clock := time.Now().Add(time.Hour)
	ob.now = func() time.Time { return clock }
	ob.SendDue(ctx) // 503
	clock = clock.Add(time.Hour)
	if n, err := ob.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("SendDue = %d, %v", n, err)
	}
	if len(bodies) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Fatalf("want two posts with the same Idempotency-Key, got %d posts, keys %q", len(bodies), keys)
	}
	var got struct {
		Text  string `json:"text"`
		Rule  string `json:"rule"`
		Items []struct {
			Title string `json:"title"`
		} `json:"items"`
	}
	if err := json.Unmarshal(bodies[1], &got); err != nil {
		t.Fatalf("webhook body is not JSON: %v\n%s", err, bodies[1])
	}
	if got.Rule != "hook" || len(got.Items) != 1 || !strings.Contains(got.Text, "&lt;b&gt;") {
		t.Errorf("body = %+v", got)
	}
}

func TestDigestJobCoversGapAndSendsOnce(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{"Digest piece <i>one</i>"})
	failing := &testBackend{dataErr: &smtp.SMTPError{Code: 451, Message: "later"}}
	var outcomes []string
	job := NewDigestJob(st, testMailer(t, startSMTP(t, failing), "", ""), quiet, DigestConfig{
		To: []string{"team@ngo.example"}, Subject: "Digest {date}",
		Observe: func(o string, _ time.Time) { outcomes = append(outcomes, o) }})
	if _, err := job.Send(ctx); err == nil {
		t.Fatal("Send against a 4xx server succeeded")
	}
	saveItems(t, st, []string{"Digest piece two"})
	good := &testBackend{}
	job.mail = testMailer(t, startSMTP(t, good), "", "")
	res, err := job.Send(ctx)
	if err != nil || !res.Sent || res.Items != 2 {
		t.Fatalf("Send = %+v, %v; want sent with both items", res, err)
	}
	res, err = job.Send(ctx)
	if err != nil || !res.Skipped {
		t.Fatalf("third Send = %+v, %v; want skipped (nothing new)", res, err)
	}
	if got := strings.Join(outcomes, ","); got != "failed,sent,skipped" {
		t.Errorf("observed %s, want failed,sent,skipped", got)
	}
	msgs := good.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d digests, want 1", len(msgs))
	}
	m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Header.Get("Subject"); !strings.HasPrefix(s, "Digest 20") {
		t.Errorf("subject = %q", s)
	}
	parts := mimeParts(t, m)
	for _, want := range []string{"Digest piece &lt;i&gt;one&lt;/i&gt;", "Digest piece two", "Ali Aarrass"} {
		if !strings.Contains(parts["text/html"], want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(parts["text/html"], `<table role="img"`) || len(parts) != 2 {
		t.Errorf("want text and html with the chart in it, got parts %v", slices.Collect(maps.Keys(parts)))
	}
	ds, _ := st.Digests(ctx, 10)
	if len(ds) != 3 || ds[2].Status != store.DigestFailed || ds[1].Status != store.DigestSent || ds[0].Status != store.DigestSkipped {
		t.Errorf("digest rows = %+v", ds)
	}
}

// mimeParts walks a message and returns the decoded body of each leaf part
// by media type.
func mimeParts(t *testing.T, m *mail.Message) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func(ct string, r io.Reader)
	walk = func(ct string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			b, _ := io.ReadAll(r)
			out[mt] = string(b)
			return
		}
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextPart() // decodes quoted-printable
			if err != nil {
				break
			}
			walk(p.Header.Get("Content-Type"), p)
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body)
	return out
}

// A digest cut short by a stop (its row left sending, delivered or not) is
// sent again for the same period under the same Message-ID, once; the
// next digest then has nothing new.
func TestDigestJobResumesAnInterruptedDigest(t *testing.T) {
	ctx := context.Background()
	for _, delivered := range []bool{false, true} {
		st := outboxFixture(t)
		saveItems(t, st, []string{"Digest piece before the crash"})
		good := &testBackend{}
		mailer := testMailer(t, startSMTP(t, good), "", "")
		job := NewDigestJob(st, mailer, quiet, DigestConfig{To: []string{"team@ngo.example"}, Subject: "Digest {date}"})
		end := time.Now()
		d, rec, err := job.Build(ctx, end)
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.StartDigest(ctx, rec, end)
		if err != nil {
			t.Fatal(err)
		}
		if delivered {
			if err := mailer.sendDigest(ctx, rec.Recipients, d, fmt.Sprintf("digest-%d", id)); err != nil {
				t.Fatal(err)
			}
		}
		if err := job.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		if res, err := job.Send(ctx); err != nil || !res.Skipped {
			t.Errorf("send after resuming: %+v, %v; want skipped (nothing new)", res, err)
		}
		msgs := good.messages()
		if len(msgs) != 1+btoi(delivered) {
			t.Fatalf("delivered before the stop: %v; %d messages", delivered, len(msgs))
		}
		var ids []string
		for _, m := range msgs {
			msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, msg.Header.Get("Message-Id"))
			if !strings.Contains(string(m.Data), "Digest piece before the crash") {
				t.Errorf("digest lacks the item")
			}
		}
		if want := fmt.Sprintf("<digest-%d@", id); !strings.HasPrefix(ids[0], want) || ids[len(ids)-1] != ids[0] {
			t.Errorf("Message-IDs %q, want all %s...>", ids, want)
		}
		ds, _ := st.Digests(ctx, 10)
		if len(ds) != 2 || ds[1].Status != store.DigestSent || ds[1].ID != id || ds[0].Status != store.DigestSkipped {
			t.Errorf("digest rows = %+v", ds)
		}
	}
}
