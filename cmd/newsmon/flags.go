package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// flagSet is a command's flags. Flags may come before, between and after
// the positional arguments ("search torture --person X" and "search
// --person X torture" are the same); "--" ends the flags.
type flagSet struct {
	*flag.FlagSet
	e        *env
	name     string // "search", "alerts test"
	synopsis string
}

// flags starts a command's flag set with the --config flag every command has.
// synopsis is the usage line after "newsmon ", then a blank line and what
// the command does.
func (e *env) flags(name, synopsis string) (*flagSet, *string) {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), e: e, name: name, synopsis: synopsis}
	def := e.getenv("NEWSMON_CONFIG")
	if def == "" {
		def = "config.yaml"
	}
	path := fs.String("config", def, "config `file` (env NEWSMON_CONFIG)")
	return fs, path
}

// parse parses args and returns the positional arguments. When the command
// should stop (help asked for, or bad flags) ok is false and code is the
// exit status: help goes to stdout with status 0, a mistake to stderr with
// status 2, a suggestion and a pointer to -h.
func (fs *flagSet) parse(args []string) (pos []string, code int, ok bool) {
	var msgs bytes.Buffer
	fs.SetOutput(&msgs)
	fs.Usage = func() {} // the flag package's own usage is replaced below
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.printUsage(fs.e.stdout)
			return nil, exitOK, false
		}
		if err != nil {
			fmt.Fprintf(fs.e.stderr, "newsmon %s: %s\n", fs.name, fs.explain(err))
			fmt.Fprintf(fs.e.stderr, "Run \"newsmon %s -h\" for its flags.\n", fs.name)
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, exitOK, true
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), exitOK, true
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// parseNone is parse for a command that takes no arguments; hint, when
// not empty, says where what was given probably belongs.
func (fs *flagSet) parseNone(args []string, hint string) (code int, ok bool) {
	pos, code, ok := fs.parse(args)
	if ok && len(pos) > 0 {
		msg := fmt.Sprintf("takes no arguments, got %q", pos[0])
		if hint != "" {
			msg += " (" + hint + ")"
		}
		return fs.usageError("%s", msg), false
	}
	return code, ok
}

// explain rewrites the flag package's error in the command's terms, with a
// guess at the flag meant when the name is unknown.
func (fs *flagSet) explain(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		var known []string
		fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
		msg = "unknown flag --" + name
		if guess := closest(name, known); guess != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", guess)
		}
		return msg
	}
	// "invalid value "x" for flag -since: ..." reads better with "--".
	return strings.Replace(msg, "for flag -", "for --", 1)
}

// printUsage writes the synopsis and every flag, written as users type them
// ("--since VALUE").
func (fs *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: newsmon %s\n\nFlags (before or after the arguments):\n", fs.synopsis)
	var flags []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f) })
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	for _, f := range flags {
		arg, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if arg != "" {
			head += " " + strings.ToUpper(arg)
		}
		if def := f.DefValue; def != "" && def != "false" && def != "0" {
			usage += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(w, "%s\n      %s\n", head, usage)
	}
}

// usageError reports a mistake in the positional arguments.
func (fs *flagSet) usageError(format string, args ...any) int {
	fmt.Fprintf(fs.e.stderr, "newsmon %s: %s\n", fs.name, fmt.Sprintf(format, args...))
	fmt.Fprintf(fs.e.stderr, "Usage: newsmon %s\n", firstLine(fs.synopsis))
	return exitUsage
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// closest returns the candidate s most likely meant: the only candidate
// that starts with s ("tortur" for "torture", "Ali" for "Ali Aarrass"), or
// else the nearest by edit distance when no more than a third of s is
// wrong (case ignored). It returns "" when nothing is close.
func closest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	var prefixed []string
	for _, c := range candidates {
		if len(ls) >= 3 && strings.HasPrefix(strings.ToLower(c), ls) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestDist := "", 0
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if best == "" || d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" && bestDist <= max(1, len([]rune(s))/3) {
		return best
	}
	return ""
}

// didYouMean is " (did you mean "x"?)" for the candidate closest to s,
// or "" when none is close.
func didYouMean(s string, candidates []string) string {
	if guess := closest(s, candidates); guess != "" {
		return fmt.Sprintf(" (did you mean %q?)", guess)
	}
	return ""
}

// editDistance is the number of one-rune insertions, deletions,
// substitutions and swaps of neighbours that turn a into b (optimal string
// alignment distance): "sned" is one step from "send".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// plural is "1 person", "2 people": n and the word that fits it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
