package classify

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
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

	// Transliteration variants (translit.go): the same tables over loose
	// forms, the surnames long enough for one typo to be safe, and the
	// words that may start one of these, for mayMention.
	loosePatterns map[uint64][]namePattern
	looseSurnames map[uint64][]int
	looseGiven    []map[uint64]bool
	typoSurnames  map[uint64][]int // hashes of a long surname and its one-deletion forms → people
	typoGiven     map[uint64][]int // given-name keys (folded and loose) of people with a long surname
	looseFilter   keyFilter        // first keys of loose patterns
	typoFilter    keyFilter        // keys of typoGiven
	surnameForms  [][][]byte       // per person: folded forms of their surnames of typoMinLetters or more
	particleLed   []bool           // per person: the surname follows a particle ("de Lima", "Le Pen")
	aposParts     map[uint64]bool  // first parts of apostrophe-joined surnames ("chin" of "Chin'ono")
	looseRaw      [256]bool        // first bytes of words whose loose form may be a loose surname
	looseTok      [256]bool        // first folded bytes of tokens whose loose form may start a loose name
	// leadParticles are the particles some surname's folded form begins
	// with ("el" of "Elfattah"), for mayMention: only they can begin a
	// token whose key is a surname's. Another particle can begin only a
	// capitalised token, which matches loosely if at all.
	leadParticles map[uint64]bool
}

// Bounds of transliteration matching.
const (
	typoMinLetters   = 7 // a surname this long may carry one typo when the given name matches
	looseBareLetters = 3 // consonants a loose bare surname needs beyond its first letter
	middleNames      = 2 // capitalised words allowed between a given name and a surname
)

// Bounds of reading a bare surname's surroundings.
const (
	placeWindow      = 3 // words before a bare surname searched for a place noun ("the town of Douma")
	determinerWindow = 3 // words before a surname searched for a determiner ("the Belgian-Moroccan Aarrass")
	minGivenPart     = 3 // letters of each part when a given name is also read as two ("Ahmad Reza")
	// A sentence is in title case, and a capital proves nothing, when it
	// has at least titleCaseWords cased words and titleCaseShare of them
	// (in tenths) are capitalised: "Aarrass Sentenced To 12 Years".
	titleCaseWords = 3
	titleCaseShare = 6
)

// surnameParticles lead a surname of several words ("de Lima", "Le Pen",
// "van Gogh"): the last word alone is often a place or a common word.
var surnameParticles = hashSetPlain("de", "da", "del", "della", "di", "du", "des", "le", "la", "van", "von", "der", "dos", "das", "ter")

// locatives before a capitalised word make it a place ("in Douma", "the
// town of Douma", "rebel-held Douma").
var (
	locatives  = hashSetPlain("in", "at", "near", "dans", "pres", "en", "desde", "cerca")
	placeNouns = hashSetPlain("town", "city", "suburb", "village", "district", "province", "region", "held", "capital",
		"ville", "village", "quartier", "banlieue", "region", "ciudad", "pueblo", "barrio", "provincia", "region")
)

// placeBefore reports a bare surname that reads as a place: after a
// locative, or within placeWindow words of a place noun ("the town of
// Douma").
func placeBefore(toks []nameTok, i int) bool {
	if i > 0 && toks[i].sep == sepSpace && locatives[toks[i-1].key] {
		return true
	}
	for j := i - 1; j >= 0 && j >= i-placeWindow; j-- {
		if toks[j+1].sep == sepSentence {
			break
		}
		if placeNouns[toks[j].key] {
			return true
		}
	}
	return false
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
	loose      uint64 // hash of its loose form (translit.go), 0 if it has none
	looseLen   int    // consonants of the loose form
	fs, fe     int    // the folded form in tokenizer.forms[fs:fe]
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
	// noun ("the Belgian-Moroccan Aarrass"), not a given name. Not
	// refDeterminers (refer.go): those make a person noun refer back, and
	// "a", "un" or "former" do not.
	determiners = keySet("the\na\nan\nthis\nthat\nle\nla\nles\nun\nune\nce\ncet\ncette\nformer\nex")
	// particles are joined to the next word, so "Abd El-Fattah",
	// "Abdel Fattah" and "Abdelfattah" all key alike.
	particles = keySet(particleList)
)

const particleList = "el\nal\nabd\nabdel\nabdul\nabdal\nben\nbin\nibn\nould\nabu\nabou\nbou\nait\nعبد\nبن\nابو\nابن\nولد"

// particleForms are the folded forms of the particles, by key.
var particleForms = func() map[uint64]string {
	forms := make(map[uint64]string)
	var tk tokenizer
	for _, p := range strings.Split(particleList, "\n") {
		tk.tokenize(p)
		for _, w := range tk.words {
			forms[w.hd] = string(tk.buf[w.fs:w.fe])
		}
	}
	return forms
}()

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
		people:        people,
		patterns:      make(map[uint64][]namePattern),
		surnames:      make(map[uint64][]int),
		given:         make([]map[uint64]bool, len(people)),
		loosePatterns: make(map[uint64][]namePattern),
		looseSurnames: make(map[uint64][]int),
		looseGiven:    make([]map[uint64]bool, len(people)),
		typoSurnames:  make(map[uint64][]int),
		typoGiven:     make(map[uint64][]int),
		surnameForms:  make([][][]byte, len(people)),
		particleLed:   make([]bool, len(people)),
		aposParts:     make(map[uint64]bool),
		leadParticles: make(map[uint64]bool),
	}
	m.pool.New = func() any { return new(tokenizer) }
	seen := make(map[string]int)     // canonical name → person
	spelled := make(map[string]int)  // folded full spelling → person
	looseInitials := map[byte]bool{} // of loose surnames
	nameInitials := map[byte]bool{}  // of every word of every name, loose
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
		m.looseGiven[p] = make(map[uint64]bool)
		for _, spelling := range append([]string{person.Name}, person.Aliases...) {
			tk.tokenize(spelling)
			toks := tk.nameToks(nil, nil)
			if err := checkSpelling(spelling, len(toks)); err != nil {
				return nil, fmt.Errorf("person %q: %w", name, err)
			}
			keys := make([]uint64, len(toks))
			for i, t := range toks {
				keys[i] = t.key
				if lf, _ := looseForm(nil, tk.forms[t.fs:t.fe]); len(lf) > 0 {
					nameInitials[lf[0]] = true
				}
			}
			id := fmt.Sprint(keys)
			if q, ok := spelled[id]; ok {
				if q == p {
					continue // two spellings folding alike, e.g. "Aarrass" and "Aarass"
				}
				return nil, fmt.Errorf("person %q: spelling %q is also a spelling of %q", name, spelling, people[q].Name)
			}
			spelled[id] = p
			last := toks[len(toks)-1]
			form := tk.forms[last.fs:last.fe]
			m.initials[form[0]] = true
			for key, particle := range particleForms {
				if strings.HasPrefix(string(form), particle) {
					m.leadParticles[key] = true
				}
			}
			add(m.surnames, last.key, p)
			for k := 0; k+1 < len(tk.words); k++ {
				if tk.words[k+1].aposJoin && tk.words[k].start >= last.start {
					m.aposParts[tk.words[k].hd] = true // "chin" of "Chin'ono"
				}
			}
			if last.loose != 0 {
				add(m.looseSurnames, last.loose, p)
				if lf, _ := looseForm(nil, form); len(lf) > 0 {
					looseInitials[lf[0]] = true
				}
			}
			if len(form) >= typoMinLetters {
				m.surnameForms[p] = append(m.surnameForms[p], append([]byte(nil), form...))
				for _, h := range deletions(nil, form) {
					add(m.typoSurnames, h, p)
				}
			}
			if len(toks) == 1 {
				continue
			}
			if surnameParticles[toks[len(toks)-2].key] {
				m.particleLed[p] = true
			}
			m.given[p][keys[0]] = true
			m.looseGiven[p][toks[0].loose] = true
			looseKeys := make([]uint64, len(toks))
			for i, t := range toks {
				looseKeys[i] = t.loose
			}
			m.addPattern(m.patterns, keys, p)
			m.addPattern(m.loosePatterns, looseKeys, p)
			if len(keys) > 2 { // "Ahmed Reda Benchemsi" is also "Ahmed Benchemsi"
				m.addPattern(m.patterns, []uint64{keys[0], keys[len(keys)-1]}, p)
				m.addPattern(m.loosePatterns, []uint64{looseKeys[0], looseKeys[len(keys)-1]}, p)
			}
			if m.particleLed[p] && len(keys) > 3 { // "Cristina Fernández de Kirchner" is also "Cristina Fernández"
				m.addPattern(m.patterns, keys[:2], p)
			}
			// A given name written as two ("Ahmadreza", "Ahmad Reza").
			gf := tk.forms[toks[0].fs:toks[0].fe]
			for cut := minGivenPart; cut <= len(gf)-minGivenPart; cut++ {
				a, aok := looseForm(nil, gf[:cut])
				b, bok := looseForm(nil, gf[cut:])
				if !aok || !bok {
					break
				}
				split := append([]uint64{hashBytes(a), hashBytes(b)}, looseKeys[1:]...)
				m.addPattern(m.loosePatterns, split, p)
			}
		}
	}
	m.buildFilters()
	m.buildLooseInitials(looseInitials, nameInitials)
	return m, nil
}

// buildFilters fills the quick tests that run before the map lookups,
// once every name is in the maps, and the given names that allow a
// surname one typo.
func (m *Matcher) buildFilters() {
	for k := range m.patterns {
		m.filter.add(k)
	}
	for k := range m.surnames {
		m.filter.add(k)
	}
	for k := range m.loosePatterns {
		m.looseFilter.add(k)
	}
	for p := range m.people {
		if len(m.surnameForms[p]) == 0 {
			continue
		}
		for k := range m.given[p] {
			add(m.typoGiven, k, p)
			m.typoFilter.add(k)
		}
		for k := range m.looseGiven[p] {
			add(m.typoGiven, k, p)
			m.typoFilter.add(k)
		}
	}
}

// buildLooseInitials marks the first letters of words whose loose form
// may start with one of looseInitials (the first letters of loose
// surnames: looseRaw, for raw text) or nameInitials (of any word of a
// name: looseTok, for folded tokens). The loose form keeps the first
// letter but for "dj", "kh" (→ j), "ph" (→ f) and a leading article, so
// every two-letter start is tried.
func (m *Matcher) buildLooseInitials(looseInitials, nameInitials map[byte]bool) {
	for c := byte('a'); c <= 'z'; c++ {
		for d := byte('a'); d <= 'z'; d++ {
			lf, _ := looseForm(nil, []byte{c, d, 'a', 'b', 'a', 'b'})
			if len(lf) > 0 && looseInitials[lf[0]] {
				m.looseRaw[c], m.looseRaw[c-32] = true, true
			}
			if len(lf) > 0 && nameInitials[lf[0]] {
				m.looseTok[c] = true
			}
		}
	}
}

// add records person p under key k, once.
func add(m map[uint64][]int, k uint64, p int) {
	if !slices.Contains(m[k], p) {
		m[k] = append(m[k], p)
	}
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

// addPattern adds the name keys of person p to patterns, once, keeping
// each first key's patterns longest first. A name with a word that has no
// loose form (key 0) is not added.
func (m *Matcher) addPattern(patterns map[uint64][]namePattern, keys []uint64, p int) {
	for _, k := range keys {
		if k == 0 { // a word without a loose form
			return
		}
	}
	ps := patterns[keys[0]]
	for _, q := range ps {
		if q.person == p && slices.Equal(q.keys, keys) {
			return
		}
	}
	ps = append(ps, namePattern{keys: keys, person: p})
	// Longest first, so "Ahmed Reda Benchemsi" wins over "Ahmed Reda".
	for i := len(ps) - 1; i > 0 && len(ps[i].keys) > len(ps[i-1].keys); i-- {
		ps[i], ps[i-1] = ps[i-1], ps[i]
	}
	patterns[keys[0]] = ps
}

// nameToks turns the tokenised words into name tokens, appending to dst:
// elided words dropped, particles joined to the word that follows ("Abd
// El-Fattah" is one token), and words joined by a bare apostrophe made one
// ("Chin'ono"). The folded form of joined and capitalised tokens goes to
// tk.forms. The loose form's hash is computed for every token when
// looseFirst is nil (configured names may be written in lower case), else
// for capitalised tokens whose first letter looseFirst marks: no loose
// name key starts otherwise.
func (tk *tokenizer) nameToks(dst []nameTok, looseFirst *[256]bool) []nameTok {
	words := tk.words
	var scratch [64]byte
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w.elided {
			continue
		}
		t := nameTok{start: w.start, end: w.end, sep: w.sep, upper: w.upper, cased: w.cased, fs: len(tk.forms)}
		// Only joined and capitalised tokens need their folded form kept:
		// most words of a text are neither.
		form := tk.buf[w.fs:w.fe]
		lastKey := w.hd
		joined := false
		for i+1 < len(words) && !words[i+1].elided && words[i+1].sep == sepSpace &&
			(words[i+1].aposJoin || isParticle(lastKey)) {
			if !joined {
				tk.forms = append(tk.forms, form...)
				joined = true
			}
			i++
			next := tk.buf[words[i].fs:words[i].fe]
			// Collapse a letter doubled across the join ("abdel" + "lah").
			if f := tk.forms[t.fs:]; len(f) > 0 && len(next) > 0 && f[len(f)-1] == next[0] && next[0] < 0x80 {
				next = next[1:]
			}
			tk.forms = append(tk.forms, next...)
			lastKey = words[i].hd
			t.end = words[i].end
			// A particle in lower case before a capitalised word
			// ("al-Ghamdi") makes a capitalised token.
			t.upper = t.upper || words[i].upper
		}
		if joined {
			t.key = hashBytes(tk.forms[t.fs:])
		} else {
			t.key = w.hd
		}
		if looseFirst == nil || t.upper && (joined || len(form) > 0 && looseFirst[form[0]]) {
			if !joined {
				tk.forms = append(tk.forms, form...)
			}
			if lf, ok := looseForm(scratch[:0], tk.forms[t.fs:]); ok && len(lf) > 0 {
				t.loose, t.looseLen = hashBytes(lf), consonants(lf)
			}
		}
		t.fe = len(tk.forms)
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

func (m *Matcher) isSurname(key uint64) bool {
	return m.filter.has(key) && len(m.surnames[key]) > 0
}

func isParticle(key uint64) bool { return particleFilter.has(key) && particles[key] }

// joinedMayStart says whether the token a particle word at text[start:]
// begins, joined to the words after it as nameToks joins them, may be a
// surname's. mayMention asks only for a particle no surname begins with,
// capitalised or before a capital (the token is then capitalised, and may
// match loosely or with a typo): folding makes "all" the particle "al",
// and "All the" must not send a text to Match.
func (m *Matcher) joinedMayStart(tk *tokenizer, text string, start int) bool {
	end := min(len(text), start+joinWindow)
	window := text[start:end]
	tk.tokenize(window)
	toks := tk.nameToks(tk.ntoks[:0], &m.looseTok)
	if len(toks) == 0 {
		return false
	}
	t := toks[0]
	if t.end == len(window) && end < len(text) {
		// The token reaches the window's end: it may go on past it.
		r, _ := utf8.DecodeRuneInString(text[end:])
		if isWordRune(r) || isJoiner(r) && !isSentenceEnd(r) {
			return true
		}
	}
	return t.fe > t.fs && m.mayStartMention(t.key, t.upper, tk.forms[t.fs:t.fe])
}

// aposJoined reports whether the word ending at text[i] is followed by a
// single apostrophe and a letter: the tokenizer joins the two into one name
// token ("Chin'ono") unless the first is an elision ("l'Aarrass"), so the
// scan must look at the joined token as well as at each word.
func aposJoined(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	if !isApostrophe(r) || i+size >= len(text) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(text[i+size:])
	return isWordRune(next)
}

// joinWindow is how much text joinedMayStart tokenises after a particle:
// enough for a run of particles and the name they join.
const joinWindow = 128

// capitalAfter reports whether a word that the tokenizer would join to
// the one ending at text[i] (only joiners between them: spaces, hyphens,
// apostrophes) begins with a capital.
func capitalAfter(text string, i int) bool {
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r < utf8.RuneSelf && isWordByte[r], r >= utf8.RuneSelf && isWordRune(r):
			return unicode.IsUpper(r)
		case isSentenceEnd(r), !isJoiner(r):
			return false
		}
		i += size
	}
	return false
}

// mayMention is a quick scan that rules out most texts that name no one,
// which is most of a general news feed, at a fraction of the cost of
// tokenizing them. Every mention contains a surname token, and a surname
// token starts with a word (the surname, or a particle joined to it, or the
// first part of a surname written with an apostrophe) whose folded form
// begins with one of m.initials, or a capitalised word whose loose form
// (translit.go) may be a loose surname. So only words starting with such a
// letter, or with a non-ASCII character (whose folding is left to the
// tokenizer), are folded, and the text may name someone only if one of
// them is a surname, a particle, a loose surname or a surname with one
// typo. Word boundaries are the tokenizer's.
func (m *Matcher) mayMention(tk *tokenizer, text string) bool {
	var form [64]byte
	i := 0
	for i < len(text) {
		c := text[i]
		switch byteClass[c] {
		case classSpace:
			i++
			continue
		case classASCIIWord:
			if !m.initials[c|0x20] && !m.looseRaw[c] {
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
		upper := c >= 'A' && c <= 'Z'
		hd, last, ascii, n := uint64(fnvOffset), byte(0), true, 0
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
					if n < len(form) {
						form[n] = c
					}
					n++
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
			if m.mayStartMention(hd, upper, form[:min(n, len(form))]) ||
				isParticle(hd) && (upper || capitalAfter(text, i)) && m.joinedMayStart(tk, text, start) ||
				aposJoined(text, i) && m.joinedMayStart(tk, text, start) {
				return true
			}
			continue
		}
		if aposJoined(text, i) && m.joinedMayStart(tk, text, start) {
			return true
		}
		tk.tokenize(text[start:i])
		for _, w := range tk.words {
			if m.mayStartMention(w.hd, w.upper, tk.buf[w.fs:w.fe]) || isParticle(w.hd) {
				return true
			}
		}
	}
	return false
}

// mayStartMention says whether a word (its de-doubled key, whether it is
// capitalised, its folded form) may be, or begin, the surname token of a
// mention. Of the particles, only those a tracked surname begins with
// count here (see joinedMayStart for the others).
func (m *Matcher) mayStartMention(hd uint64, upper bool, form []byte) bool {
	if m.isSurname(hd) || m.leadParticles[hd] || m.aposParts[hd] {
		return true
	}
	if !upper {
		return false
	}
	var buf [64]byte
	if lf, ok := looseForm(buf[:0], form); ok && len(lf) > 0 && len(m.looseSurnames[hashBytes(lf)]) > 0 {
		return true
	}
	if len(form) >= typoMinLetters-1 && len(m.typoSurnames) > 0 {
		var hs [65]uint64
		for _, h := range deletions(hs[:0], form) {
			if len(m.typoSurnames[h]) > 0 {
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
	person     int  // -1 for a bare surname
	tok        int  // index of the surname token
	loose      bool // a bare surname that matches only loosely
}

// matchTokenized finds the mentions in text, already tokenised into tk:
// full names first, then the bare surnames that resolve to one person.
func (m *Matcher) matchTokenized(tk *tokenizer, text string) []Mention {
	tk.forms = tk.forms[:0]
	tk.ntoks = tk.nameToks(tk.ntoks[:0], &m.looseTok)
	toks := tk.ntoks
	var cands []candidate
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if end, p := m.fullName(tk, toks, i); end > i {
			cands = append(cands, candidate{start: t.start, end: toks[end].end, person: p, tok: end})
			i = end
			continue
		}
		switch {
		case m.isSurname(t.key):
			cands = append(cands, candidate{start: t.start, end: t.end, person: -1, tok: i})
		case t.looseLen >= looseBareLetters && len(m.looseSurnames[t.loose]) > 0:
			cands = append(cands, candidate{start: t.start, end: t.end, person: -1, tok: i, loose: true})
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
	// A bare surname that reads as a place once ("the town of Douma") is
	// the place throughout the text ("rebels quit Douma") unless the
	// person is named in full.
	var places []uint64
	for _, c := range cands {
		if c.person < 0 && !c.loose && placeBefore(toks, c.tok) {
			places = append(places, toks[c.tok].key)
		}
	}
	out := make([]Mention, 0, len(cands))
	for _, c := range cands {
		p := c.person
		if p < 0 {
			p = m.resolveSurname(toks, c.tok, fullNamed, places, c.loose)
			if p < 0 {
				continue
			}
		}
		out = append(out, Mention{Person: m.people[p].Name, Spelling: text[c.start:c.end], Start: c.start, End: c.end})
	}
	return out
}

// fullName matches a full name starting at toks[i] and returns the index
// of its last token and the person, or (i-1, -1). In order: the name as
// configured (folded); with one or two middle names between a given name
// and a surname ("Patrick George Zaki"); its loose form, a transliteration
// ("Muhammad Sultan" for "Mohamed Soltan"); a given name followed by a
// long surname with one typo after its first letter ("Jamshid Sharmad").
func (m *Matcher) fullName(tk *tokenizer, toks []nameTok, i int) (end, person int) {
	t := toks[i]
	if m.filter.has(t.key) {
		if end, p := matchPatterns(m.patterns[t.key], toks, i, func(u nameTok) uint64 { return u.key }); p >= 0 {
			return end, p
		}
	}
	if t.loose != 0 && m.looseFilter.has(t.loose) {
		if end, p := matchPatterns(m.loosePatterns[t.loose], toks, i, func(u nameTok) uint64 { return u.loose }); p >= 0 {
			return end, p
		}
	}
	if i+1 < len(toks) && toks[i+1].sep == sepSpace && toks[i+1].upper && toks[i+1].fe > toks[i+1].fs &&
		(m.typoFilter.has(t.key) || t.loose != 0 && m.typoFilter.has(t.loose)) {
		next := tk.forms[toks[i+1].fs:toks[i+1].fe]
		owners := m.typoGiven[t.key]
		if t.loose != 0 {
			owners = append(owners[:len(owners):len(owners)], m.typoGiven[t.loose]...)
		}
		for _, p := range owners {
			for _, sur := range m.surnameForms[p] {
				if len(next) > 0 && next[0] == sur[0] && withinOneEdit(next, sur) {
					return i + 1, p
				}
			}
		}
	}
	return i - 1, -1
}

// matchPatterns tries patterns (longest first) at toks[i], comparing the
// keys key gives. A two-word pattern may have up to middleNames
// capitalised words between its words.
func matchPatterns(ps []namePattern, toks []nameTok, i int, key func(nameTok) uint64) (end, person int) {
	for _, p := range ps {
		n := len(p.keys)
		if i+n > len(toks) {
			continue
		}
		ok := true
		for k := 1; k < n; k++ {
			if key(toks[i+k]) != p.keys[k] || toks[i+k].sep != sepSpace {
				ok = false
				break
			}
		}
		if ok {
			return i + n - 1, p.person
		}
	}
	for _, p := range ps {
		if len(p.keys) != 2 {
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+middleNames+1 && toks[j].sep == sepSpace; j++ {
			if key(toks[j]) == p.keys[1] && j > i+1 {
				return j, p.person
			}
			if !toks[j].upper {
				break
			}
		}
	}
	return i - 1, -1
}

// resolveSurname decides whom a bare surname at toks[i] names, or -1. A
// loose one counts only for a person named in full in the same text.
func (m *Matcher) resolveSurname(toks []nameTok, i int, fullNamed []bool, places []uint64, loose bool) int {
	t := toks[i]
	owners := m.surnames[t.key]
	if loose {
		owners = m.looseSurnames[t.loose]
	}
	p := -1
	for _, q := range owners {
		if (len(owners) == 1 && !loose) || fullNamed[q] {
			if p >= 0 {
				return -1 // two people sharing the surname are both named in full
			}
			p = q
		}
	}
	switch {
	case p < 0:
		return -1
	case t.cased && !t.upper:
		return -1 // a surname in lower case is a word ("winner", "sala")
	case (ambiguousNames[t.key] || m.particleLed[p]) && !fullNamed[p]:
		return -1
	case !fullNamed[p] && (placeBefore(toks, i) || slices.Contains(places, t.key)):
		return -1 // a place: "in Douma", "the town of Douma", and "Douma" after either
	case m.beforeAnotherName(toks, i):
		return -1 // "Sala Penal", "Wong Sze-lai"
	case m.isRelative(toks, i, p):
		return -1
	}
	return p
}

// beforeAnotherName reports a bare surname followed by a capitalised word
// in a sentence that is not written in title case: a name of which the
// surname is only the first word ("Sala Penal"), or a surname written
// first ("Wong Sze-lai").
func (m *Matcher) beforeAnotherName(toks []nameTok, i int) bool {
	if i+1 >= len(toks) || toks[i+1].sep != sepSpace || !toks[i+1].upper {
		return false
	}
	a, b := i, i+1
	for a > 0 && toks[a].sep != sepSentence {
		a--
	}
	for b+1 < len(toks) && toks[b+1].sep != sepSentence {
		b++
	}
	cased, upper := 0, 0
	for k := a; k <= b; k++ {
		if toks[k].cased {
			cased++
			if toks[k].upper {
				upper++
			}
		}
	}
	return !(cased >= titleCaseWords && upper*10 >= cased*titleCaseShare)
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
	if !prev.upper || nameTitles[prev.key] || notNames[prev.key] || m.given[p][prev.key] || (prev.loose != 0 && m.looseGiven[p][prev.loose]) {
		return false
	}
	// Walk back over a capitalised run ("the Belgian-Moroccan Aarrass").
	for j := i - 2; j >= 0 && j >= i-determinerWindow; j-- {
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
