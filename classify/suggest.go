package classify

import (
	"math"
	"sort"
)

// Suggestion is a candidate cue phrase: a word sequence used far more in
// articles of one stance than in the others, across several people and
// outlets. It is for a person to read and accept into the rules, or not:
// a shipped cue must describe framing, never a particular person or outlet.
type Suggestion struct {
	Phrase  string  `json:"phrase"` // as first written in the corpus
	Side    string  `json:"side"`   // the stance it is associated with
	Z       float64 `json:"z"`      // the association's z-score (log-odds with a prior)
	Docs    int     `json:"docs"`   // documents of that stance using it
	Others  int     `json:"others"` // documents of the other stances using it
	People  int     `json:"people"` // main people of the documents of that stance
	Outlets int     `json:"outlets"`
}

// SuggestOptions bound the suggestions.
type SuggestOptions struct {
	MaxWords   int // longest phrase, in words (default 3)
	MinPeople  int // distinct main people it must occur for (default 3)
	MinOutlets int // distinct outlets (default 3; documents without an outlet count each as one)
	PerSide    int // suggestions per stance (default 25)
}

// Suggest lists candidate cue phrases for each stance from labelled
// documents: n-grams ranked by the weighted log-odds ratio of their use in
// that stance against the others, with an informative Dirichlet prior (the
// n-gram's frequency in the whole corpus), so that rare words do not rank
// first by chance. Phrases that are already cues, that contain a tracked
// person's name or a word written mostly with a capital (a proper noun),
// or that are only function words, are left out.
func (c *Classifier) Suggest(docs []LabelledDoc, opt SuggestOptions) []Suggestion {
	if opt.MaxWords <= 0 {
		opt.MaxWords = 3
	}
	if opt.MinPeople <= 0 {
		opt.MinPeople = 3
	}
	if opt.MinOutlets <= 0 {
		opt.MinOutlets = 3
	}
	if opt.PerSide <= 0 {
		opt.PerSide = 25
	}
	existing := map[string]bool{}
	for _, q := range c.cues {
		existing[foldPhrase(q.phrase)] = true
	}
	grams, total, capital := c.countGrams(docs, opt.MaxWords)
	all := total[0] + total[1] + total[2]
	var out []Suggestion
	for fk, g := range grams {
		if existing[fk] || onlyFunctionWords(g.surface) || properNoun(g.surface, capital) {
			continue
		}
		df := g.df[0] + g.df[1] + g.df[2]
		for l := 0; l < 3; l++ {
			if len(g.people[l]) < opt.MinPeople || len(g.outlets[l]) < opt.MinOutlets {
				continue
			}
			z := logOddsZ(g.df[l], total[l], df-g.df[l], all-total[l], float64(df)/float64(all))
			if z < suggestMinZ {
				continue
			}
			out = append(out, Suggestion{Phrase: g.surface, Side: goldLabels[l], Z: round(z),
				Docs: g.df[l], Others: df - g.df[l], People: len(g.people[l]), Outlets: len(g.outlets[l])})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Side != out[j].Side {
			return out[i].Side > out[j].Side
		}
		if out[i].Z != out[j].Z {
			return out[i].Z > out[j].Z
		}
		return out[i].Phrase < out[j].Phrase
	})
	var kept []Suggestion
	perSide := map[string]int{}
	for _, s := range out {
		if perSide[s.Side] < opt.PerSide {
			perSide[s.Side]++
			kept = append(kept, s)
		}
	}
	return kept
}

// Bounds of the log-odds ranking.
const (
	// suggestPrior is the informative prior's weight, in documents: an
	// n-gram's expected count at the corpus rate, so that one seen in a
	// handful of documents is pulled to that rate rather than ranked first
	// by chance.
	suggestPrior = 10
	// suggestMinZ is the z-score an association needs: about two standard
	// errors, below which it is as likely chance.
	suggestMinZ = 2
)

// logOddsZ is the z-score of the weighted log-odds ratio of an n-gram used
// in y1 of n1 documents of one stance and y2 of n2 of the others, with an
// informative Dirichlet prior of suggestPrior documents at the n-gram's
// rate in the whole corpus (Monroe, Colaresi and Quinn 2008).
func logOddsZ(y1i, n1i, y2i, n2i int, rate float64) float64 {
	a0 := rate * suggestPrior
	y1, n1 := float64(y1i), float64(n1i)
	y2, n2 := float64(y2i), float64(n2i)
	d := math.Log((y1+a0)/(n1+suggestPrior-y1-a0)) - math.Log((y2+a0)/(n2+suggestPrior-y2-a0))
	v := 1/(y1+a0) + 1/(y2+a0)
	return d / math.Sqrt(v)
}

// gram is an n-gram of the labelled documents, counted per stance.
type gram struct {
	surface string             // as first written
	df      [3]int             // documents using it
	people  [3]map[string]bool // their main people
	outlets [3]map[string]bool // their outlets
}

// countGrams counts the n-grams of up to maxWords words of docs by their
// folded form, with the documents of each stance, and how each word is
// written inside sentences (capital[h]: [capitalised, written]). An n-gram
// stops at a sentence end, a tracked person's name or a number.
func (c *Classifier) countGrams(docs []LabelledDoc, maxWords int) (grams map[string]*gram, total [3]int, capital map[uint64][2]int) {
	grams = map[string]*gram{}
	capital = map[uint64][2]int{}
	var tk tokenizer
	for i, d := range docs {
		label := goldIndex(d.Stance)
		total[label]++
		text := d.document().text()
		tk.tokenize(text)
		names := map[int]bool{}
		for _, m := range c.m.matchTokenized(&tk, text) {
			for k, w := range tk.words {
				if w.start >= m.Start && w.end <= m.End {
					names[k] = true
				}
			}
		}
		seen := map[string]bool{}
		words := tk.words
		for k, w := range words {
			if w.cased && w.sep != sepSentence {
				cw := capital[w.h]
				if w.upper {
					cw[0]++
				}
				cw[1]++
				capital[w.h] = cw
			}
			for n := 1; n <= maxWords && k+n <= len(words); n++ {
				e := words[k+n-1]
				if names[k+n-1] || (n > 1 && e.sep == sepSentence) || isDigits(text[e.start:e.end]) {
					break
				}
				if e.elided {
					continue
				}
				fk := foldPhrase(text[w.start:e.end])
				if seen[fk] {
					continue
				}
				seen[fk] = true
				g := grams[fk]
				if g == nil {
					g = &gram{surface: text[w.start:e.end]}
					for l := range g.people {
						g.people[l], g.outlets[l] = map[string]bool{}, map[string]bool{}
					}
					grams[fk] = g
				}
				g.df[label]++
				g.people[label][d.Person] = true
				outlet := d.Outlet
				if outlet == "" {
					outlet = d.File + string(rune(i))
				}
				g.outlets[label][outlet] = true
			}
		}
	}
	return grams, total, capital
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// onlyFunctionWords reports a phrase made only of words that carry no
// framing of their own ("of the", "que la").
func onlyFunctionWords(phrase string) bool {
	var tk tokenizer
	tk.tokenize(phrase)
	for _, w := range tk.words {
		if !functionWords[w.h] {
			return false
		}
	}
	return true
}

// properNoun reports a phrase with a word that is written with a capital
// in most of its uses inside sentences: a name of somebody or something.
func properNoun(phrase string, capital map[uint64][2]int) bool {
	var tk tokenizer
	tk.tokenize(phrase)
	for _, w := range tk.words {
		if c := capital[w.h]; c[1] > 0 && 2*c[0] > c[1] {
			return true
		}
	}
	return false
}

var functionWords = hashSetPlain(
	"the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or", "but", "is", "was", "are",
	"were", "be", "been", "has", "have", "had", "it", "its", "this", "that", "these", "those", "as", "which", "who",
	"he", "she", "his", "her", "they", "their", "them", "him", "not", "after", "before", "over", "into", "s", "t",
	"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "et", "ou", "en", "au", "aux", "a", "dans", "par",
	"pour", "sur", "avec", "qui", "que", "qu", "est", "sont", "il", "elle", "ils", "son", "sa", "ses", "ce", "cette",
	"se", "ne", "pas", "plus", "y", "el", "los", "las", "del", "al", "lo", "por", "para", "con", "su", "sus", "es",
	"fue", "ha", "han", "e", "o", "u", "se", "le", "les", "una", "uno", "como", "mas", "sin", "sobre", "entre",
)
