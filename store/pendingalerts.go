package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PendingGroup is the pending alerts of one (rule, channel): what the
// sender will deliver as one message once the group is due.
type PendingGroup struct {
	Rule, Channel string
	Alerts        int
	OldestCreated time.Time // the group window counts from here
	NextAttempt   time.Time // the earliest an alert of the group may go
	Retrying      bool      // some alert of the group failed a delivery already
}

// PendingGroups returns the groups of pending alerts, oldest first.
func (s *Store) PendingGroups(ctx context.Context) ([]PendingGroup, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rule, channel, count(*), min(created_at), min(next_attempt_at), max(attempts) > 0
		FROM alerts WHERE status = 'pending' GROUP BY rule, channel ORDER BY min(created_at), rule, channel`)
	if err != nil {
		return nil, fmt.Errorf("read pending alerts: %w", err)
	}
	defer rows.Close()
	var out []PendingGroup
	for rows.Next() {
		var g PendingGroup
		var created, next sql.NullString
		if err := rows.Scan(&g.Rule, &g.Channel, &g.Alerts, &created, &next, &g.Retrying); err != nil {
			return nil, fmt.Errorf("read pending alerts: %w", err)
		}
		g.OldestCreated, g.NextAttempt = parseTime(created), parseTime(next)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read pending alerts: %w", err)
	}
	return out, nil
}
