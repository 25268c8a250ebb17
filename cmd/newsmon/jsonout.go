package main

import (
	"encoding/json"
	"fmt"
	"time"
)

// The JSON that commands print shares one vocabulary, documented in
// docs/commands.md: snake_case names, the same name for the same thing in
// every command (item_id, story_id, source, url, date, person, stance,
// topics, cause, error), times in RFC 3339 UTC, absent times as null. A
// command that lists records (search, export) prints JSON Lines, one record
// per line; a command that reports one thing (status, classify, extract)
// prints one indented object.

// jsonTime is a time as the JSON output writes it: RFC 3339 in UTC, and
// null for the zero time.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.String())
}

// String is the time as JSON and CSV show it; "" for the zero time.
func (t jsonTime) String() string {
	if time.Time(t).IsZero() {
		return ""
	}
	return time.Time(t).UTC().Format(time.RFC3339)
}

// searchHitJSON is one line of `newsmon search --json`.
type searchHitJSON struct {
	ItemID  int64    `json:"item_id"`
	StoryID int64    `json:"story_id"`
	Source  string   `json:"source"`
	Title   string   `json:"title"`
	URL     string   `json:"url"`
	Date    jsonTime `json:"date"`
	Snippet string   `json:"snippet"` // matched terms between « and »
	Rank    float64  `json:"rank"`    // bm25: lower is more relevant
}

// coverageJSON is one line of `newsmon export --format jsonl`, and the
// columns of the CSV, in this order.
type coverageJSON struct {
	ItemID  int64    `json:"item_id"`
	Date    jsonTime `json:"date"`
	Source  string   `json:"source"`
	Person  string   `json:"person"`
	Title   string   `json:"title"`
	URL     string   `json:"url"`
	Stance  string   `json:"stance"`
	Score   float64  `json:"score"`
	Topics  []string `json:"topics"`
	StoryID int64    `json:"story_id"`
	// HumanLabel says stance was set by a person (newsmon label).
	HumanLabel bool `json:"human_label"`
}

// writeJSONLines prints each value on a line of its own.
func writeJSONLines(e *env, values []any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for _, v := range values {
		if err := enc.Encode(v); err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitFailure
		}
	}
	return exitOK
}
