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
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	topicsSet := false
	fs.Visit(func(f *flag.Flag) { topicsSet = topicsSet || f.Name == "topics" })
	wantArgs := len(pos) == 3 || (len(pos) == 1 && topicsSet) || (len(pos) == 2 && *clearLabel)
	if !wantArgs {
		return fs.usageError("want ITEM_ID PERSON STANCE, ITEM_ID --topics LIST, or ITEM_ID PERSON --clear; got %d arguments", len(pos))
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return fs.usageError("ITEM_ID %q is not an item number (see newsmon search, or the coverage view)", pos[0])
	}
	cfg, st, code := e.openStore(ctx, "label", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	f := &filters{cfg: cfg, st: st}
	var person, stance string
	if len(pos) >= 2 {
		if person, err = f.person(ctx, pos[1]); err != nil {
			return e.filterFailed("label", err)
		}
	}
	if len(pos) == 3 {
		if stance, err = f.stance(pos[2]); err != nil {
			return e.filterFailed("label", err)
		}
		if stance == classify.Unclear {
			return fs.usageError("STANCE: a person's label is supportive, critical or neutral")
		}
	}
	var topicList []string
	if topicsSet {
		topicList = []string{}
		for _, t := range strings.Split(*topics, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			name, err := f.topic(ctx, t)
			if err != nil {
				return e.filterFailed("label", err)
			}
			topicList = append(topicList, name)
		}
		sort.Strings(topicList)
	}
	who := *by
	if who == "" {
		who = currentUser(e)
	}
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

func currentUser(e *env) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := e.getenv("USER"); n != "" {
		return n
	}
	return "unknown"
}
