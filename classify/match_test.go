package classify

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var testPeople = []Person{
	{Name: "Ali Aarrass", Aliases: []string{"علي أعراس"}},
	{Name: "Mohamed Hajib"},
	{Name: "Alaa Abd El-Fattah"},
	{Name: "Soulaimane Raissouni"},
	{Name: "Hajar Raissouni"},
	{Name: "Walter White"},
	{Name: "Omar Radi"},
}

func mustMatcher(t testing.TB, people []Person) *Matcher {
	t.Helper()
	m, err := NewMatcher(people)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// render shows mentions as "Person=Spelling" joined by "; ".
func render(ms []Mention) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.Person + "=" + m.Spelling
	}
	return strings.Join(parts, "; ")
}

func TestMatch(t *testing.T) {
	m := mustMatcher(t, testPeople)
	tests := []struct {
		name, text, want string
	}{
		{"full name", "Ali Aarrass was released.", "Ali Aarrass=Ali Aarrass"},
		{"spelling variants",
			"Aarrass spoke. Later Aarass repeated it, and Aarras left.",
			"Ali Aarrass=Aarrass; Ali Aarrass=Aarass; Ali Aarrass=Aarras"},
		{"case and accents", "ALI AARRASS and àli aärrass", "Ali Aarrass=ALI AARRASS; Ali Aarrass=àli aärrass"},
		{"possessive straight", "Aarrass's lawyer", "Ali Aarrass=Aarrass"},
		{"possessive curly", "Aarrass’s lawyer", "Ali Aarrass=Aarrass"},
		{"french elision", "la libération d'Aarrass et l’Aarrass", "Ali Aarrass=Aarrass; Ali Aarrass=Aarrass"},
		{"word boundary", "Aarrassian Hajibs", ""},
		{"arabic alias", "أطلق سراح علي أعراس اليوم", "Ali Aarrass=علي أعراس"},
		{"arabic hamza tatweel harakat", "علي اعـــراس و عَلِي إعْرَاس", "Ali Aarrass=علي اعـــراس; Ali Aarrass=عَلِي إعْرَاس"},
		{"arabic bare surname", "قال اعراس", "Ali Aarrass=اعراس"},
		{"el-fattah hyphen", "Alaa Abd El-Fattah", "Alaa Abd El-Fattah=Alaa Abd El-Fattah"},
		{"el fattah split", "Alaa Abd El Fattah", "Alaa Abd El-Fattah=Alaa Abd El Fattah"},
		{"abdel fattah", "Alaa Abdel Fattah", "Alaa Abd El-Fattah=Alaa Abdel Fattah"},
		{"abdelfattah joined", "Alaa Abdelfattah", "Alaa Abd El-Fattah=Alaa Abdelfattah"},
		{"bare compound surname", "the blogger Abd El-Fattah", "Alaa Abd El-Fattah=Abd El-Fattah"},
		{"given name alone", "Ali said that Mohamed left", ""},
		{"relative", "his sister Farida Aarrass said", ""},
		{"relative variant spelling", "Farida Aarass campaigns", ""},
		{"relative then person", "Farida Aarrass defends Ali Aarrass", "Ali Aarrass=Ali Aarrass"},
		{"sentence start is the person", "Aarrass said he was tortured.", "Ali Aarrass=Aarrass"},
		{"sentence-start word", "Yesterday Aarrass said no.", "Ali Aarrass=Aarrass"},
		{"title", "Mr Aarrass and Mr. Hajib and M. Aarrass", "Ali Aarrass=Aarrass; Mohamed Hajib=Hajib; Ali Aarrass=Aarrass"},
		{"adjective after determiner", "the Belgian-Moroccan Aarrass", "Ali Aarrass=Aarrass"},
		{"common-word surname alone", "a white van and White said", ""},
		{"common-word surname with full name", "Walter White spoke. White said the white van left.",
			"Walter White=Walter White; Walter White=White"},
		{"shared surname, one named", "Soulaimane Raissouni was jailed. Raissouni went on hunger strike.",
			"Soulaimane Raissouni=Soulaimane Raissouni; Soulaimane Raissouni=Raissouni"},
		{"shared surname, both named", "Soulaimane Raissouni and Hajar Raissouni. Raissouni spoke.",
			"Soulaimane Raissouni=Soulaimane Raissouni; Hajar Raissouni=Hajar Raissouni"},
		{"shared surname, none named", "Raissouni spoke.", ""},
		{"name split by punctuation", "Ali. Aarrass", "Ali Aarrass=Aarrass"},
		{"two people in order", "Hajib and Radi met Aarrass", "Mohamed Hajib=Hajib; Omar Radi=Radi; Ali Aarrass=Aarrass"},
		{"surname as a place", "Troops left Radi. The town of Radi is quiet.", ""},
		{"surname as a place, person in full", "Omar Radi left the town of Radi. Radi spoke.",
			"Omar Radi=Omar Radi; Omar Radi=Radi; Omar Radi=Radi"},
		{"surname, no place", "Troops left Radi. Radi said so.", "Omar Radi=Radi; Omar Radi=Radi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := m.Match(tt.text)
			if got := render(ms); got != tt.want {
				t.Errorf("Match(%q)\n got: %s\nwant: %s", tt.text, got, tt.want)
			}
			checkMentions(t, tt.text, ms)
		})
	}
}

func checkMentions(t testing.TB, text string, ms []Mention) {
	t.Helper()
	for i, mn := range ms {
		if mn.Start < 0 || mn.End > len(text) || mn.Start > mn.End || text[mn.Start:mn.End] != mn.Spelling {
			t.Fatalf("mention %+v is not text[%d:%d]", mn, mn.Start, mn.End)
		}
		if i > 0 && ms[i-1].Start > mn.Start {
			t.Fatalf("mentions out of order: %+v before %+v", ms[i-1], mn)
		}
	}
}

func TestNewMatcherErrors(t *testing.T) {
	tests := []struct {
		name   string
		people []Person
		want   string
	}{
		{"empty name", []Person{{Name: " "}}, "empty name"},
		{"duplicate", []Person{{Name: "Omar Radi"}, {Name: "Omar Radi"}}, "duplicate name"},
		{"shared spelling", []Person{{Name: "Omar Radi"}, {Name: "Omar Raddi"}}, "also a spelling"},
		{"no letters", []Person{{Name: "Omar Radi", Aliases: []string{"--"}}}, "no letters"},
		{"a number", []Person{{Name: "Omar Radi", Aliases: []string{"1"}}}, "no letters"},
		{"a number in signs", []Person{{Name: "Omar Radi", Aliases: []string{"(#1)"}}}, "no letters"},
		{"a lone letter", []Person{{Name: "Omar Radi", Aliases: []string{"R."}}}, "single letter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMatcher(tt.people)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := mustMatcher(t, testPeople)
	text := "Ali Aarrass met Mohamed Hajib. Aarrass said so."
	want := render(m.Match(text))
	done := make(chan string)
	for g := 0; g < 8; g++ {
		go func() {
			var got string
			for i := 0; i < 200; i++ {
				got = render(m.Match(text))
				if got != want {
					break
				}
			}
			done <- got
		}()
	}
	for g := 0; g < 8; g++ {
		if got := <-done; got != want {
			t.Errorf("concurrent Match = %s, want %s", got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"Ali Aarrass's", "d’Aarrass", "علي اعـراس", "Abd El-Fattah", "\xff\xfeAarrass", "Farida Aarrass", "0000 A'rAs"} {
		f.Add(s)
	}
	m := mustMatcher(f, testPeople)
	f.Fuzz(func(t *testing.T, text string) {
		got := m.Match(text)
		checkMentions(t, text, got)
		if want := matchWithoutPrefilter(m, text); !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%q) = %+v, but without the mayMention scan %+v", text, got, want)
		}
		// What the pipeline relies on to skip joining title and text.
		a, b := text[:len(text)/2], text[len(text)/2:]
		if joined, either := m.MayMention(a+"\n\n"+b), m.MayMention(a) || m.MayMention(b); joined != either {
			t.Errorf("MayMention(%q + blank line + %q) = %v, but on the parts %v", a, b, joined, either)
		}
	})
}

// matchWithoutPrefilter is Match without its mayMention shortcut.
func matchWithoutPrefilter(m *Matcher, text string) []Mention {
	var tk tokenizer
	tk.tokenize(text)
	return m.matchTokenized(&tk, text)
}

// TestMayMentionIsExact checks that the quick scan never hides a mention:
// on every corpus document and on texts built to sit at its edges, Match
// finds what the full tokenisation finds. It also checks that the scan does
// rule out texts, or it would be a cost and not a saving.
func TestMayMentionIsExact(t *testing.T) {
	m := mustMatcher(t, testPeople)
	texts := []string{
		"",
		"The harbour reopened on Monday after a week of strikes.",
		"Abdelfattah wrote from prison.",            // particle-joined surname, one word
		"Alaa Abd El-Fattah wrote from prison.",     // particle then surname
		"Abdel Fattah wrote from prison.",           // another particle, the same surname
		"al Raissouni and Al-Radi, after all.",      // particles no surname begins with
		"Ben Radi and ben Hajib were there too.",    // capitalised, or before a capital
		"ÀARRASS, in capitals with an accent.",      // non-ASCII first letter
		"l’Aarrass et d'Aarras",                     // French elision
		"Aarass's lawyer said so.",                  // possessive
		"أعراس في السجن",                            // Arabic script
		"Hajib́ with a combining mark",              // mark inside a word
		"́Hajib starts with a mark",                 // word starting with a mark
		"Radi, Raissouni and White were mentioned.", // bare surnames
		"Ali Aarrass with a no-break space",         // non-ASCII separator
		"x" + strings.Repeat("a", 300) + " Aarrass", // a long word before a name
		"ÿþAarrass and Ã broken UTF-8 Hajib.",       // invalid UTF-8
	}
	for _, dir := range []string{"testdata/corpus", "testdata/heldout", "testdata/blind"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("corpus %s: %d files, %v", dir, len(files), err)
		}
		for _, f := range files {
			if filepath.Base(f) == "people.json" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct{ Title, Text string }
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			texts = append(texts, doc.Title+"\n\n"+doc.Text, doc.Text)
		}
	}
	ruledOut := 0
	for _, text := range texts {
		got, want := m.Match(text), matchWithoutPrefilter(m, text)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Match(%.80q) = %+v, but without the mayMention scan %+v", text, got, want)
		}
		if !m.mayMention(new(tokenizer), text) {
			ruledOut++
			if len(want) > 0 {
				t.Errorf("mayMention ruled out %.80q, which names %+v", text, want)
			}
		}
	}
	if ruledOut == 0 {
		t.Error("mayMention ruled out no text at all")
	}
	if !m.mayMention(new(tokenizer), "Aarrass") || m.mayMention(new(tokenizer), "The harbour reopened.") {
		t.Error("mayMention: wrong answer on the plainest cases")
	}
	// "all" folds to the particle "al", "been" to "ben": a particle no
	// surname begins with, between lower-case words, begins no mention.
	if m.mayMention(new(tokenizer), "After all, they had all been to the hearing.") {
		t.Error("mayMention: a text whose only candidates are particles in lower-case words is not ruled out")
	}
}

func BenchmarkMatch(b *testing.B) {
	m := mustMatcher(b, testPeople)
	text := benchText(5000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		m.Match(text)
	}
}

// BenchmarkMatchNoMention is the common case of a general news feed: an
// article naming no tracked person, which mayMention rules out.
func BenchmarkMatchNoMention(b *testing.B) {
	m := mustMatcher(b, testPeople)
	var sb strings.Builder
	for i := 0; sb.Len() < 5000; i++ {
		fmt.Fprintf(&sb, "In paragraph %d the minister of health announced a plan for hospitals in the north. ", i)
		sb.WriteString("Analysts said the budget would have to grow, while unions asked for higher wages and shorter hours. ")
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if m.Match(text) != nil {
			b.Fatal("mention found")
		}
	}
}

// benchText builds about n bytes of article-like prose with a few mentions.
func benchText(n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, "In paragraph %d the court in Salé heard that Ali Aarrass had been held for weeks. ", i)
		sb.WriteString("Human rights groups said the detainee's confession was obtained under duress, while officials denied it. ")
		sb.WriteString("Aarass's family called for his release and his sister Farida Aarrass spoke to reporters. ")
	}
	return sb.String()
}
