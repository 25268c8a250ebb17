package main

import "testing"

func TestGCPercentLeavesGOGCToTheUser(t *testing.T) {
	tests := []struct {
		gogc        string
		wantPercent int
		wantSet     bool
	}{
		{"", defaultGCPercent, true},
		{"100", 0, false},
		{"off", 0, false},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "GOGC" {
				return tt.gogc
			}
			return ""
		}
		if p, ok := gcPercent(getenv); p != tt.wantPercent || ok != tt.wantSet {
			t.Errorf("GOGC=%q: gcPercent = %d, %v; want %d, %v", tt.gogc, p, ok, tt.wantPercent, tt.wantSet)
		}
	}
}
