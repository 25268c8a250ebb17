// Command extractbench scores article extraction against the Zyte article
// extraction benchmark (a directory holding html/<id>.html.gz and
// ground-truth.json) and reports word-shingle precision, recall, F1,
// exact-match accuracy, time and memory.
//
//	go run ./tools/extractbench [-lib extract|readeck] [-worst N] DIR
//
// -lib extract (the default) runs newsmon's extract.FromHTML; readeck runs
// the bare library it is built on, with default settings. The comparison
// with go-trafilatura and go-shiori/go-readability that chose readeck is in
// the extract package comment; commit a13d9f0 can still run them (-lib
// trafilatura, -lib readability).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	readeck "codeberg.org/readeck/go-readability/v2"

	"github.com/newsmon/newsmon/extract"
)

// maxPageBytes bounds one decompressed benchmark page.
const maxPageBytes = 32 << 20

type truthEntry struct {
	ArticleBody string `json:"articleBody"`
	URL         string `json:"url"`
}

type extractFunc func(body []byte, u *url.URL) (string, error)

func main() {
	lib := flag.String("lib", "extract", "extractor: extract or readeck")
	worst := flag.Int("worst", 0, "list the N documents with the lowest F1")
	dump := flag.String("dump", "", "print the extracted text of the document with this id and exit")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: extractbench [-lib extract|readeck] [-worst N] DIR")
		os.Exit(2)
	}
	if *dump != "" {
		if err := dumpOne(flag.Arg(0), *lib, *dump); err != nil {
			fmt.Fprintln(os.Stderr, "extractbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(flag.Arg(0), *lib, *worst); err != nil {
		fmt.Fprintln(os.Stderr, "extractbench:", err)
		os.Exit(1)
	}
}

// coverage counts the pages on which extract.FromHTML found each piece of
// metadata; the benchmark has no ground truth for them, so this only shows
// whether a change finds more or less.
type coverage struct{ pages, title, published, author, site, language int }

func (c *coverage) count(a extract.Article) {
	c.pages++
	for _, f := range []struct {
		n  *int
		ok bool
	}{{&c.title, a.Title != ""}, {&c.published, !a.Published.IsZero()}, {&c.author, a.Author != ""},
		{&c.site, a.Site != ""}, {&c.language, a.Language != ""}} {
		if f.ok {
			*f.n++
		}
	}
}

func extractor(lib string, cov *coverage) (extractFunc, error) {
	switch lib {
	case "extract":
		return func(body []byte, u *url.URL) (string, error) {
			a, err := extract.FromHTML(body, "text/html", u)
			if cov != nil {
				cov.count(a)
			}
			return a.Text, err
		}, nil
	case "readeck":
		return func(body []byte, u *url.URL) (string, error) {
			a, err := readeck.FromReader(bytes.NewReader(body), u)
			if err != nil || a.Node == nil {
				return "", err
			}
			var b strings.Builder
			err = a.RenderText(&b)
			return b.String(), err
		}, nil
	}
	return nil, fmt.Errorf("unknown -lib %q", lib)
}

func run(dir, lib string, worst int) error {
	var cov coverage
	extractFn, err := extractor(lib, &cov)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return fmt.Errorf("read ground truth: %w", err)
	}
	var truth map[string]truthEntry
	if err := json.Unmarshal(raw, &truth); err != nil {
		return fmt.Errorf("parse ground truth: %w", err)
	}
	ids := make([]string, 0, len(truth))
	for id := range truth {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	var truths, preds []string
	var elapsed time.Duration
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	startAlloc := ms.TotalAlloc
	failures := 0
	for _, id := range ids {
		body, err := readPage(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return err
		}
		u, _ := url.Parse(truth[id].URL)
		start := time.Now()
		text, err := extractFn(body, u)
		elapsed += time.Since(start)
		if err != nil {
			failures++
			fmt.Fprintf(os.Stderr, "%s: %v\n", id, err)
		}
		// HeapInuse after each page approximates the peak: extraction
		// garbage is still live until the next collection.
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		truths = append(truths, truth[id].ArticleBody)
		preds = append(preds, text)
	}
	runtime.ReadMemStats(&ms)
	s := summarize(truths, preds)
	fmt.Printf("lib=%s docs=%d errors=%d\n", lib, s.Docs, failures)
	fmt.Printf("precision=%.3f recall=%.3f F1=%.3f accuracy=%.3f\n", s.Precision, s.Recall, s.F1, s.Accuracy)
	fmt.Printf("time=%s (%.1f ms/page) allocated=%.0f MB peak_heap_inuse=%.0f MB sys=%.0f MB\n",
		elapsed.Round(time.Millisecond), float64(elapsed.Milliseconds())/float64(len(ids)),
		float64(ms.TotalAlloc-startAlloc)/(1<<20), float64(peak)/(1<<20), float64(ms.Sys)/(1<<20))
	if cov.pages > 0 {
		fmt.Printf("metadata found on %d pages: title=%d published=%d author=%d site=%d language=%d\n",
			cov.pages, cov.title, cov.published, cov.author, cov.site, cov.language)
	}
	if worst > 0 {
		printWorst(ids, truths, preds, worst)
	}
	return nil
}

func dumpOne(dir, lib, id string) error {
	extractFn, err := extractor(lib, nil)
	if err != nil {
		return err
	}
	body, err := readPage(filepath.Join(dir, "html", id+".html.gz"))
	if err != nil {
		return err
	}
	text, err := extractFn(body, nil)
	fmt.Println(text)
	return err
}

func printWorst(ids, truths, preds []string, n int) {
	type row struct {
		id string
		f1 float64
	}
	rows := make([]row, len(ids))
	for i := range ids {
		d := scoreDoc(truths[i], preds[i])
		f1 := 0.0
		if d.tp > 0 {
			f1 = 2 * d.tp / (2*d.tp + d.fp + d.fn)
		}
		rows[i] = row{ids[i], f1}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].f1 < rows[j].f1 })
	for _, r := range rows[:min(n, len(rows))] {
		fmt.Printf("  %s F1=%.3f\n", r.id, r.f1)
	}
}

func readPage(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open page: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("gunzip %s: %w", path, err)
	}
	body, err := io.ReadAll(io.LimitReader(zr, maxPageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(body) > maxPageBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, maxPageBytes)
	}
	return body, nil
}
