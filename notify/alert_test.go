package notify

import (
	"strings"
	"testing"
)

func TestRenderAlert(t *testing.T) {
	items := sampleDigest(t).People[0].Items
	for _, tc := range []struct {
		name        string
		a           Alert
		wantSubject string
		wantIn      []string // in both bodies
		notInHTML   []string
	}{
		{
			name:        "one item names its title",
			a:           Alert{Rule: "critical-coverage", Person: "Ali Aarrass", Items: items[1:2]},
			wantSubject: "[newsmon] critical-coverage: Commentary dismisses Aarass claims as a media operation (Ali Aarrass)",
			wantIn:      []string{"critical-coverage", "daily.example.net", "9 Mar 2026 14:00 UTC", "fabrication aimed at foreign NGOs", "https://daily.example.net/op/77"},
			notInHTML:   []string{"-0.71"}, // the stance, not the classifier's raw score
		},
		{
			name:        "several items are counted, newest first",
			a:           Alert{Rule: "any", Person: "Ali Aarrass", Items: items},
			wantSubject: "[newsmon] any: 5 new items (Ali Aarrass)",
			wantIn:      []string{"5 new items", "Ambiguous mention"},
			notInHTML:   []string{"javascript:"},
		},
		{
			name:        "hostile title cannot inject a header or markup",
			a:           Alert{Rule: "r\r\nBcc: victim@example.com", Items: []DigestItem{{Title: "<script>alert(1)</script>\r\nX-Evil: 1", URL: "javascript:alert(1)", Stance: "critical"}}},
			wantSubject: "[newsmon] r Bcc: victim@example.com: <script>alert(1)</script> X-Evil: 1",
			notInHTML:   []string{"<script>", "javascript:"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			subject, html, text := RenderAlert(tc.a)
			if subject != tc.wantSubject {
				t.Errorf("subject = %q, want %q", subject, tc.wantSubject)
			}
			if strings.ContainsAny(subject, "\r\n") {
				t.Error("subject contains a line break")
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(html, w) || !strings.Contains(text, w) {
					t.Errorf("%q missing from html or text", w)
				}
			}
			for _, w := range tc.notInHTML {
				if strings.Contains(html, w) {
					t.Errorf("html contains %q", w)
				}
			}
		})
	}
	_, _, text := RenderAlert(Alert{Rule: "any", Items: items})
	if i, j := strings.Index(text, "Ambiguous mention"), strings.Index(text, "court.example.org"); i < 0 || j < 0 || i > j {
		t.Error("alert items not newest first")
	}
}
