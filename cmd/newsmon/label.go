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
		"the views, alerts and the digest, and survive reclassify: alert rules are matched\n"+
		"again at once, alerts not sent yet that no longer match are withdrawn, and rules\n"+
		"that now match queue alerts. --clear removes your stance label.\n"+
		"`newsmon export --format eval DIR` writes them as a corpus.")
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
			return exitOK
		}
		fmt.Fprintf(e.stdout, "item %d: your label for %s removed; the classifier's shows again\n", id, person)
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
	return e.recheckAlerts(ctx, cfg, st, id, now)
}

// recheckAlerts lets a label win in the alerts not sent yet: it withdraws
// those whose rule the item no longer matches and queues those it now does.
func (e *env) recheckAlerts(ctx context.Context, cfg config.Config, st *store.Store, id int64, now time.Time) int {
	rules, err := pipeline.CompileAlertRules(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon label:", err)
		return exitFailure
	}
	ch, err := pipeline.RecheckItemAlerts(ctx, st, rules, id, now, cfg.Alerts.MaxAge.D())
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon label: the label is saved, but", err)
		return exitFailure
	}
	if ch.Queued > 0 {
		fmt.Fprintf(e.stdout, "item %d: %s queued, as its labels now match\n", id, plural(ch.Queued, "alert", "alerts"))
	}
	if ch.Withdrawn > 0 {
		fmt.Fprintf(e.stdout, "item %d: %s withdrawn before sending, as its labels no longer match\n", id, plural(ch.Withdrawn, "alert", "alerts"))
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
