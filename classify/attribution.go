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

// sentenceInfo is what the stance engine needs to know about one sentence.
type sentenceInfo struct {
	para      int   // paragraph index
	backref   bool  // a pronoun or a definite person noun ("the blogger")
	neutral   bool  // a neutral reporting verb: "said", "denied", "according to"
	distanced bool  // a distancing verb: "claims", "alleges"
	charge    bool  // the sentence describes a charge: "charged with", "the indictment"
	target    int   // person a sentence without a name refers to, or -1
	scope     uint8 // how it relates to the person it is about: scopeDirect, scopeReference, scopeParagraph, or scopeOutside
	speech    bool  // a verb of saying: somebody speaks here
	speaker   int8  // side of the side word nearest the verb of saying (voice.go)
	actor     int8  // side of the last side word in the sentence, sideCourt included
	verbAt    int   // live index of the first verb of saying
	nearest   int   // distance from it to the nearest side word so far
	lastSide  int8  // the last non-court side word before the verb, and where
	lastAt    int
	clauseAt  int  // live index of the first "that", "que" after the verb: what is said starts there; 0 if none
	goesOn    bool // "he also said", "a-t-il ajouté": a follow-up to somebody's words
	carried   bool // a speaker's words without a verb of saying of their own: "His lawyer said: … . …"
	from      int  // if carried, the sentence whose speaker they are
}

// sentences works out paragraphs, attribution and who each sentence that
// names nobody refers to: what each sentence's words say (readWords), the
// reported speech that runs over sentences (carrySpeech), and whom the
// sentences that name nobody are about (resolveReferents).
func sentences(text string, sc *scratch, nsent int, direct map[int][]personMention) []sentenceInfo {
	info := make([]sentenceInfo, nsent)
	readWords(text, sc, info)
	carrySpeech(text, sc, info)
	resolveReferents(info, direct)
	return info
}

// readWords sets each sentence's paragraph and what its words say: a
// reference back to a person, attribution, a charge, a verb of saying and
// the side words around it (voice.go reads them).
func readWords(text string, sc *scratch, info []sentenceInfo) {
	words := sc.tk.words
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
		if in.speech && in.clauseAt == 0 && (class&classClause != 0 || (wi > 0 && words[wi-1].elided && clauseWords[words[wi-1].h])) {
			in.clauseAt = i
		}
		if class&classInverted != 0 && i > 0 && invertedSpeech(text, words, sc.live[i-1], wi) {
			// "poursuit-il", "a-t-elle ajouté": an inverted subject outside a
			// question marks an incise of reported speech.
			class |= classSpeech | classNeutral
		}
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
		in.goesOn = in.goesOn || class&classGoesOn != 0
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
}

// resolveReferents says whom each sentence is about. A sentence naming
// people is about them ("direct"). A pronoun or a definite person noun
// ("the blogger", "l'ancien détenu") refers back to the last person named,
// for up to pronounChain sentences ("reference"); any other sentence in
// the same paragraph as that reference is about the same person, more
// weakly ("paragraph"); the rest are about nobody.
func resolveReferents(info []sentenceInfo, direct map[int][]personMention) {
	last, left, lastPara := -1, 0, -1
	for s := range info {
		in := &info[s]
		in.target, in.scope = -1, scopeOutside
		if d := direct[s]; len(d) > 0 {
			last, left, lastPara = d[len(d)-1].person, pronounChain, in.para
			in.scope = scopeDirect
			continue
		}
		switch {
		case last >= 0 && left > 0 && in.backref:
			in.target, in.scope = last, scopeReference
			left--
			lastPara = in.para
		case last >= 0 && in.para == lastPara:
			in.target, in.scope = last, scopeParagraph
		default:
			left = 0
		}
	}
}

// carrySpeech gives a speaker the sentences of their words that have no
// verb of saying of their own, and attributes them: the paragraph's
// sentences before a closing incise ("… . …,” his lawyer said.", "…,
// a-t-il ajouté.") and after a colon ("His lawyer said: … . …").
func carrySpeech(text string, sc *scratch, info []sentenceInfo) {
	for s := len(info) - 1; s > 0; s-- {
		in := &info[s]
		if !in.speech || (s+1 < len(info) && info[s+1].para == in.para) || !incise(text, sc, in.verbAt) {
			continue
		}
		for t := s - 1; t >= 0 && info[t].para == in.para && !info[t].speech; t-- {
			info[t].neutral, info[t].carried, info[t].from = true, true, s
		}
	}
	lead := -1 // the last "he said:" whose words run on to the end of its paragraph
	for s := range info {
		in := &info[s]
		switch {
		case in.speech && leadsIn(text, sc, in.verbAt):
			lead = s
		case lead >= 0 && in.para != info[lead].para:
			lead = -1
		case lead >= 0 && !in.speech:
			in.neutral, in.carried, in.from = true, true, lead
		}
	}
}

// scareSignals adds a critical signal for each short quotation around a
// role or a cause that holds no cue: the “researcher”, this kind of
// “journalism”.
func (c *Classifier) scareSignals(r *reading, spans []span, hits []hit) []signal {
	sc := r.sc
	words := sc.tk.words
	out := r.signals
	for _, sp := range spans {
		if sp.words == 0 || sp.words > scareTargetWords {
			continue
		}
		a, b := sc.liveWordFrom(sp.start), sc.liveWordFrom(sp.end)
		if a >= b {
			continue
		}
		hasCue, hasTarget := false, false
		for _, h := range hits {
			if q := c.cues[h.cue]; q.topic < 0 && q.lex == 0 && h.from >= a && h.from < b {
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
		sig := signal{from: a, to: b - 1, key: keyScare, amount: 1, side: -1}
		if a < r.titleEnd {
			sig.ctx |= ctxHeadline
		}
		out = append(out, sig)
	}
	return out
}

// round keeps three decimals of the weights and scores the package
// reports and writes, so that evidence reads plainly and two fits of the
// same data write the same file.
func round(x float64) float64 { return math.Round(x*1000) / 1000 }

// negated reports a negator among the few words before live word i in the
// same sentence.
func negated(sc *scratch, i int) bool {
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
	var opener, closer rune
	for i := 0; i < len(text); {
		if c := text[i]; c != '"' && c != '\n' && c != 0xC2 && c != 0xE2 {
			// Only '"', a newline and the lead bytes of “ ” „ « » matter.
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case open < 0 && (r == '“' || r == '«' || r == '„' || r == '"'):
			open, opener = i+size, r
			closer = closerOf(r)
		case open >= 0 && (r == closer || (closer == '”' && r == '"')):
			spans = append(spans, span{start: open, end: i})
			open = -1
		case open >= 0 && r == '\n' && i+1 < len(text) && text[i+1] == '\n':
			// A quotation that runs on into the next paragraph opens it
			// again: “… / “… ,” he said.
			if next, _ := utf8.DecodeRuneInString(strings.TrimLeft(text[i:], " \n\r\t")); next == opener {
				spans = append(spans, span{start: open, end: i})
			}
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

// closerOf is the quotation mark that closes one opened with r.
func closerOf(r rune) rune {
	switch r {
	case '“':
		return '”'
	case '«':
		return '»'
	case '„':
		return '“'
	}
	return r
}

// spanAt returns the quotation that holds byte off of the text, if any.
func spanAt(spans []span, off int) (span, bool) {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].end > off })
	if i < len(spans) && spans[i].start <= off {
		return spans[i], true
	}
	return span{}, false
}

// invertedSpeech says whether word wi, a French subject pronoun, is joined
// by a hyphen to the verb before it ("poursuit-il", "a-t-il ajouté") in a
// sentence that is not a question.
func invertedSpeech(text string, words []word, prev, wi int) bool {
	gap := text[words[prev].end:words[wi].start]
	if gap != "-" {
		return false
	}
	if text[words[prev].start:words[prev].end] == "t" && (prev == 0 || text[words[prev-1].end:words[prev].start] != "-") {
		return false
	}
	// The end of the sentence is near: an incise closes it. Looking no
	// further keeps text without punctuation from costing a scan per word.
	rest := text[words[wi].end:]
	rest = rest[:min(len(rest), inciseReach)]
	for _, r := range rest {
		switch r {
		case '?':
			return false
		case '.', '!', '\n', ';', '…':
			return true
		}
	}
	return true
}

// inciseReach bounds, in bytes, how far invertedSpeech looks for the end
// of the sentence.
const inciseReach = 200

// leadsIn says whether a colon follows the verb of saying at live word i
// within a few words: "his lawyer said:", "a déclaré son avocat :".
func leadsIn(text string, sc *scratch, i int) bool {
	words := sc.tk.words
	for j := i; j < len(sc.live)-1 && j <= i+speakerWindow && sc.sent[j+1] == sc.sent[i]; j++ {
		if strings.IndexByte(text[words[sc.live[j]].end:words[sc.live[j+1]].start], ':') >= 0 {
			return true
		}
	}
	return false
}

// incise says whether the verb of saying at live word i stands in an
// incise closing its sentence: among its last words, after a comma or a
// closing quotation mark (“…,” his lawyer said. / …, a-t-il ajouté.).
func incise(text string, sc *scratch, i int) bool {
	words := sc.tk.words
	if j := i + speakerWindow; j < len(sc.sent) && sc.sent[j] == sc.sent[i] {
		return false
	}
	for j := i; j > 0 && j >= i-speakerWindow && sc.sent[j-1] == sc.sent[i]; j-- {
		if strings.ContainsAny(text[words[sc.live[j-1]].end:words[sc.live[j]].start], ",”\"»") {
			return true
		}
	}
	return false
}
