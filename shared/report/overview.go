package report

import (
	"math"
	"sort"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// comparisonChart is the one picture of a profile: per stage, the median latency, the share of
// orders failed or abandoned, and the cost per 1,000 orders, as three panels of horizontal bars
// that share the stage labels. The root README shows it for the morning rush.
type comparisonChart struct {
	title, subtitle string
	stages          []string
	colors          []string
	panels          []comparisonPanel
}

type comparisonPanel struct {
	title  string
	values []*float64 // per stage; nil is not measured
	label  func(float64) string
}

func comparisonOf(profile, subtitle string, rows []*loadgen.Result, colorOf map[string]string) *comparisonChart {
	c := &comparisonChart{title: "The stages compared — " + profile, subtitle: subtitle}
	latency := comparisonPanel{title: "median order latency", label: formatDuration}
	failed := comparisonPanel{title: "failed or abandoned (% of orders)", label: func(v float64) string { return formatPercent(v / 100) }}
	cost := comparisonPanel{title: "cost per 1,000 orders (USD)", label: func(v float64) string { return "$" + formatCost(v) }}
	for _, r := range rows {
		c.stages = append(c.stages, r.Stage)
		c.colors = append(c.colors, colorOf[r.Stage])
		latency.values = append(latency.values, positive(r.LatencyMS.P50))
		failed.values = append(failed.values, ptr((r.FailureRate+r.Abandonment)*100))
		cost.values = append(cost.values, r.CostPer1k)
	}
	c.panels = []comparisonPanel{latency, failed, cost}
	return c
}

func (c *comparisonChart) svg() []byte {
	const width = 900
	const labelRight, panelsLeft, panelsRight, gap = 124.0, 140.0, 880.0, 28.0
	const top, rowH = 96.0, 34.0
	height := int(top + rowH*float64(len(c.stages)) + 40)
	cv := newCanvas(width, height, c.title)
	cv.header(c.title, c.subtitle)
	panelW := (panelsRight - panelsLeft - gap*float64(len(c.panels)-1)) / float64(len(c.panels))
	bottom := top + rowH*float64(len(c.stages))
	for i, s := range c.stages {
		cv.text(labelRight, top+float64(i)*rowH+rowH/2+4, 12, "end", colorText, s)
	}
	for p, panel := range c.panels {
		left := panelsLeft + float64(p)*(panelW+gap)
		cv.text(left, top-14, 12, "start", colorText, panel.title, `font-weight="600"`)
		hi := 0.0
		for _, v := range panel.values {
			if v != nil {
				hi = math.Max(hi, *v)
			}
		}
		// Bars use 70 % of the panel so the longest one still has room for its label.
		scale := 0.0
		if hi > 0 {
			scale = panelW * 0.7 / hi
		}
		cv.line(left, top-4, left, bottom, colorAxis, 1)
		for i, v := range panel.values {
			y := top + float64(i)*rowH
			if v == nil {
				cv.text(left+6, y+rowH/2+4, 12, "start", colorMuted, dash+" not measured")
				continue
			}
			w := math.Max(*v*scale, 1)
			cv.rect(left, y+6, w, rowH-12, c.colors[i])
			cv.text(left+w+6, y+rowH/2+4, 11, "start", colorText, panel.label(*v))
		}
	}
	cv.text(24, float64(height)-14, 11, "start", colorMuted,
		"Latency: the time until the API answered (an abandoned order counts as the customer's patience). Cost: the modelled AWS bill.")
	return cv.bytes()
}

// secondsChart is one stage's run second by second: what became of the orders sent in each
// second (answered, failed, abandoned, sold out), above the p50 and p99 latency of that second.
type secondsChart struct {
	title, subtitle string
	buckets         []loadgen.Bucket // binned: a bucket's counts are per second, its latencies the bin's worst
	binSize         int
	tMax            float64
	// system is the emulator in the same bins (nil when the result has none): Lambda
	// concurrency (the bin's peak), Lambda and DynamoDB throttles per second, queue depth (peak).
	system []systemLine
}

// systemLine is one line of the seconds chart's third panel.
type systemLine struct {
	name, color string
	values      []float64 // per bin
}

var secondsSeries = []series{{"answered", "#009E73"}, {"sold out", "#999999"}, {"failed", "#D55E00"}, {"abandoned", "#E69F00"}}

func secondsOf(r *loadgen.Result, subtitle string) *secondsChart {
	if len(r.Timeline) == 0 {
		return nil
	}
	sorted := append([]loadgen.Bucket(nil), r.Timeline...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].T < sorted[j].T })
	last := max(0, sorted[len(sorted)-1].T)
	size := 1
	if last+1 > maxPoints/4 {
		// Bars need a few pixels each: a long run is binned to at most 150 bars.
		size = (last + maxPoints/4) / (maxPoints / 4)
	}
	bins := make([]loadgen.Bucket, last/size+1)
	for i := range bins {
		bins[i].T = i * size
	}
	for _, b := range sorted {
		if b.T < 0 {
			continue
		}
		bin := &bins[b.T/size]
		bin.Offered += b.Offered
		bin.OK += b.OK
		bin.Failed += b.Failed
		bin.Abandoned += b.Abandoned
		bin.P50MS = math.Max(bin.P50MS, b.P50MS)
		bin.P99MS = math.Max(bin.P99MS, b.P99MS)
	}
	return &secondsChart{
		title:    "Second by second — " + r.Stage + ", " + r.Profile,
		subtitle: subtitle, buckets: bins, binSize: size, tMax: float64(last + 1),
		system: systemLines(r.System, len(bins), size),
	}
}

// systemLines bins a result's system_per_second like the timeline: peaks for the gauges, the
// mean per second for the throttles. A line that stays at zero is left out (no DynamoDB
// throttles at 01, for instance), and so is the whole panel when every line is.
func systemLines(sys *loadgen.SystemSeconds, n, size int) []systemLine {
	if sys == nil {
		return nil
	}
	bin := func(v []int64, peak bool) ([]float64, bool) {
		out := make([]float64, n)
		nonzero := false
		for i, x := range v {
			if i/size >= n {
				break // the drain after the last send second
			}
			if x != 0 {
				nonzero = true
			}
			if peak {
				out[i/size] = math.Max(out[i/size], float64(x))
			} else {
				out[i/size] += float64(x) / float64(size)
			}
		}
		return out, nonzero
	}
	var lines []systemLine
	for _, l := range []struct {
		name, color string
		v           []int64
		peak        bool
	}{
		{"Lambda concurrency", "#7570b3", sys.LambdaConcurrency, true},
		{"Lambda throttles/s", "#D55E00", sys.LambdaThrottles, false},
		{"DynamoDB throttles/s", "#CC79A7", sys.DynamoDBThrottles, false},
		{"queued messages", "#56B4E9", sys.QueueDepth, true},
	} {
		if v, nonzero := bin(l.v, l.peak); nonzero {
			lines = append(lines, systemLine{l.name, l.color, v})
		}
	}
	return lines
}

func (c *secondsChart) svg() []byte {
	const width = 720
	const left, right, top, bottom = 80.0, 696.0, 96.0, 270.0
	const latTop, latBottom = 312.0, 424.0
	const sysTop, sysBottom = 484.0, 596.0
	height := 500
	if len(c.system) > 0 {
		height = 684
	}
	cv := newCanvas(width, height, c.title)
	cv.header(c.title, c.subtitle)
	names := make([]string, len(secondsSeries))
	for i, s := range secondsSeries {
		names[i] = s.name
	}
	cv.legend(left, 72, names, func(x, y float64, i int) { cv.rect(x, y-8, 12, 12, secondsSeries[i].color) })

	step := timeStep(c.tMax)
	tHi := math.Ceil(c.tMax/step) * step
	x := func(t float64) float64 { return left + t/tHi*(right-left) }
	axisBottom := latBottom
	if len(c.system) > 0 {
		axisBottom = sysBottom
	}
	for t := 0.0; t <= tHi+step/1000; t += step {
		cv.line(x(t), latTop, x(t), latBottom, colorGrid, 1)
		if len(c.system) > 0 {
			cv.line(x(t), sysTop, x(t), sysBottom, colorGrid, 1)
		}
		cv.text(x(t), axisBottom+18, 11, "middle", colorMuted, trimFloat(t, 0))
	}

	per := float64(c.binSize)
	var rates []float64
	for _, b := range c.buckets {
		rates = append(rates, float64(b.Offered)/per)
	}
	rs := newYScale(rates, false, top, bottom)
	label := "orders sent per second"
	if c.binSize > 1 {
		label = "orders/s (" + trimFloat(per, 0) + " s bins)"
	}
	cv.yAxis(rs, left, right, label, func(v float64) string { return trimFloat(v, 1) })
	barW := math.Max((x(per)-x(0))-1, 1)
	for _, b := range c.buckets {
		soldOut := max(0, b.Offered-b.OK-b.Failed-b.Abandoned)
		y := bottom
		for i, n := range []int{b.OK, soldOut, b.Failed, b.Abandoned} {
			if n == 0 {
				continue
			}
			h := float64(n) / per / (rs.hi - rs.lo) * (bottom - top)
			cv.rect(x(float64(b.T))+0.5, y-h, barW, h, secondsSeries[i].color)
			y -= h
		}
	}
	cv.line(left, bottom, right, bottom, colorAxis, 1)

	var lat []float64
	for _, b := range c.buckets {
		lat = append(lat, b.P50MS, b.P99MS)
	}
	ls := newYScale(lat, false, latTop, latBottom)
	ls.ticks = []float64{0, ls.hi / 2, ls.hi}
	cv.text(left, latTop-10, 12, "start", colorMuted, "latency of the orders sent in that second:")
	cv.legend(left+252, latTop-10, []string{"p50", "p99"}, func(x, y float64, i int) {
		cv.line(x, y-2, x+12, y-2, []string{"#4292c6", "#08306b"}[i], 3)
	})
	for _, t := range ls.ticks {
		cv.line(left, ls.y(t), right, ls.y(t), colorGrid, 1)
		cv.text(left-8, ls.y(t)+4, 11, "end", colorMuted, formatDuration(t))
	}
	for i, pick := range []func(loadgen.Bucket) float64{
		func(b loadgen.Bucket) float64 { return b.P50MS },
		func(b loadgen.Bucket) float64 { return b.P99MS },
	} {
		color := []string{"#4292c6", "#08306b"}[i]
		var seg [][2]float64
		flush := func() {
			if len(seg) == 1 {
				cv.circle(seg[0][0], seg[0][1], 1.5, color)
			} else if len(seg) > 1 {
				cv.polyline(seg, color, 1.8)
			}
			seg = nil
		}
		for _, b := range c.buckets {
			v := pick(b)
			if v <= 0 {
				flush() // no answer in that second: a gap, not a zero
				continue
			}
			seg = append(seg, [2]float64{x(float64(b.T) + per/2), ls.y(v)})
		}
		flush()
	}
	cv.line(left, latBottom, right, latBottom, colorAxis, 1)
	if len(c.system) > 0 {
		c.systemPanel(cv, x, per, sysTop, sysBottom)
	}
	cv.text((left+right)/2, axisBottom+36, 12, "middle", colorMuted, "second of the run in which the orders were sent")
	note := "An abandoned order's latency counts as the customer's patience."
	if len(c.system) > 0 {
		cv.text(24, float64(height)-30, 11, "start", colorMuted, note)
		note = "The emulator was read every 100 ms: concurrency and queued messages are the second's highest reading."
	}
	cv.text(24, float64(height)-14, 11, "start", colorMuted, note)
	return cv.bytes()
}

// systemPanel draws the emulator's lines between top and bottom, on the chart's time axis.
func (c *secondsChart) systemPanel(cv *canvas, x func(float64) float64, per, top, bottom float64) {
	const left, right = 80.0, 696.0
	var all []float64
	names := make([]string, len(c.system))
	for i, l := range c.system {
		all = append(all, l.values...)
		names[i] = l.name
	}
	s := newYScale(all, false, top, bottom)
	s.ticks = []float64{0, s.hi / 2, s.hi}
	cv.text(left, top-28, 12, "start", colorMuted, "the emulator in that second:")
	cv.legend(left, top-10, names, func(x, y float64, i int) { cv.line(x, y-2, x+12, y-2, c.system[i].color, 3) })
	for _, t := range s.ticks {
		cv.line(left, s.y(t), right, s.y(t), colorGrid, 1)
		cv.text(left-8, s.y(t)+4, 11, "end", colorMuted, trimFloat(t, 0))
	}
	for _, l := range c.system {
		pts := make([][2]float64, len(l.values))
		for i, v := range l.values {
			pts[i] = [2]float64{x(float64(i)*per + per/2), s.y(v)}
		}
		cv.polyline(pts, l.color, 1.8)
	}
	cv.line(left, bottom, right, bottom, colorAxis, 1)
}
