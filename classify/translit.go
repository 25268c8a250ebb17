package classify

// Transliteration: the same name comes to Latin script in many ways
// ("Mohamed", "Muhammad"; "Zaitouneh", "Zaytouni"; "Mikheil", "Mijail";
// "Djalali", "Jalali"; "Protasevich", "Protassevitch"). The loose form of
// a folded word keeps what survives every romanisation newsmon knows: its
// first letter and its consonants, after the usual spellings of one sound
// are made one. It is used only where a second fact makes the match safe:
// a given name and a surname that both agree loosely, or a bare surname
// that agrees loosely with a person named in full in the same text.

// looseForm appends to dst the loose form of a folded, de-doubled, lower
// case ASCII word (the matcher's form): a leading Arabic article ("al",
// "el", "ul") dropped; dj, kh → j; gh → g; ph → f; tch, sch → ch, sh;
// q, ck → k; the vowels (a e i o u y) and a w that ends a vowel ("Tawfiq")
// dropped after the first letter; a final h after a vowel ("Salameh")
// dropped; a consonant repeated once. ok is false for a word with other
// bytes (non-Latin scripts have their own folding and no loose form).
func looseForm(dst, w []byte) (out []byte, ok bool) {
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return dst, false
		}
	}
	if len(w) > 4 && (w[0] == 'a' || w[0] == 'e' || w[0] == 'u') && w[1] == 'l' {
		w = w[2:]
	}
	out = dst
	vowel := func(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y' }
	prevVowel := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		at := func(k int) byte {
			if i+k < len(w) {
				return w[i+k]
			}
			return 0
		}
		switch {
		case c == 'd' && at(1) == 'j', c == 'k' && at(1) == 'h':
			c, i = 'j', i+1
		case c == 'g' && at(1) == 'h':
			c, i = 'g', i+1
		case c == 'p' && at(1) == 'h':
			c, i = 'f', i+1
		case c == 't' && at(1) == 'c' && at(2) == 'h':
			c, i = 'c', i+1 // "tch" → "ch"; the h follows
		case c == 's' && at(1) == 'c' && at(2) == 'h':
			i++ // "sch" → "sh"; the h follows
		case c == 'c' && at(1) == 'k', c == 'q':
			if c == 'c' {
				i++
			}
			c = 'k'
		}
		if len(out) == len(dst) { // the first letter is kept as it is
			out = append(out, c)
			prevVowel = vowel(c)
			continue
		}
		switch {
		case vowel(c):
			prevVowel = true
			continue
		case c == 'w' && prevVowel && (i+1 == len(w) || !vowel(w[i+1])):
			continue // "aw", "ow" before a consonant: a vowel ("Tawfiq" = "Toufik")
		case c == 'w':
			c = 'v'
		case c == 'h' && prevVowel && i+1 == len(w):
			continue // "Salameh" = "Salamé"
		}
		prevVowel = false
		out = appendLoose(out, c)
	}
	return out, true
}

// appendLoose appends c unless it repeats the last letter.
func appendLoose(out []byte, c byte) []byte {
	if len(out) > 0 && out[len(out)-1] == c {
		return out
	}
	return append(out, c)
}

// consonants counts the letters of a loose form after the first: how much
// of the name survives, and so how safely a loose match identifies it.
func consonants(loose []byte) int { return max(0, len(loose)-1) }

// withinOneEdit reports whether a and b differ by at most one inserted,
// deleted or replaced byte, or two adjacent bytes swapped.
func withinOneEdit(a, b []byte) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		if string(a[i+1:]) == string(b[i+1:]) {
			return true // replaced
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:]) // swapped
	}
	return string(a[i:]) == string(b[i+1:]) // inserted into b
}

// deletions appends the hash of w and of every form of w with one byte
// deleted: two words within one edit share one of these hashes (the
// symmetric-deletion trick), which is what lets mayMention stay exact for
// misspelt surnames without comparing every word.
func deletions(dst []uint64, w []byte) []uint64 {
	dst = append(dst, hashBytes(w))
	var buf [64]byte
	if len(w) > len(buf) {
		return dst
	}
	for i := range w {
		b := append(append(buf[:0], w[:i]...), w[i+1:]...)
		dst = append(dst, hashBytes(b))
	}
	return dst
}
