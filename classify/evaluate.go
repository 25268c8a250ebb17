package classify

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Report is the score of a classifier on a labelled corpus.
type Report struct {
	Stance   StanceReport  `json:"stance"`
	Topics   TopicReport   `json:"topics"`
	Mentions MentionReport `json:"mentions"`
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
	MicroF1 float64 `json:"micro_f1"`
	MacroF1 float64 `json:"macro_f1"`
}

// MentionReport scores the set of people found per document.
type MentionReport struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// labelled is one corpus file.
type labelled struct {
	Title  string   `json:"title"`
	Text   string   `json:"text"`
	People []string `json:"people"`
	Person string   `json:"person"`
	Stance string   `json:"stance"`
	Topics []string `json:"topics"`
}

var goldLabels = []string{Supportive, Critical, Neutral}

// Evaluate scores c on a folder of labelled JSON files, each
// {"title","text","people":[canonical names mentioned],"person":"main person","stance":"supportive|critical|neutral","topics":[...]}.
// people.json in the folder (the tracked people) is skipped.
func Evaluate(c *Classifier, dir string) (Report, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return Report{}, fmt.Errorf("list corpus %s: %w", dir, err)
	}
	sort.Strings(files)
	conf := make(map[string]map[string]int)
	for _, g := range goldLabels {
		conf[g] = map[string]int{Supportive: 0, Critical: 0, Neutral: 0, Unclear: 0}
	}
	var rep Report
	var mTP, mFP, mFN int
	topicTP, topicFP, topicFN := map[string]int{}, map[string]int{}, map[string]int{}
	docs := 0
	for _, f := range files {
		if filepath.Base(f) == "people.json" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return Report{}, fmt.Errorf("read corpus file: %w", err)
		}
		var d labelled
		if err := json.Unmarshal(data, &d); err != nil {
			return Report{}, fmt.Errorf("parse corpus file %s: %w", f, err)
		}
		if _, ok := conf[d.Stance]; !ok {
			return Report{}, fmt.Errorf("corpus file %s: stance %q is not supportive, critical or neutral", f, d.Stance)
		}
		docs++
		res := c.Classify(Document{Title: d.Title, Text: d.Text})
		pred := Neutral // the main person not found: no framing seen
		found := map[string]bool{}
		for _, m := range res.Mentions {
			found[m.Person] = true
		}
		for _, s := range res.Stances {
			if s.Person == d.Person {
				pred = s.Label
			}
		}
		conf[d.Stance][pred]++
		if pred == Unclear {
			rep.Stance.Unclear++
		}
		gold := map[string]bool{}
		for _, p := range d.People {
			gold[p] = true
		}
		tp, fp, fn := setCounts(gold, found)
		mTP, mFP, mFN = mTP+tp, mFP+fp, mFN+fn
		gt, pt := map[string]bool{}, map[string]bool{}
		for _, t := range d.Topics {
			gt[t] = true
		}
		for _, t := range res.Topics {
			pt[t.Topic] = true
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
	if docs == 0 {
		return Report{}, fmt.Errorf("corpus %s: no labelled files", dir)
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
	topics := union(union(boolKeys(topicTP), boolKeys(topicFP)), boolKeys(topicFN))
	for t := range topics {
		sTP, sFP, sFN = sTP+topicTP[t], sFP+topicFP[t], sFN+topicFN[t]
		macro += prfOf(topicTP[t], topicFP[t], topicFN[t]).F1
	}
	rep.Topics.MicroF1 = prfOf(sTP, sFP, sFN).F1
	if len(topics) > 0 {
		rep.Topics.MacroF1 = macro / float64(len(topics))
	}
	m := prfOf(mTP, mFP, mFN)
	rep.Mentions = MentionReport{Precision: m.Precision, Recall: m.Recall}
	return rep, nil
}

func setCounts(gold, found map[string]bool) (tp, fp, fn int) {
	for p := range found {
		if gold[p] {
			tp++
		} else {
			fp++
		}
	}
	for p := range gold {
		if !found[p] {
			fn++
		}
	}
	return tp, fp, fn
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
