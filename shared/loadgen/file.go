package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteFile writes r to path as indented JSON, creating the directories it needs. The file is
// replaced whole, so a reader never sees half a result.
func WriteFile(path string, r *Result) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write result %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write result %s: %w", path, err)
	}
	return nil
}

// ReadFile reads a result written by WriteFile.
func ReadFile(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	return &r, nil
}

// Summary writes r as a small aligned table for people.
func Summary(w io.Writer, r *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{label}, args...)...)
	}
	partial := ""
	if r.Partial {
		partial = "   PARTIAL: cut short"
	}
	o := r.Outcomes
	row("stage", "%s   target %s", r.Stage, r.Target)
	row("profile", "%s   scale %g   seed %d%s", r.Profile, r.Scale, r.Seed, partial)
	row("offered", "%d in %.1f s = %.1f/s   (curve: %.0f)", r.Offered, r.DurationS, r.AchievedRPS, r.Expected)
	row("outcomes", "ok %d   sold out %d   rejected %d   throttled %d   5xx %d   504 %d   abandoned %d",
		o.OK, o.SoldOut, o.Rejected4xx, o.Throttled429, o.Server5xx, o.GatewayTimeout504, o.Abandoned)
	row("failure rate", "%.2f %%   abandonment %.2f %%   (patience %g s)", 100*r.FailureRate, 100*r.Abandonment, r.PatienceS)
	row("latency ms", "%s", latencyRow(&r.LatencyMS))
	if r.EndToEndMS != nil {
		row("end-to-end ms", "%s", latencyRow(r.EndToEndMS))
	} else {
		row("end-to-end ms", "-   (the API answer is already terminal)")
	}
	if l := r.Late; l != (LateAnswers{}) {
		row("late answers", "ok %d   sold out %d   failed %d   unanswered %d   %s", l.OK, l.SoldOut,
			l.Rejected4xx+l.Throttled429+l.Server5xx+l.GatewayTimeout504, l.Unanswered, latencyRow(r.LateLatencyMS))
	}
	row("orders", "accepted %d   completed %d   lost %d   pending %d   (grace %g s)", r.Accepted, r.Completed, r.Lost, r.Pending, r.GraceS)
	for _, name := range slices.Sorted(maps.Keys(r.MilestonesMS)) {
		m := r.MilestonesMS[name]
		row("to "+name+" ms", "%s   (%d orders)", latencyRow(&m.Latency), m.Orders)
	}
	if e := r.Events; e != nil {
		row("events", "%d orders subscribed   received %d   missed %d   orders with gaps %d   reconciled %d   polled %d   connections %d",
			e.Orders, e.Received, e.Missed, e.OrdersWithGaps, e.Reconciled, e.Polled, e.Connections)
	}
	regionRows(row, r.Regions)
	if r.CostPer1k != nil {
		row("cost", "$%.4f per 1,000 orders", *r.CostPer1k)
	}
	if l := r.Lambda; l != nil {
		row("lambda", "%d functions   %d invocations   %d cold starts   %d throttles   %d errors   %d timeouts   max concurrency %d",
			l.Functions, l.Invocations, l.ColdStarts, l.Throttles, l.Errors, l.Timeouts, l.MaxConcurrency)
	}
	if p := r.PaymentProvider; p != nil {
		row("provider", "%d charges (%d paid, %d declined)   max queue %d   wait p99 %.0f ms   busy %d   orphaned %d   duplicate charges %d",
			p.Charges, p.Succeeded, p.Declined, p.MaxQueued, p.WaitMS.P99, p.RejectedBusy+p.QueueTimeouts, p.Orphaned, p.DuplicateCharges)
	}
	if c := r.Charges; c != nil {
		row("charged", "%d orders   of them %d with no accepted order (error answer or gave up)   %d that then failed", c.Paid, c.NotAccepted, c.Failed)
	}
	for _, e := range r.Errors {
		row("error", "%d × %s", e.Count, e.Error)
	}
	return tw.Flush()
}

func latencyRow(l *Latency) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("p50 %.1f   p90 %.1f   p99 %.1f   max %.1f", l.P50, l.P90, l.P99, l.Max)
}

// regionRows writes a run across regions: per region, then its health changes and the
// reconciliation.
func regionRows(row func(label, format string, args ...any), g *Regions) {
	if g == nil {
		return
	}
	if f := g.Failover; f != nil {
		row("failover", "health check every %g s, %d in a row, TTL %g s, GET %s", f.IntervalS, f.Threshold, f.TTLS, f.Path)
	}
	for _, name := range slices.Sorted(maps.Keys(g.ByRegion)) {
		s := g.ByRegion[name]
		row(name, "home %d   sent %d   accepted %d   failed %d (%d before detection, %d after)   abandoned %d   failed over in %d   out %d",
			s.HomeOrders, s.Sent, s.Accepted, s.Failed, s.FailedBeforeDetection, s.FailedAfterDetection, s.Abandoned, s.FailedOverIn, s.FailedOverOut)
		for _, c := range s.Health {
			switch {
			case !c.Healthy && c.DetectionS != nil:
				row("", "unhealthy at %.1f s   detected %.1f s after the first failure", c.AtS, *c.DetectionS)
			case c.Healthy && c.UnhealthyS != nil:
				row("", "healthy at %.1f s   after %.1f s unhealthy", c.AtS, *c.UnhealthyS)
			}
		}
	}
	if rc := g.Reconciliation; rc != nil {
		var statuses []string
		for _, st := range slices.Sorted(maps.Keys(rc.Statuses)) {
			statuses = append(statuses, fmt.Sprintf("%s %d", st, rc.Statuses[st]))
		}
		row("reconciled", "%d orders in every region   agreed %d (%s)   disagreed %d   reads %d in %.1f s", rc.Checked, rc.Agreed, strings.Join(statuses, ", "), rc.Disagreed, rc.Reads, rc.WaitedS)
		for _, e := range rc.Examples {
			row("", "%s", e)
		}
	}
}
