package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

// maxQueryTerms bounds an alert query; it is a filter, not a search engine.
const maxQueryTerms = 32

// AlertRule is an alert rule from the config, compiled for matching.
type AlertRule struct {
	cfg     config.AlertRule
	include [][]string // each term is a phrase: a sequence of lower-case words
	exclude [][]string
}

// CompileAlertRules compiles cfg's alert rules.
func CompileAlertRules(cfg config.Config) ([]AlertRule, error) {
	out := make([]AlertRule, 0, len(cfg.Alerts.Rules))
	for _, rc := range cfg.Alerts.Rules {
		r, err := CompileAlertRule(rc)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CompileAlertRule compiles one rule. The query is a list of terms that
// must all appear in the title or text, case-insensitively and as whole
// words: a term is a word or a "quoted phrase"; a term starting with '-'
// must not appear.
func CompileAlertRule(rc config.AlertRule) (AlertRule, error) {
	r := AlertRule{cfg: rc}
	terms, err := splitQuery(rc.Query)
	if err != nil {
		return AlertRule{}, fmt.Errorf("alert rule %q: %w", rc.Name, err)
	}
	for _, t := range terms {
		neg := strings.HasPrefix(t, "-")
		words := tokenize(strings.TrimPrefix(t, "-"))
		if len(words) == 0 {
			continue
		}
		if neg {
			r.exclude = append(r.exclude, words)
		} else {
			r.include = append(r.include, words)
		}
	}
	return r, nil
}

func splitQuery(q string) ([]string, error) {
	var terms []string
	for q = strings.TrimSpace(q); q != ""; q = strings.TrimSpace(q) {
		neg := ""
		if strings.HasPrefix(q, "-\"") {
			neg, q = "-", q[1:]
		}
		if strings.HasPrefix(q, "\"") {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("query has an unclosed quote")
			}
			terms = append(terms, neg+q[1:1+end])
			q = q[end+2:]
		} else {
			end := strings.IndexFunc(q, unicode.IsSpace)
			if end < 0 {
				end = len(q)
			}
			terms = append(terms, q[:end])
			q = q[end:]
		}
		if len(terms) > maxQueryTerms {
			return nil, fmt.Errorf("query has more than %d terms", maxQueryTerms)
		}
	}
	return terms, nil
}

// tokenize lower-cases s and splits it into words of letters and digits.
func tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// candidate is what a rule looks at, from a new or a stored item.
type candidate struct {
	source, title, text string
	stances             []store.ItemStance
	topics              []string
}

// MatchStored reports whether the rule matches a stored item (with its
// text), as it would have when the item was new.
func (r AlertRule) MatchStored(it store.LabeledItem) bool {
	return r.match(storedCandidate(it))
}

// storedCandidate is a stored item (with its text) as rules see it.
func storedCandidate(it store.LabeledItem) candidate {
	return candidate{source: it.Source, title: it.Title, text: it.Text, stances: it.Stances, topics: it.Topics}
}

func (r AlertRule) match(c candidate) bool {
	// Only items naming a tracked person alert: a rule filters news about
	// the people newsmon follows, not the whole feed.
	if len(c.stances) == 0 {
		return false
	}
	if r.cfg.Source != "" && r.cfg.Source != c.source {
		return false
	}
	if !r.matchStance(c.stances) || !matchTopics(r.cfg.TopicsAny, r.cfg.TopicsAll, c.topics) {
		return false
	}
	if len(r.include) == 0 && len(r.exclude) == 0 {
		return true
	}
	words := tokenize(c.title + "\n" + c.text)
	for _, p := range r.include {
		if !containsPhrase(words, p) {
			return false
		}
	}
	for _, p := range r.exclude {
		if containsPhrase(words, p) {
			return false
		}
	}
	return true
}

// matchStance wants one stance that satisfies person, stance and minimum
// score together: "critical of X" must not match an item critical of Y
// that merely mentions X.
func (r AlertRule) matchStance(stances []store.ItemStance) bool {
	for _, st := range stances {
		if r.cfg.Person != "" && !strings.EqualFold(r.cfg.Person, st.Person) {
			continue
		}
		if r.cfg.Stance != "" && r.cfg.Stance != st.Label {
			continue
		}
		// The score is the classifier's; a person's label is taken as sure.
		if !st.Human && math.Abs(st.Score) < r.cfg.MinScore {
			continue
		}
		return true
	}
	return false
}

func matchTopics(anyOf, allOf, have []string) bool {
	set := map[string]bool{}
	for _, t := range have {
		set[strings.ToLower(t)] = true
	}
	for _, t := range allOf {
		if !set[strings.ToLower(t)] {
			return false
		}
	}
	if len(anyOf) == 0 {
		return true
	}
	for _, t := range anyOf {
		if set[strings.ToLower(t)] {
			return true
		}
	}
	return false
}

func containsPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, w := range phrase {
			if words[i+j] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// queueAlerts sets the alerts each item triggers. An item published more
// than maxAge before now triggers none: it is stored, but it is not news.
// (SaveRun further drops them on a source's first run, for items not new,
// and for reposts of a story that already alerted.)
func queueAlerts(rules []AlertRule, source string, items []store.Item, now time.Time, maxAge time.Duration) {
	for i := range items {
		it := &items[i]
		it.Alerts = nil
		if len(rules) == 0 || len(it.Stances) == 0 || !isNews(it.Published, now, maxAge) {
			continue
		}
		c := candidate{source: source, title: it.Title, text: it.Text}
		for _, st := range it.Stances {
			c.stances = append(c.stances, store.ItemStance{Person: st.Person, Label: st.Label, Score: st.Score})
		}
		for _, t := range it.Topics {
			c.topics = append(c.topics, t.Topic)
		}
		it.Alerts = alertRefs(rules, c)
	}
}

// isNews reports whether an item published at published is recent enough
// to alert: not more than maxAge before now (0: any age), or undated.
func isNews(published, now time.Time, maxAge time.Duration) bool {
	return maxAge <= 0 || published.IsZero() || now.Sub(published) <= maxAge
}

// alertRefs lists an alert per channel of each rule that c matches.
func alertRefs(rules []AlertRule, c candidate) []store.AlertRef {
	var refs []store.AlertRef
	for _, r := range rules {
		if !r.match(c) {
			continue
		}
		for _, ch := range r.cfg.Notify {
			refs = append(refs, store.AlertRef{Rule: r.cfg.Name, Channel: ch})
		}
	}
	return refs
}

// RecheckItemAlerts applies a person's label to an item's unsent alerts:
// the rules are matched again against the item as it shows now (a person's
// label wins over the classifier's); pending alerts of rules it no longer
// matches are withdrawn, and rules it now matches queue alerts, as at
// ingest, unless the item was published more than maxAge before now.
func RecheckItemAlerts(ctx context.Context, st *store.Store, rules []AlertRule, itemID int64, now time.Time, maxAge time.Duration) (store.AlertsChange, error) {
	it, err := st.AlertItem(ctx, itemID)
	if err != nil {
		return store.AlertsChange{}, err
	}
	return st.SetItemAlerts(ctx, itemID, alertRefs(rules, storedCandidate(it)), isNews(it.Published, now, maxAge), now)
}
