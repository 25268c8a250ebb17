package extract

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestScanDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: no date
	}{
		{"Published 3 March 2021 · By Jane Roe", day(2021, 3, 3)},
		{"Updated: March 3rd, 2021", day(2021, 3, 3)},
		{"Sept. 14, 2019 at 9:02 am", day(2019, 9, 14)},
		{"Monday, 2 Dec 2019", day(2019, 12, 2)},
		{"Publié le 1er février 2022 à 18h00", day(2022, 2, 1)},
		{"mis à jour le 12 aout 2020", day(2020, 8, 12)},
		{"نشر في 20 سبتمبر 2021", day(2021, 9, 20)},
		{"نشر في ٢٠ سبتمبر ٢٠٢١", day(2021, 9, 20)},
		{"الأحد 5 تشرين الأول 2019", day(2019, 10, 5)},
		{"الرباط، 14 شتنبر 2023", day(2023, 9, 14)},
		{"الجزائر، 3 جوان 2020", day(2020, 6, 3)},
		{"posted 2018-10-09 by admin", day(2018, 10, 9)},
		// The first of two dates is the publication.
		{"Published 3 March 2021, updated 5 March 2021", day(2021, 3, 3)},
		{"Updated 2021-03-05; first published 3 March 2021", day(2021, 3, 5)},
		// Not dates, or not full ones.
		{"03/04/2021", time.Time{}},
		{"March 2021", time.Time{}},
		{"31 April 2021", time.Time{}},
		{"Theresa May 2019 speech", time.Time{}},
		{"remark 3 mars 20215", time.Time{}},
		{"1 January 1850", time.Time{}}, // implausible for a news page
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := scanDate(tt.in)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("scanDate(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
}

func TestFindTextDate(t *testing.T) {
	tests := []struct {
		name, body string
		want       time.Time
	}{
		{"class hint", `<div class="story-meta"><span>By Jane Roe</span><em>November 15, 2019</em></div><p>Text 1 January 2001.</p>`, day(2019, 11, 15)},
		{"adjacent elements keep apart", `<div class="byline"><a>Jane Roe</a><em>November 15, 2019</em></div>`, day(2019, 11, 15)},
		{"label without hint", `<p>Published 3 March 2021 · By Jane Roe</p>`, day(2021, 3, 3)},
		{"date in body text is not a byline", `<p>The hearing on 3 March 2021 was postponed.</p>`, time.Time{}},
		{"comments skipped", `<section class="comments"><span class="date">4 May 2020</span></section>`, time.Time{}},
		{"related list skipped", `<aside><span class="date">4 May 2020</span></aside><div class="meta">5 May 2020</div>`, day(2020, 5, 5)},
		{"long hinted block ignored", `<div class="article-info">` + strings.Repeat("words ", 50) + `4 May 2020</div>`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader("<html><body>" + tt.body + "</body></html>"))
			if err != nil {
				t.Fatal(err)
			}
			if got := findTextDate(doc); !got.Equal(tt.want) {
				t.Errorf("findTextDate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTrimByline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"By Jane Roe", "Jane Roe"},
		{"par Claire Dumont", "Claire Dumont"},
		{"بقلم يوسف العلمي", "يوسف العلمي"},
		{"Associated Press November 19, 2019, 9:02 AM", "Associated Press"},
		{"Jeff FoustMonday, November 18, 2019", "Jeff Foust"},
		{"Jeff Foust — November 18, 2019", "Jeff Foust"},
		{"FEDERICA LUSIARDI - 2019-04-10", "FEDERICA LUSIARDI"},
		{"Theresa May", "Theresa May"},
		{"Bylines are often long sentences that describe the author and their career in detail, not names", ""},
	}
	for _, tt := range tests {
		if got := trimByline(tt.in); got != tt.want {
			t.Errorf("trimByline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"https://www.example.com/2019/11/19/opinion/slug.html", day(2019, 11, 19)},
		{"https://example.com/news/2019-11-19-slug", day(2019, 11, 19)},
		{"https://example.com/2019/11/slug", time.Time{}},
		{"https://example.com/article/3834/1", time.Time{}},
		{"https://example.com/2019/13/45/slug", time.Time{}},
	}
	for _, tt := range tests {
		if got := urlDate(mustURL(t, tt.in)); !got.Equal(tt.want) {
			t.Errorf("urlDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := urlDate(nil); !got.IsZero() {
		t.Errorf("urlDate(nil) = %v", got)
	}
}

func TestCleanTextDropsDatelines(t *testing.T) {
	in := "By Peter Roe · 11 February 2020\n\nBy Tuesday the court had heard four witnesses.\n\n" +
		"Published 3 March 2021 · By Rosa Lind\n\nThe verdict was given on 3 March 2021."
	want := "By Tuesday the court had heard four witnesses.\n\nThe verdict was given on 3 March 2021."
	if got := cleanText(in); got != want {
		t.Errorf("cleanText:\n got %q\nwant %q", got, want)
	}
}

func TestFromHTMLMarkupAuthorAndURLDate(t *testing.T) {
	page := `<html><head><title>Hearing</title></head><body><article><h1>Hearing</h1>
<div class="entry-meta"><span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/jr">Jane Roe</a></span></span></div>
<p>` + strings.Repeat("The court heard the defence witness for a second day and adjourned until Monday. ", 8) + `</p>
<section class="comments"><div class="comment"><a rel="author" href="/u/1">Commenter</a></div></section>
</article></body></html>`
	got, err := FromHTML([]byte(page), "text/html", mustURL(t, "https://example.org/2022/05/17/hearing"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Author != "Jane Roe" {
		t.Errorf("Author = %q, want Jane Roe", got.Author)
	}
	if !got.Published.Equal(day(2022, 5, 17)) {
		t.Errorf("Published = %v, want the date in the URL", got.Published)
	}
	if strings.HasPrefix(got.Text, "Hearing") {
		t.Errorf("Text repeats the title:\n%.100s", got.Text)
	}
}
