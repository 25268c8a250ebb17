package classify

import (
	"hash/fnv"
	"math/bits"
	"strings"
	"unicode"
)

// ShingleWords is how many consecutive words make one shingle of a
// fingerprint. Pairs keep word order mattering while one edited word changes
// only two shingles: on the fixture reposts, pairs put copies 4 bits apart
// and different stories on the same person and topic about 30, where
// triples let a three-word edit push a repost 12 bits away.
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
func Fingerprint(text string) uint64 {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) < MinFingerprintWords {
		return 0
	}
	var weights [64]int
	h := fnv.New64a()
	for i := 0; i+ShingleWords <= len(words); i++ {
		h.Reset()
		for j := i; j < i+ShingleWords; j++ {
			h.Write([]byte(words[j]))
			h.Write([]byte{0})
		}
		v := h.Sum64()
		for b := 0; b < 64; b++ {
			if v&(1<<b) != 0 {
				weights[b]++
			} else {
				weights[b]--
			}
		}
	}
	var fp uint64
	for b, w := range weights {
		if w > 0 {
			fp |= 1 << b
		}
	}
	if fp == 0 { // keep 0 meaning "none"
		fp = 1
	}
	return fp
}

// FingerprintDistance is the number of bits in which two fingerprints differ.
func FingerprintDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
