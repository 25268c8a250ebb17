package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/pipeline"
)

func runRules(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "fit" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, rulesUsage)
			return exitOK
		}
		fmt.Fprintln(e.stderr, rulesUsage)
		return exitUsage
	}
	return runRulesFit(ctx, e, args[1:])
}

const rulesUsage = `Usage: newsmon rules fit [--out FILE] [--suggest] [--groups N] CORPUS_DIR...

Fits the classifier's weights to labelled corpora (the format newsmon eval reads,
and newsmon export --format eval writes): one weight per cue phrase and topic
phrase, the context multipliers and the decision's parameters, by regularised
logistic regression pulled towards the weights written in the rules. It prints
the leave-people-out figures (fitted without each group of people, scored on
their documents) and the in-sample ones, and writes the weights to --out; point
classify.weights at that file to use them.

--suggest lists candidate cue phrases instead: word sequences used far more in
one stance's articles than in the others', across several people and outlets,
for a person to read and add to classify.stance_cues (or not).`

func runRulesFit(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("rules fit", strings.TrimPrefix(rulesUsage, "Usage: newsmon "))
	out := fs.String("out", "", "write the fitted weights to this file")
	suggest := fs.Bool("suggest", false, "list candidate cue phrases instead of fitting")
	groups := fs.Int("groups", 10, "groups of people for leave-people-out")
	perSide := fs.Int("n", 25, "with --suggest: phrases per stance")
	asJSON := fs.Bool("json", false, "print JSON")
	cp, code, ok := e.corpora(fs, path, args)
	if !ok {
		return code
	}
	cfg, docs := cp.cfg, cp.docs
	rules, problems := pipeline.Rules(cfg)
	if len(problems) > 0 {
		fmt.Fprintln(e.stderr, problems)
		return exitUsage
	}
	tracked := pipeline.People(cfg)
	if *suggest {
		c, err := classify.New(tracked, rules)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon rules fit:", err)
			return exitUsage
		}
		list := c.Suggest(docs, classify.SuggestOptions{PerSide: *perSide})
		if *asJSON {
			return writeJSON(e, list)
		}
		fmt.Fprintf(e.stdout, "Candidate cues from %d documents (z: strength of the association; docs: of that stance / of the others)\n", len(docs))
		side := ""
		for _, s := range list {
			if s.Side != side {
				side = s.Side
				fmt.Fprintf(e.stdout, "\n%s\n", side)
			}
			fmt.Fprintf(e.stdout, "  %5.1f  %3d/%-3d  %2d people %2d outlets  %s\n", s.Z, s.Docs, s.Others, s.People, s.Outlets, s.Phrase)
		}
		return exitOK
	}
	start := time.Now()
	res, err := classify.LeavePeopleOut(tracked, rules, docs, *groups, classify.FitOptions{})
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon rules fit:", err)
		return exitFailure
	}
	lpo := classify.Score(res)
	w, err := classify.Fit(tracked, rules, docs, classify.FitOptions{})
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon rules fit:", err)
		return exitFailure
	}
	for _, dir := range cp.dirs {
		w.Fitted.Corpora = append(w.Fitted.Corpora, filepath.Base(filepath.Clean(dir)))
	}
	unfitted := rules.Clone()
	unfitted.SetWeights(nil)
	if c, err := classify.New(tracked, unfitted); err == nil {
		w.Fitted.RulesVersion = c.RulesVersion()
	}
	fitted := rules.Clone()
	fitted.SetWeights(w)
	c, err := classify.New(tracked, fitted)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon rules fit:", err)
		return exitFailure
	}
	in := classify.Score(classify.EvaluateDocs(c, docs))
	if *asJSON {
		return writeJSON(e, struct {
			LeavePeopleOut classify.Report   `json:"leave_people_out"`
			InSample       classify.Report   `json:"in_sample"`
			Weights        *classify.Weights `json:"weights"`
		}{lpo, in, w})
	}
	fmt.Fprintf(e.stdout, "Fitted on %d documents about %d people in %.1f s.\n\nLeave-people-out (%d groups):\n\n",
		len(docs), w.Fitted.People, time.Since(start).Seconds(), *groups)
	lpo.Docs = nil
	if err := lpo.WriteText(e.stdout); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "\nIn-sample (the same documents the weights were fitted on):\n\n")
	if err := in.WriteText(e.stdout); err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFailure
	}
	if *out == "" {
		fmt.Fprintln(e.stdout, "\nNo --out: weights not written.")
		return exitOK
	}
	if err := writeWeightsFile(*out, w); err != nil {
		fmt.Fprintln(e.stderr, "newsmon rules fit:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "\nWeights written to %s; set classify.weights: %s to use them.\n", *out, *out)
	return exitOK
}

// writeWeightsFile writes w to path through a temporary file beside it, so
// a config pointing at path never reads half a file.
func writeWeightsFile(path string, w *classify.Weights) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".weights-*")
	if err != nil {
		return fmt.Errorf("write weights: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := w.WriteJSON(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write weights: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write weights: %w", err)
	}
	return nil
}
