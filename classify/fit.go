package classify

import (
	"fmt"
	"math"
	"sort"
)

// Fitting: the weights of the model (model.go) are learned from labelled
// articles by regularised multinomial logistic regression over the very
// observations Classify makes. Each cue's weight is pulled towards its
// rule weight times one common scale of its kind, framing or register (so
// a cue seen in few articles keeps about the weight its author gave it,
// and a cue never seen keeps it exactly), each context multiplier towards
// its hand-set value, and each feature weight towards zero. Topics are
// fitted the same way, one logistic regression per topic over its phrases.
// The optimiser (lbfgs.go) is deterministic: the same corpus and rules give
// the same weights.

// FitOptions are the strengths of the pulls towards the priors. Zero
// values take the defaults.
type FitOptions struct {
	Cue      float64 // on each framing cue's departure from its rule weight × scale
	Register float64 // on each register (neutral, opinion) cue's, the same way
	Context  float64 // on each multiplier's departure from its hand value
	Feature  float64 // on each feature weight
	Topic    float64 // on each topic phrase's departure from its rule weight
	MaxIter  int
}

// DefaultFitOptions are the strengths chosen by leave-people-out
// evaluation on the real corpus, averaged over several groupings of its
// people (docs/classifier-rounds.md).
//
// Register is weaker than Cue: a register cue ("told reporters", "denied
// that") says how a piece is written, not what it says about whom, so
// what it is worth carries over between people better than what a
// framing cue is worth.
//
// Topic is strong: a topic phrase occurs in a handful of articles, and
// weights learned phrase by phrase from them carried over to people left
// out worse than the rule weights did; what fitting a topic then mostly
// learns is its threshold.
var DefaultFitOptions = FitOptions{Cue: 0.06, Register: 0.018, Context: 0.05, Feature: 0.01, Topic: 10, MaxIter: 300}

func (o FitOptions) withDefaults() FitOptions {
	d := DefaultFitOptions
	if o.Cue > 0 {
		d.Cue = o.Cue
	}
	if o.Register > 0 {
		d.Register = o.Register
	}
	if o.Context > 0 {
		d.Context = o.Context
	}
	if o.Feature > 0 {
		d.Feature = o.Feature
	}
	if o.Topic > 0 {
		d.Topic = o.Topic
	}
	if o.MaxIter > 0 {
		d.MaxIter = o.MaxIter
	}
	return d
}

// term is one signal of an example as fitting sees it.
type term struct {
	key      int
	amount   float64
	ctx      context
	scope    uint8
	register bool
}

// example is one labelled document as observed for its main person.
type example struct {
	gold       int // lSupportive, lCritical or 2 (neutral)
	found      bool
	terms      []term
	feat       [numFeat]float64
	topics     map[int]float64 // topic cue index → capped count, asides discounted
	goldTopics []bool          // per topic of the classifier
}

const lNeutral = 2

// goldIndex is the label index of a gold stance.
func goldIndex(stance string) int {
	switch stance {
	case Supportive:
		return lSupportive
	case Critical:
		return lCritical
	}
	return lNeutral
}

// examples observes every document with the unfitted classifier c.
func (c *Classifier) examples(docs []LabelledDoc) []example {
	out := make([]example, len(docs))
	topicIdx := map[string]int{}
	for i, t := range c.topics {
		topicIdx[t] = i
	}
	for i, d := range docs {
		ex := &out[i]
		ex.gold = goldIndex(d.Stance)
		if d.Topics != nil {
			ex.goldTopics = make([]bool, len(c.topics))
		}
		for _, t := range d.Topics {
			if k, ok := topicIdx[t]; ok {
				ex.goldTopics[k] = true
			}
		}
		c.inspect(d.document(), func(r *reading, _ []Mention, obs []observation, hits []hit) {
			ex.topics = map[int]float64{}
			repeats := topicRepeats{}
			for _, h := range hits {
				if c.cues[h.cue].topic >= 0 && repeats.counts(h.cue) {
					ex.topics[h.cue] += r.topicShare(h)
				}
			}
			for _, o := range obs {
				if c.m.people[o.person].Name != d.Person {
					continue
				}
				ex.found = true
				ex.feat = o.feat
				for _, ps := range o.signals {
					if ps.scope >= scopeOther {
						continue
					}
					sg := r.signals[ps.sig]
					if sg.lexicon() {
						continue // counted in the features
					}
					ex.terms = append(ex.terms, term{key: sg.key, amount: sg.amount, ctx: sg.ctx, scope: ps.scope, register: sg.register})
				}
			}
		})
	}
	return out
}

// minProb is the least probability the losses take the log of, so that a
// document the model is sure of the wrong way costs much but not infinity.
const minProb = 1e-300

// Parameter layout of the stance fit.
const (
	pScale    = iota // of the framing cues' rule weights
	pRegScale        // of the register cues' rule weights
	pRoom
	pScare
	pMult
	pBias = pMult + numMult
	pFeat = pBias + 2
	pCues = pFeat + 2*numFeat
)

// stanceFit is the stance objective over a set of examples.
type stanceFit struct {
	c     *Classifier
	ex    []example
	prior []float64   // rule weight × side per cue index
	slot  map[int]int // cue index → its departure's index in x, less pCues
	pull  []float64   // per slot: the strength of its pull, Cue or Register
	opt   FitOptions
}

// start is where the fit begins: the rule weights at scale 1 and the
// hand-set multipliers, as the unfitted classifier weighs them.
func (f *stanceFit) start() []float64 {
	x := make([]float64, pCues+len(f.slot))
	x[pScale], x[pRegScale], x[pRoom], x[pScare] = 1, registerScale, roomWeight, -scareWeight
	copy(x[pMult:], handMultipliers[:])
	x[pBias], x[pBias+1] = -labelMargin, -labelMargin
	return x
}

// weight of a term's key under parameters x.
func (f *stanceFit) weight(x []float64, key int) float64 {
	switch key {
	case keyRoom:
		return x[pRoom]
	case keyScare:
		return x[pScare]
	}
	sc := x[pScale]
	if f.c.cues[key].register {
		sc = x[pRegScale]
	}
	return sc*f.prior[key] + x[pCues+f.slot[key]]
}

// multIndexes lists the multipliers a term's contexts and scope use.
func multIndexes(t term, dst []int) []int {
	dst = dst[:0]
	for i := 0; i < numContexts; i++ {
		if t.ctx&(1<<i) != 0 {
			dst = append(dst, i)
		}
	}
	switch t.scope {
	case scopeReference:
		dst = append(dst, multReference)
	case scopeParagraph:
		dst = append(dst, multParagraph)
	case scopeOutside:
		dst = append(dst, multOutside)
	}
	return dst
}

// multProduct is the product of term t's multipliers under x, and their
// indexes (in dst's memory).
func multProduct(x []float64, t term, dst []int) (float64, []int) {
	idx := multIndexes(t, dst)
	m := 1.0
	for _, k := range idx {
		m *= x[pMult+k]
	}
	return m, idx
}

// eval is the mean cross-entropy plus the pulls towards the priors, and its
// gradient.
func (f *stanceFit) eval(x, g []float64) float64 {
	clear(g)
	loss := 0.0
	n := 0
	var idx []int
	for i := range f.ex {
		ex := &f.ex[i]
		if !ex.found {
			continue
		}
		n++
		s, reg := 0.0, 0.0
		for _, t := range ex.terms {
			var m float64
			m, idx = multProduct(x, t, idx)
			if t.register {
				reg += f.weight(x, t.key) * t.amount * m
			} else {
				s += f.weight(x, t.key) * t.amount * m
			}
		}
		sup, crit := s-reg+x[pBias], -s-reg+x[pBias+1]
		for j, v := range ex.feat {
			sup += x[pFeat+j] * v
			crit += x[pFeat+numFeat+j] * v
		}
		ps, pc, pn := softmax3(sup, crit)
		p := [3]float64{ps, pc, pn}
		loss -= math.Log(math.Max(p[ex.gold], minProb))
		ds, dc := ps, pc
		if ex.gold == lSupportive {
			ds--
		}
		if ex.gold == lCritical {
			dc--
		}
		g[pBias] += ds
		g[pBias+1] += dc
		for j, v := range ex.feat {
			g[pFeat+j] += ds * v
			g[pFeat+numFeat+j] += dc * v
		}
		for _, t := range ex.terms {
			gs := ds - dc // d loss / d S
			if t.register {
				gs = -ds - dc // d loss / d R
			}
			var m float64
			m, idx = multProduct(x, t, idx)
			w := f.weight(x, t.key)
			switch {
			case t.key == keyRoom:
				g[pRoom] += gs * t.amount * m
			case t.key == keyScare:
				g[pScare] += gs * t.amount * m
			case t.register:
				g[pRegScale] += gs * f.prior[t.key] * t.amount * m
				g[pCues+f.slot[t.key]] += gs * t.amount * m
			default:
				g[pScale] += gs * f.prior[t.key] * t.amount * m
				g[pCues+f.slot[t.key]] += gs * t.amount * m
			}
			for a, k := range idx {
				others := 1.0
				for b, k2 := range idx {
					if a != b {
						others *= x[pMult+k2]
					}
				}
				g[pMult+k] += gs * w * t.amount * others
			}
		}
	}
	if n == 0 {
		return 0
	}
	inv := 1 / float64(n)
	loss *= inv
	scale(inv, g)
	o := f.opt
	reg := func(i int, target, lambda float64) {
		d := x[i] - target
		loss += lambda * d * d
		g[i] += 2 * lambda * d
	}
	reg(pRoom, roomWeight, o.Context)
	reg(pScare, -scareWeight, o.Context)
	for k := 0; k < numMult; k++ {
		reg(pMult+k, handMultipliers[k], o.Context)
	}
	for j := 0; j < 2*numFeat; j++ {
		reg(pFeat+j, 0, o.Feature)
	}
	for j, lambda := range f.pull {
		reg(pCues+j, 0, lambda)
	}
	return loss
}

// Fit learns weights for rules from labelled documents about people. The
// rules' own weights (if any) are ignored: fitting starts from the rule
// files' weights and the hand-set multipliers.
func Fit(people []Person, rules *Rules, docs []LabelledDoc, opt FitOptions) (*Weights, error) {
	c, err := unfitted(people, rules)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("fit: no labelled documents")
	}
	return c.fit(c.examples(docs), opt.withDefaults(), docs), nil
}

// unfitted compiles rules (the default ones when nil) without their
// weights: what fitting observes with and starts from.
func unfitted(people []Person, rules *Rules) (*Classifier, error) {
	if rules == nil {
		rules = DefaultRules()
	}
	base := rules.clone()
	base.weights = nil
	return New(people, base)
}

// stanceFit sets up the stance objective over examples ex: a departure
// from the rule weight for every cue they hold, pulled by opt.Cue for a
// framing cue and by opt.Register for a register cue.
func (c *Classifier) stanceFit(ex []example, opt FitOptions) *stanceFit {
	f := &stanceFit{c: c, ex: ex, opt: opt, prior: make([]float64, len(c.cues)), slot: map[int]int{}}
	for i, q := range c.cues {
		if q.topic < 0 {
			f.prior[i] = q.weight * q.side
		}
	}
	for _, e := range ex {
		for _, t := range e.terms {
			if _, ok := f.slot[t.key]; !ok && t.key >= 0 {
				f.slot[t.key] = len(f.slot)
			}
		}
	}
	f.pull = make([]float64, len(f.slot))
	for k, j := range f.slot {
		f.pull[j] = opt.Cue
		if c.cues[k].register {
			f.pull[j] = opt.Register
		}
	}
	return f
}

// fit fits stance and topic weights on examples (observed by the unfitted
// classifier c).
func (c *Classifier) fit(ex []example, opt FitOptions, docs []LabelledDoc) *Weights {
	f := c.stanceFit(ex, opt)
	x := f.start()
	minimize(f.eval, x, opt.MaxIter)

	w := &Weights{Format: weightsFormat, Topics: map[string]TopicWeights{}}
	w.Fitted.Lambda = opt.Cue
	st := &w.Stance
	st.UnfittedScale, st.UnfittedRegisterScale = round(x[pScale]), round(x[pRegScale])
	st.Room, st.ScareRole = round(x[pRoom]), round(x[pScare])
	st.Context = map[string]float64{}
	for k := 0; k < numMult; k++ {
		st.Context[multNames[k]] = round(x[pMult+k])
	}
	st.Bias = map[string]float64{Supportive: round(x[pBias]), Critical: round(x[pBias+1])}
	st.Features = map[string]map[string]float64{Supportive: {}, Critical: {}}
	for j := 0; j < numFeat; j++ {
		st.Features[Supportive][featNames[j]] = round(x[pFeat+j])
		st.Features[Critical][featNames[j]] = round(x[pFeat+numFeat+j])
	}
	keys := make([]int, 0, len(f.slot))
	for k := range f.slot {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		q := c.cues[k]
		st.Cues = append(st.Cues, CueWeight{Side: q.sideName(), Phrase: q.phrase, Weight: round(f.weight(x, k))})
	}
	for t := range c.topics {
		w.Topics[c.topics[t]] = c.fitTopic(t, ex, opt)
	}
	people := map[string]bool{}
	for _, d := range docs {
		people[d.Person] = true
	}
	w.Fitted.Documents, w.Fitted.People = len(docs), len(people)
	return w
}

// fitTopic fits one topic's phrase weights and threshold: a logistic
// regression of "the topic is tagged" on the capped phrase counts, each
// weight pulled towards its rule weight.
func (c *Classifier) fitTopic(t int, ex []example, opt FitOptions) TopicWeights {
	slot := map[int]int{}
	var phrases []int
	for i, q := range c.cues {
		// A phrase of weight 0 only marks words of another sense
		// (dropInnerTopicHits); fitting leaves it at 0.
		if q.topic == t && q.weight > 0 {
			slot[i] = len(phrases)
			phrases = append(phrases, i)
		}
	}
	n := len(phrases)
	x := make([]float64, n+1) // phrase weights, then the threshold
	for i, k := range phrases {
		x[i] = c.cues[k].weight
	}
	x[n] = c.thresholds[t]
	obj := func(x, g []float64) float64 {
		clear(g)
		loss, n0 := 0.0, 0
		for i := range ex {
			e := &ex[i]
			if e.goldTopics == nil {
				continue
			}
			n0++
			z := -x[n]
			for k, cnt := range e.topics {
				if j, ok := slot[k]; ok {
					z += x[j] * cnt
				}
			}
			p := 1 / (1 + math.Exp(-z))
			y := 0.0
			if e.goldTopics[t] {
				y = 1
			}
			loss -= y*math.Log(math.Max(p, minProb)) + (1-y)*math.Log(math.Max(1-p, minProb))
			d := p - y
			g[n] -= d
			for k, cnt := range e.topics {
				if j, ok := slot[k]; ok {
					g[j] += d * cnt
				}
			}
		}
		inv := 1 / float64(max(1, n0))
		loss *= inv
		scale(inv, g)
		for i, k := range phrases {
			d := x[i] - c.cues[k].weight
			loss += opt.Topic * d * d
			g[i] += 2 * opt.Topic * d
		}
		return loss
	}
	minimize(obj, x, opt.MaxIter)
	// The regression's own cut (probability one half) favours precision
	// when a topic is rare; the threshold is the score that gives the best
	// F1 on the documents fitted.
	var scores []float64
	var gold []bool
	for i := range ex {
		if ex[i].goldTopics == nil {
			continue
		}
		s := 0.0
		for k, cnt := range ex[i].topics {
			if j, ok := slot[k]; ok {
				s += x[j] * cnt
			}
		}
		scores, gold = append(scores, s), append(gold, ex[i].goldTopics[t])
	}
	tw := TopicWeights{Threshold: round(math.Max(bestThreshold(scores, gold, x[n]), 0.001))}
	for i, k := range phrases {
		tw.Phrases = append(tw.Phrases, PhraseWeight{Phrase: c.cues[k].phrase, Weight: round(x[i])})
	}
	return tw
}

// LeavePeopleOut measures how well fitted weights carry over to people
// never seen in fitting: the main people of docs are dealt, in name order,
// into groups; for each group the weights are fitted on the documents
// about everybody else and the group's documents are classified with them.
// Every document is classified once, by weights that never saw its main
// person. It returns the per-document results in the order of docs.
func LeavePeopleOut(people []Person, rules *Rules, docs []LabelledDoc, groups int, opt FitOptions) ([]DocResult, error) {
	if rules == nil {
		rules = DefaultRules()
	}
	c, err := unfitted(people, rules)
	if err != nil {
		return nil, fmt.Errorf("leave people out: %w", err)
	}
	opt = opt.withDefaults()
	group := peopleGroups(docs, groups)
	ex := c.examples(docs)
	out := make([]DocResult, len(docs))
	for g := 0; g < groups; g++ {
		var train []example
		var trainDocs, test []LabelledDoc
		var testAt []int
		for i, d := range docs {
			if group[d.Person] == g {
				test = append(test, d)
				testAt = append(testAt, i)
			} else {
				train = append(train, ex[i])
				trainDocs = append(trainDocs, d)
			}
		}
		if len(test) == 0 {
			continue
		}
		fitted := rules.clone()
		fitted.weights = c.fit(train, opt, trainDocs)
		cg, err := New(people, fitted)
		if err != nil {
			return nil, fmt.Errorf("leave people out: %w", err)
		}
		for k, r := range EvaluateDocs(cg, test) {
			out[testAt[k]] = r
		}
	}
	return out, nil
}

// peopleGroups deals the main people of docs into n groups, in name order.
func peopleGroups(docs []LabelledDoc, n int) map[string]int {
	var names []string
	seen := map[string]bool{}
	for _, d := range docs {
		if !seen[d.Person] {
			seen[d.Person] = true
			names = append(names, d.Person)
		}
	}
	sort.Strings(names)
	group := make(map[string]int, len(names))
	for i, name := range names {
		group[name] = i % max(1, n)
	}
	return group
}

// bestThreshold returns the cut on scores (tagged when score >= cut) with
// the best F1 against gold, halfway between two neighbouring scores; ties
// go to the cut nearest fallback. With no positive document it returns
// fallback.
func bestThreshold(scores []float64, gold []bool, fallback float64) float64 {
	type sg struct {
		s float64
		g bool
	}
	all := make([]sg, len(scores))
	pos := 0
	for i := range scores {
		all[i] = sg{scores[i], gold[i]}
		if gold[i] {
			pos++
		}
	}
	if pos == 0 {
		return fallback
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
	best, bestF1 := fallback, -1.0
	tp, fp := 0, 0
	for i, e := range all {
		if e.g {
			tp++
		} else {
			fp++
		}
		if i+1 < len(all) && all[i+1].s == e.s {
			continue // a cut between equal scores is not a cut
		}
		cut := e.s
		if i+1 < len(all) {
			cut = (e.s + all[i+1].s) / 2
		}
		f1 := 2 * float64(tp) / float64(2*tp+fp+(pos-tp))
		if f1 > bestF1+1e-12 || (math.Abs(f1-bestF1) <= 1e-12 && math.Abs(cut-fallback) < math.Abs(best-fallback)) {
			best, bestF1 = cut, f1
		}
	}
	return best
}
