package main

import (
	"context"
	"fmt"
	"time"
)

func runPrune(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("prune", "prune [--text-days N]\n\nDrops the full text of items older than retention.text_days (metadata, labels\n"+
		"and evidence stay) and gives the freed space back to the file system.")
	days := fs.Int("text-days", -1, "override retention.text_days (0 keeps all text)")
	if code, ok := fs.parseNone(args, ""); !ok {
		return code
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	textDays := cfg.Retain.TextDays
	if *days >= 0 {
		textDays = *days
	}
	st, ok := e.openExisting(ctx, "prune", cfg)
	if !ok {
		return exitFailure
	}
	defer st.Close()
	res, err := st.Prune(ctx, time.Now(), textDays)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon prune:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "dropped the text of %d items and %d revisions; database %d KB -> %d KB\n",
		res.Items, res.Revisions, res.SizeBefore>>10, res.SizeAfter>>10)
	return exitOK
}
