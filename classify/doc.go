// Package classify finds tracked people in text and says how a piece frames
// each of them (stance) and what it is about (topics), showing the evidence
// for every decision. It also fingerprints texts so that copies of one
// story can be grouped, and fits, measures and suggests its own rules from
// labelled articles.
//
// It is pure: no network, no database, no clock. The only file access is
// reading a labelled corpus folder (ReadCorpus, ReadPeople, Evaluate); the
// rule files and the fitted weights are embedded in the binary.
//
// The rules themselves, and how well they do, are in docs/classifier.md;
// this comment is a map of the code.
//
// # Words
//
// Text is split once into words (fold.go: runs of Unicode letters, digits
// and combining marks). Each word is folded: lower case, accents removed,
// Arabic normalised, and de-doubled, so "Aarrass", "Aarass" and "Aarras"
// are one word. Words are compared by a hash of their folded form; there is
// no regular expression per name or per phrase.
//
// # Names (match.go, translit.go)
//
// A Matcher looks sequences of folded words up in maps built from each
// person's name and aliases. Name particles (el, al, abd, abdel, abdul,
// abdal, ben, bin, ibn, ould, abu, abou, bou, ait and their Arabic forms)
// are joined to the following word, so "Abd El-Fattah" and "Abdelfattah"
// fold alike. A full name always counts, a given name alone never, a bare
// surname only when it can be nobody else; transliterations and one typo
// count only with a second fact that makes them safe (translit.go).
// The word lists in rules/names_*.txt hold the surnames that are also
// common words, the titles, and the sentence-start and campaign words that
// do not make a capitalised word somebody else's given name. MayMention is
// a cheap pre-check that lets most texts skip the matcher.
//
// # Stance (stance.go, observe.go, attribution.go, voice.go, model.go)
//
// Classify runs in two steps. observe reads the text's structure once
// (sentences and paragraphs, who each sentence is about, reported speech
// and its speaker, quotations) and lists, for each person, every signal
// that bears on them: the cue phrases of rules/stance_*.txt with the
// contexts that change what they count for (negated, quoted, attributed,
// answered, describing a charge, in the headline) and their scope (a
// sentence naming the person, referring back to them, in a paragraph about
// them, about nobody, about somebody else); roles in scare quotes;
// quotations that give the person's side room; the words of praise and
// blame of rules/lexicon_*.txt in the piece's own voice; and how often the
// person's side speaks. decide (model.go) weighs them with the fitted
// weights into a label, its confidence, a one-line reason, and the weight
// each piece of evidence actually added. The word lists of grammar, not of
// framing (pronouns, verbs of saying, the sides' speakers), are in
// refer.go and voice.go.
//
// # Topics (stance.go)
//
// Topics are weighted phrase lists with thresholds (rules/topics.txt). A
// phrase inside a longer topic phrase counts as the longer one (a phrase
// of weight 0 is of another sense: it only hides the phrases inside it),
// each phrase counts a few times at most, and less in a sentence about
// nobody tracked.
//
// # Weights (weights.go, fit.go, lbfgs.go, evaluate.go, suggest.go)
//
// The weights of cues, contexts, features and topic phrases are fitted by
// regularised logistic regression over the very observations Classify
// makes (Fit), and shipped as weights.json. LeavePeopleOut and Evaluate
// measure them; Suggest lists candidate cue phrases for a person to read.
//
// # Stories (fingerprint.go, storykeys.go)
//
// Fingerprint is a SimHash of a text's word pairs, and StoryKeys are
// MinHash keys over the same pairs, so that a store can find the earlier
// copies of a story without comparing against every text.
//
// The classifier does not read the source's politics, the author or the
// date, and it does not resolve who "he" is beyond the last person named.
package classify
