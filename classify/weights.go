package classify

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
)

// Weights are the fitted parameters of the model: one weight per cue and
// topic phrase, the context multipliers, the decision's biases and feature
// weights, and each topic's threshold. They are written by Fit
// (`newsmon rules fit`) as JSON and read by ReadWeights; the rule files keep
// the phrases, and their weights there are the priors fitting starts from.
type Weights struct {
	Format int                     `json:"format"` // weightsFormat
	Fitted FitInfo                 `json:"fitted"`
	Stance StanceWeights           `json:"stance"`
	Topics map[string]TopicWeights `json:"topics"`
}

// FitInfo says what the weights were fitted on.
type FitInfo struct {
	Corpora      []string `json:"corpora"`
	Documents    int      `json:"documents"`
	People       int      `json:"people"`
	RulesVersion string   `json:"rules_version"` // of the rules without weights
	Lambda       float64  `json:"lambda"`        // L2 strength of the cue weights' pull towards their rule weights
}

// StanceWeights are the stance model's parameters (see model.go).
type StanceWeights struct {
	UnfittedScale         float64                       `json:"unfitted_cue_scale"`      // a framing cue not in Cues counts its rule weight times this
	UnfittedRegisterScale float64                       `json:"unfitted_register_scale"` // and a register cue (neutral, opinion) times this
	Cues                  []CueWeight                   `json:"cues"`
	Room                  float64                       `json:"room"`              // per word of a quotation giving the person's side room
	ScareRole             float64                       `json:"scare_quoted_role"` // a role in scare quotes
	Context               map[string]float64            `json:"context"`           // multiplier per context and scope
	Bias                  map[string]float64            `json:"bias"`              // supportive, critical (neutral is 0)
	Features              map[string]map[string]float64 `json:"features"`          // label → feature → weight
}

// CueWeight is a fitted cue. The weight of a supportive or critical cue
// adds to the lean (positive towards supportive); that of a neutral or
// opinion cue to the register (positive towards neutral).
type CueWeight struct {
	Side   string  `json:"side"`
	Phrase string  `json:"phrase"`
	Weight float64 `json:"weight"`
}

// TopicWeights are one topic's fitted phrase weights and threshold.
type TopicWeights struct {
	Threshold float64        `json:"threshold"`
	Phrases   []PhraseWeight `json:"phrases"`
}

// PhraseWeight is a fitted topic phrase.
type PhraseWeight struct {
	Phrase string  `json:"phrase"`
	Weight float64 `json:"weight"`
}

const weightsFormat = 1

//go:embed weights.json
var shippedWeights []byte

// ShippedWeights returns the weights built into the binary, fitted on the
// development corpus.
func ShippedWeights() (*Weights, error) {
	w, err := ReadWeights(bytes.NewReader(shippedWeights))
	if err != nil {
		return nil, fmt.Errorf("built-in weights: %w", err)
	}
	return w, nil
}

// ReadWeights reads a weights file strictly: an unknown field, context,
// feature or label, or a number that is not finite, is an error.
func ReadWeights(r io.Reader) (*Weights, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var w Weights
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("read weights: %w", err)
	}
	if w.Format != weightsFormat {
		return nil, fmt.Errorf("read weights: format %d, want %d", w.Format, weightsFormat)
	}
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("read weights: %w", err)
	}
	return &w, nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (w *Weights) validate() error {
	st := &w.Stance
	for _, x := range []float64{st.UnfittedScale, st.UnfittedRegisterScale, st.Room, st.ScareRole} {
		if !finite(x) {
			return fmt.Errorf("stance: %v is not a finite number", x)
		}
	}
	for _, c := range st.Cues {
		if !validSide(c.Side) {
			return fmt.Errorf("stance cue %q: side %q is not supportive, critical, neutral or opinion", c.Phrase, c.Side)
		}
		if foldPhrase(c.Phrase) == "" || !finite(c.Weight) {
			return fmt.Errorf("stance cue %q: no words, or weight %v not finite", c.Phrase, c.Weight)
		}
	}
	for name, x := range st.Context {
		if multIndex(name) < 0 {
			return fmt.Errorf("stance context %q: unknown (known: %v)", name, multNames)
		}
		if !finite(x) {
			return fmt.Errorf("stance context %q: %v is not finite", name, x)
		}
	}
	for label, x := range st.Bias {
		if labelIndex(label) < 0 || !finite(x) {
			return fmt.Errorf("stance bias %q: unknown label or %v not finite", label, x)
		}
	}
	for label, fs := range st.Features {
		if labelIndex(label) < 0 {
			return fmt.Errorf("stance features of %q: label is not supportive or critical", label)
		}
		for name, x := range fs {
			if featIndex(name) < 0 || !finite(x) {
				return fmt.Errorf("stance feature %q: unknown (known: %v) or %v not finite", name, featNames, x)
			}
		}
	}
	for topic, t := range w.Topics {
		if !(t.Threshold > 0) || !finite(t.Threshold) {
			return fmt.Errorf("topic %q: threshold %v is not a positive number", topic, t.Threshold)
		}
		for _, p := range t.Phrases {
			if foldPhrase(p.Phrase) == "" || !finite(p.Weight) {
				return fmt.Errorf("topic %q phrase %q: no words, or weight %v not finite", topic, p.Phrase, p.Weight)
			}
		}
	}
	return nil
}

func multIndex(name string) int {
	for i, n := range multNames {
		if n == name {
			return i
		}
	}
	return -1
}

func featIndex(name string) int {
	for i, n := range featNames {
		if n == name {
			return i
		}
	}
	return -1
}

func labelIndex(label string) int {
	switch label {
	case Supportive:
		return lSupportive
	case Critical:
		return lCritical
	}
	return -1
}

// WriteJSON writes the weights as indented JSON, cues and phrases sorted
// so that two fits of the same data give the same file.
func (w *Weights) WriteJSON(out io.Writer) error {
	sort.Slice(w.Stance.Cues, func(i, j int) bool {
		a, b := w.Stance.Cues[i], w.Stance.Cues[j]
		if a.Side != b.Side {
			return a.Side > b.Side // supportive first
		}
		return a.Phrase < b.Phrase
	})
	for _, t := range w.Topics {
		sort.Slice(t.Phrases, func(i, j int) bool { return t.Phrases[i].Phrase < t.Phrases[j].Phrase })
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return fmt.Errorf("write weights: %w", err)
	}
	return nil
}

// compileModel builds the model for the compiled cues of c from weights w
// (nil: the rule weights as they are, with the hand-set multipliers).
func (c *Classifier) compileModel(w *Weights, userThresholds map[string]bool) *model {
	m := &model{cue: make([]float64, len(c.cues)), topicW: make([]float64, len(c.cues)), mult: handMultipliers,
		room: roomWeight, scare: -scareWeight, bias: [2]float64{-labelMargin, -labelMargin}}
	m.threshold = append([]float64(nil), c.thresholds...)
	scale, regScale := 1.0, registerScale
	cueW := map[string]float64{}
	topicW := map[string]float64{}
	if w != nil {
		st := &w.Stance
		scale, regScale = st.UnfittedScale, st.UnfittedRegisterScale
		m.room, m.scare = st.Room, st.ScareRole
		for name, x := range st.Context {
			m.mult[multIndex(name)] = x
		}
		m.bias = [2]float64{}
		for label, x := range st.Bias {
			m.bias[labelIndex(label)] = x
		}
		for label, fs := range st.Features {
			for name, x := range fs {
				m.feat[labelIndex(label)][featIndex(name)] = x
			}
		}
		for _, cw := range st.Cues {
			cueW[cw.Side+" "+foldPhrase(cw.Phrase)] = cw.Weight
		}
		for topic, tw := range w.Topics {
			for _, p := range tw.Phrases {
				topicW[topic+" "+foldPhrase(p.Phrase)] = p.Weight
			}
			for i, name := range c.topics {
				if name == topic && !userThresholds[topic] {
					m.threshold[i] = tw.Threshold
				}
			}
		}
	}
	for i, q := range c.cues {
		if q.topic >= 0 {
			m.topicW[i] = q.weight
			if x, ok := topicW[c.topics[q.topic]+" "+foldPhrase(q.phrase)]; ok && !q.added {
				m.topicW[i] = x
			}
			continue
		}
		m.cue[i] = q.weight * q.side * scale
		if q.register {
			m.cue[i] = q.weight * q.side * regScale
		}
		if x, ok := cueW[q.sideName()+" "+foldPhrase(q.phrase)]; ok && !q.added {
			m.cue[i] = x
		}
	}
	return m
}
