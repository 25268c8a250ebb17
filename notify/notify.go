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

// DigestItem is one stored article in an alert, or one story in a digest:
// the copy shown for it, and where else it ran.
type DigestItem struct {
	Title     string
	URL       string
	Outlet    string // the site's name as readers know it (see outletName)
	Published time.Time
	Stance    string  // supportive|critical|neutral|unclear
	Score     float64 // passed on to webhooks; mails show the stance, not the score
	Topics    []string
	Evidence  []string // one or two evidence sentences; more are cut
	AlsoIn    []Outlet // other outlets carrying the same story
	// Person is the tracked person the item is about. It is needed for
	// items in Digest.Unclear; inside a PersonSection it may stay empty.
	Person string
	// Story is the story the entry stands for (items.story_id): a story
	// listed under two people counts once in the subject. Zero counts the
	// entry by itself.
	Story int64
	// Reason says in a line why the classifier found the stance neutral
	// or unclear ("41 words (fewer than classify.min_words 60)"); empty
	// when it is not known or the stance is a person's label.
	Reason string
	// Human says the stance was set by a person (`newsmon label`).
	Human bool
}

// Outlet is one other outlet that carried a story, and its copy.
type Outlet struct {
	Name string
	URL  string
	// Stance is this copy's stance when it differs from the one the story
	// is listed under; empty when they agree.
	Stance string
}

// PersonSection is the part of a digest about one tracked person.
type PersonSection struct {
	Person string
	// Counts and PrevCounts are stories by stance in this period and the
	// previous one. A nil PrevCounts means there is no previous digest.
	Counts     map[string]int
	PrevCounts map[string]int
	// Items holds one entry per story; unclear ones are moved to the
	// unclear list.
	Items []DigestItem
}

// SourceProblem is a source that is currently failing.
type SourceProblem struct {
	Source  string
	Problem string
	Since   time.Time
}

// DayCount is the number of stories on one day, by stance.
type DayCount struct {
	Day                                    time.Time
	Supportive, Critical, Neutral, Unclear int
}

// PersonDays is one person's stories per day, for the chart.
type PersonDays struct {
	Person string
	Days   []DayCount
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
	// Daily holds stories per day and person for the chart; only the last
	// 14 days are drawn.
	Daily []PersonDays
}

// Alert is a group of new items that matched one alert rule.
type Alert struct {
	Rule   string
	Person string
	Items  []DigestItem
}
