package notify

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/newsmon/newsmon/internal/netguard"
	"github.com/newsmon/newsmon/store"
)

// Alert channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
	ChannelLog     = "log"
)

// Outbox defaults, used when OutboxConfig leaves them zero.
const (
	DefaultRetryBase = time.Minute
	DefaultRetryMax  = 6 * time.Hour
	// sendTimeout bounds one delivery, whatever the channel.
	sendTimeout = 2 * time.Minute
)

// Targets are where one rule's alerts go.
type Targets struct {
	Person  string // the rule's person, shown in the alert; may be empty
	Email   []string
	Webhook string
}

// OutboxConfig says where alerts go and how hard to try.
type OutboxConfig struct {
	// Rules maps rule names to their targets. An alert for a rule not
	// here (removed from the config) is marked failed.
	Rules       map[string]Targets
	MaxAttempts int
	// GroupWindow is how long the first pending alert of a (rule,
	// channel) waits for others to join it in one message.
	GroupWindow time.Duration
	// A failed delivery is retried after RetryBase·2^(attempts−1), at most
	// RetryMax.
	RetryBase, RetryMax time.Duration
	// Health are the targets of source-health alerts (rule
	// store.HealthRule).
	Health Targets
	// Observe, when set, is told of every alert row's outcome: "sent",
	// "retry", "failed" (for good) or "unknown" (found interrupted by a
	// stop, then delivered again, which is told too), with its channel.
	// It feeds /metrics.
	Observe func(channel, outcome string, n int)
}

// Alert outcomes passed to OutboxConfig.Observe.
const (
	OutcomeSent    = "sent"
	OutcomeRetry   = "retry"
	OutcomeFailed  = "failed"
	OutcomeUnknown = "unknown"
)

// OutboxStats counts what the outbox has done since it was made.
type OutboxStats struct {
	Sent, Retrying, Failed, Unknown int64
}

// Outbox delivers the alerts queued in the store: it claims due alerts,
// sends each (rule, channel) group as one message, and marks the rows. It
// makes one pass per SendDue; when to make one is the caller's (the
// daemon's sender, or `newsmon alerts send`). Its settings are fixed: a
// reloaded config makes a new Outbox.
//
// Delivery is at least once, and a repeat is the same message: each
// message carries a key derived from its rows (the Message-ID of a mail,
// the Idempotency-Key header of a webhook POST), identical on every try of
// the same group, so that a receiver can discard the copy. A row is marked
// "sending" in a committed transaction before anything is sent; after a
// crash, Recover finds it so and delivers its group again, under the same
// key. The crash may have come before the message went out, so not sending
// it would lose it; or after, and then the reader's mail system gets a
// second copy of a message it has.
type Outbox struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	mail  *Mailer        // nil: email alerts fail with an error
	hook  *WebhookClient // nil: webhook alerts fail with an error
	cfg   OutboxConfig

	sent, retrying, failed, unknown atomic.Int64
}

// NewOutbox returns an outbox over st. mailer and hook may be nil when no
// rule uses their channel.
func NewOutbox(st *store.Store, mailer *Mailer, hook *WebhookClient, log *slog.Logger, cfg OutboxConfig) *Outbox {
	return &Outbox{store: st, mail: mailer, hook: hook, log: log, cfg: outboxDefaults(cfg), now: time.Now}
}

func (o *Outbox) observe(channel, outcome string, n int) {
	if o.cfg.Observe != nil && n > 0 {
		o.cfg.Observe(channel, outcome, n)
	}
}

func outboxDefaults(cfg OutboxConfig) OutboxConfig {
	if cfg.MaxAttempts < 1 {
		cfg.MaxAttempts = 1
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = DefaultRetryBase
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = DefaultRetryMax
	}
	return cfg
}

// Stats returns the counts so far.
func (o *Outbox) Stats() OutboxStats {
	return OutboxStats{Sent: o.sent.Load(), Retrying: o.retrying.Load(), Failed: o.failed.Load(), Unknown: o.unknown.Load()}
}

// Recover delivers again the alerts a stopped process left "sending", as
// the groups they were claimed in and so under the same keys. Call it
// once, before the first SendDue of a process.
func (o *Outbox) Recover(ctx context.Context) error {
	left, err := o.store.SendingAlerts(ctx)
	if err != nil || len(left) == 0 {
		return err
	}
	for _, a := range left {
		o.observe(a.Channel, OutcomeUnknown, 1)
		o.log.Warn("alert was being sent when newsmon stopped; sending it again under the same key",
			"alert_id", a.ID, "rule", a.Rule, "channel", a.Channel, "key", a.Key)
	}
	o.unknown.Add(int64(len(left)))
	_, err = o.deliverClaimed(ctx, left)
	return err
}

// SendDue sends every due alert group once and returns how many alert rows
// were delivered. A delivery failure is recorded on the rows, not returned;
// the error is for the store.
func (o *Outbox) SendDue(ctx context.Context) (int, error) {
	claimed, err := o.store.ClaimDueAlerts(ctx, o.now(), o.cfg.GroupWindow)
	if err != nil {
		return 0, err
	}
	return o.deliverClaimed(ctx, claimed)
}

// deliverClaimed sends claimed alerts, one message per group, and marks
// each group's rows with the outcome.
func (o *Outbox) deliverClaimed(ctx context.Context, claimed []store.Alert) (int, error) {
	delivered := 0
	for _, g := range groupAlerts(claimed) {
		// Rows already claimed are marked even if ctx ends mid-way, so none
		// is left "sending" by an orderly shutdown.
		mctx := context.WithoutCancel(ctx)
		sendErr := o.deliver(ctx, g)
		ids := alertIDs(g)
		if sendErr == nil {
			if err := o.store.MarkAlertsSent(mctx, ids, o.now()); err != nil {
				return delivered, err
			}
			delivered += len(ids)
			o.sent.Add(int64(len(ids)))
			o.observe(g[0].Channel, OutcomeSent, len(ids))
			continue
		}
		attempts := g[0].Attempts + 1
		retryAt := o.now().Add(o.backoff(attempts))
		if err := o.store.MarkAlertsFailed(mctx, ids, sendErr.Error(), retryAt, o.cfg.MaxAttempts); err != nil {
			return delivered, err
		}
		if attempts >= o.cfg.MaxAttempts {
			o.failed.Add(int64(len(ids)))
			o.observe(g[0].Channel, OutcomeFailed, len(ids))
			o.log.Error("alert delivery failed; giving up", "rule", g[0].Rule, "channel", g[0].Channel,
				"attempts", attempts, "err", sendErr)
		} else {
			o.retrying.Add(int64(len(ids)))
			o.observe(g[0].Channel, OutcomeRetry, len(ids))
			o.log.Warn("alert delivery failed; will retry", "rule", g[0].Rule, "channel", g[0].Channel,
				"attempts", attempts, "retry_at", retryAt, "err", sendErr)
		}
	}
	return delivered, nil
}

func (o *Outbox) backoff(attempts int) time.Duration {
	d := float64(o.cfg.RetryBase) * math.Pow(2, float64(max(0, attempts-1)))
	return time.Duration(min(d, float64(o.cfg.RetryMax)))
}

// groupAlerts splits claimed alerts into one group per (rule, channel,
// health or item), each in claim order.
func groupAlerts(as []store.Alert) [][]store.Alert {
	type key struct {
		rule, channel string
		health        bool
	}
	idx := map[key]int{}
	var out [][]store.Alert
	for _, a := range as {
		k := key{a.Rule, a.Channel, a.Kind != store.AlertItem}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], a)
	}
	return out
}

func alertIDs(g []store.Alert) []int64 {
	ids := make([]int64, len(g))
	for i, a := range g {
		ids[i] = a.ID
	}
	return ids
}

// groupKey is the idempotency key of one message: a hash of its rows' keys.
func groupKey(g []store.Alert) string {
	keys := make([]string, len(g))
	for i, a := range g {
		keys[i] = a.Key
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(sum[:16])
}

func (o *Outbox) deliver(ctx context.Context, g []store.Alert) error {
	log := o.log
	first := g[0]
	t, ok := o.cfg.Rules[first.Rule]
	if first.Kind != store.AlertItem {
		t, ok = o.cfg.Health, true
	}
	if !ok {
		return fmt.Errorf("alert rule %q is no longer configured", first.Rule)
	}
	a := buildAlert(g, t)
	key := groupKey(g)
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	switch first.Channel {
	case ChannelLog:
		if first.Kind != store.AlertItem {
			for _, al := range g {
				log.Warn("source health", "source", al.Source, "kind", al.Kind, "problem", al.Message, "key", key)
			}
			return nil
		}
		for _, it := range a.Items {
			log.Info("alert", "rule", a.Rule, "person", a.Person, "title", it.Title, "url", it.URL,
				"source", it.Outlet, "stance", it.Stance, "score", it.Score, "key", key)
		}
		return nil
	case ChannelEmail:
		if o.mail == nil {
			return errors.New("send alert: no smtp server configured")
		}
		return o.mail.sendAlertWithID(ctx, t.Email, a, key)
	case ChannelWebhook:
		if o.hook == nil {
			return errors.New("send alert: no webhook client")
		}
		return o.hook.Post(withIdempotencyKey(ctx, key), t.Webhook, a)
	default:
		return fmt.Errorf("send alert: unknown channel %q", first.Channel)
	}
}

// buildAlert turns a group of rows into one notify.Alert.
func buildAlert(g []store.Alert, t Targets) Alert {
	a := Alert{Rule: g[0].Rule, Person: t.Person}
	if g[0].Kind != store.AlertItem {
		a.Rule = "source health"
		a.Person = ""
	}
	for _, al := range g {
		if al.Kind != store.AlertItem {
			a.Items = append(a.Items, DigestItem{
				Title:     healthTitle(al),
				Outlet:    al.Source,
				Published: al.Created,
				Stance:    StanceUnclear,
				Evidence:  []string{al.Message},
			})
			continue
		}
		if al.Item == nil { // the item was pruned since
			continue
		}
		a.Items = append(a.Items, itemFor(*al.Item, t.Person))
	}
	return a
}

func healthTitle(a store.Alert) string {
	switch a.Kind {
	case store.AlertSourceFailing:
		return "Source " + a.Source + " is failing"
	case store.AlertSourceSilent:
		return "Source " + a.Source + " has gone silent"
	case store.AlertSourceRecovered:
		return "Source " + a.Source + " has recovered"
	}
	return "Source " + a.Source + ": " + a.Kind
}

// itemFor shows it through person's stance, or the strongest stance when
// person is empty or not among them.
func itemFor(it store.LabeledItem, person string) DigestItem {
	d := DigestItem{Title: it.Title, URL: it.URL, Outlet: outletName(it.Source, it.URL), Published: it.Published, Topics: it.Topics}
	if d.Published.IsZero() {
		d.Published = it.Fetched
	}
	var best *store.ItemStance
	for i := range it.Stances {
		st := &it.Stances[i]
		if person != "" && strings.EqualFold(st.Person, person) {
			best = st
			break
		}
		if best == nil || math.Abs(st.Score) > math.Abs(best.Score) {
			best = st
		}
	}
	if best != nil {
		d.Person, d.Stance, d.Score, d.Evidence = best.Person, best.Label, best.Score, best.Evidence
	} else {
		d.Stance = StanceUnclear
	}
	return d
}

// sendAlertWithID is SendAlert with a Message-ID derived from key, so that
// a resent group has the same Message-ID as its first try.
func (m *Mailer) sendAlertWithID(ctx context.Context, to []string, a Alert, key string) error {
	msg, err := alertMessage(m.cfg.From, to, a, m.now())
	if err == nil {
		err = m.sendKeyed(ctx, msg, "alert-"+key)
	}
	if err != nil {
		return fmt.Errorf("send alert: %w", err)
	}
	return nil
}

type idempotencyKeyCtx struct{}

func withIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// keyTransport adds the Idempotency-Key header to webhook requests made
// by the outbox.
type keyTransport struct{ base http.RoundTripper }

func (t keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if k, ok := r.Context().Value(idempotencyKeyCtx{}).(string); ok && k != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Idempotency-Key", k)
	}
	return t.base.RoundTrip(r)
}

// WebhookHTTPClient returns the HTTP client alert webhooks are posted
// with: it sends the outbox's Idempotency-Key header and, unless
// allowPrivate is set, refuses to connect to loopback, private and
// link-local addresses, as fetching does, so a webhook URL cannot be used
// to reach services inside the network.
func WebhookHTTPClient(allowPrivate bool, timeout time.Duration) *http.Client {
	// The same guard as every fetch: a webhook URL is config, but its host's
	// DNS is not ours, and the metadata service is never a webhook.
	d := &net.Dialer{Timeout: cmp.Or(timeout, DefaultWebhookTimeout), Control: netguard.Control(allowPrivate)}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // a proxy would hide the address being checked
	tr.DialContext = d.DialContext
	return &http.Client{Transport: keyTransport{base: tr}, Timeout: cmp.Or(timeout, DefaultWebhookTimeout)}
}
