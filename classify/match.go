package classify

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Person is a tracked person from config.
type Person struct {
	Name    string   // canonical, e.g. "Ali Aarrass"
	Aliases []string // other spellings/scripts, e.g. "Ali Aarass", "علي اعراس"
}

// Mention is one place where text names a tracked person.
type Mention struct {
	Person     string // canonical name
	Spelling   string // exactly as it appears in text (a substring of text)
	Start, End int    // byte offsets into text: text[Start:End] == Spelling
}

// Matcher finds tracked people in text. It is immutable after NewMatcher
// and safe for concurrent use.
type Matcher struct {
	people   []Person
	patterns map[uint64][]namePattern // multi-word names by first key, longest first
	surnames map[uint64][]int         // bare surname key → people who carry it
	given    []map[uint64]bool        // per person: keys of their given names
	filter   keyFilter                // quick "not a name word" test before map lookups
	pool     sync.Pool                // *tokenizer
	// initials holds the first byte of every surname key's folded form,
	// for mayMention.
	initials [256]bool
}

type namePattern struct {
	keys   []uint64
	person int
}

// nameTok is a word as the matcher sees it: elided words dropped and name
// particles ("El", "Abd", "Ben") joined with the word that follows.
type nameTok struct {
	start, end int
	key        uint64 // hash of the folded, de-doubled, particle-joined form
	sep        uint8
	upper      bool
	cased      bool
}

var (
	//go:embed rules/names_ambiguous.txt
	ambiguousTxt string
	//go:embed rules/names_titles.txt
	titlesTxt string
	//go:embed rules/names_notnames.txt
	notNamesTxt string

	ambiguousNames = keySet(ambiguousTxt)
	nameTitles     = keySet(titlesTxt)
	notNames       = keySet(notNamesTxt)
	// determiners before a capitalised word show it is an adjective or a
	// noun ("the Belgian-Moroccan Aarrass"), not a given name.
	determiners = keySet("the\na\nan\nthis\nthat\nle\nla\nles\nun\nune\nce\ncet\ncette\nformer\nex")
	// particles are joined to the next word, so "Abd El-Fattah",
	// "Abdel Fattah" and "Abdelfattah" all key alike.
	particles = keySet("el\nal\nabd\nabdel\nabdul\nabdal\nben\nbin\nibn\nould\nabu\nabou\nbou\nait\nعبد\nبن\nابو\nابن\nولد")
)

// keySet folds each non-comment line of a word list into a set of name keys.
func keySet(list string) map[uint64]bool {
	m := make(map[uint64]bool)
	var tk tokenizer
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tk.tokenize(line)
		for _, w := range tk.words {
			m[w.hd] = true
		}
	}
	return m
}

// NewMatcher compiles the names of people. It fails on an empty name or
// alias, a duplicate canonical name, or one spelling shared by two people.
func NewMatcher(people []Person) (*Matcher, error) {
	m := &Matcher{
		people:   people,
		patterns: make(map[uint64][]namePattern),
		surnames: make(map[uint64][]int),
		given:    make([]map[uint64]bool, len(people)),
	}
	m.pool.New = func() any { return new(tokenizer) }
	seen := make(map[string]int)    // canonical name → person
	spelled := make(map[string]int) // folded full spelling → person
	var tk tokenizer
	for p, person := range people {
		name := strings.TrimSpace(person.Name)
		if name == "" {
			return nil, fmt.Errorf("person %d: empty name", p+1)
		}
		if q, dup := seen[name]; dup {
			return nil, fmt.Errorf("person %d: duplicate name %q (also person %d)", p+1, name, q+1)
		}
		seen[name] = p
		m.given[p] = make(map[uint64]bool)
		for _, spelling := range append([]string{person.Name}, person.Aliases...) {
			keys := nameKeys(&tk, spelling)
			if err := checkSpelling(spelling, len(keys)); err != nil {
				return nil, fmt.Errorf("person %q: %w", name, err)
			}
			id := fmt.Sprint(keys)
			if q, ok := spelled[id]; ok {
				if q == p {
					continue // two spellings folding alike, e.g. "Aarrass" and "Aarass"
				}
				return nil, fmt.Errorf("person %q: spelling %q is also a spelling of %q", name, spelling, people[q].Name)
			}
			spelled[id] = p
			sur := keys[len(keys)-1]
			m.initials[surnameInitial(&tk)] = true
			if !contains(m.surnames[sur], p) {
				m.surnames[sur] = append(m.surnames[sur], p)
			}
			if len(keys) == 1 {
				continue
			}
			m.given[p][keys[0]] = true
			m.addPattern(keys, p)
			if len(keys) > 2 { // "Ahmed Reda Benchemsi" is also "Ahmed Benchemsi"
				m.addPattern([]uint64{keys[0], sur}, p)
			}
		}
	}
	for k := range m.patterns {
		m.filter.add(k)
	}
	for k := range m.surnames {
		m.filter.add(k)
	}
	return m, nil
}

// checkSpelling refuses a spelling that would match nearly every text: one
// without letters ("1", "#1" fold to the word "1") or a lone letter ("A").
func checkSpelling(spelling string, words int) error {
	letters := 0
	for _, r := range spelling {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	switch {
	case letters == 0:
		return fmt.Errorf("spelling %q has no letters: it would match every text with those digits or signs", spelling)
	case letters == 1 && words == 1:
		return fmt.Errorf("spelling %q is a single letter: it would match that letter standing alone anywhere", spelling)
	}
	return nil
}

// keyFilter is a one-hash Bloom filter over name keys: most words of an
// article are not names, and a bit test is far cheaper than a map lookup.
type keyFilter [64]uint64

func (f *keyFilter) add(k uint64)      { b := (k >> 7) & 4095; f[b>>6] |= 1 << (b & 63) }
func (f *keyFilter) has(k uint64) bool { b := (k >> 7) & 4095; return f[b>>6]&(1<<(b&63)) != 0 }

var particleFilter = func() (f keyFilter) {
	for k := range particles {
		f.add(k)
	}
	return f
}()

func (m *Matcher) addPattern(keys []uint64, p int) {
	ps := m.patterns[keys[0]]
	for _, q := range ps {
		if q.person == p && equalKeys(q.keys, keys) {
			return
		}
	}
	ps = append(ps, namePattern{keys: keys, person: p})
	// Longest first, so "Ahmed Reda Benchemsi" wins over "Ahmed Reda".
	for i := len(ps) - 1; i > 0 && len(ps[i].keys) > len(ps[i-1].keys); i-- {
		ps[i], ps[i-1] = ps[i-1], ps[i]
	}
	m.patterns[keys[0]] = ps
}

func equalKeys(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// nameKeys folds a configured spelling exactly as text is folded.
func nameKeys(tk *tokenizer, s string) []uint64 {
	tk.tokenize(s)
	var toks []nameTok
	toks = tk.nameToks(toks)
	keys := make([]uint64, len(toks))
	for i, t := range toks {
		keys[i] = t.key
	}
	return keys
}

// nameToks turns the tokenised words into name tokens, appending to dst.
func (tk *tokenizer) nameToks(dst []nameTok) []nameTok {
	words := tk.words
	var scratch [64]byte
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w.elided {
			continue
		}
		t := nameTok{start: w.start, end: w.end, sep: w.sep, upper: w.upper, cased: w.cased}
		form := tk.buf[w.fs:w.fe]
		lastKey := w.hd
		joined := false
		buf := scratch[:0]
		for particleFilter.has(lastKey) && particles[lastKey] && i+1 < len(words) && words[i+1].sep == sepSpace && !words[i+1].elided {
			if !joined {
				buf = append(buf, form...)
				joined = true
			}
			i++
			next := tk.buf[words[i].fs:words[i].fe]
			// Collapse a letter doubled across the join ("abdel" + "lah").
			if len(buf) > 0 && len(next) > 0 && buf[len(buf)-1] == next[0] && next[0] < 0x80 {
				buf = append(buf, next[1:]...)
			} else {
				buf = append(buf, next...)
			}
			lastKey = words[i].hd
			t.end = words[i].end
		}
		if joined {
			t.key = hashBytes(buf)
		} else {
			t.key = w.hd
		}
		dst = append(dst, t)
	}
	return dst
}

// Match finds every mention of a tracked person in text, in order of position.
func (m *Matcher) Match(text string) []Mention {
	tk := m.pool.Get().(*tokenizer)
	defer m.pool.Put(tk)
	if !m.mayMention(tk, text) {
		return nil
	}
	tk.tokenize(text)
	return m.matchTokenized(tk, text)
}

// MayMention reports whether text can name a tracked person: false means
// Match(text) finds nothing, at a fraction of Match's cost. It looks at
// words one by one, so the texts joined by a blank line ("title\n\ntext")
// may name someone only when one of them may.
func (m *Matcher) MayMention(text string) bool {
	tk := m.pool.Get().(*tokenizer)
	defer m.pool.Put(tk)
	return m.mayMention(tk, text)
}

// surnameInitial is the first byte of the folded form of the last name
// token of the spelling tk has just tokenised (by nameKeys).
func surnameInitial(tk *tokenizer) byte {
	toks := tk.nameToks(nil)
	last := toks[len(toks)-1]
	for _, w := range tk.words {
		if w.start == last.start {
			return tk.buf[w.fs]
		}
	}
	return 0 // not reached: every name token starts at a word
}

func (m *Matcher) isSurnameOrParticle(key uint64) bool {
	return m.filter.has(key) && len(m.surnames[key]) > 0 || particleFilter.has(key) && particles[key]
}

// mayMention is a quick scan that rules out most texts that name no one,
// which is most of a general news feed, at a fraction of the cost of
// tokenizing them. Every mention contains a surname token, and a surname
// token starts with a word (the surname, or a particle joined to it) whose
// folded form begins with one of m.initials. So only words starting with
// such a letter, or with a non-ASCII character (whose folding is left to
// the tokenizer), are folded, and the text may name someone only if one of
// them is a surname or a particle. Word boundaries are the tokenizer's.
func (m *Matcher) mayMention(tk *tokenizer, text string) bool {
	i := 0
	for i < len(text) {
		c := text[i]
		switch byteClass[c] {
		case classSpace:
			i++
			continue
		case classASCIIWord:
			if !m.initials[c|0x20] {
				// Not a candidate: skip the word, most of it at one table
				// lookup a byte.
				i++
				for i < len(text) && byteClass[text[i]] == classASCIIWord {
					i++
				}
				i = wordEnd(text, i)
				continue
			}
		default: // the first byte of a non-ASCII character
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				i += size
				continue
			}
		}
		// A candidate word starts at i: fold its ASCII letters as the
		// tokenizer does, and leave anything else to the tokenizer.
		start := i
		hd, last, ascii := uint64(fnvOffset), byte(0), true
		for i < len(text) {
			c = text[i]
			if c < utf8.RuneSelf {
				if !isWordByte[c] {
					break
				}
				c = lowerASCII(c)
				if c != last {
					hd = (hd ^ uint64(c)) * fnvPrime
					last = c
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			ascii = false
			i += size
		}
		if ascii {
			if m.isSurnameOrParticle(hd) {
				return true
			}
			continue
		}
		tk.tokenize(text[start:i])
		for _, w := range tk.words {
			if m.isSurnameOrParticle(w.hd) {
				return true
			}
		}
	}
	return false
}

// wordEnd returns where the word that runs up to i ends: i, or past the
// non-ASCII word characters (and any ASCII ones after them) that continue it.
func wordEnd(text string, i int) int {
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if !isWordByte[c] {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			return i
		}
		i += size
	}
	return i
}

// Byte classes for mayMention's scan.
const (
	classSpace     = iota // an ASCII byte that is not a letter or digit
	classASCIIWord        // an ASCII letter or digit
	classNonASCII         // a byte of a multi-byte character
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = classNonASCII
		case isWordByte[c]:
			t[c] = classASCIIWord
		}
	}
	return t
}()

// candidate is a possible mention before bare surnames are resolved.
type candidate struct {
	start, end int
	person     int // -1 for a bare surname
	tok        int // index of the surname token
}

func (m *Matcher) matchTokenized(tk *tokenizer, text string) []Mention {
	tk.ntoks = tk.nameToks(tk.ntoks[:0])
	toks := tk.ntoks
	var cands []candidate
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !m.filter.has(t.key) {
			continue
		}
		matched := false
		for _, p := range m.patterns[t.key] {
			n := len(p.keys)
			if i+n > len(toks) {
				continue
			}
			ok := true
			for k := 1; k < n; k++ {
				if toks[i+k].key != p.keys[k] || toks[i+k].sep != sepSpace {
					ok = false
					break
				}
			}
			if ok {
				cands = append(cands, candidate{start: t.start, end: toks[i+n-1].end, person: p.person, tok: i + n - 1})
				i += n - 1
				matched = true
				break
			}
		}
		if !matched {
			if _, ok := m.surnames[t.key]; ok {
				cands = append(cands, candidate{start: t.start, end: t.end, person: -1, tok: i})
			}
		}
	}
	if len(cands) == 0 {
		return nil
	}
	fullNamed := make([]bool, len(m.people))
	for _, c := range cands {
		if c.person >= 0 {
			fullNamed[c.person] = true
		}
	}
	out := make([]Mention, 0, len(cands))
	for _, c := range cands {
		p := c.person
		if p < 0 {
			p = m.resolveSurname(toks, c.tok, fullNamed)
			if p < 0 {
				continue
			}
		}
		out = append(out, Mention{Person: m.people[p].Name, Spelling: text[c.start:c.end], Start: c.start, End: c.end})
	}
	return out
}

// resolveSurname decides whom a bare surname at toks[i] names, or -1.
func (m *Matcher) resolveSurname(toks []nameTok, i int, fullNamed []bool) int {
	t := toks[i]
	owners := m.surnames[t.key]
	p := -1
	for _, q := range owners {
		if len(owners) == 1 || fullNamed[q] {
			if p >= 0 {
				return -1 // two people sharing the surname are both named in full
			}
			p = q
		}
	}
	if p < 0 {
		return -1
	}
	if ambiguousNames[t.key] && (!fullNamed[p] || (t.cased && !t.upper)) {
		return -1
	}
	if m.isRelative(toks, i, p) {
		return -1
	}
	return p
}

// isRelative reports whether the surname at toks[i] is preceded by a
// capitalised word that reads as somebody else's given name ("his sister
// Farida Aarrass"). Titles, sentence-start words, campaign words and
// adjectives after a determiner ("the Belgian-Moroccan Aarrass") do not.
// Scripts without case (Arabic) never trigger this rule.
func (m *Matcher) isRelative(toks []nameTok, i, p int) bool {
	if i == 0 || toks[i].sep != sepSpace {
		return false
	}
	prev := toks[i-1]
	if !prev.upper || nameTitles[prev.key] || notNames[prev.key] || m.given[p][prev.key] {
		return false
	}
	// Walk back over a capitalised run ("the Belgian-Moroccan Aarrass").
	for j := i - 2; j >= 0 && j >= i-3; j-- {
		if toks[j+1].sep != sepSpace {
			break
		}
		if determiners[toks[j].key] {
			return false
		}
		if !toks[j].upper {
			break
		}
	}
	return true
}
