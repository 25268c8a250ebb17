package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/newsmon/newsmon/store"
)

func runExport(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("export", "export [--format csv|jsonl] [--excel] [--since 7d|DATE] [--person NAME] [--out FILE]\n\n"+
		"Writes one row per item and person it mentions (the coverage view), oldest\n"+
		"first. --excel writes a CSV that Excel opens with its accents and Arabic\n"+
		"intact when double-clicked (a UTF-8 byte-order mark, CRLF line ends).")
	format := fs.String("format", "csv", "csv or jsonl")
	excel := fs.Bool("excel", false, "CSV for Excel: UTF-8 byte-order mark and CRLF line ends")
	since := fs.since("", "only items published since")
	person := fs.String("person", "", "only this person (any name or alias, any case)")
	out := fs.String("out", "", "write to this `file` instead of standard output")
	if code, ok := fs.parseNone(args, "write to a file with --out FILE"); !ok {
		return code
	}
	if *format != "csv" && *format != "jsonl" {
		return fs.usageError("--format %q: want csv or jsonl", *format)
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
	cw.Write([]string{"item_id", "date", "source", "person", "title", "url", "stance", "score", "topics", "story_id"})
	err := st.Coverage(ctx, f, func(r store.CoverageRow) error {
		c := coverageOf(r)
		return cw.Write([]string{strconv.FormatInt(c.ItemID, 10), c.Date.String(), c.Source, c.Person,
			c.Title, c.URL, c.Stance, strconv.FormatFloat(c.Score, 'f', 3, 64), strings.Join(c.Topics, ";"), strconv.FormatInt(c.StoryID, 10)})
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
		URL: r.URL, Stance: r.Stance, Score: r.Score, Topics: r.Topics, StoryID: r.StoryID}
}

// createPrivate creates or truncates a file for data taken from the
// database, readable by the owner only when it is new (like the database).
func createPrivate(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}
