package report

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"ms not measured", formatMS(0), dash},
		{"ms small", formatMS(3.44), "3.4"},
		{"ms", formatMS(412.6), "413"},
		{"ms thousands", formatMS(6400), "6,400"},
		{"percent", formatPercent(0.0312), "3.1%"},
		{"percent zero", formatPercent(0), "0.0%"},
		{"percent all", formatPercent(1), "100.0%"},
		{"cost null", formatCostPtr(nil), dash},
		{"cost zero", formatCost(0), "0"},
		{"cost tiny", formatCost(0.00412), "0.00412"},
		{"cost small", formatCost(0.0412), "0.0412"},
		{"cost", formatCost(0.3127), "0.313"},
		{"cost large", formatCost(12.345), "12.35"},
		{"count", formatCount(1234567), "1,234,567"},
		{"count small", formatCount(999), "999"},
		{"count negative", formatCount(-1234), "-1,234"},
		{"duration tiny", formatDuration(3.44), "3.4 ms"},
		{"duration ms", formatDuration(412.4), "412 ms"},
		{"duration s", formatDuration(6400), "6.4 s"},
		{"duration whole s", formatDuration(2000), "2 s"},
		{"duration long", formatDuration(12345), "12 s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.got)
		})
	}
}

func TestProvenance(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2025, 6, d, 7, 0, 0, 0, time.UTC) }
	env := func(cmd, model string, cores int) loadgen.Env {
		return loadgen.Env{Command: cmd, LatencyModel: model, Cores: cores}
	}
	tests := []struct {
		name    string
		results []*loadgen.Result
		want    string
	}{
		{
			name:    "no command falls back to make demo",
			results: []*loadgen.Result{{Seed: 1, StartedAt: day(1), Environment: env("", "m1", 2)}},
			want:    "`make demo` · 2025-06-01 · 2 cores · latency model m1 · seed 1",
		},
		{
			name: "newest date, shared values once",
			results: []*loadgen.Result{
				{Seed: 1, StartedAt: day(3), Environment: env("make demo", "m1", 2)},
				{Seed: 1, StartedAt: day(5), Environment: env("make demo", "m1", 2)},
				{Seed: 1, StartedAt: day(4), Environment: env("make demo", "m1", 2)},
			},
			want: "`make demo` · 2025-06-05 · 2 cores · latency model m1 · seed 1",
		},
		{
			name: "differences are listed",
			results: []*loadgen.Result{
				{Seed: 1, StartedAt: day(1), Environment: env("a", "m1", 1)},
				{Seed: 2, StartedAt: day(1), Environment: env("b `x`", "m2", 4)},
			},
			want: "`a`, `` b `x` `` · 2025-06-01 · 1, 4 cores · latency model m1, m2 · seeds 1, 2",
		},
		{
			name:    "one core, unknown date",
			results: []*loadgen.Result{{Environment: env("", "m1", 1)}},
			want:    "`make demo` · date unknown · 1 core · latency model m1 · seed 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, provenanceOf(tt.results).line(codeSpan))
		})
	}
}

func TestTableOrderAndNulls(t *testing.T) {
	t.Parallel()
	cost := 0.05
	results := []*loadgen.Result{
		{Stage: "03-crisis", Profile: "morning-rush", LatencyMS: loadgen.Latency{P50: 1900, P95: 5200, P99: 6400},
			FailureRate: 0.031, Abandonment: 0.229, Lost: 17, CostPer1k: &cost,
			Lambda:          &loadgen.Lambda{Functions: 42, ColdStarts: 388, Throttles: 1204, Timeouts: 311, MaxConcurrency: 1000},
			PaymentProvider: &payment.Stats{DuplicateCharges: 7}, Charges: &loadgen.ChargeAccounting{NotAccepted: 290, Failed: 6}},
		{Stage: "01-monolith", Profile: "morning-rush", LatencyMS: loadgen.Latency{P50: 180, P99: 900}},
		{Stage: "01-monolith", Profile: "smoke", LatencyMS: loadgen.Latency{P50: 1, P99: 2}},
		{Stage: "02-split", Profile: "morning-rush", Partial: true, LatencyMS: loadgen.Latency{P50: 420, P99: 2600}},
	}
	var b strings.Builder

	require.NoError(t, Table(&b, results, "morning-rush"))

	assert.Equal(t, `morning-rush — make demo · date unknown · cores unknown · no latency model · seed 0
stage                   fns  p50 ms  p95 ms  p99 ms  failed  abandoned  lost  dup charges  owed  cold  throttles  timeouts  max conc  USD/1k
01-monolith               –     180       –     900    0.0%       0.0%     0            –     –     –          –         –         –       –
02-split (partial run)    –     420       –   2,600    0.0%       0.0%     0            –     –     –          –         –         –       –
03-crisis                42   1,900   5,200   6,400    3.1%      22.9%    17            7   296   388      1,204       311     1,000  0.0500
`, b.String())
	assert.Equal(t, "03-crisis", results[0].Stage, "Table must not reorder the caller's slice")
}

func TestTableUnknownProfile(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, Table(&b, nil, "steady"))
	assert.Equal(t, "steady: no results\n", b.String())
}

func TestResultsMarkdownProfileOrder(t *testing.T) {
	t.Parallel()
	var results []*loadgen.Result
	for _, p := range []string{"zz-soak", "holiday-spike", "a-cold", "smoke", "morning-rush", "steady"} {
		results = append(results, &loadgen.Result{Stage: "01-monolith", Profile: p})
	}

	md := resultsMarkdown(results, nil)

	var headings []string
	for _, line := range strings.Split(md, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			headings = append(headings, h)
		}
	}
	assert.Equal(t, []string{"smoke", "steady", "morning-rush", "holiday-spike", "a-cold", "zz-soak"}, headings)
	assert.NotContains(t, md, "## Charts", "no charts, no chart section")
}
