package classify

import (
	"os"
	"path/filepath"
	"testing"
)

// realCorpus is the development corpus of real articles, kept beside the
// project (never in it: it is others' writing). Tests and benchmarks that
// need it skip, saying so, where it is absent.
const realCorpus = "../../shared/stance-corpus"

func readRealCorpus(t testing.TB) ([]Person, []LabelledDoc) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(realCorpus, "README.md")); err != nil {
		t.Skipf("the real development corpus is not at %s (it lives beside the project, not in it): %v", realCorpus, err)
	}
	people, err := ReadPeople(realCorpus)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := ReadCorpus(realCorpus)
	if err != nil {
		t.Fatal(err)
	}
	return people, docs
}

// TestRealCorpus guards the figures on real articles about people no rule
// was written for: leave-people-out, so every document is classified by
// weights fitted without its person. The floors sit under the measured
// figures (docs/classifier.md); they catch a change that breaks the
// classifier on real text, they are not its targets.
func TestRealCorpus(t *testing.T) {
	people, docs := readRealCorpus(t)
	res, err := LeavePeopleOut(people, DefaultRules(), docs, 10, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := Score(res)
	t.Logf("leave-people-out on %d real articles: stance macro-F1 %.3f (supportive %.3f, critical %.3f, neutral %.3f), topics micro-F1 %.3f, mentions P %.3f R %.3f",
		len(docs), rep.Stance.MacroF1, rep.Stance.PerLabel[Supportive].F1, rep.Stance.PerLabel[Critical].F1, rep.Stance.PerLabel[Neutral].F1,
		rep.Topics.MicroF1, rep.Mentions.Precision, rep.Mentions.Recall)
	if rep.Stance.MacroF1 < 0.69 {
		t.Errorf("stance macro-F1 %.3f, want >= 0.69", rep.Stance.MacroF1)
	}
	for _, label := range goldLabels {
		if f1 := rep.Stance.PerLabel[label].F1; f1 < 0.675 {
			t.Errorf("stance F1 of %s %.3f, want >= 0.675", label, f1)
		}
	}
	if rep.Topics.MicroF1 < 0.845 {
		t.Errorf("topics micro-F1 %.3f, want >= 0.845", rep.Topics.MicroF1)
	}
	if rep.Mentions.Recall < 0.98 || rep.Mentions.Precision < 0.96 {
		t.Errorf("mentions precision %.3f recall %.3f, want >= 0.96 and 0.98", rep.Mentions.Precision, rep.Mentions.Recall)
	}

	// The weights must carry over to people they never saw: scored on the
	// articles they were fitted on, stance may not be far above the
	// leave-people-out figure, or fitting is learning the people.
	w, err := Fit(people, DefaultRules(), docs, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fitted := DefaultRules()
	fitted.SetWeights(w)
	c, err := New(people, fitted)
	if err != nil {
		t.Fatal(err)
	}
	in := Score(EvaluateDocs(c, docs))
	t.Logf("in-sample stance macro-F1 %.3f", in.Stance.MacroF1)
	if gap := in.Stance.MacroF1 - rep.Stance.MacroF1; gap > 0.05 {
		t.Errorf("in-sample stance macro-F1 %.3f is %.3f above leave-people-out %.3f, want at most 0.05", in.Stance.MacroF1, gap, rep.Stance.MacroF1)
	}
}

// TestFitDeterministic checks that fitting the same documents twice gives
// the same weights, byte for byte: a weights file in the repository must
// be reproducible from the corpus and the rules.
func TestFitDeterministic(t *testing.T) {
	people, docs := readRealCorpus(t)
	docs = docs[:120]
	var out [2][]byte
	for i := range out {
		w, err := Fit(people, DefaultRules(), docs, FitOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var sb stringsBuilder
		if err := w.WriteJSON(&sb); err != nil {
			t.Fatal(err)
		}
		out[i] = sb.b
	}
	if string(out[0]) != string(out[1]) {
		t.Error("two fits of the same documents differ")
	}
}

type stringsBuilder struct{ b []byte }

func (s *stringsBuilder) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }

// BenchmarkFit measures fitting the weights on the real corpus (about 400
// articles): `go test -run XXX -bench Fit -benchtime 3x -cpu 1 ./classify/`.
func BenchmarkFit(b *testing.B) {
	people, docs := readRealCorpus(b)
	for b.Loop() {
		if _, err := Fit(people, DefaultRules(), docs, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
