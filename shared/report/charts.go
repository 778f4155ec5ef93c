package report

import (
	"math"
	"sort"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// secondsFile names a stage's second-by-second chart of a profile.
func secondsFile(stage, profile string) string { return "seconds-" + stage + "-" + profile + ".svg" }

// chart is one rendered SVG file.
type chart struct {
	file    string // name inside docs/charts
	profile string
	kind    string // link text in results.md
	svg     []byte
}

// stageColors are the Okabe–Ito colours, which stay distinct for colour-blind readers; stages
// take them in stage order.
var stageColors = []string{"#E69F00", "#56B4E9", "#D55E00", "#009E73", "#0072B2", "#CC79A7", "#000000", "#999999"}

var (
	percentileSeries = []series{{"p50", "#9ecae1"}, {"p95", "#4292c6"}, {"p99", "#08306b"}}
	failureSeries    = []series{{"failed", "#D55E00"}, {"abandoned", "#E69F00"}}
	costSeries       = []series{{"cost per 1,000 orders", "#009E73"}}
)

// buildCharts renders, for every profile, latency by stage, p99 over time (when the results
// have a timeline), failures and abandonment by stage, and cost by stage (when it was modelled).
func buildCharts(results []*loadgen.Result) []chart {
	colorOf := map[string]string{}
	for i, s := range stages(results) {
		colorOf[s] = stageColors[i%len(stageColors)]
	}
	var charts []chart
	for _, p := range profiles(results) {
		rows := filter(results, func(r *loadgen.Result) bool { return r.Profile == p })
		subtitle := "profile " + p + " · " + provenanceOf(rows).short()
		names := make([]string, len(rows))
		for i, r := range rows {
			names[i] = r.Stage
		}

		latency := barChart{
			title: "Order latency by stage — " + p, subtitle: subtitle,
			yLabel: "latency", groups: names, series: percentileSeries, allowLog: true,
			tick: formatDuration, label: formatDuration,
		}
		for _, r := range rows {
			latency.values = append(latency.values, []*float64{positive(r.LatencyMS.P50), positive(r.LatencyMS.P95), positive(r.LatencyMS.P99)})
		}
		charts = append(charts, chart{"comparison-" + p + ".svg", p, "the stages compared", comparisonOf(p, subtitle, rows, colorOf).svg()})
		charts = append(charts, chart{"latency-" + p + ".svg", p, "latency by stage", latency.svg()})

		if tl := timelineOf(p, subtitle, rows, colorOf); tl != nil {
			charts = append(charts, chart{"timeline-" + p + ".svg", p, "p99 over time", tl.svg()})
		}

		failures := barChart{
			title: "Failed and abandoned orders by stage — " + p, subtitle: subtitle,
			yLabel: "% of offered orders", groups: names, series: failureSeries,
			tick:  func(v float64) string { return trimFloat(v, 2) + "%" },
			label: func(v float64) string { return formatPercent(v / 100) },
		}
		for _, r := range rows {
			failures.values = append(failures.values, []*float64{ptr(r.FailureRate * 100), ptr(r.Abandonment * 100)})
		}
		charts = append(charts, chart{"failures-" + p + ".svg", p, "failures and abandonment", failures.svg()})

		cost := barChart{
			title: "Cost per 1,000 orders by stage — " + p, subtitle: subtitle,
			yLabel: "USD per 1,000 orders", groups: names, series: costSeries,
			tick:  func(v float64) string { return "$" + trimFloat(v, 6) },
			label: func(v float64) string { return "$" + formatCost(v) },
		}
		measured := false
		for _, r := range rows {
			cost.values = append(cost.values, []*float64{r.CostPer1k})
			measured = measured || r.CostPer1k != nil
		}
		if measured {
			charts = append(charts, chart{"cost-" + p + ".svg", p, "cost per 1k orders", cost.svg()})
		}
		for _, r := range rows {
			if sc := secondsOf(r, "profile "+p+" · "+provenanceOf([]*loadgen.Result{r}).short()); sc != nil {
				charts = append(charts, chart{secondsFile(r.Stage, p), p, r.Stage + " second by second", sc.svg()})
			}
		}
	}
	return charts
}

func ptr(v float64) *float64 { return &v }

// positive treats 0 as not measured (see the package doc).
func positive(v float64) *float64 {
	if v <= 0 {
		return nil
	}
	return &v
}

type series struct {
	name  string
	color string
}

// barChart is a grouped bar chart: one group per stage, one bar per series.
type barChart struct {
	title, subtitle string
	yLabel          string
	groups          []string
	series          []series
	values          [][]*float64 // [group][series]; nil is not measured
	allowLog        bool
	tick, label     func(float64) string
}

func (c barChart) svg() []byte {
	const width, height = 720, 420
	const left, right, top, bottom = 80.0, 696.0, 96.0, 356.0
	cv := newCanvas(width, height, c.title)
	cv.header(c.title, c.subtitle)
	names := make([]string, len(c.series))
	for i, s := range c.series {
		names[i] = s.name
	}
	cv.legend(left, 72, names, func(x, y float64, i int) { cv.rect(x, y-8, 12, 12, c.series[i].color) })

	var all []float64
	for _, g := range c.values {
		for _, v := range g {
			if v != nil {
				all = append(all, *v)
			}
		}
	}
	s := newYScale(all, c.allowLog, top, bottom)
	label := c.yLabel
	if s.log {
		label += " (log scale)"
	}
	cv.yAxis(s, left, right, label, c.tick)
	cv.line(left, bottom, right, bottom, colorAxis, 1)

	// Groups are at most 150 px wide, centred, so a single stage does not become one fat bar.
	groupW := math.Min(150, (right-left)/float64(max(1, len(c.groups))))
	start := left + ((right-left)-groupW*float64(len(c.groups)))/2
	barArea := groupW * 0.72
	barW := barArea / float64(max(1, len(c.series)))
	labelSize := 10
	if barW < 34 {
		labelSize = 9
	}
	for i, g := range c.groups {
		gx := start + float64(i)*groupW
		cv.text(gx+groupW/2, bottom+20, 12, "middle", colorText, g)
		for j, sr := range c.series {
			x := gx + (groupW-barArea)/2 + float64(j)*barW + 1
			w := barW - 2
			var v *float64
			if i < len(c.values) && j < len(c.values[i]) {
				v = c.values[i][j]
			}
			if v == nil {
				cv.text(x+w/2, bottom-6, 14, "middle", colorMuted, dash)
				continue
			}
			y := s.y(*v)
			h := math.Max(bottom-y, 1)
			cv.rect(x, bottom-h, w, h, sr.color)
			cv.text(x+w/2, bottom-h-4, labelSize, "middle", colorText, c.label(*v))
		}
	}
	cv.text((left+right)/2, height-18, 12, "middle", colorMuted, "stage")
	return cv.bytes()
}

// point is one timeline sample; ok is false where nothing was measured (a gap in the line).
type point struct {
	t, v float64
	ok   bool
}

type timeSeries struct {
	name   string
	color  string
	points []point
}

// timelineChart shows p99 latency per second, one line per stage, above a small panel with the
// offered rate.
type timelineChart struct {
	title, subtitle string
	lines           []timeSeries
	offered         []point
	tMax            float64
}

// maxPoints caps the points per line: a long run is binned (worst p99, mean offered rate per
// bin) so the SVG stays small.
const maxPoints = 600

func timelineOf(profile, subtitle string, rows []*loadgen.Result, colorOf map[string]string) *timelineChart {
	c := &timelineChart{title: "p99 latency over time — " + profile, subtitle: subtitle}
	for _, r := range rows {
		if len(r.Timeline) == 0 {
			continue
		}
		p99, offered, tMax := binTimeline(r.Timeline)
		c.lines = append(c.lines, timeSeries{r.Stage, colorOf[r.Stage], p99})
		if c.offered == nil {
			// Every stage runs the same profile, so the first stage's offered rate stands for all.
			c.offered = offered
		}
		c.tMax = math.Max(c.tMax, tMax)
	}
	if len(c.lines) == 0 {
		return nil
	}
	return c
}

func binTimeline(buckets []loadgen.Bucket) (p99, offered []point, tMax float64) {
	sorted := append([]loadgen.Bucket(nil), buckets...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].T < sorted[j].T })
	last := sorted[len(sorted)-1].T
	size := 1
	if last+1 > maxPoints {
		size = (last + maxPoints) / maxPoints
	}
	n := last/size + 1
	worst := make([]float64, n)
	sum := make([]float64, n)
	for _, b := range sorted {
		if b.T < 0 {
			continue
		}
		i := b.T / size
		worst[i] = math.Max(worst[i], b.P99MS)
		sum[i] += float64(b.Offered)
	}
	for i := range n {
		t := float64(i * size)
		seconds := float64(min(size, last+1-i*size))
		p99 = append(p99, point{t, worst[i], worst[i] > 0})
		offered = append(offered, point{t, sum[i] / seconds, true})
	}
	return p99, offered, float64(last + 1)
}

func (c *timelineChart) svg() []byte {
	const width, height = 720, 470
	const left, right, top, bottom = 80.0, 696.0, 96.0, 296.0
	const offTop, offBottom = 340.0, 408.0
	cv := newCanvas(width, height, c.title)
	cv.header(c.title, c.subtitle)
	names := make([]string, len(c.lines))
	for i, l := range c.lines {
		names[i] = l.name
	}
	cv.legend(left, 72, names, func(x, y float64, i int) { cv.line(x, y-2, x+12, y-2, c.lines[i].color, 3) })

	step := timeStep(c.tMax)
	tHi := math.Ceil(c.tMax/step) * step
	x := func(t float64) float64 { return left + t/tHi*(right-left) }
	for t := 0.0; t <= tHi+step/1000; t += step {
		cv.line(x(t), top, x(t), bottom, colorGrid, 1)
		cv.line(x(t), offTop, x(t), offBottom, colorGrid, 1)
		cv.text(x(t), offBottom+18, 11, "middle", colorMuted, trimFloat(t, 0))
	}

	var all []float64
	for _, l := range c.lines {
		for _, p := range l.points {
			if p.ok {
				all = append(all, p.v)
			}
		}
	}
	s := newYScale(all, true, top, bottom)
	label := "p99 latency per second"
	if s.log {
		label += ", log scale"
	}
	cv.yAxis(s, left, right, label, formatDuration)
	cv.line(left, bottom, right, bottom, colorAxis, 1)
	for _, l := range c.lines {
		var seg [][2]float64
		flush := func() {
			if len(seg) == 1 {
				cv.circle(seg[0][0], seg[0][1], 1.5, l.color)
			} else if len(seg) > 1 {
				cv.polyline(seg, l.color, 1.8)
			}
			seg = nil
		}
		for _, p := range l.points {
			if !p.ok {
				flush()
				continue
			}
			seg = append(seg, [2]float64{x(p.t), s.y(p.v)})
		}
		flush()
	}

	var rates []float64
	for _, p := range c.offered {
		rates = append(rates, p.v)
	}
	rs := newYScale(rates, false, offTop, offBottom)
	rs.ticks = []float64{0, rs.hi}
	cv.text(left, offTop-10, 12, "start", colorMuted, "offered load (orders/s)")
	for _, t := range rs.ticks {
		cv.text(left-8, rs.y(t)+4, 11, "end", colorMuted, trimFloat(t, 2))
	}
	pts := make([][2]float64, len(c.offered))
	for i, p := range c.offered {
		pts[i] = [2]float64{x(p.t), rs.y(p.v)}
	}
	cv.area(pts, offBottom, "#e6e9ed", "#8c959f")
	cv.line(left, offBottom, right, offBottom, colorAxis, 1)
	cv.text((left+right)/2, height-14, 12, "middle", colorMuted, "time since the start of the run (s)")
	return cv.bytes()
}

// timeStep picks a grid step for a run of tMax seconds: about 6 to 12 lines on round numbers.
func timeStep(tMax float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600} {
		if tMax/s <= 12 {
			return s
		}
	}
	return niceStep(tMax / 10)
}
