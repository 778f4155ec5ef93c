package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// The charts are the report's own presentation of the load tool's timeline, not AWS behaviour:
// these cases pin what a reader of the picture relies on.
func TestSecondsOf(t *testing.T) {
	t.Parallel()
	long := make([]loadgen.Bucket, 600)
	for s := range long {
		long[s] = loadgen.Bucket{T: s, Offered: 10, OK: 7, Failed: 1, Abandoned: 1, P50MS: float64(s), P99MS: float64(2 * s)}
	}
	tests := []struct {
		name     string
		timeline []loadgen.Bucket
		wantNil  bool
		wantBins int
		wantSize int
		first    loadgen.Bucket
	}{
		{name: "no timeline (a run against a URL that kept none) gives no chart", wantNil: true},
		{
			name:     "a short run keeps one bar per second, in time order",
			timeline: []loadgen.Bucket{{T: 1, Offered: 5, OK: 5, P99MS: 90}, {T: 0, Offered: 4, OK: 2, Abandoned: 2, P99MS: 8000}},
			wantBins: 2, wantSize: 1,
			first: loadgen.Bucket{T: 0, Offered: 4, OK: 2, Abandoned: 2, P99MS: 8000},
		},
		{
			name:     "a ten-minute run is binned to at most 150 bars, counts summed, latency the bin's worst",
			timeline: long,
			wantBins: 150, wantSize: 4,
			first: loadgen.Bucket{T: 0, Offered: 40, OK: 28, Failed: 4, Abandoned: 4, P50MS: 3, P99MS: 6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := secondsOf(&loadgen.Result{Stage: "03-crisis", Profile: "morning-rush", Timeline: tt.timeline}, "sub")
			if tt.wantNil {
				assert.Nil(t, c)
				return
			}
			require.NotNil(t, c)
			assert.Len(t, c.buckets, tt.wantBins)
			assert.Equal(t, tt.wantSize, c.binSize)
			assert.Equal(t, tt.first, c.buckets[0])
			svg := string(c.svg())
			assert.True(t, strings.HasPrefix(svg, "<svg "), "an SVG document")
			assert.Contains(t, svg, "Second by second — 03-crisis, morning-rush")
		})
	}
}

func TestComparisonOf(t *testing.T) {
	t.Parallel()
	cost := 0.156
	rows := []*loadgen.Result{
		{Stage: "03-crisis", LatencyMS: loadgen.Latency{P50: 3645}, FailureRate: 0.022, Abandonment: 0.23, CostPer1k: &cost},
		{Stage: "04-refactor", LatencyMS: loadgen.Latency{P50: 199}}, // against a URL: no cost
	}
	c := comparisonOf("morning-rush", "sub", rows, map[string]string{"03-crisis": "#D55E00", "04-refactor": "#009E73"})
	require.Len(t, c.panels, 3)
	assert.InDelta(t, 25.2, *c.panels[1].values[0], 1e-9, "failed and abandoned add up")
	assert.Nil(t, c.panels[2].values[1], "a cost that was not modelled stays unmeasured")
	svg := string(c.svg())
	assert.Contains(t, svg, "3.6 s")
	assert.Contains(t, svg, "25.2%")
	assert.Contains(t, svg, "not measured")
}

func TestSecondsSystemPanel(t *testing.T) {
	t.Parallel()
	timeline := []loadgen.Bucket{{T: 0, Offered: 4, OK: 4}, {T: 1, Offered: 6, OK: 3, Abandoned: 3}}
	tests := []struct {
		name      string
		system    *loadgen.SystemSeconds
		wantLines []string
		first     []float64 // the first line's values per bin
	}{
		{name: "no system readings: no panel"},
		{
			name: "lines that stay at zero are left out; the drain after the last send second is cut",
			system: &loadgen.SystemSeconds{
				LambdaConcurrency: []int64{40, 116, 3},
				LambdaThrottles:   []int64{0, 44, 0},
				DynamoDBThrottles: []int64{0, 0, 0},
			},
			wantLines: []string{"Lambda concurrency", "Lambda throttles/s"},
			first:     []float64{40, 116},
		},
		{
			name:      "queue depth where the stage has queues",
			system:    &loadgen.SystemSeconds{LambdaConcurrency: []int64{0, 0}, QueueDepth: []int64{2, 9}},
			wantLines: []string{"queued messages"},
			first:     []float64{2, 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := secondsOf(&loadgen.Result{Stage: "03-crisis", Profile: "morning-rush", Timeline: timeline, System: tt.system}, "sub")
			require.NotNil(t, c)
			var names []string
			for _, l := range c.system {
				names = append(names, l.name)
			}
			assert.Equal(t, tt.wantLines, names)
			svg := string(c.svg())
			if len(tt.wantLines) == 0 {
				assert.NotContains(t, svg, "the emulator in that second")
				return
			}
			assert.Equal(t, tt.first, c.system[0].values)
			assert.Contains(t, svg, "the emulator in that second")
			for _, n := range tt.wantLines {
				assert.Contains(t, svg, n)
			}
		})
	}
}
