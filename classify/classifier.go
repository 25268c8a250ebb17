package classify

import (
	"fmt"
	"math/bits"
	"sort"
	"sync"
)

// Document is one item to classify.
type Document struct {
	Title, Text string
	// StancePrior is an optional per-source lean ("", "supportive",
	// "critical", "neutral"), off by default. It nudges the score by
	// priorWeight and never decides alone against the text's cues.
	StancePrior string
}

// titleSep joins a document's title and text into the text classified.
const titleSep = "\n\n"

// text is the text classified, which all offsets refer to.
func (d Document) text() string { return d.Title + titleSep + d.Text }

// bodyStart is the byte offset of d.Text in d.text().
func (d Document) bodyStart() int { return len(d.Title) + len(titleSep) }

// Result is what Classify says about a document.
type Result struct {
	Mentions     []Mention
	Stances      []Stance // one per person mentioned, in order of first mention
	Topics       []Topic  // topics over threshold, highest score first
	RulesVersion string   // hash of the compiled rule set
}

// Stance is how a document frames one person.
//
// Score is the sum of the evidence weights plus Prior: the source's lean
// has no phrase in the text, so it is reported in its own field rather than
// as an Evidence entry.
type Stance struct {
	Person string
	Label  string  // "supportive" | "critical" | "neutral" | "unclear"
	Score  float64 // signed: >0 supportive, <0 critical
	Prior  float64 `json:",omitempty"` // signed contribution of Document.StancePrior, included in Score
	// Confidence is the model's probability of Label (0 for unclear).
	Confidence float64 `json:",omitempty"`
	// Reason says in a line why: "unclear: 41 words (fewer than
	// classify.min_words 60)", "neutral: the piece's own framing is weak
	// (lean +0.4); both sides speak (the person's side 3, the authorities 2)".
	Reason string `json:",omitempty"`
	// SupportVoices and AuthorityVoices count the sentences in which the
	// person's side (the person, relatives, lawyers, rights groups) and the
	// authorities' side (officials, prosecution, police, state media) speak.
	// When both speak about equally and the piece frames little itself, the
	// label is neutral.
	SupportVoices   int `json:",omitempty"`
	AuthorityVoices int `json:",omitempty"`
	Evidence        []Evidence
}

// Topic is a topic whose phrases reached its threshold.
type Topic struct {
	Topic    string
	Score    float64
	Evidence []Evidence
}

// Evidence is one cue phrase found in the text and what it counted for.
type Evidence struct {
	Phrase   string  // as it appears in the text (a substring of the text classified)
	Sentence string  // the sentence it occurs in
	Offset   int     // byte offset of Phrase in the text classified (Title + "\n\n" + Text)
	Weight   float64 // signed contribution actually counted
	// Discounted says, joined by "+", why the evidence counted other than
	// as a cue in the piece's own words about the person: its contexts
	// ("negated", "quoted", "scare-quoted", "attributed", "answered",
	// "charge", "headline"), its scope ("reference", "paragraph",
	// "outside-person-sentences", "other-person", "repeated"), and its
	// kind ("register", "lexicon", "room", or "scare-quoted" for a role).
	Discounted string `json:",omitempty"`
}

// Constants of the engine: how it reads structure. The weights it gives
// what it reads are fitted (weights.go); the values here marked "unfitted"
// are used only without a weights file, and are where fitting starts.
// Changing any of them changes labels: bump engineVersion (rules.go) so
// the rules version says so.
const (
	scareWeight      = 1.5  // unfitted: a person noun or a cause in scare quotes, the “researcher”
	roomWeight       = 0.03 // unfitted: per word of a quotation in a paragraph where only the person's side speaks
	labelMargin      = 0.75 // unfitted: |lean| needed for supportive or critical
	registerScale    = 0.3  // unfitted: a register cue counts its rule weight times this (a framing cue, times 1)
	backrefWindow    = 3    // words between a determiner and a person noun ("the former Belgian detainee")
	speakerWindow    = 3    // words between a person's name and a verb of saying for the person to be the speaker
	datelineBytes    = 60   // how far into the text a wire dateline's dash may come
	priorWeight      = 1.0  // a source's stance_prior, added to the lean
	scareMaxWords    = 4    // a quotation this short is scare quotes, not a quote
	scareTargetWords = 2    // a quoted role this short is mocked ("the “researcher”"); longer is a quoted charge or slogan
	negationWindow   = 3    // words before a cue searched for a negator
	pronounChain     = 3    // sentences after a mention that pronouns and noun phrases may refer back through
	topicRepeatCap   = 3    // occurrences of one phrase counted towards a topic
	// A topic is tagged when the text states it about a tracked person's
	// case; a phrase in a sentence about none of them (background, another
	// case) counts this much of its weight.
	topicAside = 0.5
)

// Classifier applies compiled rules to documents. It is immutable and safe
// for concurrent use.
type Classifier struct {
	m          *Matcher
	cues       []cue
	trie       map[uint64]*trieNode // n-gram key of a phrase prefix → node
	filter     keyFilter            // first words of phrases
	topics     []string
	topicSpan  int // words of the longest topic phrase
	thresholds []float64
	minWords   int
	version    string
	model      *model
	pool       sync.Pool // *scratch
}

type cue struct {
	phrase   string
	side     float64 // +1 supportive or neutral, -1 critical or opinion, 0 for a topic phrase or a lexicon word
	register bool    // a neutral or opinion cue: the piece's register, not a lean
	weight   float64
	topic    int     // index into topics, -1 for a stance cue or a lexicon word
	lex      float64 // +1 a positive, -1 a negative lexicon word; 0 a cue
	negLed   bool    // the phrase starts with a negator ("no evidence of")
	added    bool    // added by the user: its weight is theirs, not the weights file's
}

type trieNode struct {
	prefix bool  // a longer phrase continues from here
	cues   []int // phrases ending here
}

// New compiles rules for people. It fails on a bad person list or a bad
// rule, naming the rule file and line, or the phrase for added rules.
func New(people []Person, rules *Rules) (*Classifier, error) {
	if rules == nil {
		rules = DefaultRules()
	}
	rules = rules.clone()
	if err := rules.validate(); err != nil {
		return nil, fmt.Errorf("compile rules: %w", err)
	}
	m, err := NewMatcher(people)
	if err != nil {
		return nil, fmt.Errorf("compile people: %w", err)
	}
	c := &Classifier{m: m, trie: make(map[uint64]*trieNode), minWords: rules.minWords, version: rules.version()}
	c.pool.New = func() any { return new(scratch) }
	topicIdx := make(map[string]int)
	names := make([]string, 0, len(rules.thresholds))
	for t := range rules.thresholds {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		topicIdx[t] = len(c.topics)
		c.topics = append(c.topics, t)
		c.thresholds = append(c.thresholds, rules.thresholds[t])
	}
	for _, s := range rules.stance {
		side := 1.0
		if s.side == Critical || s.side == Opinion {
			side = -1
		}
		c.addCue(cue{phrase: s.phrase, side: side, register: s.side == Neutral || s.side == Opinion, weight: s.weight, topic: -1, added: s.src == srcAdded})
	}
	stanceKeys := make(map[string]bool, len(rules.stance))
	for _, s := range rules.stance {
		stanceKeys[foldPhrase(s.phrase)] = true
	}
	lexKeys := make(map[string]bool, len(rules.lexicon))
	for _, w := range rules.lexicon {
		key := foldPhrase(w.phrase)
		if stanceKeys[key] || lexKeys[key] {
			continue
		}
		lexKeys[key] = true
		side := 1.0
		if w.side == Negative {
			side = -1
		}
		c.addCue(cue{phrase: w.phrase, lex: side, topic: -1})
	}
	for _, t := range rules.topics {
		c.addCue(cue{phrase: t.phrase, weight: t.weight, topic: topicIdx[t.topic], added: t.src == srcAdded})
	}
	c.model = c.compileModel(rules.weights, rules.userThresholds)
	return c, nil
}

// mix extends the n-gram key k of a phrase's first words with the hash h
// of its next word: the keys of the phrase trie.
func mix(k, h uint64) uint64 { return bits.RotateLeft64(k, 23)*0x9E3779B97F4A7C15 ^ h }

// addCue compiles a phrase into the trie: a node per prefix, keyed by
// mix, marked where a longer phrase goes on and listing the cues that end
// there. Elided words ("l'", "d'") are left out, as in the text.
func (c *Classifier) addCue(q cue) {
	var tk tokenizer
	tk.tokenize(q.phrase)
	var hs []uint64
	for _, w := range tk.words {
		if !w.elided {
			hs = append(hs, w.h)
		}
	}
	q.negLed = negators[hs[0]]
	if q.topic >= 0 {
		c.topicSpan = max(c.topicSpan, len(hs))
	}
	idx := len(c.cues)
	c.cues = append(c.cues, q)
	c.filter.add(hs[0])
	k := hs[0]
	for i := range hs {
		if i > 0 {
			k = mix(k, hs[i])
		}
		n := c.trie[k]
		if n == nil {
			n = &trieNode{}
			c.trie[k] = n
		}
		if i == len(hs)-1 {
			n.cues = append(n.cues, idx)
		} else {
			n.prefix = true
		}
	}
}

// Matcher returns the name matcher the classifier uses.
func (c *Classifier) Matcher() *Matcher { return c.m }

// RulesVersion is a hash of the compiled rules.
func (c *Classifier) RulesVersion() string { return c.version }

// scratch holds per-call buffers.
type scratch struct {
	tk    tokenizer
	live  []int // indexes of non-elided words
	sent  []int // sentence index per live word
	spans []span
}

// liveWordFrom returns the index of the first live word that starts at or
// after byte off of the text, or len(sc.live) if none does.
func (sc *scratch) liveWordFrom(off int) int {
	return sort.Search(len(sc.live), func(i int) bool { return sc.tk.words[sc.live[i]].start >= off })
}

// span is a quotation: the bytes between its marks, and how many words
// it holds.
type span struct{ start, end, words int }

// hit is a phrase found in the text: live words [from, to] and a cue.
type hit struct {
	from, to int
	cue      int
}

// sideName is the rule-file side of a stance cue.
func (q cue) sideName() string {
	switch {
	case q.register && q.side > 0:
		return Neutral
	case q.register:
		return Opinion
	case q.side > 0:
		return Supportive
	}
	return Critical
}
