package store

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Search queries on PostgreSQL. `newsmon search` takes FTS5's syntax on
// both databases; for PostgreSQL the documented part of it is translated
// into a tsquery (to_tsquery's text):
//
//	word           'word'               all words must match (AND)
//	"a phrase"     'a' <-> 'phrase'
//	a OR b         'a' | 'b'
//	a NOT b        'a' & !'b'
//	( ... )        ( ... )
//	pre*           'pre':*
//	title:word     'word':A             the title is weight A, the text B
//	NEAR(a b, N)   a within N words of b, in either order: a <1> b | ... |
//	               a <N+1> b | b <1> a | ...; with more than two terms, each
//	               pair within N (FTS5 asks that they all fit in one window)
//
// Words are quoted, so that to_tsquery takes them as text to normalise
// (lower case, accents removed) rather than as operators.

// maxNear is the largest NEAR distance: the translation grows with it.
const maxNear = 100

// tsQuery translates an FTS5 query of the documented subset.
func tsQuery(q string) (string, error) {
	p := &ftsParser{toks: nil}
	toks, err := lexFTS(q)
	if err != nil {
		return "", err
	}
	p.toks = toks
	if len(toks) == 0 {
		return "", fmt.Errorf("empty query")
	}
	out, err := p.or("")
	if err != nil {
		return "", err
	}
	if p.pos < len(p.toks) {
		return "", fmt.Errorf("unexpected %s", p.toks[p.pos])
	}
	return out, nil
}

type ftsToken struct {
	kind string // word, phrase, (, ), :, *, ",", OR, AND, NOT, NEAR
	text string
}

func (t ftsToken) String() string {
	switch t.kind {
	case "word", "phrase":
		return strconv.Quote(t.text)
	}
	return "\"" + t.kind + "\""
}

// lexFTS splits q into tokens: FTS5's barewords are runs of letters,
// digits, underscores and any non-ASCII character.
func lexFTS(q string) ([]ftsToken, error) {
	var out []ftsToken
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(q) {
					return nil, fmt.Errorf("unterminated phrase %s", q[i:])
				}
				if q[j] == '"' {
					if j+1 < len(q) && q[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(q[j])
				j++
			}
			out = append(out, ftsToken{kind: "phrase", text: b.String()})
			i = j + 1
		case strings.ContainsRune("():*,", r):
			out = append(out, ftsToken{kind: string(r)})
			i += size
		case isBareword(r):
			j := i
			for j < len(q) {
				r, size := utf8.DecodeRuneInString(q[j:])
				if !isBareword(r) {
					break
				}
				j += size
			}
			w := q[i:j]
			switch {
			case w == "OR" || w == "AND" || w == "NOT":
				out = append(out, ftsToken{kind: w})
			case w == "NEAR" && j < len(q) && q[j] == '(':
				out = append(out, ftsToken{kind: "NEAR"})
			default:
				out = append(out, ftsToken{kind: "word", text: w})
			}
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q (quote it in a phrase: \"...\")", r)
		}
	}
	return out, nil
}

func isBareword(r rune) bool {
	return r == '_' || r >= utf8.RuneSelf || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

type ftsParser struct {
	toks []ftsToken
	pos  int
}

func (p *ftsParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos].kind
	}
	return ""
}

// or := and ("OR" and)*
func (p *ftsParser) or(weight string) (string, error) {
	left, err := p.and(weight)
	if err != nil {
		return "", err
	}
	parts := []string{left}
	for p.peek() == "OR" {
		p.pos++
		right, err := p.and(weight)
		if err != nil {
			return "", err
		}
		parts = append(parts, right)
	}
	return group(parts, " | "), nil
}

// and := not (["AND"] not)*
func (p *ftsParser) and(weight string) (string, error) {
	left, err := p.not(weight)
	if err != nil {
		return "", err
	}
	parts := []string{left}
	for {
		switch p.peek() {
		case "AND":
			p.pos++
		case "word", "phrase", "(", "NEAR":
		default:
			return group(parts, " & "), nil
		}
		right, err := p.not(weight)
		if err != nil {
			return "", err
		}
		parts = append(parts, right)
	}
}

// not := primary ("NOT" primary)*
func (p *ftsParser) not(weight string) (string, error) {
	left, err := p.primary(weight)
	if err != nil {
		return "", err
	}
	for p.peek() == "NOT" {
		p.pos++
		right, err := p.primary(weight)
		if err != nil {
			return "", err
		}
		left = "(" + left + " & !" + right + ")"
	}
	return left, nil
}

// primary := "(" or ")" | NEAR(...) | [column ":"] (word | phrase) ["*"]
func (p *ftsParser) primary(weight string) (string, error) {
	switch p.peek() {
	case "(":
		p.pos++
		inner, err := p.or(weight)
		if err != nil {
			return "", err
		}
		if p.peek() != ")" {
			return "", fmt.Errorf("missing )")
		}
		p.pos++
		return "(" + inner + ")", nil
	case "NEAR":
		return p.near(weight)
	case "word":
		if p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == ":" {
			col := p.toks[p.pos].text
			w, ok := map[string]string{"title": "A", "text": "B"}[col]
			if !ok {
				return "", fmt.Errorf("no column %q (title or text)", col)
			}
			p.pos += 2
			return p.primary(w)
		}
		fallthrough
	case "phrase":
		return p.phrase(weight)
	case "":
		return "", fmt.Errorf("the query ends too soon")
	}
	return "", fmt.Errorf("unexpected %s", p.toks[p.pos])
}

// phrase translates a word or a quoted phrase, with its prefix star.
func (p *ftsParser) phrase(weight string) (string, error) {
	t := p.toks[p.pos]
	p.pos++
	prefix := false
	if p.peek() == "*" {
		prefix = true
		p.pos++
	}
	words := strings.Fields(t.text)
	if len(words) == 0 {
		return "", fmt.Errorf("empty phrase")
	}
	for i, w := range words {
		label := weight
		if prefix && i == len(words)-1 {
			label = "*" + label
		}
		words[i] = quoteLexeme(w)
		if label != "" {
			words[i] += ":" + label
		}
	}
	return group(words, " <-> "), nil
}

// near translates NEAR(phrase phrase ... [, N]).
func (p *ftsParser) near(weight string) (string, error) {
	p.pos += 2 // NEAR (
	var terms []string
	for p.peek() == "word" || p.peek() == "phrase" {
		t, err := p.phrase(weight)
		if err != nil {
			return "", err
		}
		terms = append(terms, t)
	}
	dist := 10
	if p.peek() == "," {
		p.pos++
		if p.peek() != "word" {
			return "", fmt.Errorf("NEAR: expected a distance after the comma")
		}
		n, err := strconv.Atoi(p.toks[p.pos].text)
		if err != nil || n < 0 || n > maxNear {
			return "", fmt.Errorf("NEAR: distance must be a number from 0 to %d, got %q", maxNear, p.toks[p.pos].text)
		}
		dist = n
		p.pos++
	}
	if p.peek() != ")" {
		return "", fmt.Errorf("NEAR: missing )")
	}
	p.pos++
	if len(terms) < 2 {
		return "", fmt.Errorf("NEAR needs at least two terms")
	}
	var pairs []string
	for i := range terms {
		for j := i + 1; j < len(terms); j++ {
			var alts []string
			for d := 1; d <= dist+1; d++ {
				op := " <" + strconv.Itoa(d) + "> "
				alts = append(alts, "("+terms[i]+op+terms[j]+")", "("+terms[j]+op+terms[i]+")")
			}
			pairs = append(pairs, "("+strings.Join(alts, " | ")+")")
		}
	}
	return group(pairs, " & "), nil
}

// quoteLexeme quotes a word for to_tsquery.
func quoteLexeme(w string) string {
	return "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w) + "'"
}

func group(parts []string, op string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, op) + ")"
}
