package notify

import (
	"context"
	"time"
)

// Waiting is a group of alerts that is not due yet: still gathering
// company for GroupWindow, or waiting to retry a failed delivery.
type Waiting struct {
	Rule, Channel string
	Alerts        int
	Due           time.Time // when the sender will deliver the group
	Retry         bool      // waiting after a failed delivery, not for the group window
}

// Waiting returns the alert groups SendDue would not send at now, with
// when it will: a group goes once its oldest alert has waited GroupWindow
// and its next attempt has come (see store.ClaimDueAlerts).
func (o *Outbox) Waiting(ctx context.Context, now time.Time) ([]Waiting, error) {
	groups, err := o.store.PendingGroups(ctx)
	if err != nil {
		return nil, err
	}
	window := o.cfg.GroupWindow
	var out []Waiting
	for _, g := range groups {
		due := g.OldestCreated.Add(window)
		if g.NextAttempt.After(due) {
			due = g.NextAttempt
		}
		if !due.After(now) {
			continue
		}
		out = append(out, Waiting{Rule: g.Rule, Channel: g.Channel, Alerts: g.Alerts, Due: due, Retry: g.Retrying})
	}
	return out, nil
}
