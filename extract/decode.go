package extract

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/net/html"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// prescanBytes is how much of the body is searched for a <meta charset>,
// as the WHATWG encoding sniffing algorithm does.
const prescanBytes = 1024

// detectBytes bounds the sample given to the statistical detector: enough
// text for its n-gram models, without scanning multi-megabyte pages.
const detectBytes = 64 << 10

// Decode converts an HTML body to UTF-8. It trusts, in order, a byte order
// mark, the Content-Type charset, then a <meta charset> or <meta
// http-equiv> in the first 1024 bytes, and otherwise detects the encoding.
//
// Declarations are checked against the bytes, because servers and CMS
// templates often lie: a body declared UTF-8 that is not valid UTF-8 is
// detected instead, and a body declared as a legacy single-byte charset
// that is valid UTF-8 with non-ASCII text is read as UTF-8 (legacy text
// almost never happens to form valid multi-byte sequences). The result is
// always valid UTF-8.
func Decode(body []byte, contentType string) (string, error) {
	enc, err := chooseEncoding(body, contentType)
	if err != nil {
		return "", fmt.Errorf("choose encoding: %w", err)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", fmt.Errorf("decode body: %w", err)
	}
	out = bytes.TrimPrefix(out, []byte("\uFEFF"))
	// Decoders replace bad input with U+FFFD, but UTF-8 "decoding" is the
	// identity, so make the guarantee unconditional.
	return strings.ToValidUTF8(string(out), "\uFFFD"), nil
}

func chooseEncoding(body []byte, contentType string) (encoding.Encoding, error) {
	if enc, _, ok := bomEncoding(body); ok {
		return enc, nil
	}
	declared, name := declaredEncoding(body, contentType)
	isUTF8 := declared == encoding.Encoding(unicode.UTF8)
	switch {
	case declared != nil && isUTF8 && utf8.Valid(body):
		return declared, nil
	case declared != nil && !isUTF8 && isSingleByte(name) && utf8.Valid(body) && hasNonASCII(body):
		return unicode.UTF8, nil
	case declared != nil && !isUTF8:
		return declared, nil
	}
	// Undeclared, or declared UTF-8 but not valid UTF-8.
	if utf8.Valid(body) {
		return unicode.UTF8, nil
	}
	return detectEncoding(body), nil
}

// bomEncoding reports the encoding named by a byte order mark.
func bomEncoding(body []byte) (encoding.Encoding, string, bool) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8", true
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", true
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", true
	}
	return nil, "", false
}

// declaredEncoding returns the encoding from the Content-Type header or,
// failing that, from a meta tag near the top of the document.
func declaredEncoding(body []byte, contentType string) (encoding.Encoding, string) {
	if contentType != "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			if enc, name := lookupEncoding(params["charset"]); enc != nil {
				return enc, name
			}
		}
	}
	return metaEncoding(body[:min(len(body), prescanBytes)])
}

// metaEncoding finds a <meta charset> or <meta http-equiv=content-type>
// declaration in the head of the document.
func metaEncoding(head []byte) (encoding.Encoding, string) {
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return nil, ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" || !hasAttr {
				continue
			}
			var httpEquiv, content, cs string
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "charset":
					cs = string(v)
				case "http-equiv":
					httpEquiv = strings.ToLower(string(v))
				case "content":
					content = string(v)
				}
			}
			if cs == "" && httpEquiv == "content-type" {
				if _, params, err := mime.ParseMediaType(content); err == nil {
					cs = params["charset"]
				}
			}
			if enc, name := lookupEncoding(cs); enc != nil {
				return enc, name
			}
		}
	}
}

func lookupEncoding(label string) (encoding.Encoding, string) {
	label = strings.TrimSpace(strings.Trim(label, `"'`))
	if label == "" {
		return nil, ""
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, ""
	}
	name, err := htmlindex.Name(enc)
	if err != nil || name == "replacement" {
		return nil, ""
	}
	// Per WHATWG, a meta declaration of UTF-16 means UTF-8 (the bytes were
	// already read as ASCII-compatible to find it).
	if strings.HasPrefix(name, "utf-16") {
		return unicode.UTF8, "utf-8"
	}
	return enc, name
}

// isSingleByte reports whether a WHATWG encoding name is a legacy
// single-byte (ASCII-compatible) encoding.
func isSingleByte(name string) bool {
	return strings.HasPrefix(name, "windows-") || strings.HasPrefix(name, "iso-8859-") ||
		strings.HasPrefix(name, "koi8") || name == "ibm866" || name == "macintosh" || name == "x-mac-cyrillic"
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// detectEncoding guesses a legacy encoding from the bytes with the ICU
// n-gram detector, falling back to windows-1252, the WHATWG default.
func detectEncoding(body []byte) encoding.Encoding {
	sample := body[:min(len(body), detectBytes)]
	results, err := chardet.NewHtmlDetector().DetectAll(sample)
	if err == nil {
		for _, r := range results {
			if r.Confidence < 10 {
				break
			}
			enc, name := lookupEncoding(r.Charset)
			// Invalid UTF-8 cannot be UTF-8, whatever the detector says.
			if enc != nil && name != "utf-8" {
				return enc
			}
		}
	}
	enc, _ := lookupEncoding("windows-1252")
	return enc
}
