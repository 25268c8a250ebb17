package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/newsmon/newsmon/store"
)

func runExport(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("export", "export [--format csv|jsonl] [--excel] [--since 7d|DATE] [--person NAME] [--out FILE]\n"+
		"       newsmon export --format eval --out DIR\n\n"+
		"Writes one row per item and person it mentions (the coverage view), oldest\n"+
		"first. --excel writes a CSV that Excel opens with its accents and Arabic\n"+
		"intact when double-clicked (a UTF-8 byte-order mark, CRLF line ends).\n"+
		"--format eval writes the items you labelled (newsmon label) as a labelled\n"+
		"corpus: one JSON file per item and person, and people.json, which newsmon\n"+
		"eval and newsmon rules fit read.")
	format := fs.String("format", "csv", "csv, jsonl or eval")
	excel := fs.Bool("excel", false, "CSV for Excel: UTF-8 byte-order mark and CRLF line ends")
	since := fs.since("", "only items published since")
	person := fs.String("person", "", "only this person (any name or alias, any case)")
	out := fs.String("out", "", "write to this `file` instead of standard output")
	if code, ok := fs.parseNone(args, "write to a file with --out FILE"); !ok {
		return code
	}
	if *format != "csv" && *format != "jsonl" && *format != "eval" {
		return fs.usageError("--format %q: want csv, jsonl or eval", *format)
	}
	if *format == "eval" {
		if *out == "" {
			return fs.usageError("--format eval needs --out DIR")
		}
		return e.exportEval(ctx, *path, *out)
	}
	if *excel && *format != "csv" {
		return fs.usageError("--excel is for --format csv")
	}
	cfg, st, code := e.openStore(ctx, "export", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	f := store.CoverageFilter{Since: since.at(time.Now(), cfg.Location)}
	got, err := (&filters{cfg: cfg, st: st}).resolve(ctx, filterValues{person: *person})
	if err != nil {
		return e.filterFailed("export", err)
	}
	f.Person = got.person
	w := e.stdout
	if *out != "" {
		file, err := createPrivate(*out)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon export:", err)
			return exitFailure
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	err = exportCoverage(ctx, st, f, *format, *excel, bw)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write export: %w", ferr)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon export:", err)
		return exitFailure
	}
	return exitOK
}

// utf8BOM makes Excel read a CSV as UTF-8; without it Excel assumes the
// system's code page and shows Arabic and accented titles as mojibake.
const utf8BOM = "\uFEFF"

func exportCoverage(ctx context.Context, st *store.Store, f store.CoverageFilter, format string, excel bool, w io.Writer) error {
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return st.Coverage(ctx, f, func(r store.CoverageRow) error { return enc.Encode(coverageOf(r)) })
	}
	if excel {
		if _, err := io.WriteString(w, utf8BOM); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = excel
	cw.Write([]string{"item_id", "date", "source", "person", "title", "url", "stance", "score", "topics", "story_id", "human_label"})
	err := st.Coverage(ctx, f, func(r store.CoverageRow) error {
		c := coverageOf(r)
		return cw.Write([]string{strconv.FormatInt(c.ItemID, 10), c.Date.String(), c.Source, c.Person,
			c.Title, c.URL, c.Stance, strconv.FormatFloat(c.Score, 'f', 3, 64), strings.Join(c.Topics, ";"), strconv.FormatInt(c.StoryID, 10),
			strconv.FormatBool(c.HumanLabel)})
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

func coverageOf(r store.CoverageRow) coverageJSON {
	return coverageJSON{ItemID: r.ItemID, Date: jsonTime(r.Date), Source: r.Outlet, Person: r.Person, Title: r.Title,
		URL: r.URL, Stance: r.Stance, Score: r.Score, Topics: r.Topics, StoryID: r.StoryID, HumanLabel: r.HumanLabel}
}

// exportEval writes every item a person labelled as a labelled corpus in
// dir: item-ID-PERSON.json files in the shape `newsmon eval` reads, with
// people.json. Topics are the person's when they labelled them, else left
// out (null), so that eval does not score topics against the classifier's
// own.
func (e *env) exportEval(ctx context.Context, cfgPath, dir string) int {
	cfg, st, code := e.openStore(ctx, "export", cfgPath)
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
		type person struct {
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
		}
		people := make([]person, len(cfg.Tracked))
		for i, p := range cfg.Tracked {
			people[i] = person{p.Name, p.Aliases}
		}
		var b []byte
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

// createPrivate creates or truncates a file for data taken from the
// database, readable by the owner only when it is new (like the database).
func createPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}
