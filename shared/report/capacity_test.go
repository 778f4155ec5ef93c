package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// sweepTree copies the test results into a results directory and adds a sweep of two stages at
// three scales each, made from the stages' morning-rush results with the offered orders scaled.
func sweepTree(t *testing.T, scales []float64) (results string) {
	t.Helper()
	results = t.TempDir()
	entries, err := os.ReadDir(resultsDir)
	require.NoError(t, err)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(resultsDir, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(results, e.Name()), data, 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(results, sweepDir), 0o755))
	for _, stage := range []string{"02-split", "03-crisis"} {
		r, err := readFile(filepath.Join(resultsDir, stage+"-morning-rush.json"))
		require.NoError(t, err)
		offered := r.Offered
		for _, sc := range scales {
			r.Scale, r.Offered = sc, int(float64(offered)*sc)
			r.FailureRate = 0.01 * sc * sc
			r.Lost, r.GraceS = int(10*(sc-1)), 15
			r.CPU = &loadgen.CPU{Bound: sc >= 2}
			data, err := json.Marshal(r)
			require.NoError(t, err)
			name := fmt.Sprintf("%s.%s.x%g.json", r.Stage, r.Profile, sc)
			require.NoError(t, os.WriteFile(filepath.Join(results, sweepDir, name), data, 0o644))
		}
	}
	return results
}

// TestBuildDrawsCapacityCurves: a sweep under the results directory adds a capacity chart per
// profile (one line per stage, one point per scale) and a section with the chart inline and a
// row per run to results.md; without a sweep there is neither.
func TestBuildDrawsCapacityCurves(t *testing.T) {
	scales := []float64{0.5, 1, 2}
	results := sweepTree(t, scales)
	root := stageTree(t, map[string]string{})
	docs := filepath.Join(root, "docs")

	_, err := Build(results, docs, root)
	require.NoError(t, err)

	md, err := os.ReadFile(filepath.Join(docs, "results.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "## Capacity curves")
	assert.Contains(t, string(md), "![capacity curve, morning-rush](charts/capacity-morning-rush.svg)")
	assert.Equal(t, 2*len(scales), strings.Count(string(md), "| morning-rush | 0"), "a row per stage and scale")
	assert.Contains(t, string(md), "| morning-rush | 03-crisis | 2 |")
	assert.Regexp(t, `\| morning-rush \| 03-crisis \| 2 \|[^\n]*\| 10 \(15 s\) \| \*\*yes\*\* \|`, string(md), "lost within the grace, and the CPU-bound mark")
	assert.Regexp(t, `\| morning-rush \| 03-crisis \| 1 \|[^\n]*\| 0 \(15 s\) \| no \|`, string(md))

	svg, err := os.ReadFile(filepath.Join(docs, "charts", "capacity-morning-rush.svg"))
	require.NoError(t, err)
	assert.Equal(t, 2*3, strings.Count(string(svg), "<polyline"), "a line per stage in each of the three panels")
	hollow := strings.Count(string(svg), `r="2.2" fill="#ffffff"/>`)
	assert.Equal(t, 2*3*len(scales), strings.Count(string(svg), "<circle")-hollow, "a point per run in each panel")
	assert.Equal(t, 2*3, hollow, "the CPU-bound run (scale 2) of each stage is hollow in each panel")

	// Without a sweep, results.md has no capacity section.
	plain := t.TempDir()
	for _, e := range must(os.ReadDir(resultsDir)) {
		require.NoError(t, os.WriteFile(filepath.Join(plain, e.Name()), must(os.ReadFile(filepath.Join(resultsDir, e.Name()))), 0o644))
	}
	docs2 := filepath.Join(root, "docs2")
	_, err = Build(plain, docs2, root)
	require.NoError(t, err)
	md2, err := os.ReadFile(filepath.Join(docs2, "results.md"))
	require.NoError(t, err)
	assert.NotContains(t, string(md2), "Capacity curves")
	assert.NoFileExists(t, filepath.Join(docs2, "charts", "capacity-morning-rush.svg"))
}

func TestOfferedRate(t *testing.T) {
	tests := []struct {
		offered  int
		duration float64
		want     float64
	}{{1812, 40, 45.3}, {50, 10, 5}, {10, 0, 0}}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, offeredRate(&loadgen.Result{Offered: tt.offered, DurationS: tt.duration}), 1e-9)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestBuildShowsTheSpread: runs at several seeds under results/spread give results.md a row per
// stage and profile with the lowest and highest of each figure.
func TestBuildShowsTheSpread(t *testing.T) {
	results := sweepTree(t, nil)
	require.NoError(t, os.MkdirAll(filepath.Join(results, spreadDir), 0o755))
	r, err := readFile(filepath.Join(resultsDir, "03-crisis-morning-rush.json"))
	require.NoError(t, err)
	for i, failed := range []float64{0.028, 0.045, 0.034} {
		r.Seed, r.FailureRate = int64(i+1), failed
		data, err := json.Marshal(r)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(results, spreadDir, fmt.Sprintf("03-crisis.morning-rush.s%d.json", i+1)), data, 0o644))
	}
	root := stageTree(t, map[string]string{})
	_, err = Build(results, filepath.Join(root, "docs"), root)
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(root, "docs", "results.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "## Run-to-run spread")
	assert.Contains(t, string(md), "| morning-rush | 03-crisis | 3 (1, 2, 3) |")
	assert.Contains(t, string(md), "| 2.8% – 4.5% |")
}
