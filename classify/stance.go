package classify

import (
	"sort"
	"unicode/utf8"
)

// Classify finds the tracked people in doc, judges the stance towards each,
// and scores topics. The text classified is doc.Title + "\n\n" + doc.Text;
// all offsets refer to it.
//
// Stance is read from the piece's own framing and from whose voice it gives
// room to. Framing: every cue phrase adds its weight (+ supportive,
// − critical) to the people its sentence refers to: a sentence that names
// them, or one of the next few sentences that refers back with a pronoun
// (he, his, elle, son...) or a definite person noun ("the blogger",
// "l'ancien détenu"). Other sentences of the paragraph that holds such a
// reference count paragraphFactor ("paragraph"). If a sentence names several
// people, a cue goes to the nearest mention. Elsewhere in the item a cue
// counts outsideFactor. A negator shortly before a cue ("never tortured",
// "not a terrorist") turns it round at half weight. Somebody else's words
// count less than the piece's own, the same for both sides: a cue inside a
// quotation counts quotedFactor, one in a sentence that attributes it
// ("said", "denied", "according to") or in a paragraph where the other side
// speaks ("answered": a reported dispute) reportedFactor; a distancing word
// ("claims", "narrative") discounts supportive cues only. A discrediting cue
// in a sentence that describes the charges counts chargeFactor: the
// accusation reported, not adopted. A supportive cue in scare quotes
// (“torture”) counts as critical, and so does a role or cause in short
// scare quotes (the “researcher”).
//
// Voice (voice.go): each sentence with a verb of saying gets a speaker
// side, the person's or the authorities', from its structure. A quotation
// in a paragraph where only the person's side speaks adds roomWeight per
// word ("room"). When both sides speak about as often (balanceVoices each,
// one each in wire copy with a dateline) and the piece's own framing is
// under balanceOwn, the label is neutral; so it is when both sides appear
// only as attributed positions and the piece frames little itself. Text
// shorter than the minimum words gives "unclear". Document.StancePrior is
// reported in Stance.Prior, not as evidence, since no phrase of the text
// carries it.
//
// Topics: each topic phrase adds its weight, at most topicRepeatCap times
// per phrase. A topic is reported when its score reaches its threshold and
// it was reached by topicMinPhrases distinct phrases, or by one phrase that
// alone weighs the threshold ("hunger strike", "extradition").
func (c *Classifier) Classify(doc Document) Result {
	text := doc.Title + "\n\n" + doc.Text
	sc := c.pool.Get().(*scratch)
	defer c.pool.Put(sc)
	tk := &sc.tk
	tk.tokenize(text)
	res := Result{RulesVersion: c.version, Mentions: c.m.matchTokenized(tk, text)}
	words := tk.words

	// Live words and their sentences.
	sc.live, sc.sent = sc.live[:0], sc.sent[:0]
	bodyWords := 0
	bodyStart := len(doc.Title) + 2
	nsent := 0
	for i, w := range words {
		if w.sep == sepSentence && len(sc.live) > 0 {
			nsent++
		}
		if w.start >= bodyStart {
			bodyWords++
		}
		if !w.elided {
			sc.live = append(sc.live, i)
			sc.sent = append(sc.sent, nsent)
		}
	}
	nsent++

	hits := c.findHits(sc)
	res.Topics = c.scoreTopics(text, sc, hits)
	if len(res.Mentions) > 0 {
		res.Stances = c.scoreStances(doc, text, sc, hits, res.Mentions, nsent, bodyWords)
	}
	return res
}

// findHits is the one pass over the words for all phrases: at each word,
// follow the n-gram trie as far as it goes. Only the longest stance cue
// starting at a word is kept, and a stance cue inside a longer one is
// dropped ("alleged torture" is not also "torture").
func (c *Classifier) findHits(sc *scratch) []hit {
	words := sc.tk.words
	var hits []hit
	stanceEnd := -1
	for i := range sc.live {
		w := words[sc.live[i]]
		if !c.filter.has(w.h) {
			continue
		}
		k := w.h
		bestStance := -1
		bestTo := -1
		for j := i; ; {
			n := c.trie[k]
			if n == nil {
				break
			}
			for _, q := range n.cues {
				if c.cues[q].topic >= 0 {
					hits = append(hits, hit{from: i, to: j, cue: q})
				} else {
					bestStance, bestTo = q, j
				}
			}
			j++
			if !n.prefix || j >= len(sc.live) || words[sc.live[j]].sep == sepSentence {
				break
			}
			k = mix(k, words[sc.live[j]].h)
		}
		if bestStance >= 0 && i > stanceEnd {
			hits = append(hits, hit{from: i, to: bestTo, cue: bestStance})
			stanceEnd = bestTo
		}
	}
	return hits
}

func (c *Classifier) phraseAt(text string, sc *scratch, h hit) (string, int) {
	start := sc.tk.words[sc.live[h.from]].start
	end := sc.tk.words[sc.live[h.to]].end
	return text[start:end], start
}

// sentenceText returns the sentence containing live word i.
func sentenceText(text string, sc *scratch, i int) string {
	s := sc.sent[i]
	a, b := i, i
	for a > 0 && sc.sent[a-1] == s {
		a--
	}
	for b+1 < len(sc.sent) && sc.sent[b+1] == s {
		b++
	}
	start := sc.tk.words[sc.live[a]].start
	end := sc.tk.words[sc.live[b]].end
	// Keep the closing punctuation and quotes that end the sentence.
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' || isWordRune(r) {
			break
		}
		end += size
	}
	return text[start:end]
}

func (c *Classifier) scoreTopics(text string, sc *scratch, hits []hit) []Topic {
	scores := make([]float64, len(c.topics))
	evid := make([][]Evidence, len(c.topics))
	count := make(map[int]int)
	distinct := make([]int, len(c.topics))
	strong := make([]bool, len(c.topics))
	for _, h := range hits {
		q := c.cues[h.cue]
		if q.topic < 0 {
			continue
		}
		count[h.cue]++
		if count[h.cue] > topicRepeatCap {
			continue
		}
		if count[h.cue] == 1 {
			distinct[q.topic]++
		}
		strong[q.topic] = strong[q.topic] || q.weight >= c.thresholds[q.topic]
		scores[q.topic] += q.weight
		p, off := c.phraseAt(text, sc, h)
		evid[q.topic] = append(evid[q.topic], Evidence{Phrase: p, Sentence: sentenceText(text, sc, h.from), Offset: off, Weight: q.weight})
	}
	var out []Topic
	for t, s := range scores {
		// One word repeated is not yet a subject: a piece that says "the
		// court" three times is not about the trial. A topic needs several
		// distinct phrases, or one that names it outright.
		if s >= c.thresholds[t] && (distinct[t] >= topicMinPhrases || strong[t]) {
			out = append(out, Topic{Topic: c.topics[t], Score: s, Evidence: evid[t]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}
