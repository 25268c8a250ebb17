package store

import (
	"context"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	s := labelledFixture(t)
	n, err := s.Names(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := StoredNames{
		People:  []string{"Ali Aarrass", "Mohamed Hajib"},
		Topics:  []string{"detention_conditions", "hunger_strike", "press_freedom", "trial_justice"},
		Sources: []string{"campaign", "daily", "portal", "state", "wire"}, // every source openTest knows
	}
	for _, c := range []struct{ what, got, want []string }{
		{[]string{"people"}, n.People, want.People}, {[]string{"topics"}, n.Topics, want.Topics}, {[]string{"sources"}, n.Sources, want.Sources},
	} {
		if strings.Join(c.got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s = %v, want %v", c.what[0], c.got, c.want)
		}
	}
}
