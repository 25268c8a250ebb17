// Command renderdigest renders a digest's HTML in headless Chromium at the
// widths of a desktop and a phone, to PNG files for a person to look at, and
// checks that the page fits each width without scrolling sideways.
//
//	go run ./tools/renderdigest [-in FILE.html] [-out DIR] [-widths 1000,400] [-scale 1]
//
// -in defaults to notify/testdata/digest.golden.html, the rendered sample
// digest; for your own data, `newsmon digest --preview --out digest.html`
// first. -out defaults to a new temporary directory. -scale 2 renders as a
// high-density screen does. Without Chromium (Debian package chromium, or
// the path in $CHROMIUM) it says so and exits 0: the PNGs are for looking
// at, not a build step. It exits 1 when a page is wider than its window.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	in := flag.String("in", filepath.Join("notify", "testdata", "digest.golden.html"), "digest HTML to render")
	out := flag.String("out", "", "directory for the PNGs (default: a new temporary directory)")
	widths := flag.String("widths", "1000,400", "window widths in CSS pixels, comma-separated")
	scale := flag.Float64("scale", 1, "device pixel ratio (2 for a high-density screen)")
	flag.Parse()

	bin := FindChromium()
	if bin == "" {
		fmt.Println("renderdigest: skipped: Chromium not found (apt-get install chromium, or set CHROMIUM to its path)")
		return
	}
	ws, err := parseWidths(*widths)
	if err != nil {
		fail(err)
	}
	html, err := os.ReadFile(*in)
	if err != nil {
		fail(err)
	}
	dir := *out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "newsmon-digest-"); err != nil {
			fail(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := Renderer{Chromium: bin, Scale: *scale}
	base := strings.TrimSuffix(filepath.Base(*in), filepath.Ext(*in))
	overflow := false
	for _, w := range ws {
		png := filepath.Join(dir, fmt.Sprintf("%s-%d.png", base, w))
		size, err := r.Render(ctx, html, w, png)
		if err != nil {
			fail(err)
		}
		note := ""
		if size.Width > w {
			note = fmt.Sprintf(" — wider than the window by %d px: the layout overflows", size.Width-w)
			overflow = true
		}
		fmt.Printf("%d px: %s (page %d×%d)%s\n", w, png, size.Width, size.Height, note)
	}
	if overflow {
		os.Exit(1)
	}
}

func parseWidths(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 200 || w > 4000 {
			return nil, fmt.Errorf("width %q: want a number of pixels from 200 to 4000", f)
		}
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, errors.New("no widths given")
	}
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "renderdigest:", err)
	os.Exit(2)
}
