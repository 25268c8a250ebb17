package main

import (
	"bytes"
	"context"
	"fmt"
	htmlpkg "html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
)

// maxPageHeight bounds the screenshot; a digest longer than this is cut.
const maxPageHeight = 20000

// FindChromium returns the path of a Chromium to run, or "" when there is
// none: $CHROMIUM, else chromium or chromium-browser on the PATH.
func FindChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Renderer runs headless Chromium, one process per page, with a profile of
// its own that is removed afterwards and no background network traffic.
type Renderer struct {
	Chromium string
	Scale    float64 // device pixel ratio; 0 means 1
}

// PageSize is a page's laid-out size in CSS pixels.
type PageSize struct{ Width, Height int }

// sizeMark is what the measuring script leaves in the DOM for Measure.
var sizeMark = regexp.MustCompile(`data-newsmon-size="(\d+)x(\d+)"`)

// framed puts html in an iframe width×height pixels at the top left of an
// empty page. Headless Chromium lays a page out at least 500 pixels wide
// whatever the window, so a phone's width is had only inside a frame; the
// screenshot then cuts the window at the frame's edge. srcdoc keeps the
// frame's document reachable from the page's script.
func framed(html []byte, width, height int, script string) []byte {
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">`)
	fmt.Fprintf(&b, `<iframe id="digest" style="border:0;display:block;width:%dpx;height:%dpx" srcdoc="%s"></iframe>`,
		width, height, htmlpkg.EscapeString(string(html)))
	b.WriteString(script)
	b.WriteString(`</body></html>`)
	return b.Bytes()
}

// Measure lays html out in a window width pixels wide and returns the
// page's scroll size: wider than width means the page scrolls sideways.
func (r Renderer) Measure(ctx context.Context, html []byte, width int) (PageSize, error) {
	const script = `<script>
const f = document.getElementById("digest");
f.addEventListener("load", () => {
  const e = f.contentDocument.documentElement;
  document.documentElement.setAttribute("data-newsmon-size", e.scrollWidth + "x" + e.scrollHeight);
});
</script>`
	out, err := r.run(ctx, framed(html, width, 800, script), "--dump-dom", "--window-size=1000,800")
	if err != nil {
		return PageSize{}, err
	}
	m := sizeMark.FindSubmatch(out)
	if m == nil {
		return PageSize{}, fmt.Errorf("measure page at %d px: chromium printed no size", width)
	}
	w, _ := strconv.Atoi(string(m[1]))
	h, _ := strconv.Atoi(string(m[2]))
	return PageSize{Width: w, Height: h}, nil
}

// Render writes a PNG of the whole of html as a window width pixels wide
// shows it, and returns the page's size.
func (r Renderer) Render(ctx context.Context, html []byte, width int, pngPath string) (PageSize, error) {
	size, err := r.Measure(ctx, html, width)
	if err != nil {
		return PageSize{}, err
	}
	abs, err := filepath.Abs(pngPath)
	if err != nil {
		return PageSize{}, err
	}
	h := min(max(size.Height, 200), maxPageHeight)
	if _, err := r.run(ctx, framed(html, width, h, ""), "--screenshot="+abs, fmt.Sprintf("--window-size=%d,%d", width, h)); err != nil {
		return PageSize{}, err
	}
	if _, err := os.Stat(abs); err != nil {
		return PageSize{}, fmt.Errorf("render page at %d px: no screenshot written: %w", width, err)
	}
	return size, nil
}

// run loads html from a temporary file in Chromium with args and returns
// what it printed on stdout.
func (r Renderer) run(ctx context.Context, html []byte, args ...string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "renderdigest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "digest.html")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		return nil, err
	}
	scale := r.Scale
	if scale <= 0 {
		scale = 1
	}
	flags := []string{
		"--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + filepath.Join(dir, "profile"),
		"--force-device-scale-factor=" + strconv.FormatFloat(scale, 'f', -1, 64),
	}
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root inside its sandbox.
		flags = append(flags, "--no-sandbox")
	}
	cmd := exec.CommandContext(ctx, r.Chromium, append(append(flags, args...), "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run %s: %w\n%s", r.Chromium, err, lastLines(stderr.String(), 5))
	}
	return stdout.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := bytes.Split(bytes.TrimSpace([]byte(s)), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
