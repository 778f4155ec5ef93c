package report

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// regionsTable adds, for the results of runs across regions (their "regions" section), one row
// per run and region: where its stores' orders went, what failed and when the health check
// noticed, then each run's reconciliation of every order across the regions. Nothing for
// single-region results.
func regionsTable(b *strings.Builder, rows []*loadgen.Result) {
	rows = filter(rows, func(r *loadgen.Result) bool { return r.Regions != nil })
	if len(rows) == 0 {
		return
	}
	b.WriteString("\nRegions (each store's orders go to its home region; \"before / after detection\" splits the failed orders " +
		"into those sent while the region's health check still passed and those sent after it failed, while a store's cached " +
		"DNS answer still named the region):\n\n")
	b.WriteString("| stage | profile | region | failover | home orders | sent | accepted | failed | before / after detection | failed over out | failed over in | unhealthy at (s) | detection (s) | healthy again at (s) |\n")
	b.WriteString("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		g := r.Regions
		for _, name := range slices.Sorted(maps.Keys(g.ByRegion)) {
			s := g.ByRegion[name]
			down, detect, up := healthCells(s.Health)
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				r.Stage, r.Profile, name, failoverCell(g.Failover), count(s.HomeOrders), count(s.Sent), count(s.Accepted),
				failedCell(s), fmt.Sprintf("%s / %s", count(s.FailedBeforeDetection), count(s.FailedAfterDetection)),
				count(s.FailedOverOut), count(s.FailedOverIn), down, detect, up)
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		rc := r.Regions.Reconciliation
		if rc == nil {
			fmt.Fprintf(b, "- %s, %s: not reconciled (the run was cut short).\n", r.Stage, r.Profile)
			continue
		}
		fmt.Fprintf(b, "- %s, %s: %s accepted orders read back in every region after the grace period: %s agreed%s, %s disagreed (in %s s).",
			r.Stage, r.Profile, count(rc.Checked), count(rc.Agreed), statusList(rc.Statuses), count(rc.Disagreed), trimFloat(rc.WaitedS, 1))
		if len(rc.Examples) > 0 {
			fmt.Fprintf(b, " For instance %s.", codeSpan(rc.Examples[0]))
		}
		b.WriteString("\n")
	}
}

func count(n int) string { return thousands(float64(n)) }

func failoverCell(f *loadgen.FailoverParams) string {
	if f == nil {
		return dash
	}
	return fmt.Sprintf("checks every %s s, %d in a row, TTL %s s", trimFloat(f.IntervalS, 1), f.Threshold, trimFloat(f.TTLS, 1))
}

// failedCell is the failed count with its reasons, most frequent first.
func failedCell(s *loadgen.RegionStats) string {
	if s.Failed == 0 || len(s.FailureReasons) == 0 {
		return count(s.Failed)
	}
	reasons := slices.SortedFunc(maps.Keys(s.FailureReasons), func(a, b string) int {
		if d := s.FailureReasons[b] - s.FailureReasons[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(reasons))
	for i, k := range reasons {
		parts[i] = k + " " + strconv.Itoa(s.FailureReasons[k])
	}
	return fmt.Sprintf("%s (%s)", count(s.Failed), strings.Join(parts, ", "))
}

// healthCells lists when the region was marked unhealthy, how long detection took and when it
// was healthy again, one entry per outage.
func healthCells(changes []loadgen.HealthChange) (down, detect, up string) {
	var d, t, u []string
	for _, c := range changes {
		switch {
		case !c.Healthy:
			d = append(d, trimFloat(c.AtS, 1))
			if c.DetectionS != nil {
				t = append(t, trimFloat(*c.DetectionS, 1))
			} else {
				t = append(t, dash)
			}
		default:
			u = append(u, trimFloat(c.AtS, 1))
		}
	}
	cell := func(v []string) string {
		if len(v) == 0 {
			return dash
		}
		return strings.Join(v, ", ")
	}
	return cell(d), cell(t), cell(u)
}

// statusList is " (1,376 ready, 19 pending-payment)": the agreed orders by status, most first.
func statusList(statuses map[string]int) string {
	if len(statuses) == 0 {
		return ""
	}
	names := slices.SortedFunc(maps.Keys(statuses), func(a, b string) int {
		if d := statuses[b] - statuses[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = count(statuses[n]) + " " + n
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
