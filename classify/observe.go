package classify

import (
	"math"
	"strings"
)

// Observing a text is the first half of judging stance: the engine reads
// the text's structure and lists, for each person, every signal that bears
// on how the piece frames them (cue phrases, roles in scare quotes, room
// given to the person's side) with the contexts that change what each
// counts for, and a few measurements of the whole piece (who speaks, how
// much is attributed). The second half, model.go, weighs them. Fitting
// (fit.go) reads the same observations, so what is fitted is exactly what
// runs.

// context is a set of reasons why a signal counts differently from a cue
// in the piece's own words about the person.
type context uint16

const (
	ctxNegated     context = 1 << iota // "never tortured": the cue turns
	ctxQuoted                          // inside a quotation: somebody else's words
	ctxScareQuoted                     // a sympathetic word in short quotation marks: the “torture”
	ctxAttributed                      // in a sentence that attributes it ("said", "according to")
	ctxAnswered                        // the other side speaks in the same paragraph
	ctxCharge                          // a discrediting cue in a sentence describing the charges
	ctxHeadline                        // in the title
)

// Scopes: how a signal's sentence relates to the person. The first four
// are also how a sentence relates to the person it is about
// (sentenceInfo.scope), scopeOutside when it is about nobody.
const (
	scopeDirect    uint8 = iota // the sentence names them
	scopeReference              // it refers back with a pronoun or a person noun
	scopeParagraph              // another sentence of a paragraph about them
	scopeOutside                // a sentence about nobody in particular
	scopeOther                  // a sentence about somebody else: counts nothing
	scopeRepeated               // the cue already counted as often as it may: counts nothing
)

// Repeats: a piece that says "riots" six times is about riots, not six
// times as critical. A framing cue counts at most cueRepeatCap times per
// person, a register cue once.
const (
	cueRepeatCap      = 2
	registerRepeatCap = 1
)

// Multipliers of the model, one per context and per scope other than
// direct (which is 1: the cue weights carry the scale). The contexts come
// first and in the order of their bits: context bit i is multiplier i.
const (
	multNegated = iota
	multQuoted
	multScareQuoted
	multAttributed
	multAnswered
	multCharge
	multHeadline
	multReference
	multParagraph
	multOutside
	numMult

	numContexts = multHeadline + 1 // the multipliers that are contexts
)

// multNames are the names of the multipliers in weights files and in the
// evidence ("discounted").
var multNames = [numMult]string{"negated", "quoted", "scare-quoted", "attributed", "answered", "charge", "headline", "reference", "paragraph", "outside-person-sentences"}

// Special signal keys (cue keys are indexes into Classifier.cues).
const (
	keyRoom   = -1 // a quotation in a paragraph where only the person's side speaks, per word
	keyScare  = -2 // a role or cause in scare quotes: the “researcher”
	keyLexPos = -3 // a positive word of the evaluative lexicon in the piece's own words
	keyLexNeg = -4 // a negative one
)

// signal is one thing found in the text, before it is attributed to people.
type signal struct {
	from, to int     // live words
	key      int     // cue index, or keyRoom, keyScare, keyLexPos, keyLexNeg
	amount   float64 // 1, or the words of a quotation for keyRoom
	side     float64 // +1 supportive (or neutral), -1 critical (or opinion): the rule's side
	ctx      context
	register bool // a neutral or opinion cue: counts for the piece, towards or away from neutral
	word     int  // for keyLexPos and keyLexNeg: the lexicon word's cue index, for the repeat cap
}

// lexicon reports whether sg is a word of the evaluative lexicon, which
// counts in the features rather than in the lean.
func (sg signal) lexicon() bool { return sg.key == keyLexPos || sg.key == keyLexNeg }

// personSignal is a signal as it bears on one person.
type personSignal struct {
	sig   int
	scope uint8
}

// Features of the whole piece, as seen for one person. Fitting chose
// them: the other measures of how a piece is built that were tried (the
// authorities' voices, the share of attributed sentences, questions and
// exclamations, and more: docs/classifier-rounds.md) fitted the articles
// they were fitted on and lowered the score on people left out of
// fitting. The words of the evaluative lexicon (rules/lexicon_*.txt)
// count as two features, praise and blame (log 1+n), only in the piece's
// own words about the person: in a sentence naming them or referring back
// to them, not negated, quoted or attributed, a negative word not naming
// a charge, at most cueRepeatCap times a word. A word that is also a
// stance cue is left to the cue.
const (
	featSupportVoices = iota // sentences where the person's side speaks (log 1+n)
	featLexPos               // positive evaluative words in the piece's own words about the person
	featLexNeg               // negative ones
	numFeat
)

var featNames = [numFeat]string{"support_voices", "lexicon_positive", "lexicon_negative"}

// observation is everything the model weighs for one person in one text.
type observation struct {
	person          int // index into the matcher's people
	signals         []personSignal
	feat            [numFeat]float64
	supportVoices   int
	authorityVoices int
	lexPositive     int // positive evaluative words in the piece's own words about the person
	lexNegative     int // negative ones
	bodyWords       int
	wire            bool // the text opens with a wire dateline
}

// reading is the structure of one text that every person's observation
// shares.
type reading struct {
	text      string
	sc        *scratch
	info      []sentenceInfo
	direct    map[int][]personMention
	voices    []voiceAt
	signals   []signal
	order     []int // people in order of first mention
	titleEnd  int   // live word index where the body starts
	bodyWords int
	wire      bool // the text opens with a wire dateline
}

// observe reads the text's structure and returns one observation per
// person mentioned, in order of first mention.
func (c *Classifier) observe(doc Document, text string, sc *scratch, hits []hit, mentions []Mention, nsent, bodyWords int) (*reading, []observation) {
	index := make(map[string]int, len(c.m.people))
	for i, p := range c.m.people {
		index[p.Name] = i
	}
	r := &reading{text: text, sc: sc, direct: make(map[int][]personMention), bodyWords: bodyWords, wire: dateline(doc.Text)}
	r.titleEnd = sc.liveWordFrom(doc.bodyStart())
	seen := make(map[int]bool)
	for _, mn := range mentions {
		p := index[mn.Person]
		if !seen[p] {
			seen[p] = true
			r.order = append(r.order, p)
		}
		w := sc.liveWordFrom(mn.Start)
		if w == len(sc.live) {
			continue
		}
		s := sc.sent[w]
		r.direct[s] = append(r.direct[s], personMention{person: p, word: w})
	}
	r.info = sentences(text, sc, nsent, r.direct)
	spans := quoteSpans(text, sc)
	r.voices = voices(r.info, r.direct)
	paraSides := sidesByParagraph(r.info, r.voices)
	r.signals = c.cueSignals(r, spans, hits, paraSides)
	r.signals = c.scareSignals(r, spans, hits)
	r.signals = roomSignals(r, spans, paraSides)

	obs := make([]observation, len(r.order))
	for k, p := range r.order {
		obs[k] = r.observeFor(p)
	}
	return r, obs
}

// cueSignals turns each stance cue found into a signal with its contexts.
func (c *Classifier) cueSignals(r *reading, spans []span, hits []hit, paraSides map[int]uint8) []signal {
	sc := r.sc
	words := sc.tk.words
	out := make([]signal, 0, len(hits)+len(spans))
	for _, h := range hits {
		q := c.cues[h.cue]
		if q.topic >= 0 {
			continue
		}
		if q.lex != 0 {
			if sig, ok := c.lexSignal(r, spans, h); ok {
				out = append(out, sig)
			}
			continue
		}
		sig := signal{from: h.from, to: h.to, key: h.cue, amount: 1, side: q.side, register: q.register}
		if q.register {
			// The register of the piece: only whether it is the piece's
			// own words matters.
			if _, ok := spanAt(spans, words[sc.live[h.from]].start); ok {
				sig.ctx |= ctxQuoted
			}
			out = append(out, sig)
			continue
		}
		// The side the cue now speaks for: a negated supportive cue
		// ("never tortured") reads as critical, and the contexts below
		// that concern one side look at this one.
		side := q.side
		if !q.negLed && negated(sc, h.from) {
			sig.ctx |= ctxNegated
			side = -side
		}
		s := sc.sent[h.from]
		in := &r.info[s]
		if sp, ok := spanAt(spans, words[sc.live[h.from]].start); ok {
			if sp.words <= scareMaxWords && side > 0 {
				// Quoting a sympathetic word distances the piece from it.
				sig.ctx |= ctxScareQuoted
			} else {
				sig.ctx |= ctxQuoted
			}
		} else if in.neutral || (side > 0 && in.distanced) {
			sig.ctx |= ctxAttributed
		} else if answered(side, paraSides[in.para]) {
			// The other side speaks in the same paragraph: the cue is one
			// side of a dispute the piece reports, not its verdict.
			sig.ctx |= ctxAnswered
		}
		if side < 0 && in.charge {
			// "charged with membership of a terrorist organisation" names
			// the accusation; reporting it is not adopting it.
			sig.ctx |= ctxCharge
		}
		if h.from < r.titleEnd {
			sig.ctx |= ctxHeadline
		}
		out = append(out, sig)
	}
	return out
}

// lexSignal turns a word of the evaluative lexicon into a signal when it
// is the piece's own word: not negated, quoted, attributed or, for a
// negative word, naming a charge.
func (c *Classifier) lexSignal(r *reading, spans []span, h hit) (signal, bool) {
	sc := r.sc
	q := c.cues[h.cue]
	in := &r.info[sc.sent[h.from]]
	if negated(sc, h.from) || in.neutral || in.distanced || (q.lex < 0 && in.charge) {
		return signal{}, false
	}
	if _, ok := spanAt(spans, sc.tk.words[sc.live[h.from]].start); ok {
		return signal{}, false
	}
	sig := signal{from: h.from, to: h.to, key: keyLexPos, amount: 1, side: q.lex, word: h.cue}
	if q.lex < 0 {
		sig.key = keyLexNeg
	}
	if h.from < r.titleEnd {
		sig.ctx |= ctxHeadline
	}
	return sig, true
}

// observeFor attributes the signals to person p and measures the piece as
// it concerns p.
func (r *reading) observeFor(p int) observation {
	o := observation{person: p, bodyWords: r.bodyWords, wire: r.wire}
	seen := map[int]int{} // cue key (a lexicon word's cue) → times counted for p
	for i, sg := range r.signals {
		scope := scopeDirect
		if !sg.register {
			scope = r.scopeOf(sg, p)
		}
		key := sg.key
		if sg.lexicon() {
			// An evaluative word judges the person only in a sentence
			// that names them or refers back to them; elsewhere it is
			// not listed at all, since it says nothing of them.
			if scope != scopeDirect && scope != scopeReference {
				continue
			}
			key = sg.word
		}
		if scope != scopeOther && key >= 0 {
			limit := cueRepeatCap
			if sg.register {
				limit = registerRepeatCap
			}
			if seen[key]++; seen[key] > limit {
				scope = scopeRepeated
			}
		}
		switch {
		case scope == scopeRepeated:
		case sg.key == keyLexPos:
			o.lexPositive++
		case sg.key == keyLexNeg:
			o.lexNegative++
		}
		o.signals = append(o.signals, personSignal{sig: i, scope: scope})
	}
	o.feat[featLexPos] = math.Log1p(float64(o.lexPositive))
	o.feat[featLexNeg] = math.Log1p(float64(o.lexNegative))
	for _, v := range r.voices {
		switch {
		case v.person >= 0 && v.person != p:
		case v.side == sideSupport:
			o.supportVoices++
		default:
			o.authorityVoices++
		}
	}
	o.feat[featSupportVoices] = math.Log1p(float64(o.supportVoices))
	return o
}

// scopeOf says how signal sg's sentence relates to person p. If a sentence
// names several people, a cue goes to the nearest mention.
func (r *reading) scopeOf(sg signal, p int) uint8 {
	s := r.sc.sent[sg.from]
	in := &r.info[s]
	target := in.target
	if d := r.direct[s]; len(d) > 0 {
		best := math.MaxInt
		for _, pm := range d {
			dist := pm.word - sg.from
			if dist < 0 {
				dist = -dist
			}
			if dist < best {
				best, target = dist, pm.person
			}
		}
	}
	switch {
	case p == target:
		return in.scope // direct, reference or paragraph: the sentence is about p
	case target >= 0 && in.scope != scopeParagraph:
		return scopeOther
	case target < 0 && sg.key == keyRoom && len(r.order) == 1:
		// Room given to the person's side is about their case even where
		// the speaker (a mother, a lawyer) is the subject, as long as
		// nobody else tracked is in the piece.
		return scopeDirect
	}
	return scopeOutside
}

// discounts names the contexts and scope of a signal, as the evidence
// shows them ("quoted+paragraph").
func (sg signal) discounts(scope uint8) string {
	var why []string
	for i := 0; i < numContexts; i++ {
		if sg.ctx&(1<<i) != 0 {
			why = append(why, multNames[i])
		}
	}
	switch scope {
	case scopeReference:
		why = append(why, multNames[multReference])
	case scopeParagraph:
		why = append(why, multNames[multParagraph])
	case scopeOutside:
		why = append(why, multNames[multOutside])
	case scopeOther:
		why = append(why, "other-person")
	case scopeRepeated:
		why = append(why, "repeated")
	}
	if sg.register {
		why = append(why, "register")
	}
	switch sg.key {
	case keyLexPos, keyLexNeg:
		why = append(why, "lexicon")
	case keyRoom:
		why = append(why, "room")
	case keyScare:
		why = append(why, multNames[multScareQuoted])
	}
	return strings.Join(why, "+")
}
