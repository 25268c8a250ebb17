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
// with queueNew, a wanted alert not yet queued is queued, or queued again if
// it was withdrawn, unless its rule already alerted on another item of the
// story. Alerts being sent, sent or failed are history and stay as they are.
func (s *Store) SetItemAlerts(ctx context.Context, itemID int64, want []AlertRef, queueNew bool, now time.Time) (AlertsChange, error) {
	var ch AlertsChange
	err := s.write(ctx, func(tx *sql.Tx) error {
		ch = AlertsChange{}
		wanted := map[AlertRef]bool{}
		for _, r := range want {
			wanted[r] = true
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, rule, channel, status FROM alerts
			WHERE item_id = ? AND kind = 'item' AND status IN ('pending', 'withdrawn')`, itemID)
		if err != nil {
			return err
		}
		type row struct {
			id     int64
			ref    AlertRef
			status string
		}
		var have []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.ref.Rule, &r.ref.Channel, &r.status); err != nil {
				rows.Close()
				return err
			}
			have = append(have, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ts := formatTime(now)
		for _, r := range have {
			switch {
			case r.status == AlertPending && !wanted[r.ref]:
				if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'withdrawn',
					last_error = 'withdrawn: a person''s label no longer matches the rule' WHERE id = ?`, r.id); err != nil {
					return fmt.Errorf("withdraw alert %d: %w", r.id, err)
				}
				ch.Withdrawn++
			case r.status == AlertWithdrawn && wanted[r.ref] && queueNew:
				if _, err := tx.ExecContext(ctx, `UPDATE alerts SET status = 'pending', last_error = '',
					next_attempt_at = ?, created_at = ? WHERE id = ?`, ts, ts, r.id); err != nil {
					return fmt.Errorf("queue alert %d again: %w", r.id, err)
				}
				ch.Queued++
			}
		}
		if !queueNew {
			return nil
		}
		// insertItemAlerts skips what exists, withdrawn or not, and counts
		// only what it adds.
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
