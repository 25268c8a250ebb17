package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// boilerplateEN is page furniture present in every English fixture that
// must never reach Article.Text.
var boilerplateEN = []string{
	"Skip to main content", "We use cookies", "Accept all cookies", "Cookie policy", "Log in",
	"Share on Facebook", "Share on Twitter", "Get our weekly briefing", "Sign up for our newsletter",
	"comment", "Related articles", "All rights reserved", "Donate", "About us",
	"twttr", "widgets.js", "dataLayer", "gtag",
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFromHTMLGolden(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		pageURL     string
		want        []string // sentences of the body that must survive
		notWant     []string // boilerplate in addition to boilerplateEN
		boilerplate []string // replaces boilerplateEN for non-English pages
		published   time.Time
		author      string
		site        string
		language    string
	}{
		{
			name:        "en_jsonld",
			contentType: "text/html; charset=utf-8",
			pageURL:     "https://monitor.example.org/news/2023/ouazzani-medical-check?utm_source=feed",
			want: []string{
				"asked the authorities to allow an independent doctor to examine Samir Ouazzani",
				"whose surname is also spelled Ouazani in court papers",
				"The coalition plans to raise the case at the next session of the UN Human Rights Council in Geneva.",
			},
			notWant:     []string{"Hunger strike enters third week", "Where can I send a letter", "Helen Marsh"},
			boilerplate: boilerplateEN,
			published:   time.Date(2023, 6, 14, 7, 30, 0, 0, time.UTC),
			author:      "Helen Marsh",
			site:        "Northern Rights Monitor",
			language:    "en",
		},
		{
			name:        "fr_published_time",
			contentType: "text/html; charset=UTF-8",
			pageURL:     "https://courrier-littoral.example.fr/justice/proces-ouazzani",
			want: []string{
				"L'audience consacrée au dossier de Samir Ouazzani a repris jeudi",
				"« Mon client n'a jamais lu le procès-verbal qu'on lui a fait signer »",
				"Le verdict est attendu à la fin du mois.",
			},
			boilerplate: []string{
				"Aller au contenu", "cookies", "Se connecter", "Partager sur", "newsletter", "Recevez notre lettre",
				"commentaire", "À lire aussi", "Tous droits réservés", "Merci pour ce compte rendu", "Accueil",
			},
			published: time.Date(2022, 11, 3, 17, 5, 0, 0, time.UTC),
			author:    "Claire Dumont",
			site:      "Le Courrier du Littoral",
			language:  "fr",
		},
		{
			name:        "ar_windows1256",
			contentType: "", // no header, no meta charset: the bytes must be detected
			pageURL:     "https://marsad.example.org/news/1234",
			want: []string{
				"طالبت عدة منظمات حقوقية يوم الاثنين السلطات بالسماح لطبيب مستقل بزيارة المعتقل سمير الوزاني",
				"ومن المنتظر أن تعقد المحكمة جلستها المقبلة في الشهر القادم للنظر في طلبات الدفاع.",
			},
			boilerplate: []string{
				"انتقل إلى المحتوى الرئيسي", "ملفات تعريف الارتباط", "تسجيل الدخول", "شارك على", "النشرة البريدية",
				"مقالات ذات صلة", "شكرا على متابعة", "جميع الحقوق محفوظة", "\uFFFD",
			},
			published: time.Date(2021, 9, 20, 10, 0, 0, 0, time.UTC),
			author:    "يوسف العلمي", // from the byline markup, found by the library
			site:      "مرصد الحقوق",
			language:  "ar",
		},
		{
			name:        "cp1252_false_utf8",
			contentType: "text/html; charset=utf-8", // a lie: the bytes are windows-1252
			pageURL:     "https://harbour-gazette.example.com/courts/cafe-owner-testifies",
			want: []string{
				"José Müller, who runs a café near the courthouse",
				"“He was behind the counter until closing time – I remember because we argued about the price of coffee,”",
				"which total €1,240 for that evening",
			},
			notWant:     []string{"\uFFFD", "Ã", "Defence lawyers ask for new interpreter", "Good to see a witness"},
			boilerplate: boilerplateEN,
			published:   time.Date(2020, 2, 11, 16, 45, 0, 0, time.UTC),
			author:      "Peter O’Neill",
			site:        "The Harbour Gazette",
			language:    "en",
		},
		{
			name:        "byline_date",
			contentType: "text/html",
			pageURL:     "https://civic-review.example.net/stories/families-network",
			want: []string{
				"Relatives of people held in pre-trial detention have set up an informal network",
				"“Nobody tells you what to do when your brother disappears into the system,”",
				"Its members say they intend to register the network as an association later this year.",
			},
			notWant:     []string{"How pre-trial detention works", "No comments yet"},
			boilerplate: boilerplateEN,
			published:   time.Date(2021, 3, 3, 0, 0, 0, 0, time.UTC),
			site:        "civic-review.example.net", // no site metadata: the host
			language:    "en",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromHTML(body, tt.contentType, mustURL(t, tt.pageURL))
			if err != nil {
				t.Fatalf("FromHTML: %v", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(got.Text, s) {
					t.Errorf("text lacks %q\ntext:\n%s", s, got.Text)
				}
			}
			for _, s := range append(tt.boilerplate, tt.notWant...) {
				if strings.Contains(strings.ToLower(got.Text), strings.ToLower(s)) {
					t.Errorf("text contains boilerplate %q\ntext:\n%s", s, got.Text)
				}
			}
			if !strings.Contains(got.Text, "\n\n") || strings.Contains(got.Text, "\n\n\n") {
				t.Errorf("paragraphs not separated by exactly one blank line:\n%q", got.Text)
			}
			if !got.Published.Equal(tt.published) || got.Published.Location() != time.UTC {
				t.Errorf("Published = %v, want %v in UTC", got.Published, tt.published)
			}
			if got.Author != tt.author {
				t.Errorf("Author = %q, want %q", got.Author, tt.author)
			}
			if got.Site != tt.site {
				t.Errorf("Site = %q, want %q", got.Site, tt.site)
			}
			if got.Language != tt.language {
				t.Errorf("Language = %q, want %q", got.Language, tt.language)
			}
			checkGolden(t, tt.name, got)
		})
	}
}

// checkGolden compares the whole Article with testdata/name.golden.json,
// which -update rewrites.
func checkGolden(t *testing.T, name string, got Article) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.json")
	gotJSON, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	gotJSON = append(gotJSON, '\n')
	if *update {
		if err := os.WriteFile(path, gotJSON, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantJSON, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	var want Article
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		t.Fatalf("parse golden: %v", err)
	}
	if !got.Published.Equal(want.Published) {
		t.Errorf("Published = %v, golden %v", got.Published, want.Published)
	}
	got.Published, want.Published = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("article differs from %s (run with -update after checking):\ngot:\n%s", path, gotJSON)
	}
}

func TestFromHTMLTitleAndCanonical(t *testing.T) {
	tests := []struct {
		name, pageURL, title, canonical string
	}{
		// Relative canonical resolved against the page; the site suffix of <title> is not in the title.
		{"en_jsonld", "https://monitor.example.org/x?utm_source=feed",
			"Rights monitors demand independent medical check for detained activist Samir Ouazzani",
			"https://monitor.example.org/news/2023/ouazzani-medical-check"},
		// og:url used when there is no <link rel=canonical>.
		{"fr_published_time", "https://courrier-littoral.example.fr/amp/1",
			"Procès de Samir Ouazzani : la défense dénonce des aveux obtenus sous la contrainte",
			"https://courrier-littoral.example.fr/justice/proces-ouazzani"},
		{"byline_date", "https://civic-review.example.net/s/1", "Families of detainees form a support network", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.name+".html"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromHTML(body, "text/html", mustURL(t, tt.pageURL))
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != tt.title {
				t.Errorf("Title = %q, want %q", got.Title, tt.title)
			}
			if got.Canonical != tt.canonical {
				t.Errorf("Canonical = %q, want %q", got.Canonical, tt.canonical)
			}
		})
	}
}

func TestFromHTMLSiteFallsBackToHost(t *testing.T) {
	page := []byte(`<html><head><title>Short note</title></head><body><article><p>` +
		strings.Repeat("A plain sentence about a court hearing that went on for hours. ", 10) +
		`</p></article></body></html>`)
	got, err := FromHTML(page, "text/html", mustURL(t, "https://www.example.com/a/b"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Site != "example.com" {
		t.Errorf("Site = %q, want host without www", got.Site)
	}
	if !got.Published.IsZero() {
		t.Errorf("Published = %v, want zero for a page without any date", got.Published)
	}
}

func TestFromHTMLErrors(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	tests := []struct {
		name        string
		body        []byte
		contentType string
		opts        Options
		want        error
	}{
		{"pdf declared", pdf, "application/pdf", DefaultOptions(), ErrNotHTML},
		{"pdf undeclared", pdf, "", DefaultOptions(), ErrNotHTML},
		{"png mislabelled octet-stream", png, "application/octet-stream", DefaultOptions(), ErrNotHTML},
		{"json", []byte(`{"items":[]}`), "application/json", DefaultOptions(), ErrNotHTML},
		{"plain text without markup", []byte("just some words\n"), "text/plain", DefaultOptions(), ErrNotHTML},
		{"over MaxBytes", []byte("<html><body><p>" + strings.Repeat("x", 2000) + "</p></body></html>"), "text/html",
			Options{MaxBytes: 1000}, ErrTooLarge},
		{"nesting beyond the parser's limit", []byte("<html><body>" + strings.Repeat("<div>", 200_000) + "</body></html>"), "text/html",
			DefaultOptions(), ErrTooLarge},
		{"inline nesting beyond the parser's limit", []byte("<html><body>" + strings.Repeat("<b><i>", 20_000) + "</body></html>"), "text/html",
			DefaultOptions(), ErrTooLarge},
		{"over MaxElements", []byte("<html><body>" + strings.Repeat("<p>x</p>", 500) + "</body></html>"), "text/html",
			Options{MaxElements: 100}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromHTMLOptions(tt.body, tt.contentType, mustURL(t, "https://example.org/f"), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "extract article from https://example.org/f: ") {
				t.Errorf("error %q does not say what was being done", err)
			}
		})
	}
}

func TestFromHTMLHostile(t *testing.T) {
	sentence := "The court heard the defence witness for a second day and adjourned until Monday. "
	article := "<article><h1>Hearing</h1><p>" + strings.Repeat(sentence, 8) + "</p></article>"
	tests := []struct {
		name     string
		body     []byte
		wantText bool // the article must still be found
	}{
		// Deeper than DefaultOptions.MaxDepth but within the parser's limit: pruned, article kept.
		{"nesting 400 deep", []byte("<html><body>" + article + strings.Repeat("<div>", 400) + "x" + "</body></html>"), true},
		{"huge attribute", []byte(`<html><body><div data-x="` + strings.Repeat("a", 4<<20) + `">` + article + "</div></body></html>"), true},
		{"invalid bytes", []byte("<html><body><article><p>" + strings.Repeat(sentence+"\xff\xfe\xc3\x28 ", 8) + "</p></article></body></html>"), true},
		{"unterminated", []byte("<html><body><p>" + strings.Repeat(sentence, 8) + "<script>if (a < b) {"), true},
		{"huge json-ld", []byte(`<html><head><script type="application/ld+json">[` + strings.Repeat("[", 100_000) + `</script></head><body>` + article + "</body></html>"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromHTML(tt.body, "text/html", mustURL(t, "https://example.org/h"))
			if err != nil {
				t.Fatalf("FromHTML: %v", err)
			}
			checkValidUTF8(t, got)
			if tt.wantText && !strings.Contains(got.Text, "adjourned until Monday") {
				t.Errorf("article text lost:\n%.300s", got.Text)
			}
		})
	}
}

func checkValidUTF8(t *testing.T, a Article) {
	t.Helper()
	for name, s := range map[string]string{
		"Title": a.Title, "Text": a.Text, "Author": a.Author, "Site": a.Site, "Language": a.Language, "Canonical": a.Canonical,
	} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
	}
	if !a.Published.IsZero() && a.Published.Location() != time.UTC {
		t.Errorf("Published %v not in UTC", a.Published)
	}
}

func FuzzFromHTML(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.html"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "text/html")
		f.Add(b, "")
	}
	f.Add([]byte("<html><body><div><div><p>x\xff</p>"), "text/html; charset=windows-1256")
	f.Add([]byte("\xfe\xff\x00<\x00p\x00>"), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		a, err := FromHTMLOptions(body, contentType, nil, Options{MaxBytes: 1 << 20, MaxDepth: 64, MaxElements: 20_000})
		if err != nil {
			return
		}
		checkValidUTF8(t, a)
	})
}

// benchmarkPage builds a page of about 100 KB shaped like a real news page:
// most of the bytes are navigation, scripts and related links around an
// article of a few thousand words.
func benchmarkPage(tb testing.TB) []byte {
	tb.Helper()
	base, err := os.ReadFile(filepath.Join("testdata", "en_jsonld.html"))
	if err != nil {
		tb.Fatal(err)
	}
	var nav, paras, script strings.Builder
	for i := range 700 {
		fmt.Fprintf(&nav, `<li class="menu-item menu-item-type-taxonomy"><a href="/section/%d">Section %d</a></li>`, i, i)
	}
	for i := range 60 {
		fmt.Fprintf(&paras, "<p>Paragraph %d of the hearing report: the defence described the conditions of detention, "+
			"the delays in the procedure and the repeated refusals of medical visits, while the prosecution maintained its charges.</p>\n", i)
	}
	script.WriteString("<script>var config = {")
	for i := range 1500 {
		fmt.Fprintf(&script, `"k%d":"v%d",`, i, i)
	}
	script.WriteString("};</script>")
	page := string(base)
	page = strings.Replace(page, "<ul>", "<ul>"+nav.String(), 1)
	page = strings.Replace(page, "<h2>Calls for access</h2>", paras.String()+"<h2>Calls for access</h2>", 1)
	page = strings.Replace(page, "</head>", script.String()+"</head>", 1)
	return []byte(page)
}

func BenchmarkFromHTML(b *testing.B) {
	page := benchmarkPage(b)
	u := mustURL(b, "https://monitor.example.org/news/2023/ouazzani-medical-check")
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromHTML(page, "text/html", u); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchmarkPageIsRealistic(t *testing.T) {
	page := benchmarkPage(t)
	if n := len(page); n < 80_000 || n > 130_000 {
		t.Fatalf("benchmark page is %d bytes, want about 100 KB", n)
	}
	a, err := FromHTML(page, "text/html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Paragraph 59 of the hearing report") || strings.Contains(a.Text, "Section 12") {
		t.Errorf("benchmark page does not extract like an article:\n%.500s", a.Text)
	}
	if !bytes.Contains(page, []byte("Section 399")) {
		t.Error("navigation padding missing")
	}
}
