package main

import (
	"regexp"
	"slices"
	"strings"
)

// shingleSize is the number of consecutive tokens compared, as in the
// benchmark's published scoring.
const shingleSize = 4

// wordRE matches what Python's Unicode `\w+` matches: letters, numbers
// and the underscore.
var wordRE = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func tokens(s string) []string { return wordRE.FindAllString(s, -1) }

// shingles counts the shingleSize-token windows of s. A text shorter than
// one window yields a single shingle of all its tokens; an empty text
// yields none.
func shingles(s string) map[string]int {
	toks := tokens(s)
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	if len(toks) < shingleSize {
		out[strings.Join(toks, "\x00")]++
		return out
	}
	for i := 0; i+shingleSize <= len(toks); i++ {
		out[strings.Join(toks[i:i+shingleSize], "\x00")]++
	}
	return out
}

// docScore is one document's true positives, false positives and false
// negatives over shingle multisets, normalised to sum to 1 so that every
// document weighs the same whatever its length.
type docScore struct{ tp, fp, fn float64 }

func scoreDoc(truth, pred string) docScore {
	t, p := shingles(truth), shingles(pred)
	var s docScore
	for k, tc := range t {
		pc := p[k]
		s.tp += float64(min(tc, pc))
		s.fn += float64(max(0, tc-pc))
	}
	for k, pc := range p {
		s.fp += float64(max(0, pc-t[k]))
	}
	if sum := s.tp + s.fp + s.fn; sum > 0 {
		s.tp, s.fp, s.fn = s.tp/sum, s.fp/sum, s.fn/sum
	}
	return s
}

// summary is the benchmark result over all documents.
type summary struct {
	Precision, Recall, F1, Accuracy float64
	Docs                            int
}

// summarize averages precision over documents with a prediction and
// recall over documents with a ground truth (the others have no defined
// value), then takes F1 of the two averages. Accuracy is the share of
// documents whose token lists are identical.
func summarize(truths, preds []string) summary {
	var pSum, rSum float64
	var pN, rN, exact int
	for i := range truths {
		s := scoreDoc(truths[i], preds[i])
		if s.tp+s.fp > 0 {
			pSum += s.tp / (s.tp + s.fp)
			pN++
		}
		if s.tp+s.fn > 0 {
			rSum += s.tp / (s.tp + s.fn)
			rN++
		}
		if slices.Equal(tokens(truths[i]), tokens(preds[i])) {
			exact++
		}
	}
	out := summary{Docs: len(truths)}
	if pN > 0 {
		out.Precision = pSum / float64(pN)
	}
	if rN > 0 {
		out.Recall = rSum / float64(rN)
	}
	if out.Precision+out.Recall > 0 {
		out.F1 = 2 * out.Precision * out.Recall / (out.Precision + out.Recall)
	}
	if len(truths) > 0 {
		out.Accuracy = float64(exact) / float64(len(truths))
	}
	return out
}
