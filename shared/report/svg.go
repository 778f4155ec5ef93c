package report

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Chart styling. Every chart paints its own white background so it reads the same on GitHub's
// light and dark themes; fonts are the viewer's own, nothing is fetched.
const (
	fontFamily = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif"
	colorText  = "#1f2328"
	colorMuted = "#57606a"
	colorGrid  = "#d8dee4"
	colorAxis  = "#8c959f"
)

// canvas writes SVG elements with coordinates rounded to 0.1 px, so output is byte-stable.
type canvas struct {
	b strings.Builder
}

func newCanvas(width, height int, title string) *canvas {
	c := &canvas{}
	fmt.Fprintf(&c.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s" font-family="%s">`+"\n",
		width, height, width, height, escape(title), fontFamily)
	fmt.Fprintf(&c.b, "<title>%s</title>\n", escape(title))
	fmt.Fprintf(&c.b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	return c
}

func (c *canvas) text(x, y float64, size int, anchor, fill, s string, attrs ...string) {
	extra := ""
	if len(attrs) > 0 {
		extra = " " + strings.Join(attrs, " ")
	}
	fmt.Fprintf(&c.b, `<text x="%s" y="%s" font-size="%d" text-anchor="%s" fill="%s"%s>%s</text>`+"\n",
		num(x), num(y), size, anchor, fill, extra, escape(s))
}

func (c *canvas) line(x1, y1, x2, y2 float64, stroke string, width float64) {
	fmt.Fprintf(&c.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`+"\n",
		num(x1), num(y1), num(x2), num(y2), stroke, num(width))
}

func (c *canvas) rect(x, y, w, h float64, fill string) {
	fmt.Fprintf(&c.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n", num(x), num(y), num(w), num(h), fill)
}

func (c *canvas) circle(x, y, r float64, fill string) {
	fmt.Fprintf(&c.b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", num(x), num(y), num(r), fill)
}

func (c *canvas) polyline(points [][2]float64, stroke string, width float64) {
	coords := make([]string, len(points))
	for i, p := range points {
		coords[i] = num(p[0]) + "," + num(p[1])
	}
	fmt.Fprintf(&c.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"/>`+"\n",
		strings.Join(coords, " "), stroke, num(width))
}

func (c *canvas) area(points [][2]float64, baseline float64, fill, stroke string) {
	if len(points) == 0 {
		return
	}
	var d strings.Builder
	fmt.Fprintf(&d, "M%s,%s", num(points[0][0]), num(baseline))
	for _, p := range points {
		fmt.Fprintf(&d, " L%s,%s", num(p[0]), num(p[1]))
	}
	fmt.Fprintf(&d, " L%s,%s Z", num(points[len(points)-1][0]), num(baseline))
	fmt.Fprintf(&c.b, `<path d="%s" fill="%s" stroke="%s" stroke-width="1"/>`+"\n", d.String(), fill, stroke)
}

// header draws the title and the subtitle.
func (c *canvas) header(title, subtitle string) {
	c.text(24, 30, 17, "start", colorText, title, `font-weight="600"`)
	c.text(24, 50, 12, "start", colorMuted, truncate(subtitle, 672, 12))
}

// legend draws one entry per item from x, on the line at y; mark draws an entry's swatch.
func (c *canvas) legend(x, y float64, names []string, mark func(x, y float64, i int)) {
	for i, name := range names {
		mark(x, y, i)
		c.text(x+18, y+4, 12, "start", colorText, name)
		x += 18 + textWidth(name, 12) + 20
	}
}

// yAxis draws horizontal grid lines with tick labels and the rotated axis label.
func (c *canvas) yAxis(s yScale, left, right float64, label string, tick func(float64) string) {
	for _, t := range s.ticks {
		y := s.y(t)
		c.line(left, y, right, y, colorGrid, 1)
		c.text(left-8, y+4, 11, "end", colorMuted, tick(t))
	}
	mid := (s.top + s.bottom) / 2
	c.text(18, mid, 12, "middle", colorMuted, label, fmt.Sprintf(`transform="rotate(-90 18 %s)"`, num(mid)))
}

func (c *canvas) bytes() []byte {
	return []byte(c.b.String() + "</svg>\n")
}

// textWidth estimates how wide s renders; a sans-serif glyph averages about 0.6 em.
func textWidth(s string, size int) float64 {
	return 0.6 * float64(size) * float64(utf8.RuneCountInString(s))
}

// truncate shortens s with an ellipsis to fit width px.
func truncate(s string, width float64, size int) string {
	if textWidth(s, size) <= width {
		return s
	}
	r := []rune(s)
	n := int(width/(0.6*float64(size))) - 1
	return string(r[:max(0, n)]) + "…"
}

func num(v float64) string {
	return trimFloat(math.Round(v*10)/10, 1)
}

var svgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func escape(s string) string { return svgEscaper.Replace(s) }

// yScale maps values to pixels between bottom (low values) and top.
type yScale struct {
	lo, hi      float64
	log         bool
	top, bottom float64
	ticks       []float64
}

// logRatio is how far apart the smallest and largest values must be for a log axis: beyond it,
// a linear axis squashes the small bars to nothing.
const logRatio = 20

// newYScale fits values (non-negative) into a scale with readable ticks. With allowLog it picks a
// log axis when the positive values span more than logRatio.
func newYScale(values []float64, allowLog bool, top, bottom float64) yScale {
	s := yScale{top: top, bottom: bottom}
	lo, hi := math.Inf(1), 0.0
	for _, v := range values {
		if v > 0 {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if allowLog && hi > 0 && hi/lo >= logRatio {
		// The axis starts a little below the smallest value so its bar or line stays visible.
		s.log = true
		s.lo, s.hi = roundDown125(lo/1.5), roundUp125(hi)
		steps := []float64{1, 2, 5}
		if math.Log10(s.hi/s.lo) > 3 {
			steps = []float64{1} // beyond three decades, 2 and 5 would crowd the axis
		}
		s.ticks = append(s.ticks, s.lo)
		for e := math.Floor(math.Log10(s.lo)); e <= math.Ceil(math.Log10(s.hi)); e++ {
			for _, m := range steps {
				if t := m * math.Pow(10, e); t > s.lo*1.0001 && t < s.hi*0.9999 {
					s.ticks = append(s.ticks, t)
				}
			}
		}
		s.ticks = append(s.ticks, s.hi)
		return s
	}
	s.ticks = linearTicks(hi, 5)
	s.hi = s.ticks[len(s.ticks)-1]
	return s
}

// linearTicks returns 0, step, 2·step, … up to the first multiple at or above hi, with about n
// steps of 1, 2 or 5 times a power of ten.
func linearTicks(hi float64, n int) []float64 {
	if hi <= 0 {
		hi = 1
	}
	step := niceStep(hi / float64(n))
	count := int(math.Ceil(hi/step - 1e-9))
	ticks := make([]float64, count+1)
	for i := range ticks {
		ticks[i] = float64(i) * step
	}
	return ticks
}

// roundDown125 returns the largest 1, 2 or 5 times a power of ten at or below v.
func roundDown125(v float64) float64 {
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*exp <= v*1.0001 {
			return m * exp
		}
	}
	return exp
}

// roundUp125 returns the smallest 1, 2 or 5 times a power of ten at or above v.
func roundUp125(v float64) float64 {
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5} {
		if m*exp >= v*0.9999 {
			return m * exp
		}
	}
	return 10 * exp
}

func niceStep(raw float64) float64 {
	exp := math.Floor(math.Log10(raw))
	f := raw / math.Pow(10, exp)
	switch {
	case f <= 1:
		f = 1
	case f <= 2:
		f = 2
	case f <= 5:
		f = 5
	default:
		f = 10
	}
	return f * math.Pow(10, exp)
}

func (s yScale) y(v float64) float64 {
	if s.log {
		v = math.Max(v, s.lo)
		frac := (math.Log10(v) - math.Log10(s.lo)) / (math.Log10(s.hi) - math.Log10(s.lo))
		return s.bottom - frac*(s.bottom-s.top)
	}
	return s.bottom - (v-s.lo)/(s.hi-s.lo)*(s.bottom-s.top)
}
