package store

import (
	"context"
	"testing"
	"time"
)

func TestUnchanged(t *testing.T) {
	s := openTest(t)
	at := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)
	saveItems(t, s, "wire", at,
		Item{GUID: "w1", CanonicalURL: "https://wire.example/1", Title: "One", Text: "one", ContentHash: "h1"},
		Item{GUID: "w2", Title: "No link", Text: "two", ContentHash: "h2"},
	)
	saveItems(t, s, "daily", at, Item{GUID: "d1", CanonicalURL: "https://daily.example/1", Title: "Daily", Text: "d", ContentHash: "d1"})
	tests := []struct {
		name   string
		source string
		key    ItemKey
		want   bool
	}{
		{"same link, same content", "wire", ItemKey{"w1", "https://wire.example/1", "h1"}, true},
		{"same link, changed content", "wire", ItemKey{"w1", "https://wire.example/1", "h1b"}, false},
		{"same link, new guid", "wire", ItemKey{"other", "https://wire.example/1", "h1"}, true},
		{"same guid, same content, no link", "wire", ItemKey{"w2", "", "h2"}, true},
		{"same guid, changed content", "wire", ItemKey{"w2", "", "h2b"}, false},
		{"guid of another source", "daily", ItemKey{"w2", "", "h2"}, false},
		{"another source's article, other content", "wire", ItemKey{"x", "https://daily.example/1", "zz"}, true},
		{"new", "wire", ItemKey{"w3", "https://wire.example/3", "h3"}, false},
		{"quotes and brackets in keys", "wire", ItemKey{`a"]'`, `https://wire.example/"x"`, `h"`}, false},
	}
	keys := make([]ItemKey, 0, len(tests))
	for _, tt := range tests {
		got, err := s.Unchanged(context.Background(), tt.source, []ItemKey{tt.key})
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != tt.want {
			t.Errorf("%s: unchanged = %v, want %v", tt.name, got[0], tt.want)
		}
		if tt.source == "wire" {
			keys = append(keys, tt.key)
		}
	}
	// Many keys at once answer in order, as one at a time do.
	got, err := s.Unchanged(context.Background(), "wire", keys)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, tt := range tests {
		if tt.source != "wire" {
			continue
		}
		if got[i] != tt.want {
			t.Errorf("batch, %s: unchanged = %v, want %v", tt.name, got[i], tt.want)
		}
		i++
	}
	if got, err := s.Unchanged(context.Background(), "wire", nil); err != nil || len(got) != 0 {
		t.Errorf("no keys: %v, %v", got, err)
	}
}
