package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Webhook limits.
const (
	// DefaultWebhookTimeout is used when the given http.Client has none.
	DefaultWebhookTimeout = 15 * time.Second
	// maxWebhookText keeps the "text" field well under Slack's and
	// Mattermost's message limits.
	maxWebhookText = 3500
	// maxWebhookResponse is how much of a response body is read, to
	// reuse the connection and to quote an error.
	maxWebhookResponse = 64 << 10
)

// WebhookClient posts alerts as JSON to chat webhooks (Slack, Mattermost,
// or anything that reads JSON).
type WebhookClient struct {
	client    *http.Client
	userAgent string
}

// NewWebhookClient returns a client that posts with client and sends
// userAgent. A nil client, or one without a timeout, gets
// DefaultWebhookTimeout; the caller's client is not modified.
func NewWebhookClient(client *http.Client, userAgent string) *WebhookClient {
	c := &http.Client{}
	if client != nil {
		*c = *client
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultWebhookTimeout
	}
	if strings.TrimSpace(userAgent) == "" {
		userAgent = "newsmon"
	}
	return &WebhookClient{client: c, userAgent: userAgent}
}

// webhookBody is the JSON posted. Text is what chat tools display; the
// other fields are for programs.
type webhookBody struct {
	Text   string        `json:"text"`
	Rule   string        `json:"rule"`
	Person string        `json:"person,omitempty"`
	Items  []webhookItem `json:"items"`
}

type webhookItem struct {
	Title     string   `json:"title"`
	URL       string   `json:"url,omitempty"` // only http(s) URLs are passed on
	Outlet    string   `json:"outlet,omitempty"`
	Published string   `json:"published,omitempty"` // RFC 3339, UTC
	Stance    string   `json:"stance"`
	Score     float64  `json:"score"`
	Topics    []string `json:"topics,omitempty"`
	Evidence  []string `json:"evidence,omitempty"`
	AlsoIn    []string `json:"also_in,omitempty"`
	Person    string   `json:"person,omitempty"`
}

// Post sends a to the webhook at rawURL. A response other than 2xx is an
// error naming the webhook and the status. The URL path is left out of
// errors because chat webhooks carry their secret in it.
func (c *WebhookClient) Post(ctx context.Context, rawURL string, a Alert) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("post webhook: %q is not an http(s) URL", redactURL(rawURL))
	}
	name := redactURL(rawURL)
	body, err := json.Marshal(newWebhookBody(a))
	if err != nil {
		return fmt.Errorf("encode webhook body for %s: %w", name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post webhook %s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.client.Do(req)
	if err != nil {
		// *url.Error repeats the full URL, secret included; keep its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post webhook %s: %w", name, err)
	}
	defer resp.Body.Close()
	// The body is read to quote it in an error and so the connection can
	// be reused; a failed read does not undo a 2xx.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxWebhookResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("post webhook %s: status %s: %s", name, resp.Status, clip(oneLine(string(snippet)), 200))
	}
	return nil
}

func newWebhookBody(a Alert) webhookBody {
	subject, _, text := RenderAlert(a)
	b := webhookBody{
		Text:   slackEscape(clip(subject+"\n\n"+text, maxWebhookText)),
		Rule:   a.Rule,
		Person: a.Person,
		Items:  make([]webhookItem, 0, len(a.Items)),
	}
	for _, it := range a.Items {
		wi := webhookItem{
			Title:    it.Title,
			URL:      safeLink(it.URL),
			Outlet:   it.Outlet,
			Stance:   normStance(it.Stance),
			Score:    it.Score,
			Topics:   it.Topics,
			Evidence: it.Evidence,
			AlsoIn:   outletNames(it.AlsoIn),
			Person:   it.Person,
		}
		if !it.Published.IsZero() {
			wi.Published = it.Published.UTC().Format(time.RFC3339)
		}
		b.Items = append(b.Items, wi)
	}
	return b
}

// slackEscape escapes the three characters Slack treats as markup, so a
// title like "<https://evil|click>" shows as text, not as a link.
// Mattermost decodes these entities too, as Markdown does.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// redactURL keeps the scheme, host and first path segment of a webhook URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	s := u.Scheme + "://" + u.Host + "/" + first
	if rest != "" || u.RawQuery != "" {
		s += "/…"
	}
	return s
}

func outletNames(outlets []Outlet) []string {
	var out []string
	for _, o := range outlets {
		out = append(out, o.Name)
	}
	return out
}
