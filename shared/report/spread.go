package report

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// Run-to-run spread: `make spread STAGE=… PROFILE=… SEEDS="…"` runs one profile at several seeds
// and writes one result per seed into <results>/spread. results.md then shows, per stage and
// profile, the lowest and highest of each headline figure, so a reader can tell a change between
// stages from the noise between runs.

const spreadDir = "spread"

func readSpread(resultsDir string) ([]*loadgen.Result, error) {
	return readMany(filepath.Join(resultsDir, spreadDir))
}

// spreadMarkdown is results.md's section for the spread runs.
func spreadMarkdown(runs []*loadgen.Result) string {
	if len(runs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Run-to-run spread\n\n")
	b.WriteString("Each stage's profile at several seeds (`make spread STAGE=… PROFILE=… SEEDS=\"…\"`, results in " +
		"`docs/results/spread/`): the lowest and highest of each figure over the runs. A difference between " +
		"stages smaller than this spread is noise.\n\n")
	b.WriteString("| profile | stage | runs (seeds) | p50 (ms) | p99 (ms) | failed | abandoned | lost | cost / 1k orders (USD) |\n")
	b.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|\n")
	type key struct{ profile, stage string }
	var order []key
	groups := map[key][]*loadgen.Result{}
	for _, r := range runs {
		k := key{r.Profile, r.Stage}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		g := groups[k]
		seeds := make([]int64, len(g))
		for i, r := range g {
			seeds[i] = r.Seed
		}
		rng := func(get func(*loadgen.Result) float64, format func(float64) string) string {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, r := range g {
				lo, hi = math.Min(lo, get(r)), math.Max(hi, get(r))
			}
			if format(lo) == format(hi) {
				return format(lo)
			}
			return format(lo) + " – " + format(hi)
		}
		cost := func(r *loadgen.Result) float64 {
			if r.CostPer1k == nil {
				return math.NaN()
			}
			return *r.CostPer1k
		}
		costCell := dash
		if g[0].CostPer1k != nil {
			costCell = rng(cost, formatCost)
		}
		fmt.Fprintf(&b, "| %s | %s | %d (%s) | %s | %s | %s | %s | %s | %s |\n", k.profile, k.stage, len(g), joinInts(seeds),
			rng(func(r *loadgen.Result) float64 { return r.LatencyMS.P50 }, formatMS),
			rng(func(r *loadgen.Result) float64 { return r.LatencyMS.P99 }, formatMS),
			rng(func(r *loadgen.Result) float64 { return r.FailureRate }, formatPercent),
			rng(func(r *loadgen.Result) float64 { return r.Abandonment }, formatPercent),
			rng(func(r *loadgen.Result) float64 { return float64(r.Lost) }, func(v float64) string { return formatCount(int64(v)) }),
			costCell)
	}
	b.WriteString("\n" + provenanceOf(runs).line(codeSpan) + "\n")
	return b.String()
}
