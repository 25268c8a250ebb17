package classify

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
)

//go:embed rules/stance_*.txt rules/topics.txt rules/lexicon_*.txt
var ruleFiles embed.FS

// Stance sides as written in rule files.
const (
	Supportive = "supportive"
	Critical   = "critical"
	Neutral    = "neutral"
	Unclear    = "unclear"
	// Opinion marks register cues of argument and comment ("of course",
	// "let us be clear"): they count away from neutral, as Neutral cues
	// (reporting register: "told reporters", "news agency") count towards
	// it. Neither leans to a side.
	Opinion = "opinion"
)

// validSide says whether side may head a stance cue.
func validSide(side string) bool {
	return side == Supportive || side == Critical || side == Neutral || side == Opinion
}

const (
	defaultMinWords       = 60
	defaultTopicThreshold = 2.0
)

// Rules is an editable set of stance cues and topic phrases. Edit it with
// its methods, then compile it with New; a Classifier keeps its own copy.
type Rules struct {
	stance         []stanceCue
	lexicon        []lexWord
	topics         []topicPhrase
	thresholds     map[string]float64
	minWords       int
	weights        *Weights        // fitted weights; nil: the rule weights as written
	userThresholds map[string]bool // topics whose threshold the user set: the weights file does not override them
	errs           []error         // lines of embedded files that did not parse; New reports them
}

// srcAdded marks a rule added through the API (the config), not a file.
const srcAdded = "added"

type stanceCue struct {
	phrase string
	side   string
	weight float64
	src    string // "rules/stance_en.txt:12" or "added"
}

// lexWord is a word of the evaluative lexicon: general praise or blame
// ("brave", "disgraced"), counted as a feature of the piece, not a cue.
type lexWord struct {
	phrase string
	side   string // Positive or Negative
	src    string
}

// Sides of lexicon words as written in rule files.
const (
	Positive = "positive"
	Negative = "negative"
)

type topicPhrase struct {
	topic  string
	phrase string
	weight float64
	src    string
}

// DefaultRules returns the English, French and Spanish rules embedded in
// the binary, with the weights fitted for them. Syntax errors in them are
// kept and reported by New with file and line.
func DefaultRules() *Rules {
	r := &Rules{thresholds: make(map[string]float64), minWords: defaultMinWords, userThresholds: make(map[string]bool)}
	if w, err := ShippedWeights(); err != nil {
		r.errs = append(r.errs, err)
	} else {
		r.weights = w
	}
	names, _ := fs.Glob(ruleFiles, "rules/*.txt")
	sort.Strings(names)
	for _, name := range names {
		data, err := ruleFiles.ReadFile(name)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("read %s: %w", name, err))
			continue
		}
		r.parse(name, string(data))
	}
	return r
}

// parse reads one embedded rule file into r. Lines are "SIDE WEIGHT
// PHRASE" in rules/stance_*.txt, "TOPIC WEIGHT PHRASE" and "threshold
// TOPIC VALUE" in rules/topics.txt, "SIDE WORD" in rules/lexicon_*.txt;
// blank lines and lines starting with # are skipped. A bad line is kept
// in r.errs, named by file and line, for New to report.
func (r *Rules) parse(name, data string) {
	sc := bufio.NewScanner(strings.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		src := fmt.Sprintf("%s:%d", name, n)
		if strings.HasPrefix(name, "rules/lexicon_") {
			f := strings.SplitN(line, " ", 2)
			if len(f) < 2 {
				r.errs = append(r.errs, fmt.Errorf("%s: want SIDE WORD, got %q", src, line))
				continue
			}
			r.lexicon = append(r.lexicon, lexWord{phrase: strings.TrimSpace(f[1]), side: f[0], src: src})
			continue
		}
		f := strings.SplitN(line, " ", 3)
		if len(f) < 3 {
			r.errs = append(r.errs, fmt.Errorf("%s: want 3 fields, got %q", src, line))
			continue
		}
		num, err := strconv.ParseFloat(f[1], 64)
		if f[0] == "threshold" {
			num, err = strconv.ParseFloat(f[2], 64)
		}
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: bad number in %q: %w", src, line, err))
			continue
		}
		switch {
		case f[0] == "threshold":
			r.thresholds[f[1]] = num
		case strings.HasPrefix(name, "rules/stance_"):
			r.stance = append(r.stance, stanceCue{phrase: f[2], side: f[0], weight: num, src: src})
		default:
			r.topics = append(r.topics, topicPhrase{topic: f[0], phrase: f[2], weight: num, src: src})
		}
	}
}

// Clone returns a copy of r that later edits of either do not change.
func (r *Rules) Clone() *Rules { return r.clone() }

// clone returns a deep copy, so a compiled Classifier does not see later edits.
func (r *Rules) clone() *Rules {
	c := *r
	c.stance = append([]stanceCue(nil), r.stance...)
	c.lexicon = append([]lexWord(nil), r.lexicon...)
	c.topics = append([]topicPhrase(nil), r.topics...)
	c.errs = append([]error(nil), r.errs...)
	c.thresholds = make(map[string]float64, len(r.thresholds))
	for k, v := range r.thresholds {
		c.thresholds[k] = v
	}
	c.userThresholds = make(map[string]bool, len(r.userThresholds))
	for k, v := range r.userThresholds {
		c.userThresholds[k] = v
	}
	return &c
}

// foldPhrase is the comparison form of a phrase: its folded words.
func foldPhrase(p string) string {
	var tk tokenizer
	tk.tokenize(p)
	var sb strings.Builder
	for _, w := range tk.words {
		if w.elided {
			continue
		}
		sb.WriteString(strconv.FormatUint(w.h, 36))
		sb.WriteByte(' ')
	}
	return sb.String()
}

// AddStanceCue adds a cue, or re-weights it if the phrase is already a
// stance cue. side is "supportive" or "critical" (framing of the person),
// or "neutral" or "opinion" (the register of the piece); weight must be
// positive.
func (r *Rules) AddStanceCue(phrase, side string, weight float64) error {
	if !validSide(side) {
		return fmt.Errorf("add stance cue %q: side %q is not supportive, critical, neutral or opinion", phrase, side)
	}
	if !(weight > 0) {
		return fmt.Errorf("add stance cue %q: weight %v is not positive", phrase, weight)
	}
	key := foldPhrase(phrase)
	if key == "" {
		return fmt.Errorf("add stance cue %q: no words", phrase)
	}
	cue := stanceCue{phrase: phrase, side: side, weight: weight, src: srcAdded}
	if i := slices.IndexFunc(r.stance, func(c stanceCue) bool { return foldPhrase(c.phrase) == key }); i >= 0 {
		r.stance[i] = cue
	} else {
		r.stance = append(r.stance, cue)
	}
	return nil
}

// RemoveCue removes a phrase from the stance cues and from every topic.
// It fails if the phrase is in neither.
func (r *Rules) RemoveCue(phrase string) error {
	key := foldPhrase(phrase)
	n := len(r.stance) + len(r.topics)
	r.stance = slices.DeleteFunc(r.stance, func(c stanceCue) bool { return foldPhrase(c.phrase) == key })
	r.topics = slices.DeleteFunc(r.topics, func(t topicPhrase) bool { return foldPhrase(t.phrase) == key })
	if len(r.stance)+len(r.topics) == n {
		return fmt.Errorf("remove cue %q: no such stance or topic phrase", phrase)
	}
	return nil
}

// AddTopicPhrase adds a phrase to a topic, creating the topic (with the
// default threshold) if needed, or re-weights the phrase if already there.
func (r *Rules) AddTopicPhrase(topic, phrase string, weight float64) error {
	topic = strings.TrimSpace(topic)
	if topic == "" || strings.ContainsAny(topic, " \t") {
		return fmt.Errorf("add topic phrase %q: bad topic name %q", phrase, topic)
	}
	if !(weight > 0) {
		return fmt.Errorf("add topic phrase %q: weight %v is not positive", phrase, weight)
	}
	key := foldPhrase(phrase)
	if key == "" {
		return fmt.Errorf("add topic phrase %q: no words", phrase)
	}
	if _, ok := r.thresholds[topic]; !ok {
		r.thresholds[topic] = defaultTopicThreshold
	}
	tp := topicPhrase{topic: topic, phrase: phrase, weight: weight, src: srcAdded}
	if i := slices.IndexFunc(r.topics, func(t topicPhrase) bool { return t.topic == topic && foldPhrase(t.phrase) == key }); i >= 0 {
		r.topics[i] = tp
	} else {
		r.topics = append(r.topics, tp)
	}
	return nil
}

// SetTopicThreshold sets the score a topic needs to be reported.
func (r *Rules) SetTopicThreshold(topic string, threshold float64) error {
	if _, ok := r.thresholds[topic]; !ok {
		return fmt.Errorf("set threshold: unknown topic %q", topic)
	}
	if !(threshold > 0) {
		return fmt.Errorf("set threshold of %q: %v is not positive", topic, threshold)
	}
	r.thresholds[topic] = threshold
	if r.userThresholds == nil {
		r.userThresholds = make(map[string]bool)
	}
	r.userThresholds[topic] = true
	return nil
}

// SetWeights replaces the fitted weights (nil: use the rule weights as
// written, unfitted).
func (r *Rules) SetWeights(w *Weights) { r.weights = w }

// Weights returns the fitted weights the rules carry, or nil.
func (r *Rules) Weights() *Weights { return r.weights }

// SetMinWords sets how many words of text an item needs before its stance
// is judged; below it the label is "unclear".
func (r *Rules) SetMinWords(n int) error {
	if n < 0 {
		return fmt.Errorf("set min words: %d is negative", n)
	}
	r.minWords = n
	return nil
}

// validate checks every rule, naming the file and line (or "added").
func (r *Rules) validate() error {
	if len(r.errs) > 0 {
		return r.errs[0]
	}
	seen := make(map[string]string)
	for _, c := range r.stance {
		if !validSide(c.side) {
			return fmt.Errorf("%s: stance side %q is not supportive, critical, neutral or opinion", c.src, c.side)
		}
		if !(c.weight > 0) {
			return fmt.Errorf("%s: weight of %q is not positive", c.src, c.phrase)
		}
		key := foldPhrase(c.phrase)
		if key == "" {
			return fmt.Errorf("%s: phrase %q has no words", c.src, c.phrase)
		}
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: stance phrase %q repeats %s", c.src, c.phrase, prev)
		}
		seen[key] = c.src
	}
	seen = make(map[string]string)
	for _, w := range r.lexicon {
		if w.side != Positive && w.side != Negative {
			return fmt.Errorf("%s: lexicon side %q is not positive or negative", w.src, w.side)
		}
		key := foldPhrase(w.phrase)
		if key == "" {
			return fmt.Errorf("%s: lexicon word %q has no words", w.src, w.phrase)
		}
		// A word shared by two languages ("radical") may be listed in
		// both files, on the same side.
		if prev, dup := seen[key]; dup && prev != w.side {
			return fmt.Errorf("%s: lexicon word %q is %s here and %s elsewhere", w.src, w.phrase, w.side, prev)
		}
		seen[key] = w.side
	}
	seen = make(map[string]string)
	for _, t := range r.topics {
		if _, ok := r.thresholds[t.topic]; !ok {
			return fmt.Errorf("%s: topic %q has no threshold line", t.src, t.topic)
		}
		if !(t.weight >= 0) {
			return fmt.Errorf("%s: weight of %q is negative", t.src, t.phrase)
		}
		key := t.topic + " " + foldPhrase(t.phrase)
		if foldPhrase(t.phrase) == "" {
			return fmt.Errorf("%s: phrase %q has no words", t.src, t.phrase)
		}
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%s: topic phrase %q repeats %s", t.src, t.phrase, prev)
		}
		seen[key] = t.src
	}
	for topic, th := range r.thresholds {
		if !(th > 0) {
			return fmt.Errorf("topic %q: threshold %v is not positive", topic, th)
		}
	}
	return nil
}

// engineVersion is part of the rules version: bump it when a change to
// the engine (how it reads a text, its constants) changes what the same
// rules say, so that stored results show they came from another engine.
const engineVersion = 12

// version hashes the rules in a canonical order, so the same rules give the
// same version whatever order they were added in.
func (r *Rules) version() string {
	var lines []string
	for _, c := range r.stance {
		lines = append(lines, fmt.Sprintf("s\t%s\t%s\t%g", foldPhrase(c.phrase), c.side, c.weight))
	}
	for _, w := range r.lexicon {
		lines = append(lines, fmt.Sprintf("l\t%s\t%s", foldPhrase(w.phrase), w.side))
	}
	for _, t := range r.topics {
		lines = append(lines, fmt.Sprintf("t\t%s\t%s\t%g", t.topic, foldPhrase(t.phrase), t.weight))
	}
	for topic, th := range r.thresholds {
		lines = append(lines, fmt.Sprintf("h\t%s\t%g", topic, th))
	}
	lines = append(lines, fmt.Sprintf("m\t%d", r.minWords), fmt.Sprintf("engine\t%d", engineVersion))
	if r.weights != nil {
		var buf strings.Builder
		w := *r.weights
		w.Fitted = FitInfo{}  // where they came from does not change a label
		_ = w.WriteJSON(&buf) // to a strings.Builder: cannot fail
		lines = append(lines, "w\t"+buf.String())
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:6])
}
