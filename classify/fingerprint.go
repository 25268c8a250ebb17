package classify

import (
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// ShingleWords is how many consecutive words make one shingle of a
// fingerprint. Pairs keep word order mattering while one edited word changes
// only two shingles; triples let a small edit push a repost past the story
// distance (docs/database.md, "Stories", has the measurement).
const ShingleWords = 2

// MinFingerprintWords is the fewest words a text needs for Fingerprint to
// say anything: below it, two unrelated teasers can look alike.
const MinFingerprintWords = 40

// Fingerprint is a 64-bit SimHash of text's word shingles: texts that share
// most of their shingles (a wire story and its lightly edited reposts) get
// fingerprints a few bits apart, unrelated texts about 32 bits apart.
// Words are case-folded and stripped of punctuation, so reflowed or
// re-punctuated copies match. It returns 0 for texts shorter than
// MinFingerprintWords; 0 means "no fingerprint".
//
// Each word is hashed with FNV-1a and each shingle's word hashes are
// combined and passed through MurmurHash3's fmix64 finaliser: FNV's low bits
// are poorly mixed for short words, and SimHash votes on every bit, so
// without the finaliser unrelated texts from a small vocabulary shared most
// of their low bits and fell into the same stories. The text is read in
// one pass without allocating.
func Fingerprint(text string) uint64 {
	sh := shingler{text: text}
	var acc laneCounter
	for h, ok := sh.next(); ok; h, ok = sh.next() {
		acc.add(h)
	}
	return acc.fingerprint(sh.words)
}

// Signature returns text's Fingerprint and, when it has one, its
// StoryKeys, from one pass over its shingles: what a stored item naming
// someone needs, without reading its text twice.
func Signature(text string) (fp uint64, keys [StoryKeyCount]uint64, ok bool) {
	sh := shingler{text: text}
	var acc laneCounter
	mins := newMinHashes()
	for h, more := sh.next(); more; h, more = sh.next() {
		acc.add(h)
		mins.add(h)
	}
	if fp = acc.fingerprint(sh.words); fp == 0 {
		return 0, keys, false
	}
	return fp, mins.keys(), true
}

// fingerprint is the fingerprint of a text of words words whose shingles
// acc has counted: 0 for a text too short to have one.
func (acc *laneCounter) fingerprint(words int) uint64 {
	if words < MinFingerprintWords {
		return 0
	}
	fp := acc.majority()
	if fp == 0 { // keep 0 meaning "none"
		fp = 1
	}
	return fp
}

// shingler reads a text's word shingles in one pass, without allocating:
// Fingerprint and StoryKeys see the same shingles.
type shingler struct {
	text  string
	i     int                  // next byte to read
	ring  [ShingleWords]uint64 // hashes of the last words, oldest first
	words int                  // words read so far
}

// next returns the hash of the next shingle, or false at the end of the text.
// It is one loop over the bytes (a word's end jumps to endWord) because a
// call per word made Fingerprint a fifth slower.
func (s *shingler) next() (uint64, bool) {
	text, i := s.text, s.i
	var cur uint64 = fnvOffset
	inWord := false
	for {
		if i >= len(text) {
			if !inWord {
				s.i = i
				return 0, false
			}
		} else if c := text[i]; c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				if !inWord {
					continue
				}
				goto endWord
			}
			cur = (cur ^ uint64(c)) * fnvPrime
			inWord = true
			continue
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				// Hash the lower-cased rune's UTF-8 bytes, as a lower-cased
				// string would be hashed.
				var buf [utf8.UTFMax]byte
				n := utf8.EncodeRune(buf[:], unicode.ToLower(r))
				for _, b := range buf[:n] {
					cur = (cur ^ uint64(b)) * fnvPrime
				}
				inWord = true
				continue
			}
			if !inWord {
				continue
			}
		}
	endWord:
		copy(s.ring[:], s.ring[1:])
		s.ring[ShingleWords-1] = cur
		s.words++
		cur, inWord = fnvOffset, false
		if s.words >= ShingleWords {
			s.i = i
			return shingleHash(&s.ring), true
		}
	}
}

// shingleHash combines the word hashes of one shingle, order-sensitively,
// and finalises the result so that every output bit depends on every input
// bit.
func shingleHash(ring *[ShingleWords]uint64) uint64 {
	var h uint64
	for _, w := range ring {
		h = bits.RotateLeft64(h*0x9e3779b97f4a7c15, 31) ^ w
	}
	return fmix64(h)
}

// fmix64 is MurmurHash3's 64-bit finaliser.
func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// laneCounter counts, for each of 64 bit positions, how many added values
// had that bit set. It keeps eight 8-bit counters per uint64 (bit b of byte
// k of a value goes to lane b of lanes[k]), so adding a value is eight
// additions instead of 64, and spills the lanes into totals before they can
// overflow.
type laneCounter struct {
	lanes   [8]uint64
	pending int
	n       int
	totals  [64]int
}

// spread[b] puts bit i of b into the low bit of byte i.
var spread = func() (t [256]uint64) {
	for b := range 256 {
		for i := range 8 {
			if b&(1<<i) != 0 {
				t[b] |= 1 << (8 * i)
			}
		}
	}
	return t
}()

func (c *laneCounter) add(v uint64) {
	for k := range 8 {
		c.lanes[k] += spread[byte(v>>(8*k))]
	}
	c.n++
	if c.pending++; c.pending == 255 {
		c.flush()
	}
}

func (c *laneCounter) flush() {
	for k, l := range c.lanes {
		for i := range 8 {
			c.totals[8*k+i] += int(l >> (8 * i) & 0xff)
		}
	}
	c.lanes, c.pending = [8]uint64{}, 0
}

// majority sets each bit that more than half of the added values had set.
func (c *laneCounter) majority() uint64 {
	c.flush()
	var fp uint64
	for b, t := range c.totals {
		if 2*t > c.n {
			fp |= 1 << b
		}
	}
	return fp
}

// FingerprintDistance is the number of bits in which two fingerprints differ.
func FingerprintDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
