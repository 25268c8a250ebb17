package classify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fixtures live with the store's story tests, which group the same texts.
func readStory(t *testing.T, name string) string {
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
		{"repost1", 6, 0},  // dateline dropped, one word changed, credit added
		{"repost2", 6, 0},  // spelling variant, two words changed, last sentence swapped
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

func BenchmarkFingerprint(b *testing.B) {
	text, err := os.ReadFile(filepath.Join("..", "store", "testdata", "stories", "wire.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Fingerprint(string(text))
	}
}
