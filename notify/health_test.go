package notify

import (
	"bytes"
	"context"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsmon/newsmon/store"
)

// failThrice records three failed runs of "wire" and queues the failing
// notice on channels.
func failThrice(t *testing.T, st *store.Store, at time.Time, channels ...string) {
	t.Helper()
	ctx := context.Background()
	for i := range 3 {
		when := at.Add(time.Duration(i) * time.Minute)
		if _, err := st.SaveRun(ctx, store.Run{Source: "wire", Status: store.StatusError, Error: "fetch: 502 Bad Gateway",
			StartedAt: when, FinishedAt: when}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.CheckSourceHealth(ctx, "wire", at.Add(3*time.Minute), store.HealthPolicy{Failures: 3, Channels: channels})
	if err != nil || n != 1 {
		t.Fatalf("CheckSourceHealth = %d, %v; want 1 notice", n, err)
	}
}

type observed struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *observed) add(channel, outcome string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[channel+"/"+outcome] += n
}

func TestOutboxSendsHealthAlertsByEmailAndLog(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	failThrice(t, st, time.Now().Add(-time.Hour), ChannelEmail, ChannelLog)

	be := &testBackend{}
	var logs bytes.Buffer
	var obs observed
	ob := NewOutbox(st, testMailer(t, startSMTP(t, be), "", ""), nil, slog.New(slog.NewTextHandler(&logs, nil)), OutboxConfig{
		Health: Targets{Email: []string{"ops@ngo.example"}}, MaxAttempts: 3, Observe: obs.add,
	})
	if n, err := ob.SendDue(ctx); err != nil || n != 2 {
		t.Fatalf("SendDue = %d, %v; want 2 (email and log)", n, err)
	}
	msgs := be.messages()
	if len(msgs) != 1 || msgs[0].To[0] != "ops@ngo.example" {
		t.Fatalf("server got %d messages (%v), want one to ops@ngo.example", len(msgs), msgs)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	text := mimeParts(t, m)["text/plain"]
	for _, want := range []string{"Source wire is failing", "failed 3 runs in a row", "502 Bad Gateway"} {
		if !strings.Contains(text, want) {
			t.Errorf("mail lacks %q:\n%s", want, text)
		}
	}
	if l := logs.String(); !strings.Contains(l, "source health") || !strings.Contains(l, "kind=source_failing") {
		t.Errorf("log channel wrote:\n%s", l)
	}
	if obs.n["email/sent"] != 1 || obs.n["log/sent"] != 1 {
		t.Errorf("observed %v, want one sent per channel", obs.n)
	}
}

// An alert whose rule the outbox does not know stays pending with the
// reason; the outbox of a reloaded config that has the rule delivers it.
func TestOutboxOfAReloadedConfigTakesNewTargets(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{"Aarrass appeal"}, store.AlertRef{Rule: "added-later", Channel: ChannelEmail})

	old := &testBackend{}
	ob := NewOutbox(st, testMailer(t, startSMTP(t, old), "", ""), nil, quiet, OutboxConfig{
		Rules: map[string]Targets{"critical": {Email: []string{"desk@ngo.example"}}}, MaxAttempts: 5,
	})
	clock := time.Now()
	ob.now = func() time.Time { return clock }
	if n, err := ob.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("SendDue with the old config = %d, %v; want 0", n, err)
	}
	as, _ := st.ListAlerts(ctx, store.AlertPending, 10)
	if len(as) != 1 || !strings.Contains(as[0].LastError, "no longer configured") {
		t.Fatalf("alerts before reload = %+v, want one pending with 'no longer configured'", as)
	}
	fresh := &testBackend{}
	reloaded := NewOutbox(st, testMailer(t, startSMTP(t, fresh), "", ""), nil, quiet, OutboxConfig{
		Rules: map[string]Targets{"added-later": {Email: []string{"new@ngo.example"}}}, MaxAttempts: 5,
	})
	reloaded.now = func() time.Time { return clock.Add(time.Hour) } // past the retry
	if n, err := reloaded.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("SendDue with the reloaded config = %d, %v; want 1", n, err)
	}
	if len(old.messages()) != 0 {
		t.Error("the old mail server got a message")
	}
	if msgs := fresh.messages(); len(msgs) != 1 || msgs[0].To[0] != "new@ngo.example" {
		t.Errorf("new server got %v, want one message to new@ngo.example", msgs)
	}
}

// The digest names a failing source's cause in a word or two, never the Go
// error behind it; a failure without a known cause points to status.
func TestDigestShowsTheCauseOfSourceProblems(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	if err := st.SyncSources(ctx, []store.SourceDef{{Name: "other", Type: "feed", URL: "https://other.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Hour)
	for i, run := range []store.Run{
		{Source: "wire", Cause: "refused", Error: `GET https://wire.example/feed: dial tcp 192.0.2.7:443: connect: connection refused`},
		{Source: "wire", Cause: "refused", Error: `GET https://wire.example/feed: dial tcp 192.0.2.7:443: connect: connection refused`},
		{Source: "other", Error: "save run of other: disk I/O error"},
	} {
		run.Status, run.StartedAt, run.FinishedAt = store.StatusError, at.Add(time.Duration(i)*time.Minute), at.Add(time.Duration(i)*time.Minute)
		if _, err := st.SaveRun(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	job := NewDigestJob(st, nil, quiet, DigestConfig{HealthFailures: 1})
	d, _, err := job.Build(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range d.Health {
		got[h.Source] = h.Problem
	}
	want := map[string]string{
		"wire":  "failed 2 times in a row: refused",
		"other": "failed its last run (newsmon status other shows why)",
	}
	for source, problem := range want {
		if got[source] != problem {
			t.Errorf("%s: problem %q, want %q", source, got[source], problem)
		}
	}
}
