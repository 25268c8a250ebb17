package classify

import (
	"math"
	"testing"
)

// corpusDocs reads the labelled corpus written for the project.
func corpusDocs(t *testing.T) ([]Person, []LabelledDoc) {
	t.Helper()
	people := corpusPeople(t)
	docs, err := ReadCorpus(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	return people, docs
}

// departures returns the mean absolute departure of the fitted framing and
// register cues from their rule weight times their kind's fitted scale:
// how far fitting moved them on their own.
func departures(t *testing.T, people []Person, docs []LabelledDoc, opt FitOptions) (framing, register float64) {
	t.Helper()
	w, err := Fit(people, nil, docs, opt)
	if err != nil {
		t.Fatal(err)
	}
	c, err := unfitted(people, nil)
	if err != nil {
		t.Fatal(err)
	}
	rule := map[string]cue{}
	for _, q := range c.cues {
		if q.topic < 0 && q.lex == 0 {
			rule[q.sideName()+" "+foldPhrase(q.phrase)] = q
		}
	}
	var n [2]int
	var sum [2]float64
	for _, cw := range w.Stance.Cues {
		q, ok := rule[cw.Side+" "+foldPhrase(cw.Phrase)]
		if !ok {
			t.Fatalf("fitted cue %s %q is not a rule", cw.Side, cw.Phrase)
		}
		kind, scale := 0, w.Stance.UnfittedScale
		if q.register {
			kind, scale = 1, w.Stance.UnfittedRegisterScale
		}
		sum[kind] += math.Abs(cw.Weight - q.weight*q.side*scale)
		n[kind]++
	}
	if n[0] == 0 || n[1] == 0 {
		t.Fatalf("fitted %d framing and %d register cues, want some of each", n[0], n[1])
	}
	return sum[0] / float64(n[0]), sum[1] / float64(n[1])
}

// TestFitRegisterPull checks that register cues are held to their rule
// weights by their own pull, FitOptions.Register, and framing cues by
// FitOptions.Cue: loosening one lets its cues move further from their
// rule weights, and the default holds register cues more loosely than
// framing cues would be.
func TestFitRegisterPull(t *testing.T) {
	people, docs := corpusDocs(t)
	cue := DefaultFitOptions.Cue
	framingSame, regSame := departures(t, people, docs, FitOptions{Cue: cue, Register: cue})
	for _, tc := range []struct {
		name              string
		opt               FitOptions
		framing, register int // sign of the change against Register = Cue: -1 less, 0 about the same, +1 more
	}{
		{"defaults", FitOptions{}, 0, +1},
		{"register looser", FitOptions{Cue: cue, Register: cue / 10}, 0, +1},
		{"register tighter", FitOptions{Cue: cue, Register: cue * 10}, 0, -1},
		{"framing looser", FitOptions{Cue: cue / 10, Register: cue}, +1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			framing, register := departures(t, people, docs, tc.opt)
			t.Logf("mean departure: framing %.4f (%.4f with Register = Cue), register %.4f (%.4f)", framing, framingSame, register, regSame)
			for _, k := range []struct {
				name      string
				got, base float64
				want      int
			}{{"framing", framing, framingSame, tc.framing}, {"register", register, regSame, tc.register}} {
				// A change of pull on one kind moves the other a little
				// (the scales and multipliers are fitted with both); a
				// change on its own kind moves it by far more.
				var ok bool
				switch k.want {
				case +1:
					ok = k.got > 1.25*k.base
				case -1:
					ok = k.got < 0.8*k.base
				default:
					ok = math.Abs(k.got-k.base) < 0.2*k.base
				}
				if !ok {
					t.Errorf("%s cues depart %.4f on average from their rule weights × scale, against %.4f with Register = Cue; want change %+d", k.name, k.got, k.base, k.want)
				}
			}
		})
	}
}

// TestFitGradient checks the stance objective's gradient against finite
// differences, with the framing and register pulls apart, away from the
// starting point so that every term counts.
func TestFitGradient(t *testing.T) {
	people, docs := corpusDocs(t)
	c, err := unfitted(people, nil)
	if err != nil {
		t.Fatal(err)
	}
	ex := c.examples(docs)
	for _, opt := range []FitOptions{DefaultFitOptions, {Cue: 0.01, Register: 0.3, Context: 0.2, Feature: 0.1, MaxIter: 1}} {
		f := c.stanceFit(ex, opt.withDefaults())
		x := f.start()
		for i := range x {
			x[i] += 0.05 * math.Sin(float64(7*i+1))
		}
		g := make([]float64, len(x))
		f.eval(x, g)
		scratch := make([]float64, len(x))
		for i := range x {
			const h = 1e-6
			x0 := x[i]
			x[i] = x0 + h
			up := f.eval(x, scratch)
			x[i] = x0 - h
			down := f.eval(x, scratch)
			x[i] = x0
			num := (up - down) / (2 * h)
			if math.Abs(num-g[i]) > 1e-6+1e-4*math.Abs(num) {
				t.Errorf("options %+v, parameter %d: gradient %g, finite difference %g", opt, i, g[i], num)
			}
		}
	}
}
