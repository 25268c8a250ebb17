package classify

import (
	"sort"
	"unicode/utf8"
)

// Classify finds the tracked people in doc, judges the stance towards each,
// and scores topics. The text classified is doc.Title + "\n\n" + doc.Text;
// all offsets refer to it.
//
// Stance is read in two steps. observe (observe.go) lists, for each person,
// the signals that bear on them: every cue phrase of the rules with the
// contexts that change what it counts for (negated, quoted, scare-quoted,
// attributed, answered by the other side, describing a charge, in the
// headline) and its scope (a sentence naming the person, referring back to
// them, in a paragraph about them, about nobody, or about somebody else);
// roles in scare quotes; quotations giving the person's side room; and who
// speaks (voice.go). decide (model.go) weighs them with the fitted weights
// into a label, its confidence and a one-line reason, and lists every
// signal with the weight it actually added. Text shorter than the minimum
// words gives "unclear". Document.StancePrior is added to the lean and
// reported in Stance.Prior, not as evidence, since no phrase carries it.
//
// Topics: each topic phrase adds its weight, at most topicRepeatCap times
// per phrase and only a share of it in a sentence about none of the people
// tracked (topicShare); a phrase inside a longer topic phrase counts only
// as the longer one (dropInnerTopicHits). A topic is reported when its
// score reaches its threshold.
func (c *Classifier) Classify(doc Document) Result {
	res := Result{RulesVersion: c.version}
	prior := 0.0
	switch doc.StancePrior {
	case Supportive:
		prior = priorWeight
	case Critical:
		prior = -priorWeight
	}
	c.inspect(doc, func(r *reading, mentions []Mention, obs []observation, hits []hit) {
		res.Mentions = mentions
		res.Topics = c.scoreTopics(r, hits)
		if len(obs) > 0 {
			res.Stances = make([]Stance, len(obs))
			for i := range obs {
				res.Stances[i] = c.decide(r, &obs[i], prior)
			}
		}
	})
	return res
}

// inspect runs the engine on doc and hands what it read to f before the
// scratch buffers go back to the pool: the reading of the text, the
// mentions, one observation per person mentioned, and the phrase hits.
// Classify and fitting both go through it, so what is fitted is what runs.
func (c *Classifier) inspect(doc Document, f func(r *reading, mentions []Mention, obs []observation, hits []hit)) {
	text := doc.text()
	sc := c.pool.Get().(*scratch)
	defer c.pool.Put(sc)
	tk := &sc.tk
	tk.tokenize(text)
	mentions := c.m.matchTokenized(tk, text)
	words := tk.words

	// Live words and their sentences.
	sc.live, sc.sent = sc.live[:0], sc.sent[:0]
	bodyWords := 0
	bodyStart := doc.bodyStart()
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
	if len(mentions) == 0 {
		f(&reading{text: text, sc: sc}, nil, nil, hits)
		return
	}
	r, obs := c.observe(doc, text, sc, hits, mentions, nsent, bodyWords)
	f(r, mentions, obs, hits)
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
				if c.cues[q].topic >= 0 || c.cues[q].lex != 0 {
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
	return c.dropInnerTopicHits(hits)
}

// dropInnerTopicHits drops a topic phrase that lies inside a longer topic
// phrase: the longer one says what the words mean. "Media" in "social
// media" is not the press, "amnesty" in "granted amnesty" is a pardon and
// not the rights group, "terrorism" in "anti-terrorism squad" is the police
// that made an arrest, and "Amnesty International" counts once, not also as
// "amnesty". Hits come in order of their first word, the phrases starting
// at one word from the shortest, so a longer phrase holding a hit starts at
// most the longest topic phrase's length before it, or is a later hit from
// the same word. It works from the end in place, so the hits before the
// one it looks at are still as found.
func (c *Classifier) dropInnerTopicHits(hits []hit) []hit {
	k := len(hits)
	from, to := -1, -1 // the longest topic phrase seen so far from word `from`
	for i := len(hits) - 1; i >= 0; i-- {
		h := hits[i]
		if c.cues[h.cue].topic >= 0 {
			if h.from != from {
				from, to = h.from, -1
			}
			inner := to > h.to
			for j := i - 1; j >= 0 && hits[j].from >= h.from-c.topicSpan && !inner; j-- {
				inner = c.holds(hits[j], h)
			}
			to = max(to, h.to)
			if inner {
				continue
			}
		}
		k--
		hits[k] = h
	}
	return hits[k:]
}

// holds reports whether o is a topic phrase longer than h that covers it.
func (c *Classifier) holds(o, h hit) bool {
	return c.cues[o.cue].topic >= 0 && o.from <= h.from && o.to >= h.to && o.to-o.from > h.to-h.from
}

// phraseAt returns the text of live words from to to, as written, and
// its byte offset.
func phraseAt(text string, sc *scratch, from, to int) (string, int) {
	start := sc.tk.words[sc.live[from]].start
	end := sc.tk.words[sc.live[to]].end
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

// topicShare is the part of its weight a topic phrase adds: all of it in
// the title, in a text naming nobody tracked, and in a sentence about a
// tracked person (naming them, referring back to them, or in a paragraph
// about them); topicAside in a sentence about nobody tracked.
func (r *reading) topicShare(h hit) float64 {
	if r.info == nil || h.from < r.titleEnd || r.info[r.sc.sent[h.from]].scope != scopeOutside {
		return 1
	}
	return topicAside
}

// topicRepeats counts the hits of each topic phrase (by cue index), so
// that scoring and fitting cap them alike.
type topicRepeats map[int]int

// counts records a hit of cue and reports whether it still counts: at
// most topicRepeatCap hits of one phrase do.
func (t topicRepeats) counts(cue int) bool {
	t[cue]++
	return t[cue] <= topicRepeatCap
}

// scoreTopics adds up the topic phrases found, each as far as it counts,
// and returns the topics that reach their threshold, highest score first,
// with their evidence.
func (c *Classifier) scoreTopics(r *reading, hits []hit) []Topic {
	text, sc := r.text, r.sc
	scores := make([]float64, len(c.topics))
	evid := make([][]Evidence, len(c.topics))
	repeats := topicRepeats{}
	for _, h := range hits {
		q := c.cues[h.cue]
		if q.topic < 0 || !repeats.counts(h.cue) {
			continue
		}
		if c.model.topicW[h.cue] == 0 {
			continue // a phrase of another sense: it only hides the phrases inside it
		}
		share := r.topicShare(h)
		w := c.model.topicW[h.cue] * share
		scores[q.topic] += w
		p, off := phraseAt(text, sc, h.from, h.to)
		e := Evidence{Phrase: p, Sentence: sentenceText(text, sc, h.from), Offset: off, Weight: round(w)}
		if share < 1 {
			e.Discounted = multNames[multOutside]
		}
		evid[q.topic] = append(evid[q.topic], e)
	}
	var out []Topic
	for t, s := range scores {
		if s >= c.model.threshold[t] {
			out = append(out, Topic{Topic: c.topics[t], Score: round(s), Evidence: evid[t]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}
