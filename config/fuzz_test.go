package config

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and every
// problem it reports must name the file and point at a line inside it (or at
// no line, for whole-file problems such as an empty file).
func FuzzParse(f *testing.F) {
	good, err := os.ReadFile("testdata/good.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		good,
		nil,
		[]byte("database: x.db\n"),
		[]byte("sources:\n  - {name: a, type: feed, url: 'http://[::1'}\n"),
		[]byte("fetch: {timeout: -1s, max_body_bytes: 12XB}\nbogus: 1\n"),
		[]byte("a: &a [*a, *a]\n"),
		[]byte("tracked:\n  - name: \xff\xfe\n"),
		[]byte("sources: [{name: a, schedule: '61 * * * *'}]"),
		[]byte("\t- - -\n:::"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse(bytes.NewReader(data), "fuzz.yaml")
		if err == nil {
			return
		}
		var ps Problems
		if !errors.As(err, &ps) {
			t.Fatalf("Parse returned %T, want Problems: %v", err, err)
		}
		if len(ps) == 0 {
			t.Fatal("Parse returned an empty Problems")
		}
		lines := countLines(data)
		for _, p := range ps {
			if p.File != "fuzz.yaml" {
				t.Errorf("problem names file %q: %s", p.File, p)
			}
			if p.Line < 0 || p.Line > lines {
				t.Errorf("problem line %d outside the file's %d lines: %s", p.Line, lines, p)
			}
			if p.Msg == "" {
				t.Errorf("problem without a message: %#v", p)
			}
		}
	})
}

// countLines counts lines as YAML does: \n, \r and \r\n all end a line.
func countLines(data []byte) int {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
}
