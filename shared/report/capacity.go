package report

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// Capacity curves: `make sweep STAGE=…` runs one profile at a range of scales and writes one
// result per scale into <results>/sweep. The report draws, per profile, failure, abandonment and
// p99 against the orders per second offered, one line per stage on the same axes, so the knee of
// each architecture shows.

// sweepDir is where make sweep writes, inside the results directory.
const sweepDir = "sweep"

// readSweep reads the sweep results under resultsDir, if any: several files per stage and
// profile (one per scale) are the point here. A missing directory is no sweep, not an error.
func readSweep(resultsDir string) ([]*loadgen.Result, error) {
	return readMany(filepath.Join(resultsDir, sweepDir))
}

// readMany reads every result file in dir, any number per stage and profile, sorted by profile,
// stage, scale and seed. A missing directory gives none.
func readMany(dir string) ([]*loadgen.Result, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var out []*loadgen.Result
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		r, err := readFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Profile != b.Profile {
			return profileLess(a.Profile, b.Profile)
		}
		if a.Stage != b.Stage {
			return a.Stage < b.Stage
		}
		if a.Scale != b.Scale {
			return a.Scale < b.Scale
		}
		return a.Seed < b.Seed
	})
	return out, nil
}

// offeredRate is the orders per second a run offered on average.
func offeredRate(r *loadgen.Result) float64 {
	if r.DurationS <= 0 {
		return 0
	}
	return float64(r.Offered) / r.DurationS
}

// capacityCharts draws one chart per profile of the sweep.
func capacityCharts(sweep []*loadgen.Result) []chart {
	colorOf := map[string]string{}
	for i, s := range stages(sweep) {
		colorOf[s] = stageColors[i%len(stageColors)]
	}
	var out []chart
	for _, p := range profiles(sweep) {
		rows := filter(sweep, func(r *loadgen.Result) bool { return r.Profile == p })
		c := capacityChart{title: "Capacity — " + p, subtitle: "profile " + p + " at several scales · " + provenanceOf(rows).short()}
		for _, s := range stages(rows) {
			c.stages = append(c.stages, s)
			c.colors = append(c.colors, colorOf[s])
			var pts []*loadgen.Result
			for _, r := range rows {
				if r.Stage == s {
					pts = append(pts, r)
				}
			}
			c.runs = append(c.runs, pts)
		}
		out = append(out, chart{"capacity-" + p + ".svg", p, "capacity curve", c.svg()})
	}
	return out
}

type capacityChart struct {
	title, subtitle string
	stages, colors  []string
	runs            [][]*loadgen.Result // per stage, by scale
}

// svg stacks three panels sharing the x axis (offered orders per second): failed %, abandoned %
// and p99 latency (log scale when it spans a lot).
func (c capacityChart) svg() []byte {
	const width, height = 720, 664
	const left, right = 80.0, 696.0
	panels := []struct {
		label string
		value func(*loadgen.Result) float64
		log   bool
		tick  func(float64) string
	}{
		{"failed (% of offered)", func(r *loadgen.Result) float64 { return r.FailureRate * 100 }, false, func(v float64) string { return trimFloat(v, 1) + "%" }},
		{"abandoned (% of offered)", func(r *loadgen.Result) float64 { return r.Abandonment * 100 }, false, func(v float64) string { return trimFloat(v, 1) + "%" }},
		{"p99 latency", func(r *loadgen.Result) float64 { return r.LatencyMS.P99 }, true, formatDuration},
	}
	cv := newCanvas(width, height, c.title)
	cv.header(c.title, c.subtitle)
	cv.legend(left, 72, c.stages, func(x, y float64, i int) { cv.line(x, y-2, x+12, y-2, c.colors[i], 3) })

	var xmax float64
	for _, runs := range c.runs {
		for _, r := range runs {
			xmax = math.Max(xmax, offeredRate(r))
		}
	}
	xticks := linearTicks(xmax, 6)
	xhi := xticks[len(xticks)-1]
	x := func(v float64) float64 { return left + v/xhi*(right-left) }

	const panelTop, panelHeight, gap = 100.0, 130.0, 48.0
	for i, p := range panels {
		top := panelTop + float64(i)*(panelHeight+gap)
		bottom := top + panelHeight
		var all []float64
		for _, runs := range c.runs {
			for _, r := range runs {
				all = append(all, p.value(r))
			}
		}
		s := newYScale(all, p.log, top, bottom)
		label := p.label
		if s.log {
			label += ", log scale"
		}
		cv.yAxis(s, left, right, label, p.tick)
		for _, t := range xticks {
			cv.line(x(t), top, x(t), bottom, colorGrid, 1)
			cv.text(x(t), bottom+16, 11, "middle", colorMuted, trimFloat(t, 1))
		}
		cv.line(left, bottom, right, bottom, colorAxis, 1)
		for si, runs := range c.runs {
			pts := make([][2]float64, 0, len(runs))
			for _, r := range runs {
				pts = append(pts, [2]float64{x(offeredRate(r)), s.y(p.value(r))})
			}
			if len(pts) > 1 {
				cv.polyline(pts, c.colors[si], 1.8)
			}
			for j, pt := range pts {
				if r := runs[j]; r.CPU != nil && r.CPU.Bound {
					// A run the machine distorted: a hollow point.
					cv.circle(pt[0], pt[1], 4, c.colors[si])
					cv.circle(pt[0], pt[1], 2.2, "#ffffff")
					continue
				}
				cv.circle(pt[0], pt[1], 3, c.colors[si])
			}
		}
	}
	cv.text((left+right)/2, height-30, 12, "middle", colorMuted, "orders offered per second (the profile's mean rate × scale)")
	cv.text(24, height-10, 11, "start", colorMuted, "A hollow point is a CPU-bound run: it needed more than this machine's cores, so its latencies are inflated.")
	return cv.bytes()
}

// capacityMarkdown is results.md's section for the sweep: the charts inline and the points.
func capacityMarkdown(sweep []*loadgen.Result, charts []chart) string {
	if len(sweep) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Capacity curves\n\n")
	b.WriteString("Each stage at several scales of one profile (`make sweep STAGE=… PROFILE=… SCALES=\"…\"`, " +
		"results in `docs/results/sweep/`): where failures, abandonment and p99 turn up is the knee of the architecture.\n")
	for _, c := range charts {
		fmt.Fprintf(&b, "\n![%s](charts/%s)\n", "capacity curve, "+c.profile, c.file)
	}
	b.WriteString("\nLost counts accepted orders that had not reached a final state when the profile's grace " +
		"ended: at an asynchronous stage (04, 05) that is the payment backlog still waiting in its queue at the " +
		"provider's pace, which a longer `GRACE=` lets drain (04's README measures SCALE 1.5 with `GRACE=120s`), " +
		"not an order dropped. A run marked CPU-bound needed more than this machine's cores: its latencies hold " +
		"time the latency model never put there.\n")
	b.WriteString("\n| profile | stage | scale | offered/s | failed | abandoned | p50 | p99 | lost (grace) | CPU-bound |\n|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range sweep {
		bound := "no"
		if r.CPU == nil {
			bound = dash
		} else if r.CPU.Bound {
			bound = "**yes**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s s) | %s |\n", r.Profile, r.Stage, trimFloat(r.Scale, 2),
			trimFloat(offeredRate(r), 1), formatPercent(r.FailureRate), formatPercent(r.Abandonment),
			formatMS(r.LatencyMS.P50), formatMS(r.LatencyMS.P99), formatCount(int64(r.Lost)), trimFloat(r.GraceS, 0), bound)
	}
	b.WriteString("\n" + provenanceOf(sweep).line(codeSpan) + "\n")
	return b.String()
}
