// Package benchfeed generates the feeds and article pages of newsmon's
// benchmarks (tools/e2ebench, tools/scalebench): deterministic, shaped like
// news, written for them.
package benchfeed

import (
	"bytes"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"
)

// The generated text is the benchmark's own: a vocabulary of news words
// combined at random into sentences of varied length, so that the parser,
// the matcher and SQLite see text shaped like news without copying anyone's.
var (
	subjects = strings.Fields(`officials ministers lawyers activists analysts residents farmers
		teachers judges prosecutors diplomats unions researchers doctors students workers reporters`)
	verbs = strings.Fields(`said warned argued confirmed denied reported announced suggested
		insisted claimed noted explained acknowledged rejected welcomed criticised`)
	extras = strings.Fields(`on Monday on Tuesday late on Wednesday this week after months of delay
		in the capital near the border according to local media despite strong opposition
		before the summit amid rising prices following the storm ahead of the vote`)
	adjectives = strings.Fields(`new controversial long-awaited disputed regional national
		temporary unprecedented modest sweeping limited unexpected`)
	topics = strings.Fields(`water energy housing transport health education courts farming
		fisheries tourism railways ports taxes pensions`)
)

// trackedSpellings name the benchmark's tracked people the way news does:
// several transliterations, a French form, Arabic script.
var trackedSpellings = []string{
	"Ali Aarrass", "Ali Aarass", "Aarras", "M. Ali Aarrass", "علي أعراس",
	"Mohamed Hajib", "Mohammed Hajib", "Hajib",
}

// lexicon is a deterministic vocabulary of a few thousand pseudo-words
// built from syllables. News text has a large vocabulary: with only the
// word lists above every item would look alike to the near-duplicate
// fingerprint and to gzip, which real feeds do not.
var lexicon = func() []string {
	syl := strings.Fields("ba ko ri su te la mi no pa re si to va de gu ne ho ka li mo ru sa ti be da fo ga ju ma ni po ra se tu vi ze")
	r := rand.New(rand.NewPCG(7, 11))
	seen := map[string]bool{}
	var out []string
	for len(out) < 6000 {
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		if r.IntN(3) == 0 {
			b.WriteString([]string{"n", "s", "r", "l", "t"}[r.IntN(5)])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}()

var functionWords = strings.Fields("the of and to in a that for on with as by at from said its was were is has have will would")

// word picks a vocabulary word with a Zipf-like skew, as in real text.
func word(r *rand.Rand) string {
	switch n := r.IntN(10); {
	case n < 3:
		return functionWords[r.IntN(len(functionWords))]
	case n < 5:
		all := [][]string{subjects, verbs, adjectives, topics}
		l := all[r.IntN(len(all))]
		return l[r.IntN(len(l))]
	default:
		// Squaring a uniform number favours the head of the lexicon.
		f := r.Float64()
		return lexicon[int(f*f*float64(len(lexicon)))]
	}
}

// sentence writes one pseudo-random news sentence of 8–30 words.
func sentence(r *rand.Rand, b *strings.Builder) {
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	subj := pick(subjects)
	b.WriteString(strings.ToUpper(subj[:1]) + subj[1:])
	fmt.Fprintf(b, " %s", pick(verbs))
	for i := range 6 + r.IntN(22) {
		b.WriteByte(' ')
		switch {
		case i == 4 && r.IntN(2) == 0:
			b.WriteString(pick(extras))
		case r.IntN(40) == 0:
			fmt.Fprintf(b, "%d", 1+r.IntN(2030))
		default:
			b.WriteString(word(r))
		}
	}
	if r.IntN(4) == 0 {
		fmt.Fprintf(b, ", %s %s", pick(subjects), pick(verbs))
	}
	b.WriteString(". ")
}

// paragraph writes sentences until about size bytes.
func paragraph(r *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size {
		sentence(r, &b)
	}
	return strings.TrimSpace(b.String())
}

// mentionSentence names a tracked person in one of the spellings.
func mentionSentence(r *rand.Rand) string {
	name := trackedSpellings[r.IntN(len(trackedSpellings))]
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("Supporters of %s said he had been mistreated in detention and asked for an independent inquiry.", name)
	case 1:
		return fmt.Sprintf("A commentator dismissed the claims of %s as fabrications spread by foreign groups.", name)
	default:
		return fmt.Sprintf("The court adjourned the case of %s until next month, his lawyer said.", name)
	}
}

// Spec says what one generated feed holds.
type Spec struct {
	Index  int
	Items  int
	Atom   bool
	Base   string // server URL, for item links
	Posted time.Time
}

// feedSeed keeps every feed's text the same across runs and processes.
func feedSeed(i int) *rand.Rand { return rand.New(rand.NewPCG(uint64(i)+1, 0x6e6577736d6f6e)) }

// Feed renders feed s.Index: RSS 2.0, or Atom when s.Atom. Descriptions
// are 2–5 KB of HTML paragraphs; about 2% of items name a tracked person.
// Item j links to s.Base/a/INDEX/j.html.
func Feed(s Spec) []byte {
	r := feedSeed(s.Index)
	var b bytes.Buffer
	b.Grow(s.Items * 4096)
	title := fmt.Sprintf("Daily %s bulletin %d", topics[s.Index%len(topics)], s.Index)
	if s.Atom {
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title><id>%s/feeds/%d</id><updated>%s</updated>`+"\n",
			title, s.Base, s.Index, s.Posted.Format(time.RFC3339))
	} else {
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<rss version="2.0"><channel><title>%s</title><link>%s/</link><description>News about %s</description><language>en</language>`+"\n",
			title, s.Base, topics[s.Index%len(topics)])
	}
	for j := range s.Items {
		desc := itemHTML(r)
		if r.IntN(50) == 0 {
			desc += "<p>" + html.EscapeString(mentionSentence(r)) + "</p>"
		}
		headline := strings.TrimSuffix(paragraph(r, 40), ".")
		link := fmt.Sprintf("%s/a/%d/%d.html", s.Base, s.Index, j)
		when := s.Posted.Add(-time.Duration(j) * 37 * time.Minute)
		if s.Atom {
			fmt.Fprintf(&b, "<entry><title>%s</title><link href=\"%s\"/><id>urn:bench:%d:%d</id><updated>%s</updated><author><name>Desk %d</name></author><content type=\"html\">%s</content></entry>\n",
				html.EscapeString(headline), link, s.Index, j, when.Format(time.RFC3339), j%7, html.EscapeString(desc))
		} else {
			fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">bench-%d-%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
				html.EscapeString(headline), link, s.Index, j, when.Format(time.RFC1123Z), html.EscapeString(desc))
		}
	}
	if s.Atom {
		b.WriteString("</feed>\n")
	} else {
		b.WriteString("</channel></rss>\n")
	}
	return b.Bytes()
}

// itemHTML is a 2–5 KB description of a few paragraphs.
func itemHTML(r *rand.Rand) string {
	size := 2048 + r.IntN(3072)
	var b strings.Builder
	for b.Len() < size {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(paragraph(r, 300+r.IntN(600))))
		b.WriteString("</p>")
	}
	return b.String()
}

// Page renders the article page an item links to: a realistic page of
// about 40–90 KB with head, navigation, scripts, the article (5–12 KB of
// text) and a footer of links, so extraction has boilerplate to drop.
func Page(feed, item int) []byte {
	r := rand.New(rand.NewPCG(uint64(feed)<<20|uint64(item), 0x70616765))
	var b bytes.Buffer
	b.Grow(64 << 10)
	headline := strings.TrimSuffix(paragraph(r, 50), ".")
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s | Bench News</title>`, html.EscapeString(headline))
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1">`)
	fmt.Fprintf(&b, `<meta property="og:title" content="%s"><meta name="author" content="Desk %d">`, html.EscapeString(headline), item%7)
	b.WriteString("<style>")
	for i := range 150 + r.IntN(150) {
		fmt.Fprintf(&b, ".c%d{margin:%dpx;padding:%dpx;color:#%06x}", i, r.IntN(20), r.IntN(20), r.IntN(1<<24))
	}
	b.WriteString("</style><script>")
	for i := range 100 + r.IntN(150) {
		fmt.Fprintf(&b, "window.cfg%d={id:%d,slot:'ad-%d',lazy:true};", i, r.IntN(1e6), i)
	}
	b.WriteString("</script></head><body><header><nav><ul>")
	for _, t := range topics {
		fmt.Fprintf(&b, `<li><a href="/section/%s">%s</a></li>`, t, t)
	}
	b.WriteString(`</ul></nav></header><main><article><h1>`)
	b.WriteString(html.EscapeString(headline))
	fmt.Fprintf(&b, `</h1><p class="byline">By Desk %d</p><time datetime="2024-05-04T09:00:00Z">4 May 2024</time>`, item%7)
	size := 5000 + r.IntN(7000)
	for n := 0; n < size; {
		p := paragraph(r, 300+r.IntN(700))
		n += len(p)
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	if r.IntN(50) == 0 {
		b.WriteString("<p>" + html.EscapeString(mentionSentence(r)) + "</p>")
	}
	b.WriteString(`</article><aside><h2>Most read</h2><ul>`)
	for i := range 20 {
		fmt.Fprintf(&b, `<li><a href="/a/%d/%d.html">%s</a></li>`, r.IntN(1000), i, html.EscapeString(strings.TrimSuffix(paragraph(r, 40), ".")))
	}
	b.WriteString(`</ul></aside></main><footer>`)
	for i := range 60 {
		fmt.Fprintf(&b, `<a href="/page/%d">Footer link %d</a> `, i, i)
	}
	b.WriteString(`<p>All rights reserved.</p></footer></body></html>`)
	return b.Bytes()
}
