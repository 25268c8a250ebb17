package pipeline

import (
	"fmt"
	"os"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/config"
)

// NewClassifier builds the classifier cfg describes: the built-in rules with
// the user's additions, removals and thresholds applied. Each error names
// the config line it comes from.
func NewClassifier(cfg config.Config) (*classify.Classifier, error) {
	rules, problems := Rules(cfg)
	if len(problems) > 0 {
		return nil, problems
	}
	c, err := classify.New(People(cfg), rules)
	if err != nil {
		return nil, fmt.Errorf("compile classifier: %w", err)
	}
	return c, nil
}

// Rules applies cfg's classify section to the built-in rules.
func Rules(cfg config.Config) (*classify.Rules, config.Problems) {
	var ps config.Problems
	r := classify.DefaultRules()
	cc := cfg.Classify
	if cc.Weights != "" {
		w, err := readWeights(cfg.Resolve(cc.Weights))
		if err != nil {
			ps = append(ps, cfg.Problem("classify.weights", "%v", err))
		} else {
			r.SetWeights(w)
		}
	}
	if cc.MinWords > 0 {
		if err := r.SetMinWords(cc.MinWords); err != nil {
			ps = append(ps, cfg.Problem("classify.min_words", "%v", err))
		}
	}
	for i, phrase := range cc.StanceCues.Remove {
		if err := r.RemoveCue(phrase); err != nil {
			ps = append(ps, cfg.Problem(fmt.Sprintf("classify.stance_cues.remove[%d]", i), "%v", err))
		}
	}
	for i, phrase := range cc.TopicPhrases.Remove {
		if err := r.RemoveCue(phrase); err != nil {
			ps = append(ps, cfg.Problem(fmt.Sprintf("classify.topic_phrases.remove[%d]", i), "%v", err))
		}
	}
	for i, cue := range cc.StanceCues.Add {
		if err := r.AddStanceCue(cue.Phrase, cue.Side, cue.Weight); err != nil {
			ps = append(ps, cfg.Problem(fmt.Sprintf("classify.stance_cues.add[%d]", i), "%v", err))
		}
	}
	for i, tp := range cc.TopicPhrases.Add {
		if err := r.AddTopicPhrase(tp.Topic, tp.Phrase, tp.Weight); err != nil {
			ps = append(ps, cfg.Problem(fmt.Sprintf("classify.topic_phrases.add[%d]", i), "%v", err))
		}
	}
	for topic, th := range cc.TopicThresholds {
		if err := r.SetTopicThreshold(topic, th); err != nil {
			ps = append(ps, cfg.Problem("classify.topic_thresholds."+topic, "%v", err))
		}
	}
	return r, ps
}

// readWeights reads a weights file written by `newsmon rules fit`.
func readWeights(path string) (*classify.Weights, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w, err := classify.ReadWeights(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}
