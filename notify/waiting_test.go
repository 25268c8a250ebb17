package notify

import (
	"context"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/newsmon/newsmon/store"
)

// Waiting says when each group not yet due will go: at the end of its group
// window, or at its retry time after a failed delivery.
func TestOutboxWaiting(t *testing.T) {
	ctx := context.Background()
	st := outboxFixture(t)
	saveItems(t, st, []string{"First Aarrass piece"}, store.AlertRef{Rule: "r", Channel: ChannelEmail})
	failing := &testBackend{dataErr: &smtp.SMTPError{Code: 451, Message: "later"}}
	ob := NewOutbox(st, testMailer(t, startSMTP(t, failing), "", ""), nil, quiet, OutboxConfig{
		Rules: map[string]Targets{"r": {Email: []string{"a@b.example"}}}, MaxAttempts: 3,
		GroupWindow: 10 * time.Minute, RetryBase: time.Hour})
	as, err := st.ListAlerts(ctx, store.AlertPending, 10)
	if err != nil || len(as) != 1 {
		t.Fatalf("pending alerts %+v, %v", as, err)
	}
	created := as[0].Created

	w, err := ob.Waiting(ctx, created.Add(time.Minute))
	if err != nil || len(w) != 1 || w[0].Rule != "r" || w[0].Alerts != 1 || w[0].Retry || !w[0].Due.Equal(created.Add(10*time.Minute)) {
		t.Fatalf("Waiting in the window = %+v, %v; want one group due at the end of the window", w, err)
	}
	if w, _ := ob.Waiting(ctx, created.Add(10*time.Minute)); len(w) != 0 {
		t.Errorf("Waiting once due = %+v, want none", w)
	}

	clock := created.Add(11 * time.Minute)
	ob.now = func() time.Time { return clock }
	if n, err := ob.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("SendDue against a 4xx server = %d, %v", n, err)
	}
	w, err = ob.Waiting(ctx, clock)
	if err != nil || len(w) != 1 || !w[0].Retry || !w[0].Due.Equal(clock.Add(time.Hour)) {
		t.Errorf("Waiting after a failure = %+v, %v; want a retry due an hour later", w, err)
	}
}
