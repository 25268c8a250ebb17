package classify

import (
	"fmt"
	"math"
	"strings"
)

// The model weighs observations. Its parameters come from a weights file
// fitted to labelled articles (fit.go, `newsmon rules fit`); a cue the file
// does not know (one added in the config after fitting) counts its rule
// weight times the file's scale for unfitted cues.
//
// For a person in a text, the lean S is the sum over the framing signals
// (supportive and critical cues, scare quotes, room) of
//
//	weight(cue) × amount × Π multipliers(contexts and scope)
//
// the register R is the sum of the weights of the register cues (neutral
// ones positive, opinion ones negative; a quoted one times the quoted
// multiplier), and the three labels have scores
//
//	supportive: S − R + bias_s + Σ feature_i × θ_s,i
//	critical:  −S − R + bias_c + Σ feature_i × θ_c,i
//	neutral:    0
//
// (a multinomial logistic regression whose cue terms are tied: what pushes
// towards supportive pushes away from critical by as much, and the
// register pushes towards or away from neutral). The label is the
// highest; its softmax probability is the confidence. The features say how
// the piece is built and how it speaks of the person: how often the
// person's side speaks (observe.go says why the other measures were
// dropped), and how many words of praise and of blame of the evaluative
// lexicon it uses of the person in its own voice. The lexicon is weighed
// as two counts, never word by word, so that fitting cannot learn the
// people it is fitted on through their words.

// model is the compiled form of a weights file for one rule set.
type model struct {
	cue   []float64 // per cue index: signed weight of a stance cue (+ supportive)
	room  float64   // per word of a quotation giving the person's side room
	scare float64   // a role in scare quotes (signed)
	mult  [numMult]float64
	bias  [2]float64 // supportive, critical (neutral is 0)
	feat  [2][numFeat]float64

	topicW    []float64 // per cue index: weight of a topic phrase
	threshold []float64 // per topic: score needed to report it
}

// Label indexes of the model's two non-neutral scores.
const (
	lSupportive = 0
	lCritical   = 1
)

// handMultipliers are the context multipliers before any fitting: the
// values the rules were written with, and the prior fitting starts from.
var handMultipliers = [numMult]float64{
	multNegated: -0.5, multQuoted: 0.5, multScareQuoted: -1, multAttributed: 0.25, multAnswered: 0.25,
	multCharge: 0.25, multHeadline: 1, multReference: 1, multParagraph: 0.75, multOutside: 0.5,
}

// multiplier is the product of the multipliers of a signal's contexts and
// scope; 0 for a sentence about somebody else.
func (m *model) multiplier(ctx context, scope uint8) float64 {
	x := 1.0
	for i := 0; i < numContexts; i++ {
		if ctx&(1<<i) != 0 {
			x *= m.mult[i]
		}
	}
	switch scope {
	case scopeReference:
		x *= m.mult[multReference]
	case scopeParagraph:
		x *= m.mult[multParagraph]
	case scopeOutside:
		x *= m.mult[multOutside]
	case scopeOther, scopeRepeated:
		return 0
	}
	return x
}

// weightOf is the base weight of a signal before contexts: its cue's
// weight, or the room or scare weight, times its amount.
func (m *model) weightOf(sg signal) float64 {
	switch sg.key {
	case keyRoom:
		return m.room * sg.amount
	case keyScare:
		return m.scare * sg.amount
	}
	return m.cue[sg.key] * sg.amount
}

// scores returns the supportive and critical scores (neutral is 0) for an
// observation with lean s and register reg.
func (m *model) scores(s, reg float64, f *[numFeat]float64) (sup, crit float64) {
	sup, crit = s-reg+m.bias[lSupportive], -s-reg+m.bias[lCritical]
	for i, x := range f {
		sup += m.feat[lSupportive][i] * x
		crit += m.feat[lCritical][i] * x
	}
	return sup, crit
}

// lexiconLean is what one positive and one negative word of the evaluative
// lexicon show as their weight in the evidence: their share of how far
// their feature moves the supportive score against the critical one. The
// rest of the feature's pull (both scores against neutral) is a register,
// and the model weighs the feature, not the words.
func (m *model) lexiconLean(o *observation) [2]float64 {
	var w [2]float64
	for i, n := range [2]int{o.lexPositive, o.lexNegative} {
		if n > 0 {
			j := featLexPos + i
			w[i] = (m.feat[lSupportive][j] - m.feat[lCritical][j]) * o.feat[j] / 2 / float64(n)
		}
	}
	return w
}

// softmax3 returns the probabilities of supportive, critical and neutral.
func softmax3(sup, crit float64) (ps, pc, pn float64) {
	mx := math.Max(0, math.Max(sup, crit))
	es, ec, en := math.Exp(sup-mx), math.Exp(crit-mx), math.Exp(-mx)
	z := es + ec + en
	return es / z, ec / z, en / z
}

// decide labels one observation and lists its evidence.
func (c *Classifier) decide(r *reading, o *observation, prior float64) Stance {
	m := c.model
	st := Stance{Person: c.m.people[o.person].Name, SupportVoices: o.supportVoices, AuthorityVoices: o.authorityVoices}
	// s is the lean, reg the register; pos and neg are what the framing
	// signals added to the lean towards supportive and towards critical.
	s, reg := prior, 0.0
	pos, neg := 0.0, 0.0
	lexW, lexShown := m.lexiconLean(o), 0.0
	for _, ps := range o.signals {
		sg := r.signals[ps.sig]
		var w float64
		switch {
		case sg.lexicon():
			if ps.scope != scopeRepeated {
				w = lexW[keyLexPos-sg.key] // keyLexPos → 0, keyLexNeg → 1
			}
			lexShown += w
		case sg.register:
			w = m.weightOf(sg) * m.multiplier(sg.ctx, ps.scope)
			reg += w
		default:
			w = m.weightOf(sg) * m.multiplier(sg.ctx, ps.scope)
			s += w
			if w > 0 {
				pos += w
			} else {
				neg -= w
			}
		}
		phrase, start := phraseAt(r.text, r.sc, sg.from, sg.to)
		st.Evidence = append(st.Evidence, Evidence{Phrase: phrase, Sentence: sentenceText(r.text, r.sc, sg.from),
			Offset: start, Weight: round(w), Discounted: sg.discounts(ps.scope)})
	}
	st.Score, st.Prior = round(s+lexShown), prior
	sup, crit := m.scores(s, reg, &o.feat)
	pSup, pCrit, pNeu := softmax3(sup, crit)
	switch {
	case o.bodyWords < c.minWords:
		st.Label = Unclear
		st.Reason = fmt.Sprintf("unclear: %d words (fewer than classify.min_words %d)", o.bodyWords, c.minWords)
		return st
	case pos == 0 && neg == 0 && o.supportVoices == 0 && o.authorityVoices == 0:
		// Nothing in the text leans either way and nobody speaks: the
		// model's biases alone would decide, which no reader could check.
		// Words of the lexicon do not lift this: one "gentle" would leave
		// the label to the biases too.
		st.Label, st.Confidence = Neutral, round(pNeu)
		st.Reason = "neutral: no framing cues and nobody speaks"
		return st
	case pSup >= pCrit && pSup >= pNeu:
		st.Label, st.Confidence = Supportive, pSup
	case pCrit >= pNeu:
		st.Label, st.Confidence = Critical, pCrit
	default:
		st.Label, st.Confidence = Neutral, pNeu
	}
	st.Confidence = round(st.Confidence)
	st.Reason = reason(st.Label, s, pos, neg, reg, o)
	return st
}

// reason says in a line why a label was given: the lean of the cues and who
// speaks, the two things a reader checks first.
func reason(label string, s, pos, neg, reg float64, o *observation) string {
	var sb strings.Builder
	sb.WriteString(label)
	sb.WriteString(": ")
	switch {
	case pos == 0 && neg == 0:
		sb.WriteString("no framing cues")
	case label == Neutral && pos > 0 && neg > 0:
		fmt.Fprintf(&sb, "the cues pull both ways (%+.1f supportive, %+.1f critical, lean %+.1f)", pos, -neg, s)
	case label == Neutral:
		fmt.Fprintf(&sb, "the piece's own framing is weak (lean %+.1f)", s)
	default:
		lean := Critical
		if s >= 0 {
			lean = Supportive
		}
		fmt.Fprintf(&sb, "the cues lean %s (%+.1f supportive, %+.1f critical)", lean, pos, -neg)
	}
	switch {
	case o.supportVoices > 0 && o.authorityVoices > 0:
		fmt.Fprintf(&sb, "; both sides speak (the person's side %d, the authorities %d)", o.supportVoices, o.authorityVoices)
	case o.supportVoices > 0:
		fmt.Fprintf(&sb, "; only the person's side speaks (%d)", o.supportVoices)
	case o.authorityVoices > 0:
		fmt.Fprintf(&sb, "; only the authorities speak (%d)", o.authorityVoices)
	}
	switch {
	case reg >= 0.5:
		fmt.Fprintf(&sb, "; written as a report (register %+.1f)", reg)
	case reg <= -0.5:
		fmt.Fprintf(&sb, "; written as comment (register %+.1f)", reg)
	}
	if o.lexPositive > 0 || o.lexNegative > 0 {
		fmt.Fprintf(&sb, "; its own words about the person praise %d, blame %d", o.lexPositive, o.lexNegative)
	}
	if o.wire {
		sb.WriteString("; wire copy")
	}
	return sb.String()
}
