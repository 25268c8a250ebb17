package main

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func chromiumOrSkip(t *testing.T) Renderer {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	bin := FindChromium()
	if bin == "" {
		t.Skip("Chromium not installed (Debian package chromium)")
	}
	return Renderer{Chromium: bin}
}

// The sample digest fits a phone's width and a desktop's, and each
// rendering is a PNG of the page's width.
func TestGoldenDigestFitsEachWidth(t *testing.T) {
	r := chromiumOrSkip(t)
	html, err := os.ReadFile(filepath.Join("..", "..", "notify", "testdata", "digest.golden.html"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // Chromium starts slowly on a loaded machine
	defer cancel()
	for _, w := range []int{1000, 400} {
		out := filepath.Join(t.TempDir(), "d.png")
		size, err := r.Render(ctx, html, w, out)
		if err != nil {
			t.Fatal(err)
		}
		if size.Width > w {
			t.Errorf("at %d px the digest is %d px wide: it scrolls sideways", w, size.Width)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("screenshot at %d px: %v", w, err)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() < 1000 {
			t.Errorf("screenshot at %d px is %v, want %d px wide and the whole digest tall", w, b, w)
		}
	}
}

// Measure sees a page that is too wide, even below the 500 px that
// headless Chromium lays a window out at.
func TestMeasureFindsOverflow(t *testing.T) {
	r := chromiumOrSkip(t)
	size, err := r.Measure(context.Background(), []byte(`<!DOCTYPE html><body style="margin:0"><div style="width:460px;height:10px"></div></body>`), 400)
	if err != nil {
		t.Fatal(err)
	}
	if size.Width != 460 {
		t.Errorf("page 460 px wide measured %d px at 400", size.Width)
	}
}
