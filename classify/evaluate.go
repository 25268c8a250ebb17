package classify

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// Report is the score of a classifier on a labelled corpus, with the
// result for every document.
type Report struct {
	Stance   StanceReport  `json:"stance"`
	Topics   TopicReport   `json:"topics"`
	Mentions MentionReport `json:"mentions"`
	Docs     []DocResult   `json:"docs"`
}

// StanceReport scores the stance towards each document's main person.
type StanceReport struct {
	MacroF1   float64                   `json:"macro_f1"` // over supportive, critical, neutral
	PerLabel  map[string]PRF            `json:"per_label"`
	Confusion map[string]map[string]int `json:"confusion"` // gold → predicted (incl. "unclear")
	Unclear   int                       `json:"unclear"`   // predictions of "unclear", all counted wrong
}

// PRF is precision, recall and F1.
type PRF struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// TopicReport scores topics per document.
type TopicReport struct {
	MicroF1  float64        `json:"micro_f1"`
	MacroF1  float64        `json:"macro_f1"`
	PerTopic map[string]PRF `json:"per_topic"`
}

// MentionReport scores the set of people found per document.
type MentionReport struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// DocResult is what the classifier said about one labelled document.
type DocResult struct {
	File       string   `json:"file"`
	Person     string   `json:"person"`
	Gold       string   `json:"gold"`
	Predicted  string   `json:"predicted"` // "neutral" when the main person was not found
	Score      float64  `json:"score"`
	Confidence float64  `json:"confidence"`
	Reason     string   `json:"reason,omitempty"`
	TopCues    []TopCue `json:"top_cues"`
	Found      bool     `json:"found"`       // the main person was found
	GoldTopics []string `json:"gold_topics"` // null: not labelled, so not scored
	Topics     []string `json:"topics"`
	People     []string `json:"people"`                  // tracked people labelled as mentioned
	Missed     []string `json:"missed_people,omitempty"` // of those, not found
	Extra      []string `json:"extra_people,omitempty"`  // people found but not labelled as mentioned
}

// TopCue is one of the signals that weighed most in a decision.
type TopCue struct {
	Phrase     string  `json:"phrase"`
	Weight     float64 `json:"weight"`
	Discounted string  `json:"discounted,omitempty"`
}

var goldLabels = []string{Supportive, Critical, Neutral}

// topCues is how many signals a DocResult lists.
const topCues = 5

// Evaluate scores c on a folder of labelled JSON files (see ReadCorpus).
func Evaluate(c *Classifier, dir string) (Report, error) {
	docs, err := ReadCorpus(dir)
	if err != nil {
		return Report{}, err
	}
	return Score(EvaluateDocs(c, docs)), nil
}

// EvaluateDocs classifies each labelled document with c.
func EvaluateDocs(c *Classifier, docs []LabelledDoc) []DocResult {
	out := make([]DocResult, len(docs))
	for i, d := range docs {
		res := c.Classify(d.document())
		r := DocResult{File: d.File, Person: d.Person, Gold: d.Stance, Predicted: Neutral, People: d.People, GoldTopics: d.Topics, Topics: []string{}}
		for _, s := range res.Stances {
			if s.Person != d.Person {
				continue
			}
			r.Found = true
			r.Predicted, r.Score, r.Confidence, r.Reason = s.Label, s.Score, s.Confidence, s.Reason
			ev := append([]Evidence(nil), s.Evidence...)
			sort.SliceStable(ev, func(a, b int) bool { return math.Abs(ev[a].Weight) > math.Abs(ev[b].Weight) })
			for _, e := range ev {
				if len(r.TopCues) == topCues || e.Weight == 0 {
					break
				}
				r.TopCues = append(r.TopCues, TopCue{Phrase: e.Phrase, Weight: e.Weight, Discounted: e.Discounted})
			}
		}
		if r.TopCues == nil {
			r.TopCues = []TopCue{}
		}
		for _, t := range res.Topics {
			r.Topics = append(r.Topics, t.Topic)
		}
		found := map[string]bool{}
		for _, m := range res.Mentions {
			found[m.Person] = true
		}
		gold := map[string]bool{}
		for _, p := range d.People {
			gold[p] = true
			if !found[p] {
				r.Missed = append(r.Missed, p)
			}
		}
		for p := range found {
			if !gold[p] {
				r.Extra = append(r.Extra, p)
			}
		}
		sort.Strings(r.Extra)
		out[i] = r
	}
	return out
}

// Score pools per-document results into a report.
func Score(docs []DocResult) Report {
	conf := make(map[string]map[string]int)
	for _, g := range goldLabels {
		conf[g] = map[string]int{Supportive: 0, Critical: 0, Neutral: 0, Unclear: 0}
	}
	rep := Report{Docs: docs}
	var mTP, mFP, mFN int
	topicTP, topicFP, topicFN := map[string]int{}, map[string]int{}, map[string]int{}
	for _, d := range docs {
		conf[d.Gold][d.Predicted]++
		if d.Predicted == Unclear {
			rep.Stance.Unclear++
		}
		mFP += len(d.Extra)
		mFN += len(d.Missed)
		mTP += len(d.People) - len(d.Missed)
		if d.GoldTopics == nil {
			continue
		}
		gt, pt := map[string]bool{}, map[string]bool{}
		for _, t := range d.GoldTopics {
			gt[t] = true
		}
		for _, t := range d.Topics {
			pt[t] = true
		}
		for t := range union(gt, pt) {
			switch {
			case gt[t] && pt[t]:
				topicTP[t]++
			case pt[t]:
				topicFP[t]++
			default:
				topicFN[t]++
			}
		}
	}
	rep.Stance.Confusion = conf
	rep.Stance.PerLabel = make(map[string]PRF)
	for _, l := range goldLabels {
		tp := conf[l][l]
		var predicted, actual int
		for _, g := range goldLabels {
			predicted += conf[g][l]
			actual += conf[l][g]
		}
		actual += conf[l][Unclear]
		prf := prfOf(tp, predicted-tp, actual-tp)
		rep.Stance.PerLabel[l] = prf
		rep.Stance.MacroF1 += prf.F1 / float64(len(goldLabels))
	}
	var sTP, sFP, sFN int
	var macro float64
	// Summed in name order: a float sum in map order differs in its last
	// digit from run to run.
	topics := slices.Sorted(maps.Keys(union(union(boolKeys(topicTP), boolKeys(topicFP)), boolKeys(topicFN))))
	rep.Topics.PerTopic = map[string]PRF{}
	for _, t := range topics {
		sTP, sFP, sFN = sTP+topicTP[t], sFP+topicFP[t], sFN+topicFN[t]
		prf := prfOf(topicTP[t], topicFP[t], topicFN[t])
		rep.Topics.PerTopic[t] = prf
		macro += prf.F1
	}
	rep.Topics.MicroF1 = prfOf(sTP, sFP, sFN).F1
	if len(topics) > 0 {
		rep.Topics.MacroF1 = macro / float64(len(topics))
	}
	m := prfOf(mTP, mFP, mFN)
	rep.Mentions = MentionReport{Precision: m.Precision, Recall: m.Recall}
	return rep
}

func union(a, b map[string]bool) map[string]bool {
	u := make(map[string]bool, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

func boolKeys(m map[string]int) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// prfOf computes precision, recall and F1; an empty denominator scores 1
// for precision/recall only when there was nothing to find or predict.
func prfOf(tp, fp, fn int) PRF {
	var p PRF
	if tp+fp > 0 {
		p.Precision = float64(tp) / float64(tp+fp)
	} else if fn == 0 {
		p.Precision = 1
	}
	if tp+fn > 0 {
		p.Recall = float64(tp) / float64(tp+fn)
	} else if fp == 0 {
		p.Recall = 1
	}
	if p.Precision+p.Recall > 0 {
		p.F1 = 2 * p.Precision * p.Recall / (p.Precision + p.Recall)
	}
	return p
}

// WriteText writes the report as a human-readable table.
func (r Report) WriteText(w io.Writer) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "stance macro-F1 %.3f (unclear predictions: %d)\n\n", r.Stance.MacroF1, r.Stance.Unclear)
	fmt.Fprintf(&sb, "%-12s %9s %9s %9s\n", "label", "precision", "recall", "f1")
	for _, l := range goldLabels {
		p := r.Stance.PerLabel[l]
		fmt.Fprintf(&sb, "%-12s %9.3f %9.3f %9.3f\n", l, p.Precision, p.Recall, p.F1)
	}
	fmt.Fprintf(&sb, "\nconfusion (rows gold, columns predicted)\n%-12s", "")
	cols := append(append([]string(nil), goldLabels...), Unclear)
	for _, col := range cols {
		fmt.Fprintf(&sb, " %10s", col)
	}
	sb.WriteByte('\n')
	for _, g := range goldLabels {
		fmt.Fprintf(&sb, "%-12s", g)
		for _, col := range cols {
			fmt.Fprintf(&sb, " %10d", r.Stance.Confusion[g][col])
		}
		sb.WriteByte('\n')
	}
	fmt.Fprintf(&sb, "\ntopics   micro-F1 %.3f  macro-F1 %.3f\n", r.Topics.MicroF1, r.Topics.MacroF1)
	fmt.Fprintf(&sb, "mentions precision %.3f  recall %.3f\n", r.Mentions.Precision, r.Mentions.Recall)
	_, err := io.WriteString(w, sb.String())
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
