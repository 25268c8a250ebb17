// Package classify finds tracked people in text and says how a piece frames
// each of them (stance) and what it is about (topics), showing the evidence
// for every decision. It is pure: no network, no database, no clock; the only
// file access is Evaluate reading a labelled corpus folder.
//
// # Name matching
//
// Text is split once into words (runs of Unicode letters, digits and
// combining marks). Each word is folded: lower case, accents removed
// ("Aärrass" → "aarrass"), Arabic normalised (أ إ آ ٱ → ا, ة → ه, ى → ي,
// tatweel and harakat dropped), and de-doubled: runs of one letter collapse,
// so "Aarrass", "Aarass" and "Aarras" all fold to "aras". Name particles
// (el, al, abd, abdel, abdul, ben, bin, ibn, ould, abu, bou, ait and their
// Arabic forms) are joined to the following word, so "Abd El-Fattah",
// "Abdel Fattah" and "Abdelfattah" fold alike. French elisions ("d'", "l’",
// "qu'") and the English possessive "'s" are ignored. Sequences of folded
// words are looked up in a map built from each person's name and aliases;
// there is no regular expression per name.
//
// The rules:
//   - A full name (every word of the name or of a multi-word alias, or its
//     first and last words) always counts. The words must be separated only by
//     spaces, hyphens or apostrophes.
//   - A given name alone ("Ali") never counts.
//   - A bare surname (the last word of a name, or a one-word alias) counts
//     when exactly one tracked person carries it. If several do (two
//     Raissounis), it counts for the one named in full elsewhere in the same
//     text, and for none if both or neither are.
//   - A surname that is also a common word or a very common name
//     (rules/names_ambiguous.txt: "White", "King", "Said", "Hassan"...) counts
//     bare only when capitalised and the person is named in full in the text.
//   - A capitalised word directly before a surname that is not one of the
//     person's given names marks someone else with the same surname ("his
//     sister Farida Aarrass"). Not counted as such a word: titles and roles
//     (rules/names_titles.txt: Mr, Dr, M., Mme, Sheikh, lawyer...),
//     sentence-start and campaign words (rules/names_notnames.txt: "Yesterday
//     Aarrass said", "Free Aarrass"), and a capitalised run after a
//     determiner ("the Belgian-Moroccan Aarrass"). A surname at the start of
//     a sentence ("Aarrass said") is the person. Scripts without case
//     (Arabic) cannot show this, so the rule does not apply to them.
//
// # Stance and topics
//
// Stance towards each person is read from the piece's own framing (cue
// phrases in rules/stance_*.txt, weighted by whose sentence they are in:
// the piece's own unattributed sentences count most, quoted, attributed or
// answered ones less, the same for both sides), from its register (the
// phrases of reporting pull towards neutral, those of comment away from
// it), from the general words of praise and blame it uses of the person
// in its own voice (rules/lexicon_*.txt: "honest", "disgraced"; counted,
// not weighed word by word) and from its voice: how often the person's
// side speaks, found from
// the structure of each sentence with a verb of saying (and of the
// sentences that carry the same speaker's words on) rather than from a
// writer's phrases, and how much room it is given in quotation. See
// Classifier.Classify (stance.go), voice.go and model.go for the rules;
// topics are weighted phrase lists with thresholds (rules/topics.txt).
//
// The classifier does not read the source's politics, the author or the
// date, and it does not resolve who "he" is beyond the last person named.
package classify
