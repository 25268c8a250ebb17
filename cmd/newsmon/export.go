package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/newsmon/newsmon/store"
)

func runExport(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("export", "export --format csv|jsonl [--since DATE] [--person NAME] [--out FILE]\n\n"+
		"Writes one row per item and person it mentions (the coverage view), oldest first.")
	format := fs.String("format", "csv", "csv or jsonl")
	since := fs.String("since", "", "only items published on or after this date (YYYY-MM-DD)")
	person := fs.String("person", "", "only this person")
	out := fs.String("out", "", "write to this file instead of standard output")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *format != "csv" && *format != "jsonl" {
		fmt.Fprintf(e.stderr, "newsmon export: --format %q: want csv or jsonl\n", *format)
		return exitUsage
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
	cw.Write([]string{"item_id", "date", "outlet", "person", "title", "url", "stance", "score", "topics", "story_id"})
	err := st.Coverage(ctx, f, func(r store.CoverageRow) error {
		return cw.Write([]string{strconv.FormatInt(r.ItemID, 10), r.Date.Format("2006-01-02T15:04:05Z"), r.Outlet, r.Person,
			r.Title, r.URL, r.Stance, strconv.FormatFloat(r.Score, 'f', 3, 64), strings.Join(r.Topics, ";"), strconv.FormatInt(r.StoryID, 10)})
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
