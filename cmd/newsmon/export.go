package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/newsmon/newsmon/store"
)

func runExport(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("export", "export --format csv|jsonl [--since DATE] [--person NAME] [--out FILE]\n"+
		"       newsmon export --format eval --out DIR\n\n"+
		"Writes one row per item and person it mentions (the coverage view), oldest first.\n"+
		"--format eval writes the items you labelled (newsmon label) as a labelled corpus:\n"+
		"one JSON file per item and person, and people.json, which newsmon eval and\n"+
		"newsmon rules fit read.")
	format := fs.String("format", "csv", "csv, jsonl or eval")
	since := fs.String("since", "", "only items published on or after this date (YYYY-MM-DD)")
	person := fs.String("person", "", "only this person")
	out := fs.String("out", "", "write to this file instead of standard output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *format != "csv" && *format != "jsonl" && *format != "eval" {
		fmt.Fprintf(e.stderr, "newsmon export: --format %q: want csv, jsonl or eval\n", *format)
		return exitUsage
	}
	if *format == "eval" {
		if *out == "" {
			fmt.Fprintln(e.stderr, "newsmon export: --format eval needs --out DIR")
			return exitUsage
		}
		return e.exportEval(ctx, *path, *out)
	}
	f := store.CoverageFilter{Person: *person}
	var ok bool
	if f.Since, ok = parseDateFlag(e, "export", *since); !ok {
		return exitUsage
	}
	st, code := e.openStore(ctx, "export", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	w := e.stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon export:", err)
			return exitFailure
		}
		defer file.Close()
		w = file
	}
	err := exportCoverage(ctx, st, f, *format, w)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon export:", err)
		return exitFailure
	}
	return exitOK
}

func exportCoverage(ctx context.Context, st *store.Store, f store.CoverageFilter, format string, w io.Writer) error {
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		return st.Coverage(ctx, f, func(r store.CoverageRow) error { return enc.Encode(r) })
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"item_id", "date", "outlet", "person", "title", "url", "stance", "score", "topics", "story_id", "human_label"})
	err := st.Coverage(ctx, f, func(r store.CoverageRow) error {
		return cw.Write([]string{strconv.FormatInt(r.ItemID, 10), r.Date.Format("2006-01-02T15:04:05Z"), r.Outlet, r.Person,
			r.Title, r.URL, r.Stance, strconv.FormatFloat(r.Score, 'f', 3, 64), strings.Join(r.Topics, ";"), strconv.FormatInt(r.StoryID, 10),
			strconv.FormatBool(r.HumanLabel)})
	})
	cw.Flush()
	if err != nil {
		return err
	}
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// exportEval writes every item a person labelled as a labelled corpus in
// dir: item-ID-PERSON.json files in the shape `newsmon eval` reads, with
// people.json. Topics are the person's when they labelled them, else left
// out (null), so that eval does not score topics against the classifier's
// own.
func (e *env) exportEval(ctx context.Context, cfgPath, dir string) int {
	cfg, ok := e.loadConfig(cfgPath)
	if !ok {
		return exitUsage
	}
	st, code := e.openStore(ctx, "export", cfgPath)
	if st == nil {
		return code
	}
	defer st.Close()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		fmt.Fprintln(e.stderr, "newsmon export:", err)
		return exitFailure
	}
	type doc struct {
		Title  string   `json:"title"`
		Text   string   `json:"text"`
		People []string `json:"people"`
		Person string   `json:"person"`
		Stance string   `json:"stance"`
		Topics []string `json:"topics"`
		Outlet string   `json:"outlet"`
		URL    string   `json:"url"`
		ItemID int64    `json:"item_id"`
	}
	n := 0
	err := st.HumanLabelled(ctx, func(it store.LabelledItem) error {
		name := fmt.Sprintf("item-%d-%s.json", it.ItemID, fileSlug(it.Person))
		b, err := json.MarshalIndent(doc{Title: it.Title, Text: it.Text, People: it.People, Person: it.Person, Stance: it.Stance,
			Topics: it.Topics, Outlet: it.Source, URL: it.URL, ItemID: it.ItemID}, "", " ")
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o640)
	})
	if err == nil {
		var b []byte
		type person struct {
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
		}
		people := make([]person, len(cfg.Tracked))
		for i, p := range cfg.Tracked {
			people[i] = person{p.Name, p.Aliases}
		}
		if b, err = json.MarshalIndent(people, "", " "); err == nil {
			err = os.WriteFile(filepath.Join(dir, "people.json"), append(b, '\n'), 0o640)
		}
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon export:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "wrote %d labelled items and people.json to %s\n", n, dir)
	return exitOK
}

// fileSlug makes a person's name safe in a file name.
func fileSlug(name string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			sb.WriteRune(r)
		case sb.Len() > 0 && !strings.HasSuffix(sb.String(), "-"):
			sb.WriteByte('-')
		}
	}
	return strings.Trim(sb.String(), "-")
}
