package fetch

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"

	"golang.org/x/net/html/charset"
)

// Bounds on a feed document's shape, so that parsing it costs memory in
// proportion to its size. gofeed keeps a namespace scope and a decoder
// stack entry per open element and several hundred bytes per item,
// extension or category, so a few bytes of markup each ("<a>" unclosed,
// "<item/>", "{}") cost it a hundred times their size; the fast path keeps
// about as much per item.
const (
	// maxXMLDepth is how deeply elements may nest. Feeds nest a handful of
	// levels, XHTML content a few dozen.
	maxXMLDepth = 256
	// bytesPerNode and nodeAllowance bound how many elements (XML) or
	// values (JSON) a document may hold: one per bytesPerNode bytes, plus
	// nodeAllowance. Real feeds carry text, and hold one per hundred
	// bytes or more; denser documents are made to be expensive.
	bytesPerNode  = 16
	nodeAllowance = 4096
)

// ErrFeedShape means a document nests deeper or holds more elements than
// a feed plausibly does, and was refused before it was parsed.
var ErrFeedShape = errors.New("document shape out of bounds")

// nodeBudget is how many elements or values a document of size bytes may
// hold.
func nodeBudget(size int) int { return nodeAllowance + size/bytesPerNode }

// checkShape refuses a document that gofeed would spend too much memory on,
// reading it first as gofeed will: JSON when its first byte that is not
// white space or part of a byte order mark is '{', XML otherwise.
func checkShape(body []byte) error {
	i := 0
	for i < len(body) && skippedByDetector(body[i]) {
		i++
	}
	if i < len(body) && body[i] == '{' {
		return checkJSONShape(body)
	}
	return checkXMLShape(body)
}

func skippedByDetector(c byte) bool {
	switch c {
	case ' ', '\r', '\n', '\t', 0xFE, 0xFF, 0x00, 0xEF, 0xBB, 0xBF:
		return true
	}
	return false
}

// checkJSONShape bounds the values of a JSON document. encoding/json limits
// nesting itself; width is bounded by an upper bound on the number of
// values that needs no parse: every value but the first follows a comma
// or opens an object or array.
func checkJSONShape(body []byte) error {
	n := bytes.Count(body, []byte{','}) + bytes.Count(body, []byte{'{'}) + bytes.Count(body, []byte{'['})
	if budget := nodeBudget(len(body)); n > budget {
		return fmt.Errorf("%w: more than %d values in %d bytes of JSON", ErrFeedShape, budget, len(body))
	}
	return nil
}

// checkXMLShape refuses an XML document whose elements nest deeper than
// maxXMLDepth or number more than nodeBudget, counting them as gofeed's
// decoder will read them.
func checkXMLShape(body []byte) error {
	budget := nodeBudget(len(body))
	if counted, err := quickXMLShape(body, budget); counted {
		return err
	}
	return exactXMLShape(body, budget)
}

// quickXMLShape counts with the fast path's scanner, which reads every
// token it accepts exactly as encoding/xml does, at a fraction of the cost.
// counted=false when it meets one it cannot read (a DOCTYPE with
// declarations, another encoding, an unquoted attribute…): exactXMLShape
// then reads the document.
func quickXMLShape(body []byte, budget int) (counted bool, err error) {
	if !plainXMLChars(body) {
		return false, nil
	}
	s := &scanner{b: body, doctype: true}
	t, ok := s.prolog()
	var shape xmlShape
	for ok {
		if err := shape.add(t.end, t.empty, budget, len(body)); err != nil {
			return true, err
		}
		if bytes.IndexByte(body[s.i:], '<') < 0 {
			return true, nil
		}
		t, ok = s.nextTag()
	}
	return false, nil
}

// exactXMLShape tokenises body with the decoder settings gofeed uses (not
// strict, charsets converted). RawToken keeps no stack and no copy of the
// tokens, so this costs little memory, but a third of what gofeed spends
// parsing. A document the decoder fails on is left to gofeed, which stops
// at the same place.
func exactXMLShape(body []byte, budget int) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	var shape xmlShape
	for {
		tok, err := d.RawToken()
		if err != nil {
			return nil // io.EOF, or an error gofeed reports
		}
		switch tok.(type) {
		case xml.StartElement:
			err = shape.add(false, false, budget, len(body))
		case xml.EndElement:
			err = shape.add(true, false, budget, len(body))
		}
		if err != nil {
			return err
		}
	}
}

// xmlShape is the depth and element count of a document read so far. Its
// depth is never below the one gofeed sees: here one end tag closes one
// element, there at least one.
type xmlShape struct{ depth, elements int }

// add counts a start tag, an end tag or an empty element (a start tag
// and its end tag at once).
func (sh *xmlShape) add(end, empty bool, budget, size int) error {
	if end {
		sh.depth--
		return nil
	}
	sh.depth++
	sh.elements++
	switch {
	case sh.depth > maxXMLDepth:
		return fmt.Errorf("%w: elements nested more than %d deep", ErrFeedShape, maxXMLDepth)
	case sh.elements > budget:
		return fmt.Errorf("%w: more than %d elements in %d bytes", ErrFeedShape, budget, size)
	}
	if empty {
		sh.depth--
	}
	return nil
}

// dropControls returns b without the C0 control bytes XML forbids (all but
// tab, newline and carriage return), as gofeed drops them before its
// decoder sees them; b itself when it has none.
func dropControls(b []byte) []byte {
	clean := func(c byte) bool { return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' }
	i := 0
	for i < len(b) && clean(b[i]) {
		i++
	}
	if i == len(b) {
		return b
	}
	out := append(make([]byte, 0, len(b)), b[:i]...)
	for _, c := range b[i:] {
		if clean(c) {
			out = append(out, c)
		}
	}
	return out
}
