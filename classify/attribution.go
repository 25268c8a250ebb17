package classify

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// personMention is a mention located in the live word stream.
type personMention struct {
	person int
	word   int // live word index
}

// reported says whether a cue was somebody else's words.
func reported(why []string) bool {
	for _, w := range why {
		if w == "attributed" || w == "quoted" || w == "charge" || w == "answered" {
			return true
		}
	}
	return false
}

// sentenceInfo is what the stance engine needs to know about one sentence.
type sentenceInfo struct {
	para      int  // paragraph index
	backref   bool // a pronoun or a definite person noun ("the blogger")
	neutral   bool // a neutral reporting verb: "said", "denied", "according to"
	distanced bool // a distancing verb: "claims", "alleges"
	charge    bool // the sentence describes a charge: "charged with", "the indictment"
	target    int  // person a sentence without a name refers to, or -1
	scope     string
	speech    bool // a verb of saying: somebody speaks here
	speaker   int8 // side of the side word nearest the verb of saying (voice.go)
	actor     int8 // side of the last side word in the sentence, sideCourt included
	verbAt    int  // live index of the first verb of saying
	nearest   int  // distance from it to the nearest side word so far
	lastSide  int8 // the last non-court side word before the verb, and where
	lastAt    int
}

// scored is one cue, or one scare-quoted word, with its signed base weight.
type scored struct {
	from, to int // live words
	base     float64
	why      []string
	room     bool // a quotation giving the person's side room (voice.go)
}

func (c *Classifier) scoreStances(doc Document, text string, sc *scratch, hits []hit, mentions []Mention, nsent, bodyWords int) []Stance {
	words := sc.tk.words
	index := make(map[string]int, len(c.m.people))
	for i, p := range c.m.people {
		index[p.Name] = i
	}
	// People in order of first mention, and mentions per sentence.
	var order []int
	seen := make(map[int]int)
	direct := make(map[int][]personMention)
	for _, mn := range mentions {
		p := index[mn.Person]
		if _, ok := seen[p]; !ok {
			seen[p] = len(order)
			order = append(order, p)
		}
		w := sort.Search(len(sc.live), func(i int) bool { return words[sc.live[i]].start >= mn.Start })
		if w == len(sc.live) {
			continue
		}
		s := sc.sent[w]
		direct[s] = append(direct[s], personMention{person: p, word: w})
	}
	info := c.sentences(text, sc, nsent, direct)
	spans := quoteSpans(text, sc)
	vs := voices(info, direct)
	paraSides := sidesByParagraph(info, vs)

	// Every cue with its base weight, then every scare-quoted role word.
	items := make([]scored, 0, len(hits)+len(spans))
	for _, h := range hits {
		q := c.cues[h.cue]
		if q.topic >= 0 {
			continue
		}
		base := q.weight * q.side
		var why []string
		if !q.negLed && c.negated(sc, h.from) {
			base *= negatedFactor
			why = append(why, "negated")
		}
		start := words[sc.live[h.from]].start
		s := sc.sent[h.from]
		if sp, ok := spanAt(spans, start); ok {
			if sp.words <= scareMaxWords && base > 0 {
				// Quoting a sympathetic word distances the piece from it:
				// the “torture”.
				base = -base
				why = append(why, "scare-quoted")
			} else {
				base *= quotedFactor
				why = append(why, "quoted")
			}
		} else if info[s].neutral || (base > 0 && info[s].distanced) {
			base *= reportedFactor
			why = append(why, "attributed")
		} else if answered(base, paraSides[info[s].para]) {
			// The other side speaks in the same paragraph: the cue is one
			// side of a dispute the piece reports ("... has drawn support
			// abroad. The authorities say ..."), not the piece's verdict.
			base *= reportedFactor
			why = append(why, "answered")
		}
		if base < 0 && info[s].charge {
			// "charged with membership of a terrorist organisation" names
			// the accusation the case is about; reporting it is not
			// adopting it.
			base *= chargeFactor
			why = append(why, "charge")
		}
		items = append(items, scored{from: h.from, to: h.to, base: base, why: why})
	}
	items = c.scareQuotes(sc, spans, hits, items)
	items = roomItems(sc, spans, info, paraSides, items)

	stances := make([]Stance, len(order))
	pos := make([]float64, len(order))
	neg := make([]float64, len(order))
	own := make([]float64, len(order)) // the piece's own framing: neither quoted nor attributed
	repPos := make([]bool, len(order)) // an attributed supportive cue: one side's position
	repNeg := make([]bool, len(order)) // an attributed critical cue: the other side's
	for k, p := range order {
		stances[k].Person = c.m.people[p].Name
	}
	for _, it := range items {
		s := sc.sent[it.from]
		target := info[s].target
		scope := info[s].scope
		if d := direct[s]; len(d) > 0 {
			best := math.MaxInt
			for _, pm := range d {
				dist := pm.word - it.from
				if dist < 0 {
					dist = -dist
				}
				if dist < best {
					best, target = dist, pm.person
				}
			}
		}
		start := words[sc.live[it.from]].start
		end := words[sc.live[it.to]].end
		sentence := sentenceText(text, sc, it.from)
		for k, p := range order {
			wgt, reasons := it.base, it.why
			switch {
			case p != target && target >= 0 && scope != "paragraph":
				// A sentence about somebody else says nothing about p.
				wgt = 0
				reasons = append(append([]string(nil), it.why...), "other-person")
			case p != target && target < 0 && it.room && len(order) == 1:
				// Room given to the person's side is about their case even
				// where the speaker (a mother, a lawyer) is the subject, as
				// long as nobody else tracked is in the piece.
			case p != target:
				// A sentence about nobody in particular counts a little.
				wgt *= outsideFactor
				reasons = append(append([]string(nil), it.why...), "outside-person-sentences")
			case scope == "paragraph":
				wgt *= paragraphFactor
				reasons = append(append([]string(nil), it.why...), "paragraph")
			}
			if wgt > 0 {
				pos[k] += wgt
			} else {
				neg[k] -= wgt
			}
			// Room given to one side is the piece's own choice, so it
			// counts with the piece's framing.
			if reported(it.why) {
				repPos[k] = repPos[k] || wgt > 0
				repNeg[k] = repNeg[k] || wgt < 0
			} else {
				own[k] += wgt
			}
			stances[k].Evidence = append(stances[k].Evidence, Evidence{
				Phrase: text[start:end], Sentence: sentence, Offset: start, Weight: round(wgt),
				Discounted: strings.Join(reasons, "+"),
			})
		}
	}
	sup := make([]int, len(order))
	auth := make([]int, len(order))
	for _, v := range vs {
		for k, p := range order {
			switch {
			case v.person >= 0 && v.person != p:
			case v.side == sideSupport:
				sup[k]++
			default:
				auth[k]++
			}
		}
	}
	// Wire copy alternates the sides by habit: one voice each is enough.
	minVoices := balanceVoices
	if dateline(doc.Text) {
		minVoices = 1
	}
	for k := range stances {
		switch doc.StancePrior {
		case Supportive:
			pos[k] += priorWeight
			stances[k].Prior = priorWeight
		case Critical:
			neg[k] += priorWeight
			stances[k].Prior = -priorWeight
		}
		score := pos[k] - neg[k]
		stances[k].Score = round(score)
		stances[k].SupportVoices, stances[k].AuthorityVoices = sup[k], auth[k]
		lo, hi := min(sup[k], auth[k]), max(sup[k], auth[k])
		switch {
		case bodyWords < c.minWords:
			stances[k].Label = Unclear
		case lo >= minVoices && float64(lo) >= balanceRatio*float64(hi) && math.Abs(own[k]) < balanceOwn:
			// Both sides speak, about as often, and the piece's own
			// framing is weak: wire copy that alternates them.
			stances[k].Label = Neutral
		case repPos[k] && repNeg[k] && math.Abs(own[k]) < labelMargin:
			// Both sides, attributed, and little framing of the piece's
			// own: a report of a dispute, not a position in it.
			stances[k].Label = Neutral
		case score >= labelMargin && pos[k] >= labelDominance*neg[k]:
			stances[k].Label = Supportive
		case -score >= labelMargin && neg[k] >= labelDominance*pos[k]:
			stances[k].Label = Critical
		default:
			stances[k].Label = Neutral
		}
	}
	return stances
}

// sentences works out paragraphs, attribution and who each sentence that
// names nobody refers to. A pronoun or a definite person noun ("the
// blogger", "l'ancien détenu") refers back to the last person named, for up
// to pronounChain sentences; any other sentence in the same paragraph as
// that reference is about the same person, more weakly ("paragraph").
func (c *Classifier) sentences(text string, sc *scratch, nsent int, direct map[int][]personMention) []sentenceInfo {
	words := sc.tk.words
	info := make([]sentenceInfo, nsent)
	para := 0
	for i, wi := range sc.live {
		w := words[wi]
		s := sc.sent[i]
		if i > 0 && w.sep == sepSentence && strings.IndexByte(text[words[sc.live[i-1]].end:w.start], '\n') >= 0 {
			para++
		}
		in := &info[s]
		in.para = para
		class := wordClass[w.h]
		if class == 0 {
			continue
		}
		if class&classBackref != 0 {
			in.backref = true
		} else if class&classPersonNoun != 0 {
			for j := wi - 1; j >= 0 && j >= wi-backrefWindow; j-- {
				if refDeterminers[words[j].h] {
					in.backref = true
					break
				}
				if words[j+1].sep == sepSentence {
					break
				}
			}
		}
		in.neutral = in.neutral || class&classNeutral != 0
		in.distanced = in.distanced || class&classDistancing != 0
		in.charge = in.charge || class&classCharge != 0
		if class&classSpeech != 0 && !in.speech {
			in.speech, in.verbAt = true, i
			// The subject usually stands just before the verb ("his lawyer
			// said"); the side word seen last is the candidate so far.
			if in.lastSide != sideNone {
				in.speaker, in.nearest = in.lastSide, i-in.lastAt
			}
		}
		if side := sideOf(class); side != sideNone {
			in.actor = side
			if side != sideCourt && !in.speech {
				in.lastSide, in.lastAt = side, i
			}
			if in.speech && side != sideCourt && (in.speaker == sideNone || i-in.verbAt < in.nearest) {
				in.speaker, in.nearest = side, i-in.verbAt
			}
		}
	}
	last, left, lastPara := -1, 0, -1
	for s := range info {
		in := &info[s]
		in.target = -1
		if d := direct[s]; len(d) > 0 {
			last, left, lastPara = d[len(d)-1].person, pronounChain, in.para
			in.scope = "direct"
			continue
		}
		switch {
		case last >= 0 && left > 0 && in.backref:
			in.target, in.scope = last, "reference"
			left--
			lastPara = in.para
		case last >= 0 && in.para == lastPara:
			in.target, in.scope = last, "paragraph"
		default:
			left = 0
		}
	}
	return info
}

// scareQuotes adds a critical item for each short quotation around a role or
// a cause that holds no cue: the “researcher”, this kind of “journalism”.
func (c *Classifier) scareQuotes(sc *scratch, spans []span, hits []hit, items []scored) []scored {
	words := sc.tk.words
	for _, sp := range spans {
		if sp.words == 0 || sp.words > scareTargetWords {
			continue
		}
		a := sort.Search(len(sc.live), func(i int) bool { return words[sc.live[i]].start >= sp.start })
		b := sort.Search(len(sc.live), func(i int) bool { return words[sc.live[i]].start >= sp.end })
		if a >= b {
			continue
		}
		hasCue, hasTarget := false, false
		for _, h := range hits {
			if c.cues[h.cue].topic < 0 && h.from >= a && h.from < b {
				hasCue = true
			}
		}
		for i := a; i < b; i++ {
			h := words[sc.live[i]].h
			hasTarget = hasTarget || personNouns[h] || scareTargets[h]
		}
		if hasCue || !hasTarget {
			continue
		}
		items = append(items, scored{from: a, to: b - 1, base: -scareWeight, why: []string{"scare-quoted"}})
	}
	return items
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }

// negated reports a negator among the few words before live word i in the
// same sentence.
func (c *Classifier) negated(sc *scratch, i int) bool {
	for j := i - 1; j >= 0 && j >= i-negationWindow; j-- {
		if sc.sent[j] != sc.sent[i] {
			return false
		}
		if negators[sc.tk.words[sc.live[j]].h] {
			return true
		}
	}
	return false
}

// quoteSpans finds quotations: “…”, «…», „…“ and "…". A quotation left open
// at a paragraph break is dropped.
func quoteSpans(text string, sc *scratch) []span {
	spans := sc.spans[:0]
	open := -1
	var closer rune
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case open < 0 && (r == '“' || r == '«' || r == '„' || r == '"'):
			open = i + size
			closer = map[rune]rune{'“': '”', '«': '»', '„': '“', '"': '"'}[r]
		case open >= 0 && (r == closer || (closer == '”' && r == '"')):
			spans = append(spans, span{start: open, end: i})
			open = -1
		case open >= 0 && r == '\n' && i+1 < len(text) && text[i+1] == '\n':
			open = -1
		}
		i += size
	}
	words := sc.tk.words
	for k := range spans {
		a := sort.Search(len(words), func(i int) bool { return words[i].start >= spans[k].start })
		b := sort.Search(len(words), func(i int) bool { return words[i].start >= spans[k].end })
		spans[k].words = b - a
	}
	sc.spans = spans
	return spans
}

func spanAt(spans []span, off int) (span, bool) {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].end > off })
	if i < len(spans) && spans[i].start <= off {
		return spans[i], true
	}
	return span{}, false
}
