package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/extract"
)

// extractOutput is the --json shape of `newsmon extract`.
type extractOutput struct {
	URL       string `json:"url,omitempty"`
	Title     string `json:"title"`
	Published string `json:"published,omitempty"` // RFC 3339, UTC
	Author    string `json:"author"`
	Site      string `json:"site"`
	Language  string `json:"language"`
	Canonical string `json:"canonical,omitempty"`
	Text      string `json:"text"`
}

func runExtract(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("extract", "extract FILE|URL [--json] [--content-type TYPE] [--allow-private]\n\n"+
		"Prints what newsmon extracts from a page: title, date, author, site, language and\n"+
		"the article text. Check a site with it before adding it as a source. A URL is\n"+
		"fetched with the configured User-Agent and limits (the defaults when there is\n"+
		"no config file).")
	asJSON := fs.Bool("json", false, "print JSON")
	contentType := fs.String("content-type", "", "Content-Type of FILE (its charset is honoured)")
	allowPrivate := fs.Bool("allow-private", false, "let a URL reach loopback and private addresses")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return fs.usageError("want exactly one FILE or URL, got %d arguments", len(pos))
	}
	target := pos[0]
	cfg, ok := extractConfig(e, *path)
	if !ok {
		return exitUsage
	}

	body, ct, pageURL, err := readPage(ctx, cfg, target, e.stdin, *allowPrivate || cfg.Fetch.AllowPrivate)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon extract:", err)
		return exitFailure
	}
	if ct == "" {
		ct = *contentType
	}
	a, err := extract.FromHTML(body, ct, pageURL)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon extract:", err)
		return exitFailure
	}
	out := extractOutput{Title: a.Title, Author: a.Author, Site: a.Site, Language: a.Language, Canonical: a.Canonical, Text: a.Text}
	if pageURL != nil {
		out.URL = pageURL.String()
	}
	if !a.Published.IsZero() {
		out.Published = a.Published.UTC().Format(time.RFC3339)
	}
	if *asJSON {
		return writeJSON(e, out)
	}
	for _, f := range [][2]string{{"Title", out.Title}, {"Published", out.Published}, {"Author", out.Author},
		{"Site", out.Site}, {"Language", out.Language}, {"Canonical", out.Canonical}} {
		fmt.Fprintf(e.stdout, "%-10s %s\n", f[0]+":", f[1])
	}
	fmt.Fprintf(e.stdout, "Words:     %d\n\n%s\n", len(strings.Fields(out.Text)), out.Text)
	if out.Text == "" {
		fmt.Fprintln(e.stderr, "newsmon extract: no article text found on this page")
	}
	return exitOK
}

// extractConfig loads the config when there is one: extract is also used
// before any config exists, with the defaults.
func extractConfig(e *env, path string) (config.Config, bool) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return config.Default(), true
	}
	return e.loadConfig(path)
}
