package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/fetch"
	"github.com/newsmon/newsmon/pipeline"
)

func runClassify(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("classify", "classify FILE|URL|- [--json]\n       newsmon classify --item ID [--json]\n\nPrints the mentions, stances and topics the rules find, with every cue that\nfired and every cue that was discounted (negated, quoted...) and why.\nHTML input (a file, a URL) goes through article extraction first.")
	asJSON := fs.Bool("json", false, "print JSON")
	itemID := fs.Int64("item", 0, "explain a stored item")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) > 1 || (len(pos) == 1) == (*itemID != 0) {
		return fs.usageError("want one FILE, URL or - (standard input), or --item ID")
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	c, err := pipeline.NewClassifier(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	var doc classify.Document
	switch {
	case *itemID != 0:
		st, ok := e.openExisting(ctx, "classify", cfg)
		if !ok {
			return exitFailure
		}
		defer st.Close()
		it, err := st.Item(ctx, *itemID)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon classify:", err)
			return exitFailure
		}
		doc = classify.Document{Title: it.Title, Text: it.Text, StancePrior: stancePrior(cfg, it.Source)}
	default:
		doc, err = readDocument(ctx, cfg, pos[0], e.stdin)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon classify:", err)
			return exitFailure
		}
	}
	res := c.Classify(doc)
	if *asJSON {
		return writeJSON(e, classificationJSON(res))
	}
	writeClassification(e.stdout, res)
	return exitOK
}

func stancePrior(cfg config.Config, source string) string {
	for _, s := range cfg.Sources {
		if s.Name == source {
			return s.StancePrior
		}
	}
	return ""
}

// readDocument reads a text or HTML file, stdin ("-") or a URL; HTML goes
// through article extraction.
func readDocument(ctx context.Context, cfg config.Config, arg string, stdin io.Reader) (classify.Document, error) {
	body, contentType, pageURL, err := readPage(ctx, cfg, arg, stdin, cfg.Fetch.AllowPrivate)
	if err != nil {
		return classify.Document{}, err
	}
	if !looksLikeHTML(body, contentType) {
		return classify.Document{Text: strings.ToValidUTF8(string(body), "\uFFFD")}, nil
	}
	a, err := extract.FromHTML(body, contentType, pageURL)
	if err != nil {
		return classify.Document{}, fmt.Errorf("extract %s: %w", arg, err)
	}
	return classify.Document{Title: a.Title, Text: a.Text}, nil
}

// readPage reads FILE, "-" (stdin, up to the body limit) or an http(s) URL,
// fetched with cfg's User-Agent and limits. contentType and pageURL are
// known only for a URL.
func readPage(ctx context.Context, cfg config.Config, arg string, stdin io.Reader, allowPrivate bool) (body []byte, contentType string, pageURL *url.URL, err error) {
	switch {
	case arg == "-":
		if stdin == nil {
			stdin = strings.NewReader("")
		}
		body, err = io.ReadAll(io.LimitReader(stdin, int64(cfg.Fetch.MaxBodyBytes)))
	case strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://"):
		var resp *fetch.Response
		resp, err = pipeline.NewClient(cfg).Get(ctx, fetch.Request{URL: arg, AllowPrivate: allowPrivate,
			Accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"})
		if err == nil {
			body, contentType = resp.Body, resp.ContentType
			pageURL, _ = url.Parse(resp.URL)
		}
	default:
		body, err = os.ReadFile(arg)
	}
	return body, contentType, pageURL, err
}

func looksLikeHTML(body []byte, contentType string) bool {
	if strings.Contains(contentType, "html") {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 512)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html"))
}

// The JSON shape of `newsmon classify --json`, as documented in the README.
type (
	classificationOut struct {
		Mentions     []mentionOut `json:"mentions"`
		Stances      []stanceOut  `json:"stances"`
		Topics       []topicOut   `json:"topics"`
		RulesVersion string       `json:"rules_version"`
	}
	mentionOut struct {
		Person    string   `json:"person"`
		Count     int      `json:"count"`
		Spellings []string `json:"spellings"`
	}
	stanceOut struct {
		Person     string        `json:"person"`
		Label      string        `json:"label"`
		Score      float64       `json:"score"`
		Confidence float64       `json:"confidence"`
		Reason     string        `json:"reason"`
		Evidence   []evidenceOut `json:"evidence"`
	}
	topicOut struct {
		Topic    string        `json:"topic"`
		Score    float64       `json:"score"`
		Evidence []evidenceOut `json:"evidence"`
	}
	evidenceOut struct {
		Phrase     string  `json:"phrase"`
		Sentence   string  `json:"sentence"`
		Offset     int     `json:"offset"`
		Weight     float64 `json:"weight"`
		Discounted string  `json:"discounted,omitempty"`
	}
)

func classificationJSON(res classify.Result) classificationOut {
	out := classificationOut{Mentions: []mentionOut{}, Stances: []stanceOut{}, Topics: []topicOut{}, RulesVersion: res.RulesVersion}
	idx := map[string]int{}
	for _, m := range res.Mentions {
		i, ok := idx[m.Person]
		if !ok {
			i = len(out.Mentions)
			idx[m.Person] = i
			out.Mentions = append(out.Mentions, mentionOut{Person: m.Person, Spellings: []string{}})
		}
		out.Mentions[i].Count++
		if !contains(out.Mentions[i].Spellings, m.Spelling) {
			out.Mentions[i].Spellings = append(out.Mentions[i].Spellings, m.Spelling)
		}
	}
	for _, s := range res.Stances {
		out.Stances = append(out.Stances, stanceOut{Person: s.Person, Label: s.Label, Score: s.Score, Confidence: s.Confidence,
			Reason: s.Reason, Evidence: evidenceList(s.Evidence)})
	}
	for _, t := range res.Topics {
		out.Topics = append(out.Topics, topicOut{Topic: t.Topic, Score: t.Score, Evidence: evidenceList(t.Evidence)})
	}
	return out
}

func evidenceList(ev []classify.Evidence) []evidenceOut {
	out := make([]evidenceOut, len(ev))
	for i, e := range ev {
		out[i] = evidenceOut{Phrase: e.Phrase, Sentence: e.Sentence, Offset: e.Offset, Weight: e.Weight, Discounted: e.Discounted}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeClassification(w io.Writer, res classify.Result) {
	out := classificationJSON(res)
	fmt.Fprintf(w, "Rules version %s\n\nMentions:\n", res.RulesVersion)
	if len(out.Mentions) == 0 {
		fmt.Fprintln(w, "  (no tracked person)")
	}
	for _, m := range out.Mentions {
		fmt.Fprintf(w, "  %s: %d (%s)\n", m.Person, m.Count, strings.Join(m.Spellings, ", "))
	}
	fmt.Fprintln(w, "\nStances:")
	for _, s := range out.Stances {
		fmt.Fprintf(w, "  %s: %s (lean %+.2f, confidence %.2f)\n    %s\n", s.Person, s.Label, s.Score, s.Confidence, s.Reason)
		writeEvidence(w, s.Evidence)
	}
	fmt.Fprintln(w, "\nTopics:")
	if len(out.Topics) == 0 {
		fmt.Fprintln(w, "  (none over threshold)")
	}
	for _, t := range out.Topics {
		fmt.Fprintf(w, "  %s (score %.2f)\n", t.Topic, t.Score)
		writeEvidence(w, t.Evidence)
	}
}

func writeEvidence(w io.Writer, ev []evidenceOut) {
	for _, e := range ev {
		note := ""
		if e.Discounted != "" {
			note = " [discounted: " + e.Discounted + "]"
		}
		fmt.Fprintf(w, "    %+.2f %q%s\n           in: %s\n", e.Weight, e.Phrase, note, oneLine(e.Sentence, 160))
	}
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func writeJSON(e *env, v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // for people and jq, not for a page
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFailure
	}
	return exitOK
}

func runReclassify(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("reclassify", "reclassify [--since 7d|DATE]\n\nRe-runs the current rules and tracked names over stored items (after you\nedit rules or add a person), in batches of one transaction each, and reports\nhow many labels changed. Interrupted, it resumes after the last batch\nit committed when run again.")
	since := fs.since("", "only items published (or first seen) since")
	batch := fs.Int("batch", 500, "items per transaction")
	if code, ok := fs.parseNone(args, ""); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	from := since.at(time.Now(), cfg.Location)
	c, err := pipeline.NewClassifier(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	st, ok := e.openExisting(ctx, "reclassify", cfg)
	if !ok {
		return exitFailure
	}
	defer st.Close()
	opts := pipeline.ReclassifyOptionsFor(cfg)
	opts.Since, opts.Batch = from, max(1, *batch)
	meter := newProgressMeter(e.stderr, time.Now)
	opts.Progress = meter.update
	res, err := pipeline.Reclassify(ctx, c, st, opts)
	meter.finish()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stderr, "newsmon reclassify: interrupted after %d of %d items; run it again to resume\n", res.Done, res.Total)
		} else {
			fmt.Fprintln(e.stderr, "newsmon reclassify:", err)
		}
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "reclassified %d items with rules %s: %d labels changed\n", res.Done, c.RulesVersion(), res.Changed)
	if res.Resumed > 0 {
		fmt.Fprintf(e.stdout, "(resumed an interrupted run after %d items)\n", res.Resumed)
	}
	if res.Kept > 0 {
		fmt.Fprintf(e.stdout, "%d items kept their labels: retention dropped their text\n", res.Kept)
	}
	return exitOK
}

func runEval(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("eval", "eval [--json] [--errors] [--no-lpo] DIR...\n\n"+
		"Scores the classifier on labelled corpora: folders of JSON files, each\n"+
		"{\"title\",\"text\",\"people\",\"person\",\"stance\",\"topics\"}. People come from\n"+
		"DIR/people.json when present, else from --config. Two sets of figures: with the\n"+
		"configured weights (in-sample, if they were fitted on these documents), and\n"+
		"leave-people-out: weights fitted again without each group of people, scored on\n"+
		"that group's documents. --errors lists each wrong stance, most confident first,\n"+
		"with the reason and the cues that weighed most (from leave-people-out unless\n"+
		"--no-lpo). One way of dealing people into groups moves the figure by about\n"+
		"one article; --groupings 7,8,10,12,13 also averages over several ways.")
	asJSON := fs.Bool("json", false, "print JSON, with every document's result")
	errorsView := fs.Bool("errors", false, "list the wrong stances, most confident first")
	noLPO := fs.Bool("no-lpo", false, "skip the leave-people-out figures")
	groups := fs.Int("groups", 10, "groups of people for leave-people-out")
	groupings := fs.String("groupings", "", "also average leave-people-out over these numbers of groups, e.g. 7,8,10,12,13")
	cp, code, ok := e.corpora(fs, path, args)
	if !ok {
		return code
	}
	counts, err := groupCounts(*groupings)
	if err != nil {
		return fs.usageError("--groupings: %v", err)
	}
	if len(counts) > 0 && *noLPO {
		return fs.usageError("--groupings and --no-lpo contradict each other")
	}
	cfg, docs := cp.cfg, cp.docs
	c, err := pipeline.NewClassifier(cfg)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUsage
	}
	out := evalOut{Report: classify.Score(classify.EvaluateDocs(c, docs))}
	if !*noLPO {
		rules, _ := pipeline.Rules(cfg) // checked by NewClassifier above
		res, err := classify.LeavePeopleOut(pipeline.People(cfg), rules, docs, *groups, classify.FitOptions{})
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon eval:", err)
			return exitFailure
		}
		rep := classify.Score(res)
		out.LeavePeopleOut = &lpoOut{Groups: *groups, Report: rep}
		for _, n := range counts {
			rep := out.LeavePeopleOut.Report // --groups, fitted above
			if n != *groups {
				res, err := classify.LeavePeopleOut(pipeline.People(cfg), rules, docs, n, classify.FitOptions{})
				if err != nil {
					fmt.Fprintln(e.stderr, "newsmon eval:", err)
					return exitFailure
				}
				rep = classify.Score(res)
			}
			out.Groupings = append(out.Groupings, groupingOut{Groups: n, StanceMacroF1: rep.Stance.MacroF1, TopicsMicroF1: rep.Topics.MicroF1})
		}
	}
	switch {
	case *asJSON:
		return writeJSON(e, out)
	case *errorsView:
		docs := out.Docs
		if out.LeavePeopleOut != nil {
			docs = out.LeavePeopleOut.Docs
		}
		writeErrors(e.stdout, docs)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%d documents about %d people\n\nWith the configured weights:\n\n", len(docs), len(distinctPeople(docs)))
	if err := out.Report.WriteText(e.stdout); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFailure
	}
	if out.LeavePeopleOut != nil {
		fmt.Fprintf(e.stdout, "\nLeave-people-out (%d groups; weights fitted without each group's people):\n\n", *groups)
		if err := out.LeavePeopleOut.Report.WriteText(e.stdout); err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitFailure
		}
	}
	if len(out.Groupings) > 0 {
		writeGroupings(e.stdout, out.Groupings)
	}
	return exitOK
}

// groupCounts parses --groupings: numbers of groups, each at least 2.
func groupCounts(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 2 {
			return nil, fmt.Errorf("%q is not a number of groups (2 or more)", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// writeGroupings prints leave-people-out over several ways of grouping the
// people: each figure, then their mean and range.
func writeGroupings(w io.Writer, gs []groupingOut) {
	stance, topics := make([]float64, len(gs)), make([]float64, len(gs))
	var counts []string
	fmt.Fprintf(w, "\nLeave-people-out by the number of groups:\n\n%-8s %16s %16s\n", "groups", "stance macro-F1", "topics micro-F1")
	for i, g := range gs {
		stance[i], topics[i] = g.StanceMacroF1, g.TopicsMicroF1
		counts = append(counts, strconv.Itoa(g.Groups))
		fmt.Fprintf(w, "%-8d %16.3f %16.3f\n", g.Groups, g.StanceMacroF1, g.TopicsMicroF1)
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	fmt.Fprintf(w, "%-8s %16.4f %16.4f\n", "mean", mean(stance), mean(topics))
	fmt.Fprintf(w, "(stance %.3f to %.3f over %s groups)\n", slices.Min(stance), slices.Max(stance), strings.Join(counts, ", "))
}

// The JSON shape of `newsmon eval --json`.
type (
	evalOut struct {
		classify.Report
		LeavePeopleOut *lpoOut       `json:"leave_people_out,omitempty"`
		Groupings      []groupingOut `json:"groupings,omitempty"`
	}
	// groupingOut is leave-people-out with one number of groups.
	groupingOut struct {
		Groups        int     `json:"groups"`
		StanceMacroF1 float64 `json:"stance_macro_f1"`
		TopicsMicroF1 float64 `json:"topics_micro_f1"`
	}
	lpoOut struct {
		Groups int `json:"groups"`
		classify.Report
	}
)

// corpus is what eval and rules fit read: labelled folders, and the
// config whose tracked people are those the folders name.
type corpus struct {
	cfg  config.Config
	docs []classify.LabelledDoc
	dirs []string
}

// corpora parses the flags and arguments of a command that reads labelled
// corpus folders and reads them (see readCorpora).
func (e *env) corpora(fs *flagSet, cfgPath *string, args []string) (corpus, int, bool) {
	pos, code, ok := fs.parse(args)
	if !ok {
		return corpus{}, code, false
	}
	if len(pos) == 0 {
		return corpus{}, fs.usageError("want at least one corpus DIR"), false
	}
	cfg, ok := e.corpusConfig(fs, *cfgPath) // after parsing: --config may follow the folders
	if !ok {
		return corpus{}, exitUsage, false
	}
	docs, people, err := readCorpora(cfg, pos)
	if err != nil {
		fmt.Fprintf(e.stderr, "newsmon %s: %v\n", fs.name, err)
		return corpus{}, exitUsage, false
	}
	cfg.Tracked = people
	return corpus{cfg: cfg, docs: docs, dirs: pos}, exitOK, true
}

// readCorpora reads labelled folders and the people they track: the union
// of their people.json files, else the config's tracked people.
func readCorpora(cfg config.Config, dirs []string) ([]classify.LabelledDoc, []config.Person, error) {
	var docs []classify.LabelledDoc
	var people []config.Person
	seen := map[string]bool{}
	for _, dir := range dirs {
		d, err := classify.ReadCorpus(dir)
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, d...)
		ps, err := classify.ReadPeople(dir)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range ps {
			if !seen[p.Name] {
				seen[p.Name] = true
				people = append(people, config.Person{Name: p.Name, Aliases: p.Aliases})
			}
		}
	}
	if len(people) == 0 {
		people = cfg.Tracked
	}
	return docs, people, nil
}

func distinctPeople(docs []classify.LabelledDoc) map[string]bool {
	m := map[string]bool{}
	for _, d := range docs {
		m[d.Person] = true
	}
	return m
}

// writeErrors lists the documents whose stance was wrong, most confident
// first: what a rule writer reads to see each mistake and why.
func writeErrors(w io.Writer, docs []classify.DocResult) {
	var wrong []classify.DocResult
	for _, d := range docs {
		if d.Predicted != d.Gold {
			wrong = append(wrong, d)
		}
	}
	sort.SliceStable(wrong, func(i, j int) bool { return wrong[i].Confidence > wrong[j].Confidence })
	fmt.Fprintf(w, "%d of %d stances wrong, most confident first\n", len(wrong), len(docs))
	for _, d := range wrong {
		fmt.Fprintf(w, "\n%s  %s: gold %s, predicted %s (confidence %.2f, lean %+.2f)\n", d.File, d.Person, d.Gold, d.Predicted, d.Confidence, d.Score)
		if !d.Found {
			fmt.Fprintf(w, "    %s was not found in the text\n", d.Person)
			continue
		}
		if d.Reason != "" {
			fmt.Fprintf(w, "    %s\n", d.Reason)
		}
		for _, c := range d.TopCues {
			note := ""
			if c.Discounted != "" {
				note = " [" + c.Discounted + "]"
			}
			fmt.Fprintf(w, "    %+.2f %q%s\n", c.Weight, oneLine(c.Phrase, 80), note)
		}
	}
}

// corpusConfig loads the config for a command that reads labelled corpora
// (eval, rules fit): a corpus folder names its own people, so when no
// config file was asked for and none is in the working folder, the
// built-in defaults serve.
func (e *env) corpusConfig(fs *flagSet, path string) (config.Config, bool) {
	explicit := e.getenv("NEWSMON_CONFIG") != ""
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	if _, err := os.Stat(path); err != nil && !explicit && errors.Is(err, os.ErrNotExist) {
		return config.Default(), true
	}
	return e.loadConfig(path)
}
