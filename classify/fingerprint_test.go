package classify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures live with the store's story tests, which group the same texts.
func readStory(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "store", "testdata", "stories", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFingerprintNearDuplicates(t *testing.T) {
	wire := Fingerprint(readStory(t, "wire"))
	if wire == 0 {
		t.Fatal("wire story has no fingerprint")
	}
	tests := []struct {
		name    string
		maxDist int // inclusive
		minDist int
	}{
		// At most store.MaxStoryDistance (10). With well-mixed bits a copy
		// with a tenth of its word pairs changed, like repost2, sits about
		// 8 ± 3 bits away (7 with this hash).
		{"repost1", 10, 0}, // dateline dropped, one word changed, credit added
		{"repost2", 10, 0}, // spelling variant, two words changed, last sentence swapped
		{"other1", 64, 16}, // same person and topic, different story
		{"other2", 64, 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := FingerprintDistance(wire, Fingerprint(readStory(t, tt.name)))
			t.Logf("distance to wire: %d", d)
			if d < tt.minDist || d > tt.maxDist {
				t.Errorf("distance %d, want %d..%d", d, tt.minDist, tt.maxDist)
			}
		})
	}
}

func TestFingerprintNormalisesAndIgnoresShortText(t *testing.T) {
	long := readStory(t, "wire")
	if a, b := Fingerprint(long), Fingerprint(strings.ToUpper(strings.ReplaceAll(long, ",", " ;"))); a != b {
		t.Errorf("case and punctuation changed the fingerprint: %x vs %x", a, b)
	}
	if fp := Fingerprint("Ali Aarrass is on hunger strike, says his sister."); fp != 0 {
		t.Errorf("short text fingerprint = %x, want 0", fp)
	}
	if fp := Fingerprint(""); fp != 0 {
		t.Errorf("empty text fingerprint = %x, want 0", fp)
	}
}

func BenchmarkFingerprint(b *testing.B) { benchWire(b, func(s string) { Fingerprint(s) }) }

// TestFingerprintSpreadsUnrelatedTexts guards against skewed hash bits:
// texts drawn from a small vocabulary share most words but few word pairs,
// so they must sit about 32 bits apart, not within a story's distance.
func TestFingerprintSpreadsUnrelatedTexts(t *testing.T) {
	const n, storyDistance = 600, 10
	vocab := strings.Fields(fixtureVocabulary)
	rng := uint64(42)
	next := func() uint64 { // xorshift: deterministic and dependency-free
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return rng
	}
	fps := make([]uint64, n)
	for i := range fps {
		var b strings.Builder
		for w := 0; w < 150+int(next()%300); w++ {
			b.WriteString(vocab[next()%uint64(len(vocab))])
			b.WriteByte(' ')
		}
		fps[i] = Fingerprint(b.String())
	}
	close, pairs, sum := 0, 0, 0
	var ones [64]int
	for i := range fps {
		for b := range 64 {
			ones[b] += int(fps[i] >> b & 1)
		}
		for j := i + 1; j < len(fps); j++ {
			d := FingerprintDistance(fps[i], fps[j])
			sum += d
			pairs++
			if d <= storyDistance {
				close++
			}
		}
	}
	t.Logf("vocabulary %d words; mean distance %.1f bits; %d of %d pairs within %d bits", len(vocab), float64(sum)/float64(pairs), close, pairs, storyDistance)
	if close*1000 > pairs { // well under 1%: in theory about 1e-10 of pairs
		t.Errorf("%d of %d unrelated pairs within %d bits", close, pairs, storyDistance)
	}
	if mean := float64(sum) / float64(pairs); mean < 28 || mean > 36 {
		t.Errorf("mean distance %.1f bits, want about 32", mean)
	}
	for b, c := range ones {
		if c < n/4 || c > 3*n/4 {
			t.Errorf("bit %d set in %d of %d fingerprints: skewed", b, c, n)
		}
	}
}

func TestFingerprintFoldsNonASCII(t *testing.T) {
	long := strings.Repeat("Été à Tanger: الحرية لعلي أعراس. ", 20)
	if a, b := Fingerprint(long), Fingerprint(strings.ToUpper(long)); a != b || a == 0 {
		t.Errorf("upper-casing non-ASCII text changed the fingerprint: %x vs %x", a, b)
	}
}

func TestFingerprintDoesNotAllocate(t *testing.T) {
	text := readStory(t, "wire")
	if n := testing.AllocsPerRun(10, func() { Fingerprint(text) }); n != 0 {
		t.Errorf("Fingerprint allocates %v times per call", n)
	}
}

// fixtureVocabulary is a few hundred common news words.
const fixtureVocabulary = `the a of to in and on for with at by from as that this it is was were be been has have had
said says will would could should may might can not no but or if when while after before during since until about
over under between against among into through across government minister ministry president prime parliament
court judge trial lawyer lawyers hearing verdict sentence prison prisoner detention police officers arrest arrested
protest protesters rally march strike union workers wages prices inflation economy market markets bank banks budget
tax taxes trade exports imports port harbour ship ships fishing farmers harvest rain drought water energy oil gas
electricity power plant factory jobs unemployment school schools students teachers university hospital doctors nurses
health vaccine patients city capital town village region province border army soldiers war peace talks agreement
deal treaty embassy ambassador foreign visit summit meeting conference election elections vote voters campaign party
parties opposition coalition leader leaders spokesman statement report reports journalist journalists newspaper radio
television website reporters press freedom rights human groups organisation charity aid refugees migrants families
children women men people residents citizens public private company companies chief executive director manager
board shares investors profit loss growth billion million thousand percent year years month months week weeks day
days monday tuesday wednesday thursday friday saturday sunday morning evening night early late new old first last
next previous major minor high low large small long short big little good bad main key local national international
european african arab northern southern eastern western football match team players coach goal season league cup
film music festival art museum book author concert weather storm flood fire road roads traffic accident train trains
airport flights tourism hotel hotels visitors church mosque religious security attack attacks bomb victims investigation
inquiry evidence witness witnesses charges charged accused release released freed demand demands called calls warned
warning announced announce plan plans project projects build building housing homes rent land`
