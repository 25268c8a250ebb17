package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AlertItem reads one stored item as alert rules see it: with its text and
// its effective stances and topics (a person's label where there is one).
func (s *Store) AlertItem(ctx context.Context, id int64) (LabeledItem, error) {
	items, err := s.labeledItems(ctx, `i.id = ?`, []any{id}, true)
	if err != nil {
		return LabeledItem{}, fmt.Errorf("read item %d: %w", id, err)
	}
	if len(items) == 0 {
		return LabeledItem{}, fmt.Errorf("read item %d: no such item", id)
	}
	return items[0], nil
}

// AlertsChange counts what SetItemAlerts changed.
type AlertsChange struct{ Queued, Withdrawn int }

// SetItemAlerts makes an item's unsent alerts those in want, after a person
// labelled the item: a pending alert not in want is withdrawn (never sent);
// with queueNew, a wanted alert not yet queued is queued as a new item's
// would be, one withdrawn before included, unless its rule already alerted
// on another item of the story. Alerts being sent, sent or failed are
// history and stay as they are.
func (s *Store) SetItemAlerts(ctx context.Context, itemID int64, want []AlertRef, queueNew bool, now time.Time) (AlertsChange, error) {
	var ch AlertsChange
	err := s.write(ctx, func(tx *sql.Tx) error {
		ch = AlertsChange{}
		wanted := map[AlertRef]bool{}
		for _, r := range want {
			wanted[r] = true
		}
		have, err := queryAlerts(ctx, tx, `SELECT `+alertColumns+` FROM alerts
			WHERE item_id = ? AND kind = 'item' AND status IN ('pending', 'withdrawn')`, itemID)
		if err != nil {
			return err
		}
		for _, a := range have {
			wantedNow := wanted[AlertRef{Rule: a.Rule, Channel: a.Channel}]
			switch {
			case a.Status == AlertPending && !wantedNow:
				if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'withdrawn',
					last_error = 'withdrawn: a person''s label no longer matches the rule' WHERE id = ?`, a.ID); err != nil {
					return fmt.Errorf("withdraw alert %d: %w", a.ID, err)
				}
				ch.Withdrawn++
			case a.Status == AlertWithdrawn && wantedNow && queueNew:
				// Queued below like any new alert, so the story rule holds.
				if _, err := tx.ExecContext(ctx, `DELETE FROM alerts WHERE id = ?`, a.ID); err != nil {
					return fmt.Errorf("queue alert %d again: %w", a.ID, err)
				}
			}
		}
		if !queueNew {
			return nil
		}
		var res RunResult
		if err := insertItemAlerts(ctx, tx, itemID, want, now, &res); err != nil {
			return err
		}
		for _, n := range res.AlertsQueued {
			ch.Queued += n
		}
		return nil
	})
	if err != nil {
		return AlertsChange{}, fmt.Errorf("update the alerts of item %d: %w", itemID, err)
	}
	return ch, nil
}
