package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a config file.
type Problem struct {
	File  string
	Line  int
	Field string // e.g. "sources[2].schedule"
	Msg   string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Field == "" {
		return loc + ": " + p.Msg
	}
	return fmt.Sprintf("%s: %s: %s", loc, p.Field, p.Msg)
}

// Problems is every problem found in one file; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads and validates the config file at path.
//
// The file paths it holds (database, smtp.password_file,
// postgres.password_file) are resolved against the config file's folder
// when relative, as other daemons read their configs: the same file means
// the same database whatever folder newsmon is started from (a cron job,
// sudo, systemd). A PostgreSQL URL is left as it is.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(bytes.NewReader(data), path)
	if err != nil {
		return cfg, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return cfg, fmt.Errorf("read config %s: find its folder: %w", path, err)
	}
	paths := []*string{&cfg.SMTP.PasswordFile, &cfg.Postgres.PasswordFile}
	if !cfg.IsPostgres() {
		paths = append(paths, &cfg.Database)
	}
	for _, p := range paths {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	return cfg, nil
}

// Parse reads and validates a config from r; name is used in problems.
func Parse(r io.Reader, name string) (Config, error) {
	cfg := Default()
	cfg.Path = name
	data, err := io.ReadAll(r)
	if err != nil {
		return cfg, fmt.Errorf("read config %s: %w", name, err)
	}
	d := decoder{file: name, lines: map[string]int{}, editorLines: editorLines(data)}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, Problems{{File: name, Msg: "the file is empty"}}
		}
		return cfg, Problems{d.syntaxProblem(data, err)}
	}
	if len(doc.Content) == 1 {
		d.walk(doc.Content[0], reflect.ValueOf(&cfg).Elem(), "")
	}
	cfg.lines = d.lines
	d.problems = append(d.problems, cfg.validate()...)
	if len(d.problems) > 0 {
		sort.SliceStable(d.problems, func(i, j int) bool { return d.problems[i].Line < d.problems[j].Line })
		return cfg, d.problems
	}
	return cfg, nil
}

// decoder walks the YAML tree alongside the Go value, so that every unknown
// key and every bad value is reported with its line, not just the first one.
type decoder struct {
	file        string
	lines       map[string]int
	problems    Problems
	editorLines []int // see editorLines
}

// editorLines maps yaml.v3's line numbers to the ones an editor shows:
// element y-1 is the editor's line for yaml.v3's line y. They differ because
// yaml.v3, following YAML 1.1, also breaks lines at NEL, LS and PS (U+0085,
// U+2028, U+2029), which editors show inside a line; after one of them its
// numbers run ahead of the user's.
func editorLines(data []byte) []int {
	lines := []int{1}
	line := 1
	for i := 0; i < len(data); i++ {
		switch {
		case data[i] == '\n':
			line++
			lines = append(lines, line)
		case data[i] == '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			line++
			lines = append(lines, line)
		case data[i] == 0xC2 && i+1 < len(data) && data[i+1] == 0x85:
			i++
			lines = append(lines, line)
		case data[i] == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
			i += 2
			lines = append(lines, line)
		}
	}
	if n := len(data); n > 0 && (data[n-1] == '\n' || data[n-1] == '\r') {
		// The break that ends the last line does not start another.
		lines = lines[:len(lines)-1]
	}
	return lines
}

// line converts a line number from yaml.v3 to the editor's. A number past
// the end (yaml.v3 reports an error at the end of the stream on the line
// after the last break) becomes the last line.
func (d *decoder) line(yamlLine int) int {
	switch {
	case yamlLine <= 0:
		return 0
	case yamlLine > len(d.editorLines):
		return d.editorLines[len(d.editorLines)-1]
	}
	return d.editorLines[yamlLine-1]
}

func (d *decoder) add(n *yaml.Node, field, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: d.line(n.Line), Field: field, Msg: fmt.Sprintf(format, args...)})
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

func (d *decoder) walk(n *yaml.Node, v reflect.Value, path string) {
	if path != "" {
		d.lines[path] = d.line(n.Line)
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Tag == "!!null" {
		return // an empty value keeps the default
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshalerType) {
		d.leaf(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		nv := reflect.New(v.Type().Elem())
		d.walk(n, nv.Elem(), path)
		v.Set(nv)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.add(n, path, "expected a mapping of keys, got %s", describe(n))
			return
		}
		fields := yamlFields(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			idx, ok := fields[key.Value]
			if !ok {
				d.add(key, join(path, key.Value), "unknown key (expected one of: %s)", strings.Join(sortedKeys(fields), ", "))
				continue
			}
			d.walk(val, v.Field(idx), join(path, key.Value))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.add(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, el := range n.Content {
			d.walk(el, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.add(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			ev := reflect.New(v.Type().Elem()).Elem()
			d.walk(val, ev, join(path, key.Value))
			m.SetMapIndex(reflect.ValueOf(key.Value), ev)
		}
		v.Set(m)
	default:
		d.leaf(n, v, path)
	}
}

// leaf decodes a scalar, reporting a type mismatch with the field's name.
func (d *decoder) leaf(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.add(n, path, "expected a single value, got %s", describe(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.add(n, path, "%s", cleanYAMLError(err))
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

var yamlLinePrefix = regexp.MustCompile(`^(yaml: )?(unmarshal errors:\s*)?(line \d+: )?`)

// cleanYAMLError strips yaml.v3's prefixes: the line is reported separately.
func cleanYAMLError(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := yamlLinePrefix.ReplaceAllString(te.Errors[0], "")
		return strings.Replace(msg, "cannot unmarshal !!", "expected a different type, got !!", 1)
	}
	return yamlLinePrefix.ReplaceAllString(err.Error(), "")
}

// syntaxProblem reports a YAML syntax error on the line to fix, in words
// that say what to fix. For a layout error yaml.v3 names the line where the
// enclosing block begins, not the line that breaks it, so the line is found
// again: it is the shortest beginning of the file that fails the same way.
// A beginning that contains the bad line fails like the whole file, and
// one that stops before it parses (or fails otherwise, cut inside a quote
// or a [list]), so a binary search finds it in a few parses.
func (d *decoder) syntaxProblem(data []byte, err error) Problem {
	msg := cleanYAMLError(err)
	ends := lineEnds(data)
	failsAlike := func(lines int) bool {
		var n yaml.Node
		perr := yaml.Unmarshal(data[:ends[lines-1]], &n)
		return perr != nil && cleanYAMLError(perr) == msg
	}
	line := sort.Search(len(ends), func(i int) bool { return failsAlike(i + 1) }) + 1
	if line > len(ends) { // the whole file failed otherwise: keep yaml.v3's line
		line = d.line(yamlErrorLine(err))
	}
	if line > 0 && line <= len(ends) {
		start := 0
		if line > 1 {
			start = ends[line-2]
		}
		text := data[start:ends[line-1]]
		indent := text[:len(text)-len(bytes.TrimLeft(text, " \t"))]
		if bytes.IndexByte(indent, '\t') >= 0 {
			msg = "tabs are not allowed for indentation: indent with spaces"
		}
	}
	if hint, ok := layoutHints[msg]; ok {
		msg = hint + " (" + msg + ")"
	}
	return Problem{File: d.file, Line: line, Msg: msg}
}

// layoutHints say in plain words what yaml.v3's layout errors usually mean.
var layoutHints = map[string]string{
	"did not find expected '-' indicator":            "this line's indentation does not fit the list above it",
	"did not find expected key":                      "this line's indentation does not fit the keys above it",
	"mapping values are not allowed in this context": "a \"key:\" is not expected here: check this line's indentation, or quote a value that contains \": \"",
	"found unexpected end of stream":                 "a quoted value that starts on this line is never closed",
}

// lineEnds returns the offset just past each line of data (its line break
// included), counting lines as editors do.
func lineEnds(data []byte) []int {
	var ends []int
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			ends = append(ends, i+1)
		case '\n':
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] < len(data) {
		ends = append(ends, len(data))
	}
	return ends
}

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	m := yamlErrLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			fields[tag] = i
		}
	}
	return fields
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
