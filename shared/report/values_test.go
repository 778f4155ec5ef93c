package report

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

func TestFillValues(t *testing.T) {
	cost := 0.154
	results := []*loadgen.Result{{
		Stage: "03-crisis", Profile: "morning-rush", Offered: 1812, FailureRate: 0.0281,
		LatencyMS: loadgen.Latency{P50: 3712.4, P99: 8004}, CostPer1k: &cost,
		MilestonesMS: map[string]loadgen.Milestone{"paid": {Orders: 1, Latency: loadgen.Latency{P50: 2015}}},
		Timeline:     []loadgen.Bucket{{P50MS: 410}, {P50MS: 962.5}},
	}}
	tests := []struct {
		name, doc, want, err string
	}{
		{"a rate", "failed <!-- value 03-crisis/morning-rush failure_rate pct -->4.5 %<!-- /value --> of orders",
			"failed <!-- value 03-crisis/morning-rush failure_rate pct -->2.8 %<!-- /value --> of orders", ""},
		{"seconds and milliseconds on one line",
			"<!-- value 03-crisis/morning-rush latency_ms.p50 s -->x<!-- /value --> / <!-- value 03-crisis/morning-rush latency_ms.p99 ms -->y<!-- /value -->",
			"<!-- value 03-crisis/morning-rush latency_ms.p50 s -->3.7 s<!-- /value --> / <!-- value 03-crisis/morning-rush latency_ms.p99 ms -->8,004 ms<!-- /value -->", ""},
		{"a count and a cost", "<!-- value 03-crisis/morning-rush offered count -->1<!-- /value --> at <!-- value 03-crisis/morning-rush cost_usd_per_1k_orders usd -->$1<!-- /value -->",
			"<!-- value 03-crisis/morning-rush offered count -->1,812<!-- /value --> at <!-- value 03-crisis/morning-rush cost_usd_per_1k_orders usd -->$0.154<!-- /value -->", ""},
		{"a nested map", "<!-- value 03-crisis/morning-rush milestones_ms.paid.p50 ms --><!-- /value -->",
			"<!-- value 03-crisis/morning-rush milestones_ms.paid.p50 ms -->2,015 ms<!-- /value -->", ""},
		{"a list index", "<!-- value 03-crisis/morning-rush timeline.1.p50_ms ms --><!-- /value -->",
			"<!-- value 03-crisis/morning-rush timeline.1.p50_ms ms -->963 ms<!-- /value -->", ""},
		{"a list index past the end", "<!-- value 03-crisis/morning-rush timeline.2.p50_ms ms --><!-- /value -->", "", "has no number at timeline.2.p50_ms"},
		{"no markers: untouched", "p99 8 s", "p99 8 s", ""},
		{"missing result", "\n<!-- value 04-refactor/morning-rush offered count -->1<!-- /value -->", "", "line 2: no result for 04-refactor/morning-rush"},
		{"missing field", "<!-- value 03-crisis/morning-rush latency_ms.p42 ms -->1<!-- /value -->", "", "has no number at latency_ms.p42"},
		{"unknown format", "<!-- value 03-crisis/morning-rush offered furlongs -->1<!-- /value -->", "", `unknown format "furlongs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fillValues(tt.doc, results, nil)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Equal(t, tt.doc, got, "a bad marker changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestBuildFillsValuesEverywhere: the report fills value markers in a stage README (measured
// block or not) and in the repository's README, and a marker naming a missing result stops the
// whole build before anything is written.
func TestBuildFillsValuesEverywhere(t *testing.T) {
	t.Parallel()
	marker := "<!-- value 03-crisis/morning-rush offered count -->?<!-- /value -->"
	root := stageTree(t, map[string]string{"03-crisis": markedReadme + marker + "\n"})
	require.NoError(t, os.WriteFile(filepath.Join(root, "README.md"), []byte("offered "+marker+"\n"), 0o644))

	_, err := Build(resultsDir, filepath.Join(root, "docs"), root)
	require.NoError(t, err)

	for _, path := range []string{filepath.Join(root, "README.md"), filepath.Join(root, "03-crisis", "README.md")} {
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotContains(t, string(got), "-->?<!--", path)
		assert.Regexp(t, `offered count -->[0-9,]+<!-- /value -->`, string(got), path)
	}

	stale := "<!-- value 09-nowhere/morning-rush offered count -->1<!-- /value -->\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "README.md"), []byte(stale), 0o644))
	_, err = Build(resultsDir, filepath.Join(root, "docs", "again"), root)
	require.ErrorContains(t, err, "no result for 09-nowhere/morning-rush")
	assert.NoFileExists(t, filepath.Join(root, "docs", "again", "results.md"))
}

func TestFillLatencySources(t *testing.T) {
	t.Parallel()
	want := latencySources()
	tests := []struct{ name, doc, out string }{
		{"filled", "The model: <!-- latency-sources -->sourced<!-- /latency-sources -->.",
			"The model: <!-- latency-sources -->" + want + "<!-- /latency-sources -->."},
		{"no marker left alone", "sourced latency model", "sourced latency model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := fillValues(tt.doc, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.out, got)
		})
	}
	assert.Regexp(t, `^of its \d+ components, \d+ come from AWS documentation, \d+ from independent published measurements and \d+ are estimates$`, want)
}

func TestFillSpread(t *testing.T) {
	t.Parallel()
	run := func(seed int64, failed float64, lost int) *loadgen.Result {
		return &loadgen.Result{Stage: "03-crisis", Profile: "morning-rush", Seed: seed, FailureRate: failed, Lost: lost}
	}
	spread := []*loadgen.Result{run(3, 0.045, 0), run(1, 0.028, 0), run(2, 0.031, 0)}
	tests := []struct{ name, doc, want, err string }{
		{"lowest and highest, seeds in order",
			"failed (<!-- spread 03-crisis/morning-rush failure_rate pct -->?<!-- /spread -->)",
			"failed (<!-- spread 03-crisis/morning-rush failure_rate pct -->2.8 % to 4.5 % at seeds 1, 2, 3<!-- /spread -->)", ""},
		{"the same every time",
			"<!-- spread 03-crisis/morning-rush lost count -->?<!-- /spread -->",
			"<!-- spread 03-crisis/morning-rush lost count -->0 every time at seeds 1, 2, 3<!-- /spread -->", ""},
		{"no spread runs for the stage names the command",
			"\n\n<!-- spread 04-refactor/morning-rush failure_rate pct -->?<!-- /spread -->", "",
			"line 3: no spread runs for 04-refactor/morning-rush (make spread STAGE=04-refactor PROFILE=morning-rush writes them)"},
		{"a field the runs lack", "<!-- spread 03-crisis/morning-rush latency_ms.p42 ms -->?<!-- /spread -->", "", "has no number at latency_ms.p42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := fillValues(tt.doc, nil, spread)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Equal(t, tt.doc, got, "a bad marker changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
