package classify

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// latinFold maps precomposed Latin letters to their lower-case base letters
// ("É" → "e", "ß" → "ss"). It is computed once from Unicode decompositions so
// folding a rune at match time is a table lookup, not a normalisation call.
var latinFold = buildLatinFold()

func buildLatinFold() map[rune]string {
	m := make(map[rune]string, 1024)
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			if !unicode.IsLetter(r) {
				continue
			}
			var out []rune
			for _, d := range norm.NFD.String(string(r)) {
				if unicode.Is(unicode.Mn, d) {
					continue
				}
				out = append(out, unicode.ToLower(d))
			}
			m[r] = string(out)
		}
	}
	add(0x00C0, 0x024F)
	add(0x1E00, 0x1EFF)
	// Letters without a canonical decomposition that readers still treat
	// as plain Latin letters.
	for r, s := range map[rune]string{
		'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
		'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d",
		'ı': "i", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
	} {
		m[r] = s
	}
	return m
}

// foldArabic normalises the Arabic letters that writers use interchangeably:
// hamza-carrying alefs become a bare alef, teh marbuta becomes heh, alef
// maksura becomes yeh; tatweel and harakat (short-vowel marks, shadda, sukun)
// are dropped. It returns -1 for a rune to drop.
func foldArabic(r rune) rune {
	switch {
	case r == 0x0622 || r == 0x0623 || r == 0x0625 || r == 0x0671:
		return 0x0627 // alef
	case r == 0x0624:
		return 0x0648 // waw
	case r == 0x0626 || r == 0x0649 || r == 0x06CC:
		return 0x064A // yeh
	case r == 0x0629:
		return 0x0647 // heh
	case r == 0x06A9:
		return 0x0643 // kaf
	case r == 0x0640, r >= 0x064B && r <= 0x065F, r == 0x0670:
		return -1
	}
	return r
}

// isWordByte reports ASCII letters and digits.
var isWordByte = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-32] = true
	}
	return t
}()

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc)
}

// isApostrophe reports the characters used as an apostrophe in English and
// French text.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´'
}

// isJoiner reports characters that may sit between two words of one name:
// spaces, hyphens and apostrophes ("El-Fattah", "d'Aarrass").
func isJoiner(r rune) bool {
	switch r {
	case ' ', '\t', '-', 0xA0, 0x2010, 0x2011, 0x202F, 0x2009:
		return true
	}
	return isApostrophe(r)
}

// isSentenceEnd reports characters that end a sentence or a line.
func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', ';', '\n', '\r', '…', '؟', '۔', '。':
		return true
	}
	return false
}

// Separator kinds between two words.
const (
	sepSpace    = 0 // only spaces, hyphens or apostrophes
	sepPunct    = 1 // other punctuation (comma, quote, bracket...)
	sepSentence = 2 // a sentence or line end
)

// FNV-1a parameters (hash/fnv), inlined so that hashing a word allocates
// nothing: the tokenizer's word keys and Fingerprint's word hashes.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// word is one token of text: a maximal run of letters, digits and combining
// marks. Offsets are bytes into the tokenised text.
type word struct {
	start, end int
	h          uint64 // hash of the folded form (lower case, no accents)
	hd         uint64 // hash of the folded, de-doubled form buf[fs:fe]
	fs, fe     int    // folded, de-doubled form in tokenizer.buf[fs:fe]
	sep        uint8  // separator kind before this word
	upper      bool   // first rune is an upper-case letter
	cased      bool   // first rune belongs to a script with case
	elided     bool   // French elision ("l'", "d'") or English possessive "s": ignored
	aposJoin   bool   // only an apostrophe separates it from the word before ("Chin'ono")
}

// tokenizer holds reusable buffers; it is not safe for concurrent use, so
// callers take one from a pool.
type tokenizer struct {
	words []word
	buf   []byte    // folded de-doubled word forms
	ntoks []nameTok // scratch for the matcher
	forms []byte    // name tokens' folded forms (nameTok.fs, fe)
}

func (tk *tokenizer) reset() {
	tk.words = tk.words[:0]
	tk.buf = tk.buf[:0]
	tk.ntoks = tk.ntoks[:0]
	tk.forms = tk.forms[:0]
}

// tokenize splits text into words, folding each as it goes. It is the one
// pass over the text shared by name matching and phrase matching.
func (tk *tokenizer) tokenize(text string) {
	tk.reset()
	sep := uint8(sepSentence)
	prevApos := false // the previous separator ended in an apostrophe right before this word
	gapRunes := 0     // characters between the previous word and this one
	i := 0
	for i < len(text) {
		c := text[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			r = rune(c)
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		wordStart := false
		if c < utf8.RuneSelf {
			wordStart = isWordByte[c]
		} else {
			wordStart = isWordRune(r)
		}
		if !wordStart {
			switch {
			case isSentenceEnd(r):
				sep = sepSentence
			case isJoiner(r):
			default:
				if sep < sepPunct {
					sep = sepPunct
				}
			}
			prevApos = isApostrophe(r)
			gapRunes++
			i += size
			continue
		}
		// A word starts at i.
		w := word{start: i, sep: sep, fs: len(tk.buf), aposJoin: prevApos && gapRunes == 1 && len(tk.words) > 0}
		w.upper = unicode.IsUpper(r)
		w.cased = w.upper || unicode.IsLower(r)
		h := uint64(fnvOffset)
		hd := uint64(fnvOffset)
		var last rune = -1
		for i < len(text) {
			c = text[i]
			if c < utf8.RuneSelf {
				if !isWordByte[c] {
					break
				}
				c = lowerASCII(c)
				h = (h ^ uint64(c)) * fnvPrime
				if rune(c) != last {
					tk.buf = append(tk.buf, c)
					hd = (hd ^ uint64(c)) * fnvPrime
					last = rune(c)
				}
				i++
				continue
			}
			r, size = utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
			if s, ok := latinFold[r]; ok {
				for _, fr := range s {
					h, hd, last = tk.addRune(h, hd, last, fr)
				}
				continue
			}
			if r >= 0x0600 && r <= 0x06FF {
				if fr := foldArabic(r); fr >= 0 {
					h, hd, last = tk.addRune(h, hd, last, fr)
				}
				continue
			}
			if unicode.In(r, unicode.Mn, unicode.Mc) {
				continue
			}
			h, hd, last = tk.addRune(h, hd, last, unicode.ToLower(r))
		}
		w.end = i
		w.h = h
		w.hd = hd
		w.fe = len(tk.buf)
		// Possessive "'s" after a word, and French elided articles and
		// pronouns before an apostrophe, carry no meaning for matching.
		if prevApos && sep == sepSpace && w.fe-w.fs == 1 && tk.buf[w.fs] == 's' && len(tk.words) > 0 {
			w.elided = true
		}
		if i < len(text) {
			if nr, _ := utf8.DecodeRuneInString(text[i:]); isApostrophe(nr) && elisions[h] {
				if j := i + utf8.RuneLen(nr); j < len(text) {
					if ar, _ := utf8.DecodeRuneInString(text[j:]); isWordRune(ar) {
						w.elided = true
					}
				}
			}
		}
		tk.words = append(tk.words, w)
		sep = sepSpace
		prevApos = false
		gapRunes = 0
	}
}

func (tk *tokenizer) addRune(h, hd uint64, last, r rune) (uint64, uint64, rune) {
	if r < utf8.RuneSelf {
		h = (h ^ uint64(r)) * fnvPrime
		if r != last {
			tk.buf = append(tk.buf, byte(r))
			hd = (hd ^ uint64(r)) * fnvPrime
		}
		return h, hd, r
	}
	var b [utf8.UTFMax]byte
	n := utf8.EncodeRune(b[:], r)
	for _, x := range b[:n] {
		h = (h ^ uint64(x)) * fnvPrime
	}
	if r != last {
		tk.buf = append(tk.buf, b[:n]...)
		for _, x := range b[:n] {
			hd = (hd ^ uint64(x)) * fnvPrime
		}
	}
	return h, hd, r
}

// lowerASCII folds an ASCII letter as words are folded; mayMention's quick
// scan folds with it too, so that both reach the same keys.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hashBytes is the FNV-1a hash of a folded form, the key words are
// compared by.
func hashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// hashString is hashBytes of a string.
func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

// elisions are French elided words ("l'", "d'", "qu'") and are skipped when
// directly followed by an apostrophe and a letter.
var elisions = hashSet("l", "d", "j", "m", "n", "s", "c", "qu", "jusqu", "lorsqu", "puisqu")

// hashSetPlain is a set of the keys of words as the tokenizer folds them,
// without de-doubling (word.h): most word lists of the package. Each
// entry is one word.
func hashSetPlain(words ...string) map[uint64]bool {
	m := make(map[uint64]bool, len(words))
	var tk tokenizer
	for _, w := range words {
		tk.tokenize(w)
		m[tk.words[0].h] = true
	}
	return m
}

// hashSet is a set of the hashes of words written already folded.
// hashSetPlain folds them first.
func hashSet(words ...string) map[uint64]bool {
	m := make(map[uint64]bool, len(words))
	for _, w := range words {
		m[hashString(w)] = true
	}
	return m
}
