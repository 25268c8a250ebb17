package classify

// Story keys index the same word shingles Fingerprint reads, by MinHash.
// A fingerprint says how close two texts are, but not which of a million
// stored texts are close to a new one: a repost within the story distance
// differs in up to a sixth of its bits, and bands of fingerprint bits that
// are sure to catch that are unselective (docs/performance.md has the
// figures). A MinHash key is: it is the minimum of a few random hashes over
// the text's shingles, so two texts share it with probability
// J^StoryKeyRows, where J is the share of their shingles they have in
// common (Jaccard similarity).

const (
	// StoryKeyCount is how many keys StoryKeys returns.
	StoryKeyCount = 12
	// StoryKeyRows is how many minimum hashes make one key.
	StoryKeyRows = 3
)

// storyKeySeeds are the odd multipliers of the min-hash functions, one per
// minimum: h ↦ h·seed is a permutation of 64-bit values, and shingle hashes
// are already well mixed (fmix64), so one multiplication per function is
// enough (TestStoryKeysEstimateJaccard). They are fixed: stored keys are
// only comparable with keys made with the same seeds.
var storyKeySeeds = func() (s [StoryKeyCount * StoryKeyRows]uint64) {
	x := uint64(0x243f6a8885a308d3) // digits of π: nothing up the sleeve
	for i := range s {
		x += 0x9e3779b97f4a7c15 // splitmix64
		s[i] = fmix64(x) | 1
	}
	return s
}()

// StoryKeys returns the MinHash band keys of text's word shingles (pairs of
// words, as Fingerprint reads them). Two texts share at least one key with
// probability 1 - (1 - J^StoryKeyRows)^StoryKeyCount: almost surely for a
// lightly edited repost, almost never for unrelated texts. The store indexes
// stories by them, so that finding a new item's story reads only the items
// that share a key with it. It returns false for a text without a shingle.
//
// Keys are stored: changing how they are made needs a migration that makes
// them again.
func StoryKeys(text string) (keys [StoryKeyCount]uint64, ok bool) {
	mins := newMinHashes()
	sh := shingler{text: text}
	for h, more := sh.next(); more; h, more = sh.next() {
		ok = true
		mins.add(h)
	}
	if !ok {
		return keys, false
	}
	return mins.keys(), true
}

// minHashes holds the minimum of each min-hash function over the
// shingles added so far.
type minHashes [StoryKeyCount * StoryKeyRows]uint64

func newMinHashes() *minHashes {
	var m minHashes
	for i := range m {
		m[i] = ^uint64(0)
	}
	return &m
}

func (m *minHashes) add(h uint64) {
	for i, seed := range storyKeySeeds {
		m[i] = min(m[i], h*seed)
	}
}

// keys folds each band of StoryKeyRows minima into one key.
func (m *minHashes) keys() (keys [StoryKeyCount]uint64) {
	for k := range keys {
		key := uint64(k + 1)
		for _, v := range m[k*StoryKeyRows : (k+1)*StoryKeyRows] {
			key = fmix64(key*0x9e3779b97f4a7c15 ^ v)
		}
		keys[k] = key
	}
	return keys
}
