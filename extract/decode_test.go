package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode fixture: %v", err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const arabic = "أكدت المحكمة أن الجلسة المقبلة ستعقد في الشهر القادم للنظر في طلبات الدفاع عن المعتقل"
	const french = "Le prévenu a déclaré à l'audience qu'il n'avait jamais reçu d'interprète, « jamais »."
	const german = "Der Zeuge José Müller sagte, das Café sei bis Mitternacht geöffnet gewesen – 1.240 €."
	page := func(head, text string) string {
		return "<html><head>" + head + "<title>t</title></head><body><p>" + text + "</p></body></html>"
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string // must appear in the output
	}{
		{"utf-8 from header", []byte(page("", french)), "text/html; charset=utf-8", french},
		{"utf-8 undeclared", []byte(page("", arabic)), "", arabic},
		{"latin1 from header", encode(t, charmap.ISO8859_1, page("", french)), "text/html; charset=ISO-8859-1", french},
		{"windows-1252 from meta charset", encode(t, charmap.Windows1252, page(`<meta charset="windows-1252">`, german)), "", german},
		{"windows-1256 from meta http-equiv", encode(t, charmap.Windows1256,
			page(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">`, arabic)), "text/html", arabic},
		{"windows-1256 undeclared", encode(t, charmap.Windows1256, page("", arabic+" "+arabic)), "", arabic},
		{"windows-1256 declared utf-8 in header", encode(t, charmap.Windows1256, page("", arabic+" "+arabic)),
			"text/html; charset=utf-8", arabic},
		{"windows-1256 declared utf-8 in meta", encode(t, charmap.Windows1256, page(`<meta charset="utf-8">`, arabic+" "+arabic)),
			"", arabic},
		{"windows-1252 declared utf-8", encode(t, charmap.Windows1252, page(`<meta charset="utf-8">`, german+" "+french)),
			"text/html; charset=UTF-8", german},
		{"utf-8 declared windows-1252", []byte(page(`<meta charset="windows-1252">`, german)), "text/html; charset=windows-1252", german},
		{"utf-8 bom overrides header", append([]byte("\xef\xbb\xbf"), page("", french)...), "text/html; charset=iso-8859-1", french},
		{"utf-16le bom", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), page("", arabic)), "", arabic},
		{"unknown charset label", []byte(page("", french)), "text/html; charset=x-made-up", french},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.body, tt.contentType)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !utf8.ValidString(got) {
				t.Fatal("output is not valid UTF-8")
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, got)
			}
			if strings.HasPrefix(got, "\uFEFF") {
				t.Error("byte order mark left in output")
			}
		})
	}
}

func TestDecodeInvalidBytesNeverReachOutput(t *testing.T) {
	inputs := [][]byte{
		[]byte("<p>ok \xff\xfe\xc3\x28 \xe2\x82 end</p>"),
		[]byte("<meta charset=utf-8><p>\xed\xa0\x80 surrogate</p>"),
		[]byte("\xfe\xff\x00<\x00p\xd8"), // odd-length UTF-16
		{},
	}
	for _, in := range inputs {
		for _, ct := range []string{"", "text/html; charset=utf-8", "text/html; charset=shift_jis"} {
			got, err := Decode(in, ct)
			if err != nil {
				t.Fatalf("Decode(%q, %q): %v", in, ct, err)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Decode(%q, %q) = %q, not valid UTF-8", in, ct, got)
			}
		}
	}
}

func TestPrimaryTag(t *testing.T) {
	tests := map[string]string{"en-GB": "en", "fr_FR": "fr", "AR": "ar", " de ": "de", "": "", "english": "", "x1": ""}
	for in, want := range tests {
		if got := primaryTag(in); got != want {
			t.Errorf("primaryTag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Skip to main content\n\nBody sentence.", "Body sentence."},
		{"We use cookies to improve your experience.\n\nBody.", "Body."},
		{"Body.\n\nSign up for our newsletter and get updates.", "Body."},
		{"Share on Facebook\n\nBody.\n\nBody.", "Body."},
		// A long paragraph that mentions cookies is article text.
		{"The bakery said it uses cookies from a family recipe that the owner's grandmother brought from Fez in 1962, and the inspectors found nothing wrong.",
			"The bakery said it uses cookies from a family recipe that the owner's grandmother brought from Fez in 1962, and the inspectors found nothing wrong."},
		{"Heading\n\nText.\n\nHeading\n\nMore.", "Heading\n\nText.\n\nHeading\n\nMore."},
		{"  spaced \t  out \n\n\n\n  text\u200b ", "spaced out\n\ntext"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
