package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// TestCPUBoundRunsAreMarked checks that a result the load tool marked CPU-bound (see
// loadgen.TestSqueezedRunIsCPUBound for the squeezed run itself) carries the mark in the
// terminal table make demo prints, in results.md and in the stage's README block, and that an
// unmarked run, or one from before results carried CPU, gets none.
func TestCPUBoundRunsAreMarked(t *testing.T) {
	t.Parallel()
	squeezed := &loadgen.Result{Stage: "03-crisis", Profile: "morning-rush", CPU: &loadgen.CPU{
		Cores: 2, GOMAXPROCS: 1, PerSecond: []float64{1, 1, 0.99, 1, 1, 0.98, 0.5, 0.4}, BusySeconds: 6, Bound: true}}
	busyMachine := &loadgen.Result{Stage: "02-split", Profile: "morning-rush", CPU: &loadgen.CPU{
		Cores: 2, GOMAXPROCS: 2, PerSecond: []float64{0.3, 0.3, 0.3, 0.3, 0.3},
		MachinePerSecond: []float64{2, 2, 1.9, 1.9, 2}, MachineBusySeconds: 5, Bound: true}}
	light := &loadgen.Result{Stage: "01-monolith", Profile: "morning-rush", CPU: &loadgen.CPU{
		Cores: 2, GOMAXPROCS: 2, PerSecond: []float64{0.2, 0.3}, MachinePerSecond: []float64{0.4, 0.5}}}
	old := &loadgen.Result{Stage: "04-refactor", Profile: "morning-rush"}
	results := []*loadgen.Result{light, busyMachine, squeezed, old}

	var table strings.Builder
	require.NoError(t, Table(&table, results, "morning-rush"))
	md := resultsMarkdown(results, nil)
	readme := measuredBlock(results, "03-crisis", "../docs/results.md")

	tests := []struct {
		name, text string
		want       []string
		not        []string
	}{
		{"terminal table", table.String(), []string{
			"! 02-split morning-rush: CPU-bound: latencies inflated by this machine (the machine was over 80 % busy in 5 of 5 s; mean 0.30 cores, peak 0.30)\n",
			"! 03-crisis morning-rush: CPU-bound: latencies inflated by this machine (the run used over 80 % of 1 usable cores in 6 of 8 s; mean 0.86 cores, peak 1.00)\n",
		}, []string{"01-monolith morning-rush: CPU-bound", "04-refactor morning-rush: CPU-bound"}},
		{"results.md", md, []string{"> **03-crisis morning-rush: " + CPUBoundMark, "> **02-split morning-rush: " + CPUBoundMark},
			[]string{"01-monolith morning-rush: CPU-bound"}},
		{"the stage's README", readme, []string{"> **03-crisis morning-rush: " + CPUBoundMark}, []string{"02-split morning-rush: CPU-bound"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				assert.Contains(t, tt.text, w)
			}
			for _, n := range tt.not {
				assert.NotContains(t, tt.text, n)
			}
		})
	}
}
