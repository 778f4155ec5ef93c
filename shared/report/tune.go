package report

import (
	"strconv"
)

// TunePoint is one memory size of a power-tuning run (make tune): the function's duration and
// its cost there.
type TunePoint struct {
	MemoryMB     int
	MeanMS       float64 // mean duration
	P95MS        float64 // 95th percentile duration
	USDPerMilARM float64 // cost of a million invocations on arm64 (requests + duration)
	USDPerMilX86 float64 // the same on x86_64
}

// TuneChart draws a power-tuning run as an SVG: duration (mean and p95) against memory on top,
// cost per million invocations (arm64 and x86_64) below. Memory sizes are evenly spaced, in the
// order given, as AWS Lambda Power Tuning's chart does.
func TuneChart(title, subtitle string, points []TunePoint) []byte {
	const width, height = 720, 520
	const left, right = 80.0, 696.0
	const dTop, dBottom = 96.0, 276.0
	const cTop, cBottom = 336.0, 456.0
	cv := newCanvas(width, height, title)
	cv.header(title, subtitle)
	colors := []string{"#0969da", "#9a6700", "#1a7f37", "#8250df"}
	names := []string{"mean duration", "p95 duration", "cost on arm64", "cost on x86_64"}
	cv.legend(left, 72, names, func(x, y float64, i int) { cv.line(x, y-2, x+12, y-2, colors[i], 3) })
	if len(points) == 0 {
		return cv.bytes()
	}
	x := func(i int) float64 {
		if len(points) == 1 {
			return (left + right) / 2
		}
		return left + 20 + float64(i)/float64(len(points)-1)*(right-left-40)
	}
	var durs, costs []float64
	for _, p := range points {
		durs = append(durs, p.MeanMS, p.P95MS)
		costs = append(costs, p.USDPerMilARM, p.USDPerMilX86)
	}
	ds := newYScale(durs, true, dTop, dBottom)
	label := "duration"
	if ds.log {
		label += ", log scale"
	}
	cv.yAxis(ds, left, right, label, formatDuration)
	cv.line(left, dBottom, right, dBottom, colorAxis, 1)
	cs := newYScale(costs, false, cTop, cBottom)
	for _, t := range cs.ticks {
		y := cs.y(t)
		cv.line(left, y, right, y, colorGrid, 1)
		cv.text(left-8, y+4, 11, "end", colorMuted, "$"+formatCost(t))
	}
	cv.text(left, cTop-12, 12, "start", colorMuted, "cost per million invocations (USD: requests + GB-seconds)")
	cv.line(left, cBottom, right, cBottom, colorAxis, 1)
	series := []func(TunePoint) float64{
		func(p TunePoint) float64 { return p.MeanMS },
		func(p TunePoint) float64 { return p.P95MS },
		func(p TunePoint) float64 { return p.USDPerMilARM },
		func(p TunePoint) float64 { return p.USDPerMilX86 },
	}
	for si, val := range series {
		s := ds
		if si >= 2 {
			s = cs
		}
		pts := make([][2]float64, len(points))
		for i, p := range points {
			pts[i] = [2]float64{x(i), s.y(val(p))}
			cv.circle(pts[i][0], pts[i][1], 2.5, colors[si])
		}
		cv.polyline(pts, colors[si], 1.8)
	}
	for i, p := range points {
		cv.text(x(i), cBottom+18, 11, "middle", colorMuted, strconv.Itoa(p.MemoryMB))
	}
	cv.text((left+right)/2, height-22, 12, "middle", colorMuted, "memory (MB); 1,769 MB = 1 vCPU")
	return cv.bytes()
}
