package main

import (
	"context"
	"flag"
	"fmt"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/pipeline"
	"github.com/newsmon/newsmon/store"
)

func runLabel(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("label", "label ITEM_ID PERSON STANCE [--topics a,b] [--by NAME] [--note TEXT]\n"+
		"       newsmon label ITEM_ID --topics a,b\n"+
		"       newsmon label ITEM_ID PERSON --clear\n\n"+
		"Records your label for a stored item: the stance towards PERSON (supportive,\n"+
		"critical or neutral) and/or the item's topics (the whole set, comma-separated;\n"+
		"--topics \"\" for none). Your labels win over the classifier's in search, export,\n"+
		"the views, alerts and the digest, and survive reclassify. --clear removes your\n"+
		"stance label. `newsmon export --format eval DIR` writes them as a corpus.")
	topics := fs.String("topics", "", "the item's topics, comma-separated (replaces the classifier's)")
	by := fs.String("by", "", "who labels (default: your user name)")
	note := fs.String("note", "", "why, for the record")
	clearLabel := fs.Bool("clear", false, "remove your stance label for PERSON")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	topicsSet := false
	fs.Visit(func(f *flag.Flag) { topicsSet = topicsSet || f.Name == "topics" })
	pos := fs.Args()
	wantArgs := len(pos) == 3 || (len(pos) == 1 && topicsSet) || (len(pos) == 2 && *clearLabel)
	if !wantArgs {
		fs.Usage()
		return exitUsage
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		fmt.Fprintf(e.stderr, "newsmon label: ITEM_ID %q is not an item number (see `newsmon search` or the coverage view)\n", pos[0])
		return exitUsage
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	var person, stance string
	if len(pos) >= 2 {
		if person, err = trackedPerson(cfg, pos[1]); err != nil {
			fmt.Fprintln(e.stderr, "newsmon label:", err)
			return exitUsage
		}
	}
	if len(pos) == 3 {
		stance = strings.ToLower(pos[2])
		if stance != classify.Supportive && stance != classify.Critical && stance != classify.Neutral {
			fmt.Fprintf(e.stderr, "newsmon label: STANCE %q: want supportive, critical or neutral\n", pos[2])
			return exitUsage
		}
	}
	var topicList []string
	if topicsSet {
		if topicList, err = knownTopics(cfg, *topics); err != nil {
			fmt.Fprintln(e.stderr, "newsmon label:", err)
			return exitUsage
		}
	}
	who := *by
	if who == "" {
		who = currentUser(e)
	}
	st, code := e.openStore(ctx, "label", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	now := time.Now().UTC()
	switch {
	case *clearLabel:
		found, err := st.ClearStanceLabel(ctx, id, person, who, now)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon label:", err)
			return exitFailure
		}
		if !found {
			fmt.Fprintf(e.stdout, "item %d had no label of yours for %s\n", id, person)
		} else {
			fmt.Fprintf(e.stdout, "item %d: your label for %s removed; the classifier's shows again\n", id, person)
		}
		return exitOK
	case stance != "":
		prev, err := st.SetStanceLabel(ctx, store.StanceLabel{ItemID: id, Person: person, Label: stance, By: who, Note: *note}, now)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon label:", err)
			return exitFailure
		}
		if prev == "" {
			prev = "no label"
		}
		fmt.Fprintf(e.stdout, "item %d: %s %s (was %s), labelled by %s\n", id, person, stance, prev, who)
	}
	if topicsSet {
		prev, err := st.SetTopicsLabel(ctx, store.TopicsLabel{ItemID: id, Topics: topicList, By: who, Note: *note}, now)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon label:", err)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "item %d: topics %s (were %s), labelled by %s\n", id, listOrNone(topicList), listOrNone(prev), who)
	}
	return exitOK
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// trackedPerson returns the canonical name of the tracked person name
// names: the canonical name or an alias, in any case and with or without
// accents. An unknown name is an error that lists the closest names.
func trackedPerson(cfg config.Config, name string) (string, error) {
	key := foldedKey(name)
	var names []string
	for _, p := range cfg.Tracked {
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			if foldedKey(n) == key {
				return p.Name, nil
			}
		}
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return "", fmt.Errorf("%q is not a tracked person (tracked: %s)", name, strings.Join(names, ", "))
}

// foldedKey compares names as the matcher does: case, accents and
// punctuation aside.
func foldedKey(s string) string { return classify.FoldName(s) }

// knownTopics splits a comma-separated list and checks each topic is one
// the rules know.
func knownTopics(cfg config.Config, list string) ([]string, error) {
	c, err := pipeline.NewClassifier(cfg)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, t := range c.Topics() {
		known[t] = true
	}
	out := []string{}
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !known[t] {
			return nil, fmt.Errorf("topic %q is not one the rules know (%s)", t, strings.Join(c.Topics(), ", "))
		}
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}

func currentUser(e *env) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := e.getenv("USER"); n != "" {
		return n
	}
	return "unknown"
}
