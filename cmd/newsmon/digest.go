package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/notify"
	"github.com/newsmon/newsmon/store"
)

func runDigest(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("digest", "digest (--send | --preview [--out FILE])\n\n--send sends the digest of everything new since the last sent digest, now.\n--preview renders it without sending or recording anything: to FILE as\nHTML, or as the whole message when FILE ends in .eml; to stdout as text.")
	send := fs.Bool("send", false, "send the digest now")
	preview := fs.Bool("preview", false, "render the digest without sending it")
	out := fs.String("out", "", "with --preview: write to this .html or .eml `file`")
	logf := fs.logFlags()
	if code, ok := fs.parseNone(args, "write to a file with --preview --out FILE"); !ok {
		return code
	}
	if *send == *preview {
		return fs.usageError("give exactly one of --send or --preview")
	}
	if *out != "" && !*preview {
		return fs.usageError("--out is for --preview")
	}
	cfg, ok := e.loadConfig(*path)
	if !ok {
		return exitUsage
	}
	if err := logf.apply(&cfg.Log); err != nil {
		return fs.usageError("%v", err)
	}
	log := e.logger(cfg.Log)
	st, ok := e.openExisting(ctx, "digest", cfg)
	if !ok {
		return exitFailure
	}
	defer st.Close()
	if *preview {
		return digestPreview(ctx, e, cfg, st, log, *out)
	}
	job, err := newDigestJob(cfg, st, log, e.getenv)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon digest:", err)
		return exitUsage
	}
	// Not while a worker sends one (PostgreSQL): both would resend a
	// digest left interrupted.
	lock, err := st.TryLock(ctx, store.LockDigest)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon digest:", err)
		return exitFailure
	}
	if lock == nil {
		fmt.Fprintf(e.stderr, "newsmon digest: a newsmon run worker is sending a digest from %s now; not sending\n", cfg.Database)
		return exitFailure
	}
	defer lock.Unlock()
	res, err := job.Send(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon digest:", err)
		return exitFailure
	}
	switch {
	case res.Skipped:
		fmt.Fprintln(e.stdout, "nothing new; no digest sent (digest.send_empty is off)")
	default:
		fmt.Fprintf(e.stdout, "digest sent to %s: %d items\n", strings.Join(cfg.Digest.To, ", "), res.Items)
	}
	return exitOK
}

func digestPreview(ctx context.Context, e *env, cfg config.Config, st *store.Store, log *slog.Logger, out string) int {
	job := notify.NewDigestJob(st, nil, log, notify.DigestConfigFor(cfg))
	d, _, err := job.Build(ctx, time.Now())
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon digest:", err)
		return exitFailure
	}
	if strings.EqualFold(filepath.Ext(out), ".eml") {
		from, to := cfg.SMTP.From, cfg.Digest.To
		if from == "" {
			from = "newsmon <newsmon@localhost>"
		}
		if len(to) == 0 {
			to = []string{"preview@localhost"}
		}
		f, err := createPrivate(out)
		if err != nil {
			fmt.Fprintln(e.stderr, "newsmon digest:", err)
			return exitFailure
		}
		werr := notify.WriteEML(f, from, to, d)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			fmt.Fprintln(e.stderr, "newsmon digest:", werr)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, "wrote", out)
		return exitOK
	}
	html, text, err := notify.RenderDigest(d)
	if err != nil {
		fmt.Fprintln(e.stderr, "newsmon digest:", err)
		return exitFailure
	}
	if out == "" {
		fmt.Fprint(e.stdout, text)
		return exitOK
	}
	if err := os.WriteFile(out, []byte(html), 0o600); err != nil {
		fmt.Fprintln(e.stderr, "newsmon digest:", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, "wrote", out)
	return exitOK
}

// newDigestJob wires the digest sender from the config.
func newDigestJob(cfg config.Config, st *store.Store, log *slog.Logger, getenv func(string) string) (*notify.DigestJob, error) {
	if cfg.SMTP.Host == "" {
		return nil, fmt.Errorf("smtp.host is not set in %s", cfg.Path)
	}
	m, err := notify.MailerFor(cfg, getenv)
	if err != nil {
		return nil, err
	}
	return notify.NewDigestJob(st, m, log, notify.DigestConfigFor(cfg)), nil
}
