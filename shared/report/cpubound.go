package report

import (
	"fmt"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// CPUBoundMark is what the report says of a run the machine distorted: the process, or the
// machine as a whole, kept more than 80 % of the cores busy for 5 seconds or more of it
// (loadgen.CPU), so timers fired late and requests queued for CPU, and its latencies hold time
// the latency model never put there.
const CPUBoundMark = "CPU-bound: latencies inflated by this machine"

// cpuBound lists the runs among rows whose result is marked CPU-bound, one line each: stage,
// profile, the mark and what the meter saw.
func cpuBound(rows []*loadgen.Result) []string {
	var out []string
	for _, r := range rows {
		c := r.CPU
		if c == nil || !c.Bound {
			continue
		}
		var why []string
		if c.BusySeconds >= loadgen.CPUBoundSeconds {
			why = append(why, fmt.Sprintf("the run used over %.0f %% of %d usable cores in %d of %d s",
				loadgen.CPUBoundShare*100, c.Usable(), c.BusySeconds, len(c.PerSecond)))
		}
		if c.MachineBusySeconds >= loadgen.CPUBoundSeconds {
			why = append(why, fmt.Sprintf("the machine was over %.0f %% busy in %d of %d s",
				loadgen.CPUBoundShare*100, c.MachineBusySeconds, len(c.MachinePerSecond)))
		}
		out = append(out, fmt.Sprintf("%s %s: %s (%s; mean %.2f cores, peak %.2f)",
			r.Stage, r.Profile, CPUBoundMark, strings.Join(why, "; "), c.Mean(), c.Peak()))
	}
	return out
}

// cpuBoundMarkdown writes the CPU-bound runs among rows under their table, if any.
func cpuBoundMarkdown(b *strings.Builder, rows []*loadgen.Result) {
	for _, line := range cpuBound(rows) {
		b.WriteString("\n> **" + line + "**\n")
	}
}
