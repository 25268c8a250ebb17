package fetch

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFeedCapsItemSizes(t *testing.T) {
	tests := []struct {
		name              string
		title, desc       string
		wantTitle, wantSu int // exact byte lengths after the cut
	}{
		{"small", "Court hears appeal", "<p>The hearing was adjourned.</p>", 18, 26},
		// "é" is two bytes: 2000 bytes end on a rune boundary, 1 MB too.
		{"huge two-byte runes", strings.Repeat("é", 5_000_000), "<p>" + strings.Repeat("é", 1_500_000) + "</p>", MaxTitleBytes, MaxTextBytes},
		// "€" is three bytes: the cut backs off to the last whole rune.
		{"huge three-byte runes", strings.Repeat("€", 1000), strings.Repeat("€", 400_000), MaxTitleBytes - MaxTitleBytes%3, MaxTextBytes - MaxTextBytes%3},
		// Mostly markup: the text inside is small and kept whole.
		{"markup", "Title", strings.Repeat("<b></b>", 200_000) + "<p>Kept.</p>", 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>` + tt.title +
				`</title><link>https://news.example.org/1</link><description><![CDATA[` + tt.desc + `]]></description></item></channel></rss>`
			f, err := ParseFeed([]byte(body), "https://news.example.org/feed")
			if err != nil {
				t.Fatal(err)
			}
			it := f.Items[0]
			if len(it.Title) != tt.wantTitle || !utf8.ValidString(it.Title) {
				t.Errorf("title: %d bytes (valid UTF-8 %v), want %d", len(it.Title), utf8.ValidString(it.Title), tt.wantTitle)
			}
			if len(it.Summary) != tt.wantSu || !utf8.ValidString(it.Summary) {
				t.Errorf("summary: %d bytes (valid UTF-8 %v), want %d", len(it.Summary), utf8.ValidString(it.Summary), tt.wantSu)
			}
			again, _ := ParseFeed([]byte(body), "https://news.example.org/feed")
			if again.Items[0].Hash != it.Hash {
				t.Error("the hash of a cut item changes between parses")
			}
		})
	}
}
