package store

import (
	"strings"
	"testing"
)

// The documented subset of FTS5's query syntax becomes the tsquery that
// matches the same items; the rest is refused with a reason.
func TestTSQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"strike", "'strike'"},
		{"hunger strike", "('hunger' & 'strike')"},
		{"hunger AND strike", "('hunger' & 'strike')"},
		{`"hunger strike"`, "('hunger' <-> 'strike')"},
		{"Aarrass OR Aarass", "('Aarrass' | 'Aarass')"},
		{"prison NOT release", "('prison' & !'release')"},
		{"(Aarrass OR Aarass) strike", "((('Aarrass' | 'Aarass')) & 'strike')"},
		{"torture*", "'torture':*"},
		{"title:Aarrass", "'Aarrass':A"},
		{"text:appel*", "'appel':*B"},
		{`"hunger stri"*`, "('hunger' <-> 'stri':*)"},
		{"NEAR(Aarrass torture, 1)", "(('Aarrass' <1> 'torture') | ('torture' <1> 'Aarrass') | ('Aarrass' <2> 'torture') | ('torture' <2> 'Aarrass'))"},
		{"élysée d'Aarrass", ""}, // an apostrophe is not a bareword character
		{`"l'élysée"`, "'l''élysée'"},
		{"علي أعراس", "('علي' & 'أعراس')"},
	}
	for _, tt := range tests {
		got, err := tsQuery(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("tsQuery(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("tsQuery(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ in, why string }{
		{"", "empty"}, {`"unclosed`, "unterminated"}, {"(a OR b", "missing )"}, {"a OR", "ends too soon"},
		{"author:x", `no column "author"`}, {"NEAR(a, 3)", "at least two"}, {"NEAR(a b, 1000)", "distance"}, {"a ^ b", "unexpected character"},
	} {
		if _, err := tsQuery(bad.in); err == nil || !strings.Contains(err.Error(), bad.why) {
			t.Errorf("tsQuery(%q): %v, want an error saying %q", bad.in, err, bad.why)
		}
	}
}
