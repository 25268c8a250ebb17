package classify

import "sort"

// Topics returns the names of the topics the rules can tag, sorted.
func (r *Rules) Topics() []string {
	seen := make(map[string]bool, len(r.thresholds))
	for t := range r.thresholds {
		seen[t] = true
	}
	for _, p := range r.topics {
		seen[p.topic] = true
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
