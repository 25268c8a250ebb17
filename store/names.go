package store

import (
	"context"
	"fmt"
)

// StoredNames are the values search and export filters can match, as
// stored: people named in some item, topics tagged on some item, and every
// source the database knows (configured now or in the past).
type StoredNames struct {
	People, Topics, Sources []string
}

// Names reads StoredNames. Each list is sorted; each costs one index step
// per distinct value, however many items there are.
func (s *Store) Names(ctx context.Context) (StoredNames, error) {
	var n StoredNames
	for _, l := range []struct {
		dst           *[]string
		table, column string
	}{
		{&n.People, "mentions", "person"},
		{&n.Topics, "topics", "topic"},
		{&n.Sources, "sources", "name"},
	} {
		list, err := s.distinct(ctx, l.table, l.column)
		if err != nil {
			return StoredNames{}, fmt.Errorf("read stored %s values: %w", l.column, err)
		}
		*l.dst = list
	}
	return n, nil
}

// distinct walks an indexed column's distinct values by seeking to the
// next larger value each time, instead of reading every row as DISTINCT
// would. table and column are literals from Names, never user input.
func (s *Store) distinct(ctx context.Context, table, column string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `WITH RECURSIVE v(x) AS (
			SELECT min(`+column+`) FROM `+table+`
			UNION ALL
			SELECT (SELECT min(`+column+`) FROM `+table+` WHERE `+column+` > v.x) FROM v WHERE v.x IS NOT NULL)
		SELECT x FROM v WHERE x IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
