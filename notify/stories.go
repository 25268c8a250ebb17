package notify

import (
	"cmp"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/newsmon/newsmon/store"
)

// A digest lists and counts stories, not items: two outlets running one
// wire story (items.story_id) make one entry that names both, and count
// once. The functions here turn the store's items into those entries.

// personCopy is one item of a story and its stance towards one person.
type personCopy struct {
	item   store.LabeledItem
	stance store.ItemStance
}

// storySections makes one section per person, sorted by name, with one
// entry per story.
func storySections(items []store.LabeledItem, copies map[int64][]store.StoryItem) []PersonSection {
	type key struct {
		person string
		story  int64
	}
	groups := map[key][]personCopy{}
	var keys []key
	for _, it := range items {
		for _, st := range it.Stances {
			k := key{st.Person, it.StoryID}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], personCopy{it, st})
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.person, b.person), cmp.Compare(a.story, b.story))
	})
	var out []PersonSection
	for _, k := range keys {
		if len(out) == 0 || out[len(out)-1].Person != k.person {
			out = append(out, PersonSection{Person: k.person, Counts: map[string]int{}})
		}
		ps := &out[len(out)-1]
		cs := groups[k]
		label := storyStance(stancesOf(cs))
		rep := representative(cs, label)
		di := itemFor(rep.item, k.person)
		di.Stance, di.Story = label, k.story
		di.AlsoIn = otherOutlets(rep, cs, copies[k.story], label)
		di.Human = rep.stance.Human
		if !di.Human && (label == StanceUnclear || label == StanceNeutral) {
			di.Reason = reasonText(rep.stance.Reason)
		}
		ps.Items = append(ps.Items, di)
		ps.Counts[label]++
	}
	return out
}

func stancesOf(cs []personCopy) []store.ItemStance {
	out := make([]store.ItemStance, len(cs))
	for i, c := range cs {
		out[i] = c.stance
	}
	return out
}

// storyStance is the stance a story is listed and counted under: the one
// most of its copies take, unclear ones aside; on a tie, the one of the
// copy with the strongest evidence (largest |score|). Only when every copy
// is unclear is the story unclear.
func storyStance(stances []store.ItemStance) string {
	n := map[string]int{}
	strongest := map[string]float64{}
	for _, st := range stances {
		l := normStance(st.Label)
		if l == StanceUnclear {
			continue
		}
		n[l]++
		strongest[l] = max(strongest[l], math.Abs(st.Score))
	}
	best := StanceUnclear
	for _, l := range stanceOrder[:3] {
		if n[l] == 0 {
			continue
		}
		if best == StanceUnclear || n[l] > n[best] || (n[l] == n[best] && strongest[l] > strongest[best]) {
			best = l
		}
	}
	return best
}

// representative is the copy a story's entry shows: of those that take
// the story's stance, the one with the strongest evidence; on a tie the
// earliest.
func representative(cs []personCopy, label string) personCopy {
	var best *personCopy
	for i := range cs {
		c := &cs[i]
		if normStance(c.stance.Label) != label {
			continue
		}
		if best == nil || math.Abs(c.stance.Score) > math.Abs(best.stance.Score) ||
			(math.Abs(c.stance.Score) == math.Abs(best.stance.Score) && earlier(c.item, best.item)) {
			best = c
		}
	}
	if best == nil {
		return cs[0]
	}
	return *best
}

func earlier(a, b store.LabeledItem) bool {
	ta, tb := itemDate(a), itemDate(b)
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return a.ID < b.ID
}

func itemDate(it store.LabeledItem) time.Time {
	if it.Published.IsZero() {
		return it.Fetched
	}
	return it.Published
}

// otherOutlets lists every other outlet that carried the story, first
// seen first, each once: the copies of this period (cs) and the ones
// stored before (copies). A copy of this period that frames the person
// differently from the story says so.
func otherOutlets(rep personCopy, cs []personCopy, copies []store.StoryItem, label string) []Outlet {
	differs := map[int64]string{}
	for _, c := range cs {
		if l := normStance(c.stance.Label); l != label && l != StanceUnclear {
			differs[c.item.ID] = l
		}
	}
	all := slices.Clone(copies)
	for _, c := range cs {
		if !slices.ContainsFunc(all, func(si store.StoryItem) bool { return si.ID == c.item.ID }) {
			all = append(all, store.StoryItem{ID: c.item.ID, Source: c.item.Source, URL: c.item.URL})
		}
	}
	seen := map[string]bool{outletName(rep.item.Source, rep.item.URL): true}
	var out []Outlet
	for _, si := range all {
		name := outletName(si.Source, si.URL)
		if si.ID == rep.item.ID || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, Outlet{Name: name, URL: si.URL, Stance: differs[si.ID]})
	}
	return out
}

// reasonText is the classifier's reason without the label it begins with
// ("unclear: 41 words ..." reads "41 words ..." under the unclear heading).
func reasonText(reason string) string {
	if _, rest, ok := strings.Cut(reason, ": "); ok {
		return rest
	}
	return reason
}

func storyIDs(items []store.LabeledItem) []int64 {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.StoryID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// outletName is the name the digest gives an outlet. sources.name is a
// config key; one written for people (with a capital or a space: "Le
// Monde") is shown as it is, and a key like "lemonde-fr" gives way to the
// host of the item's link ("lemonde.fr"), which is also the right name for
// an aggregator's items. A link without a public host name (an IP address,
// localhost) leaves the key.
func outletName(source, link string) string {
	if strings.ContainsFunc(source, func(r rune) bool { return unicode.IsUpper(r) || unicode.IsSpace(r) }) {
		return source
	}
	if h := siteHost(link); h != "" {
		return h
	}
	return source
}

func siteHost(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if h == "" || net.ParseIP(h) != nil || !strings.Contains(h, ".") {
		return ""
	}
	return strings.TrimPrefix(h, "www.")
}

// dailyStories counts, for each person, the stories first dated on each of
// days days from first on, under the stance storyStance gives the copies
// of the window. dates must be oldest first.
func dailyStories(dates []store.StanceDate, first time.Time, days int, loc *time.Location) []PersonDays {
	type key struct {
		person string
		story  int64
	}
	type story struct {
		day     time.Time
		stances []store.ItemStance
	}
	stories := map[key]*story{}
	var keys []key
	for _, sd := range dates {
		k := key{sd.Person, sd.StoryID}
		s, ok := stories[k]
		if !ok {
			s = &story{day: dayOf(sd.Date, loc)}
			stories[k] = s
			keys = append(keys, k)
		}
		s.stances = append(s.stances, store.ItemStance{Label: sd.Label, Score: sd.Score})
	}
	slices.SortStableFunc(keys, func(a, b key) int { return cmp.Compare(a.person, b.person) })
	var out []PersonDays
	for _, k := range keys {
		if len(out) == 0 || out[len(out)-1].Person != k.person {
			pd := PersonDays{Person: k.person, Days: make([]DayCount, days)}
			for i := range pd.Days {
				pd.Days[i].Day = time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, loc)
			}
			out = append(out, pd)
		}
		pd := &out[len(out)-1]
		s := stories[k]
		i := slices.IndexFunc(pd.Days, func(d DayCount) bool { return d.Day.Equal(s.day) })
		if i < 0 {
			continue
		}
		switch storyStance(s.stances) {
		case StanceSupportive:
			pd.Days[i].Supportive++
		case StanceCritical:
			pd.Days[i].Critical++
		case StanceNeutral:
			pd.Days[i].Neutral++
		default:
			pd.Days[i].Unclear++
		}
	}
	return out
}

func dayOf(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}
