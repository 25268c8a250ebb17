package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type webhookRequest struct {
	Method, ContentType, UserAgent string
	Body                           []byte
}

func startWebhook(t *testing.T, status int, reply string) (*httptest.Server, func() []webhookRequest) {
	t.Helper()
	var mu sync.Mutex
	var got []webhookRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, webhookRequest{r.Method, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), b})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []webhookRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]webhookRequest(nil), got...)
	}
}

func TestWebhookPost(t *testing.T) {
	srv, requests := startWebhook(t, http.StatusOK, "ok")
	items := sampleDigest(t).People[0].Items
	items[0].Title = "Quote \" backslash \\ <https://evil.example|click> & \u2028 \x00 end"
	a := Alert{Rule: "critical-coverage", Person: "Ali Aarrass", Items: items}

	c := NewWebhookClient(nil, "newsmon-test/1.0")
	if err := c.Post(context.Background(), srv.URL+"/hooks/secret-token", a); err != nil {
		t.Fatalf("post: %v", err)
	}
	reqs := requests()
	if len(reqs) != 1 {
		t.Fatalf("server got %d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || !strings.HasPrefix(r.ContentType, "application/json") || r.UserAgent != "newsmon-test/1.0" {
		t.Errorf("request %s, Content-Type %q, User-Agent %q", r.Method, r.ContentType, r.UserAgent)
	}
	if !json.Valid(r.Body) {
		t.Fatalf("body is not valid JSON: %s", r.Body)
	}
	var body struct {
		Text   string `json:"text"`
		Rule   string `json:"rule"`
		Person string `json:"person"`
		Items  []struct {
			Title, URL, Outlet, Published, Stance string
			Score                                 float64
			Topics, Evidence                      []string
			AlsoIn                                []string `json:"also_in"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Rule != "critical-coverage" || body.Person != "Ali Aarrass" || len(body.Items) != 5 {
		t.Fatalf("rule %q person %q items %d", body.Rule, body.Person, len(body.Items))
	}
	first := body.Items[0]
	if first.Title != items[0].Title {
		t.Errorf("title did not survive JSON: %q", first.Title)
	}
	if first.URL != "https://news.example.org/a/1" || first.Stance != "supportive" || first.Score != 19.63 ||
		first.Published != "2026-03-09T10:00:00Z" || len(first.Evidence) != 3 || strings.Join(first.AlsoIn, ",") != "wire.example.com,Example Post" {
		t.Errorf("first item = %+v", first)
	}
	if body.Items[4].URL != "" {
		t.Errorf("javascript: URL passed on as %q", body.Items[4].URL)
	}
	if !strings.HasPrefix(body.Text, "[newsmon] critical-coverage: 5 new items (Ali Aarrass)") {
		t.Errorf("text starts %q", body.Text[:min(80, len(body.Text))])
	}
	if strings.Contains(body.Text, "<https://evil") || !strings.Contains(body.Text, "&lt;https://evil.example|click&gt; &amp;") {
		t.Error("text does not escape Slack markup")
	}
}

func TestWebhookErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		url     func(srv *httptest.Server) string
		ctx     func() (context.Context, context.CancelFunc)
		want    []string
		wantErr error
	}{
		{name: "server error", status: http.StatusInternalServerError,
			want: []string{"/hooks/…", "status 500 Internal Server Error", "no such hook"}},
		{name: "not found", status: http.StatusNotFound, want: []string{"status 404"}},
		{name: "not modified is not 2xx", status: http.StatusNotModified, want: []string{"status 304"}},
		{name: "not http", status: http.StatusOK, url: func(*httptest.Server) string { return "file:///etc/passwd" }, want: []string{"not an http(s) URL"}},
		{name: "cancelled", status: http.StatusOK, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, wantErr: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := startWebhook(t, tc.status, "no such hook")
			u := srv.URL + "/hooks/secret-token"
			if tc.url != nil {
				u = tc.url(srv)
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tc.ctx != nil {
				ctx, cancel = tc.ctx()
			}
			defer cancel()
			err := NewWebhookClient(nil, "").Post(ctx, u, Alert{Rule: "r"})
			if err == nil {
				t.Fatal("want error")
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("error leaks the webhook secret: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %q is not %v", err, tc.wantErr)
			}
		})
	}
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := NewWebhookClient(&http.Client{Timeout: 100 * time.Millisecond}, "t")
	if err := c.Post(context.Background(), srv.URL+"/hooks/x", Alert{}); err == nil || !strings.Contains(err.Error(), "Client.Timeout") {
		t.Errorf("err = %v, want a client timeout", err)
	}
	if NewWebhookClient(nil, "").client.Timeout != DefaultWebhookTimeout {
		t.Error("nil client did not get the default timeout")
	}
}
