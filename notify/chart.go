package notify

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"time"
)

// Chart geometry in pixels. The HTML shows the image at this size.
const (
	chartW       = 420
	chartH       = 150
	plotLeft     = 30
	plotRight    = chartW - 8
	plotTop      = 10
	plotBottom   = 108
	glyphScale   = 2
	glyphW       = 3
	glyphH       = 5
	glyphAdvance = (glyphW + 1) * glyphScale
)

// glyphs is a 3×5 pixel font with just the characters the chart writes:
// digits, "/" and the letters of the stance names. The standard library has
// no font rendering and the chart must not need a dependency for four words.
var glyphs = map[rune]string{
	'0': "111101101101111", '1': "010110010010111", '2': "111001111100111",
	'3': "111001111001111", '4': "101101111001001", '5': "111100111001111",
	'6': "111100111101111", '7': "111001001001001", '8': "111101111101111",
	'9': "111101111001111", '/': "001001010100100",
	'a': "000110011101111", 'c': "000011100100011", 'e': "010101111100011",
	'i': "010000010010010", 'l': "110010010010111", 'n': "000110101101101",
	'o': "000010101101010", 'p': "000110101110100", 'r': "000101110100100",
	's': "000011110011110", 't': "010111010010001", 'u': "000101101101011",
	'v': "000101101101010",
}

// drawChart draws mentions per day as stacked bars (supportive at the
// bottom, then critical, neutral, unclear), with the highest day's total on
// the axis, the first and last dates, and a legend.
func drawChart(days []DayCount, loc *time.Location) ([]byte, error) {
	// A paletted image: index 0 (white) is the background, and the PNG is
	// a fraction of the size and encoding time of an RGBA one.
	pal := color.Palette{color.White, color.RGBA{0x99, 0x99, 0x99, 0xff}, color.RGBA{0x33, 0x33, 0x33, 0xff}}
	const axis, ink = 1, 2

	maxTotal := 0
	for _, d := range days {
		maxTotal = max(maxTotal, d.Supportive+d.Critical+d.Neutral+d.Unclear)
	}
	if maxTotal == 0 {
		maxTotal = 1
	}
	cols := make([]uint8, len(stanceOrder))
	for i, st := range stanceOrder {
		c, err := parseHex(stanceColors[st])
		if err != nil {
			return nil, err
		}
		cols[i] = uint8(len(pal))
		pal = append(pal, c)
	}
	img := image.NewPaletted(image.Rect(0, 0, chartW, chartH), pal)

	// Axis lines and the scale: one tick at the top labelled with the maximum.
	fill(img, plotLeft-1, plotTop, plotLeft, plotBottom+1, axis)
	fill(img, plotLeft-1, plotBottom, plotRight, plotBottom+1, axis)
	fill(img, plotLeft-4, plotTop, plotLeft-1, plotTop+1, axis)
	label := strconv.Itoa(maxTotal)
	drawText(img, plotLeft-6-len(label)*glyphAdvance, plotTop, label, ink)

	slot := (plotRight - plotLeft) / chartDays
	barW := slot * 2 / 3
	plotH := plotBottom - plotTop
	for i, d := range days {
		x0 := plotLeft + 2 + i*slot
		y := plotBottom
		for k, n := range []int{d.Supportive, d.Critical, d.Neutral, d.Unclear} {
			if n <= 0 {
				continue
			}
			h := max(1, n*plotH/maxTotal)
			fill(img, x0, y-h, x0+barW, y, cols[k])
			y -= h
		}
	}
	if len(days) > 0 {
		first := days[0].Day.In(loc).Format("2/1")
		last := days[len(days)-1].Day.In(loc).Format("2/1")
		drawText(img, plotLeft+2, plotBottom+4, first, ink)
		lx := plotLeft + 2 + (len(days)-1)*slot + barW - len(last)*glyphAdvance
		drawText(img, max(lx, plotLeft+2+(len(first)+1)*glyphAdvance), plotBottom+4, last, ink)
	}

	x := plotLeft
	for i, st := range stanceOrder {
		fill(img, x, chartH-18, x+10, chartH-8, cols[i])
		x += 14
		x = drawText(img, x, chartH-18, st, ink) + 12
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart png: %w", err)
	}
	return buf.Bytes(), nil
}

func fill(img *image.Paletted, x0, y0, x1, y1 int, c uint8) {
	r := image.Rect(x0, y0, x1, y1).Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetColorIndex(x, y, c)
		}
	}
}

// drawText writes s with the glyph font and returns the x after it.
// Characters the font lacks are left blank.
func drawText(img *image.Paletted, x, y int, s string, c uint8) int {
	for _, r := range strings.ToLower(s) {
		if g, ok := glyphs[r]; ok {
			for i, bit := range g {
				if bit == '1' {
					px := x + (i%glyphW)*glyphScale
					py := y + (i/glyphW)*glyphScale
					fill(img, px, py, px+glyphScale, py+glyphScale, c)
				}
			}
		}
		x += glyphAdvance
	}
	return x
}

func parseHex(s string) (color.RGBA, error) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return color.RGBA{}, fmt.Errorf("parse colour %q: bad hex", s)
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}, nil
}
