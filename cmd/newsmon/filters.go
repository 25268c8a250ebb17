package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

// filters turns what a user typed after --person, --stance, --topic and
// --source into the values stored, or says what is wrong with it: a filter
// that matches nothing because of a typo must not read as "no coverage".
// A person may be given by any name or alias, in any case; anything may
// also be a value only the database still has (a person no longer
// tracked, a source removed from the config).
type filters struct {
	cfg    config.Config
	st     *store.Store
	stored *store.StoredNames // read once, when the config does not know a value
}

// filterValues are the filters of search and export, as typed or as
// resolved; "" is no filter.
type filterValues struct{ person, stance, topic, source string }

// resolve resolves every filter typed, stopping at the first that names
// nothing known.
func (f *filters) resolve(ctx context.Context, typed filterValues) (filterValues, error) {
	var got filterValues
	var err error
	if got.person, err = f.person(ctx, typed.person); err != nil {
		return got, err
	}
	if got.stance, err = f.stance(typed.stance); err != nil {
		return got, err
	}
	if got.topic, err = f.topic(ctx, typed.topic); err != nil {
		return got, err
	}
	got.source, err = f.source(ctx, typed.source)
	return got, err
}

var stanceLabels = []string{classify.Supportive, classify.Critical, classify.Neutral, classify.Unclear}

func (f *filters) storedNames(ctx context.Context) (store.StoredNames, error) {
	if f.stored == nil {
		n, err := f.st.Names(ctx)
		if err != nil {
			return n, err
		}
		f.stored = &n
	}
	return *f.stored, nil
}

// person returns the tracked person typed names; "" stays "".
func (f *filters) person(ctx context.Context, typed string) (string, error) {
	if typed == "" {
		return "", nil
	}
	var names []string
	canonical := map[string]string{} // every name and alias, to its person
	for _, p := range f.cfg.Tracked {
		names = append(names, p.Name)
		canonical[p.Name] = p.Name
		for _, a := range p.Aliases {
			canonical[a] = p.Name
		}
	}
	stored, err := f.storedNames(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range stored.People {
		if _, ok := canonical[p]; !ok {
			canonical[p] = p
			names = append(names, p)
		}
	}
	if match := lookup(typed, canonical); match != "" {
		return match, nil
	}
	return "", unknownValue("--person", typed, "tracked person or alias", canonical, names)
}

// stance returns the stance label typed names.
func (f *filters) stance(typed string) (string, error) {
	if typed == "" {
		return "", nil
	}
	labels := map[string]string{}
	for _, l := range stanceLabels {
		labels[l] = l
	}
	if match := lookup(typed, labels); match != "" {
		return match, nil
	}
	return "", unknownValue("--stance", typed, "stance", labels, stanceLabels)
}

// topic returns the topic typed names: one the rules can tag, or one
// stored items carry.
func (f *filters) topic(ctx context.Context, typed string) (string, error) {
	if typed == "" {
		return "", nil
	}
	rules, problems := pipeline.Rules(f.cfg)
	if len(problems) > 0 {
		return "", problems
	}
	names := rules.Topics()
	stored, err := f.storedNames(ctx)
	if err != nil {
		return "", err
	}
	return f.oneOf("--topic", "topic", typed, names, stored.Topics)
}

// source returns the source typed names.
func (f *filters) source(ctx context.Context, typed string) (string, error) {
	if typed == "" {
		return "", nil
	}
	var names []string
	for _, s := range f.cfg.Sources {
		names = append(names, s.Name)
	}
	stored, err := f.storedNames(ctx)
	if err != nil {
		return "", err
	}
	return f.oneOf("--source", "source", typed, names, stored.Sources)
}

func (f *filters) oneOf(flagName, what, typed string, lists ...[]string) (string, error) {
	known := map[string]string{}
	var names []string
	for _, list := range lists {
		for _, n := range list {
			if _, ok := known[n]; !ok {
				known[n] = n
				names = append(names, n)
			}
		}
	}
	if match := lookup(typed, known); match != "" {
		return match, nil
	}
	return "", unknownValue(flagName, typed, what, known, names)
}

// lookup finds typed among the keys of known, exactly or else ignoring
// case, and returns what the key stands for.
func lookup(typed string, known map[string]string) string {
	typed = strings.TrimSpace(typed)
	if v, ok := known[typed]; ok {
		return v
	}
	for k, v := range known {
		if strings.EqualFold(k, typed) {
			return v
		}
	}
	return ""
}

// filterError is a filter value that matches nothing the config or the
// database knows. It is the user's to fix: exit status 2.
type filterError struct{ msg string }

func (e *filterError) Error() string { return e.msg }

func unknownValue(flagName, typed, what string, known map[string]string, names []string) error {
	msg := fmt.Sprintf("%s %q matches no %s", flagName, typed, what)
	if guess := closestMeaning(typed, known); guess != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", guess)
	}
	if len(names) > 0 {
		msg += "; known: " + strings.Join(names, ", ")
	}
	return &filterError{msg}
}

// closestMeaning is closest over the keys of known, returning what the key
// stands for: several aliases that start with what was typed are one guess
// when they are one person's.
func closestMeaning(typed string, known map[string]string) string {
	keys := make([]string, 0, len(known))
	meant := map[string]bool{}
	for k, v := range known {
		keys = append(keys, k)
		if len(typed) >= 3 && strings.HasPrefix(strings.ToLower(k), strings.ToLower(typed)) {
			meant[v] = true
		}
	}
	if len(meant) == 1 {
		for v := range meant {
			return v
		}
	}
	sort.Strings(keys) // ties go the same way every time
	if guess := closest(typed, keys); guess != "" {
		return known[guess]
	}
	return ""
}
