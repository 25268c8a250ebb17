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
	// Pronoun chains: the sentences after a mention that refer back to the
	// last person mentioned.
	hasPronoun := make([]bool, nsent)
	reported := make([]bool, nsent)
	for i, wi := range sc.live {
		if pronouns[words[wi].h] {
			hasPronoun[sc.sent[i]] = true
		}
		if reporting[words[wi].h] {
			reported[sc.sent[i]] = true
		}
	}
	chain := make([]int, nsent)
	last, left := -1, 0
	for s := range chain {
		chain[s] = -1
		if d := direct[s]; len(d) > 0 {
			last, left = d[len(d)-1].person, pronounChain
			continue
		}
		if last >= 0 && left > 0 && hasPronoun[s] {
			chain[s] = last
			left--
			continue
		}
		left = 0
	}
	spans := quoteSpans(text, sc)

	stances := make([]Stance, len(order))
	pos := make([]float64, len(order))
	neg := make([]float64, len(order))
	for k, p := range order {
		stances[k].Person = c.m.people[p].Name
	}
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
		if sp, ok := spanAt(spans, start); ok {
			if sp.words <= scareMaxWords && base > 0 {
				base = -base
				why = append(why, "scare-quoted")
			} else {
				base *= quotedFactor
				why = append(why, "quoted")
			}
		}
		s := sc.sent[h.from]
		if base > 0 && reported[s] {
			base *= quotedFactor
			why = append(why, "attributed")
		}
		target := chain[s]
		if d := direct[s]; len(d) > 0 {
			best := math.MaxInt
			for _, pm := range d {
				dist := pm.word - h.from
				if dist < 0 {
					dist = -dist
				}
				if dist < best {
					best, target = dist, pm.person
				}
			}
		}
		phrase, off := c.phraseAt(text, sc, h)
		sentence := sentenceText(text, sc, h.from)
		for k, p := range order {
			wgt, reasons := base, why
			if p != target {
				// A sentence about somebody else says nothing about p; a
				// sentence about nobody in particular counts a little.
				wgt *= outsideFactor
				reason := "outside-person-sentences"
				if target >= 0 {
					wgt = 0
					reason = "other-person"
				}
				reasons = append(append([]string(nil), why...), reason)
			}
			if wgt > 0 {
				pos[k] += wgt
			} else {
				neg[k] -= wgt
			}
			stances[k].Evidence = append(stances[k].Evidence, Evidence{
				Phrase: phrase, Sentence: sentence, Offset: off, Weight: round(wgt),
				Discounted: strings.Join(reasons, "+"),
			})
		}
	}
	for k := range stances {
		switch doc.StancePrior {
		case Supportive:
			pos[k] += priorWeight
		case Critical:
			neg[k] += priorWeight
		}
		score := pos[k] - neg[k]
		stances[k].Score = round(score)
		switch {
		case bodyWords < c.minWords:
			stances[k].Label = Unclear
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
