// Package notify renders alerts and the daily digest and delivers them by
// SMTP, webhook or log.
//
// The renderers (RenderAlert, RenderDigest) and the senders (Mailer,
// WebhookClient) work on plain input structs (Digest, Alert) and touch no
// database. Outbox and DigestJob are the two parts that read and mark
// through store: the outbox claims due alerts and records each delivery's
// outcome, the digest job builds the digest from stored items and records
// each attempt. notify does not decide which items alert; pipeline does,
// at ingest.
//
// Every string in the input comes from hostile web pages: the HTML is built
// with html/template, links are only made from http and https URLs, and
// header values are stripped of line breaks.
package notify

import "time"

// Stances, in the order the digest shows them.
const (
	StanceSupportive = "supportive"
	StanceCritical   = "critical"
	StanceNeutral    = "neutral"
	StanceUnclear    = "unclear"
)

// DigestItem is one stored article in a digest or an alert.
type DigestItem struct {
	Title     string
	URL       string
	Outlet    string
	Published time.Time
	Stance    string // supportive|critical|neutral|unclear
	Score     float64
	Topics    []string
	Evidence  []string // one or two evidence sentences; more are cut
	AlsoIn    []string // other outlets carrying the same story
	// Person is the tracked person the item is about. It is needed for
	// items in Digest.Unclear; inside a PersonSection it may stay empty.
	Person string
}

// PersonSection is the part of a digest about one tracked person.
type PersonSection struct {
	Person string
	// Counts and PrevCounts are mentions by stance in this period and the
	// previous one. A nil PrevCounts means there is no previous digest.
	Counts     map[string]int
	PrevCounts map[string]int
	// Items may include unclear items; they are moved to the unclear list.
	Items []DigestItem
}

// SourceProblem is a source that is currently failing.
type SourceProblem struct {
	Source  string
	Problem string
	Since   time.Time
}

// DayCount is the number of mentions on one day, by stance.
type DayCount struct {
	Day                                    time.Time
	Supportive, Critical, Neutral, Unclear int
}

// Digest is everything the periodic digest email shows.
type Digest struct {
	// Subject is used as given when set; otherwise one is built.
	Subject     string
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Location is the time zone dates are shown in; nil means UTC.
	Location *time.Location
	People   []PersonSection
	// Unclear items are listed apart, to be read by a human.
	Unclear []DigestItem
	// Health lists unwell sources; it is shown at the top when non-empty.
	Health []SourceProblem
	// Daily holds mentions per day for the chart; only the last 14 are drawn.
	Daily []DayCount
}

// Alert is a group of new items that matched one alert rule.
type Alert struct {
	Rule   string
	Person string
	Items  []DigestItem
}
