package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func sharedKeys(a, b [StoryKeyCount]uint64) int {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return n
}

func TestStoryKeysNearDuplicates(t *testing.T) {
	wire, ok := StoryKeys(readStory(t, "wire"))
	if !ok {
		t.Fatal("wire story has no keys")
	}
	for _, tt := range []struct {
		name string
		same bool
	}{
		{"repost1", true},
		{"repost2", true},
		{"other1", false}, // same person and topic, different story
		{"other2", false},
	} {
		keys, ok := StoryKeys(readStory(t, tt.name))
		n := sharedKeys(wire, keys)
		t.Logf("%s: %d of %d keys shared with wire", tt.name, n, StoryKeyCount)
		if !ok || (n > 0) != tt.same {
			t.Errorf("%s: %d keys shared with wire (ok %v), want some: %v", tt.name, n, ok, tt.same)
		}
	}
	if _, ok := StoryKeys(" ,; "); ok {
		t.Error("a text without words has keys")
	}
	if _, ok := StoryKeys("two words"); !ok {
		t.Error("a text of one shingle has no keys")
	}
}

// TestStoryKeysFindCloseFingerprints is the property the store relies on:
// edited copies within a story's fingerprint distance (10 bits) share a
// key with the original, and unrelated texts from the same small
// vocabulary do not.
func TestStoryKeysFindCloseFingerprints(t *testing.T) {
	const storyDistance = 10
	vocab := strings.Fields(fixtureVocabulary)
	rng := rand.New(rand.NewPCG(16, 1))
	words := func(n int) []string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return w
	}
	// edit replaces, drops or inserts words at random places.
	edit := func(w []string, edits int) []string {
		out := append([]string(nil), w...)
		for range edits {
			i := rng.IntN(len(out))
			switch rng.IntN(3) {
			case 0:
				out[i] = vocab[rng.IntN(len(vocab))]
			case 1:
				out = append(out[:i], out[i+1:]...)
			default:
				out = append(out[:i], append([]string{vocab[rng.IntN(len(vocab))]}, out[i:]...)...)
			}
		}
		return out
	}
	close, found := 0, 0
	var unrelated [][StoryKeyCount]uint64
	for range 3000 {
		orig := words(MinFingerprintWords + rng.IntN(500))
		copyText := strings.Join(edit(orig, rng.IntN(len(orig)/4+1)), " ")
		a, b := strings.Join(orig, " "), copyText
		ka, _ := StoryKeys(a)
		kb, _ := StoryKeys(b)
		unrelated = append(unrelated, ka)
		if FingerprintDistance(Fingerprint(a), Fingerprint(b)) > storyDistance {
			continue
		}
		close++
		if sharedKeys(ka, kb) > 0 {
			found++
		}
	}
	recall := float64(found) / float64(close)
	t.Logf("%d of %d copies within %d bits share a key (%.3f)", found, close, storyDistance, recall)
	if close < 1000 || recall < 0.97 {
		t.Errorf("%d of %d copies within %d bits share a key, want at least 97%%", found, close, storyDistance)
	}
	collisions := 0
	for i := range unrelated {
		for j := i + 1; j < len(unrelated); j++ {
			collisions += sharedKeys(unrelated[i], unrelated[j])
		}
	}
	pairs := len(unrelated) * (len(unrelated) - 1) / 2
	t.Logf("%d keys shared among %d pairs of unrelated texts", collisions, pairs)
	if collisions > pairs/100_000 {
		t.Errorf("%d keys shared among %d pairs of unrelated texts", collisions, pairs)
	}
}

// TestStoryKeysEstimateJaccard checks the hash functions: two texts share
// each key with probability J³, J being the exact Jaccard similarity of
// their word pairs. Texts are made of distinct tokens so that J is known.
func TestStoryKeysEstimateJaccard(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 2))
	next := 0
	token := func() string { next++; return fmt.Sprintf("t%d", next) }
	shingles := func(w []string) map[string]bool {
		s := map[string]bool{}
		for i := 1; i < len(w); i++ {
			s[w[i-1]+" "+w[i]] = true
		}
		return s
	}
	var expected, variance float64
	observed := 0
	for range 600 {
		a := make([]string, 60+rng.IntN(300))
		for i := range a {
			a[i] = token()
		}
		b := append([]string(nil), a...)
		share := 0.02 + 0.1*rng.Float64() // of the words replaced
		for i := range b {
			if rng.Float64() < share {
				b[i] = token()
			}
		}
		sa, sb := shingles(a), shingles(b)
		inter := 0
		for s := range sa {
			if sb[s] {
				inter++
			}
		}
		j := float64(inter) / float64(len(sa)+len(sb)-inter)
		p := math.Pow(j, StoryKeyRows)
		expected += StoryKeyCount * p
		variance += StoryKeyCount * p * (1 - p)
		ka, _ := StoryKeys(strings.Join(a, " "))
		kb, _ := StoryKeys(strings.Join(b, " "))
		observed += sharedKeys(ka, kb)
	}
	sigma := math.Sqrt(variance)
	t.Logf("keys shared: %d, expected %.0f ± %.0f", observed, expected, sigma)
	if math.Abs(float64(observed)-expected) > 4*sigma {
		t.Errorf("keys shared: %d, expected %.0f ± %.0f: the hashes are not min-wise", observed, expected, sigma)
	}
}

// Keys are stored in the database: a change to StoryKeys that changes them
// needs a migration that makes the stored keys again.
func TestStoryKeysAreStable(t *testing.T) {
	keys, _ := StoryKeys(readStory(t, "wire"))
	got := fmt.Sprintf("%016x", keys[:3])
	const want = "[dc76a3cb3752481e 7b62b2d7321c647b 0f8b5fb71727b067]"
	if got != want {
		t.Errorf("keys of the wire story begin %s, were %s", got, want)
	}
}

func TestStoryKeysDoNotAllocate(t *testing.T) {
	text := readStory(t, "wire")
	if n := testing.AllocsPerRun(10, func() { StoryKeys(text) }); n != 0 {
		t.Errorf("StoryKeys allocates %v times per call", n)
	}
}

// benchWire runs fn on the wire story fixture, counting its bytes.
func benchWire(b *testing.B, fn func(string)) {
	s := readStory(b, "wire")
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		fn(s)
	}
}

func BenchmarkStoryKeys(b *testing.B) { benchWire(b, func(s string) { StoryKeys(s) }) }

func BenchmarkSignature(b *testing.B) { benchWire(b, func(s string) { Signature(s) }) }

// Signature is Fingerprint and StoryKeys from one pass: the same values.
func TestSignatureIsFingerprintAndKeys(t *testing.T) {
	for _, text := range []string{"", "too short", readStory(t, "wire"), strings.Repeat("Ali Aarrass à Bruxelles, le procès. ", 12)} {
		fp, keys, ok := Signature(text)
		wantKeys, keysOK := StoryKeys(text)
		wantFP := Fingerprint(text)
		if fp != wantFP || ok != (wantFP != 0) || ok && (!keysOK || keys != wantKeys) {
			t.Errorf("Signature(%.20q) = %x %x %v, want %x %x (keys %v)", text, fp, keys, ok, wantFP, wantKeys, keysOK)
		}
	}
}
