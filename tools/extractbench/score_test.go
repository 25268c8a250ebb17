package main

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScoreDoc(t *testing.T) {
	tests := []struct {
		name        string
		truth, pred string
		tp, fp, fn  float64
	}{
		// 5 tokens → 2 shingles each, identical.
		{"identical", "one two three four five", "one, two; three four five!", 1, 0, 0},
		// truth shingles: [a b c d] [b c d e]; pred adds [c d e f]: tp 2, fp 1.
		{"extra text", "a b c d e", "a b c d e f", 2.0 / 3, 1.0 / 3, 0},
		// pred lacks [b c d e]: tp 1, fn 1.
		{"missing text", "a b c d e", "a b c d", 0.5, 0, 0.5},
		{"disjoint", "a b c d", "w x y z", 0, 0.5, 0.5},
		// Multisets: the repeated shingle counts twice in truth, once in pred.
		{"repeats", "a b c d a b c d", "a b c d", 0.2, 0, 0.8},
		// Shorter than a shingle: one shingle of all tokens.
		{"short", "hello world", "hello world", 1, 0, 0},
		{"empty prediction", "a b c d", "", 0, 0, 1},
		{"unicode words", "سمير الوزاني في المحكمة", "سمير الوزاني في المحكمة", 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scoreDoc(tt.truth, tt.pred)
			if !near(got.tp, tt.tp) || !near(got.fp, tt.fp) || !near(got.fn, tt.fn) {
				t.Errorf("scoreDoc = %+v, want tp=%v fp=%v fn=%v", got, tt.tp, tt.fp, tt.fn)
			}
		})
	}
}

func TestTokensMatchPythonWordClass(t *testing.T) {
	got := tokens("l'Aarrass — 2021, snake_case café ٣")
	want := []string{"l", "Aarrass", "2021", "snake_case", "café", "٣"}
	if len(got) != len(want) {
		t.Fatalf("tokens = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tokens = %q, want %q", got, want)
		}
	}
}

func TestSummarize(t *testing.T) {
	truths := []string{"a b c d e", "a b c d e", "p q r s"}
	preds := []string{"a b c d e", "a b c d e f", ""}
	s := summarize(truths, preds)
	// Precision over docs with a prediction: (1 + 2/3) / 2.
	// Recall over docs with a truth: (1 + 1 + 0) / 3.
	wantP, wantR := (1+2.0/3)/2, 2.0/3
	if !near(s.Precision, wantP) || !near(s.Recall, wantR) {
		t.Errorf("P, R = %v, %v; want %v, %v", s.Precision, s.Recall, wantP, wantR)
	}
	if !near(s.F1, 2*wantP*wantR/(wantP+wantR)) {
		t.Errorf("F1 = %v", s.F1)
	}
	if !near(s.Accuracy, 1.0/3) {
		t.Errorf("Accuracy = %v, want 1/3", s.Accuracy)
	}
}
