package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

func TestRegionsTable(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	regionDown := &loadgen.Result{Stage: "05-global", Profile: "morning-rush", Regions: &loadgen.Regions{
		Failover: &loadgen.FailoverParams{IntervalS: 10, Threshold: 3, TTLS: 60, Path: "/menu"},
		ByRegion: map[string]*loadgen.RegionStats{
			"us-east-1": {HomeOrders: 912, Sent: 712, Accepted: 650, Failed: 62, FailureReasons: map[string]int{"unreachable": 60, "HTTP 503": 2},
				FailedBeforeDetection: 50, FailedAfterDetection: 12, FailedOverOut: 200,
				Health: []loadgen.HealthChange{{AtS: 22, DetectionS: f(21.5)}, {AtS: 48.26, Healthy: true, UnhealthyS: f(26.25)}}},
			"eu-west-1": {HomeOrders: 1900, Sent: 2100, Accepted: 2100, FailedOverIn: 200},
		},
		Reconciliation: &loadgen.Reconciliation{Checked: 2750, Agreed: 2749, Disagreed: 1, Rounds: 3, WaitedS: 2.04,
			Statuses: map[string]int{"ready": 2730, "pending-payment": 19},
			Examples: []string{"ord-9 (accepted in us-east-1): eu-west-1 (missing), us-east-1 ready"}},
	}}
	tests := []struct {
		name string
		rows []*loadgen.Result
		want []string
	}{
		{name: "a single-region stage has none", rows: []*loadgen.Result{{Stage: "04-refactor", Profile: "morning-rush"}}},
		{name: "a region down", rows: []*loadgen.Result{{Stage: "04-refactor", Profile: "morning-rush"}, regionDown}, want: []string{
			"\nRegions (each store's orders go to its home region;",
			"| stage | profile | region | failover | home orders | sent | accepted | failed | before / after detection |",
			"| 05-global | morning-rush | eu-west-1 | checks every 10 s, 3 in a row, TTL 60 s | 1,900 | 2,100 | 2,100 | 0 | 0 / 0 | 0 | 200 | – | – | – |\n",
			"| 05-global | morning-rush | us-east-1 | checks every 10 s, 3 in a row, TTL 60 s | 912 | 712 | 650 | 62 (unreachable 60, HTTP 503 2) | 50 / 12 | 200 | 0 | 22 | 21.5 | 48.3 |\n",
			"- 05-global, morning-rush: 2,750 accepted orders read back in every region after the grace period: 2,749 agreed (2,730 ready, 19 pending-payment), 1 disagreed (in 2 s). For instance `ord-9 (accepted in us-east-1): eu-west-1 (missing), us-east-1 ready`.\n",
		}},
		{name: "cut short", rows: []*loadgen.Result{{Stage: "05-global", Profile: "smoke", Regions: &loadgen.Regions{ByRegion: map[string]*loadgen.RegionStats{"eu-west-1": {}}}}},
			want: []string{"| 05-global | smoke | eu-west-1 | – | 0 |", "- 05-global, smoke: not reconciled (the run was cut short).\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			regionsTable(&b, tt.rows)
			if len(tt.want) == 0 {
				assert.Empty(t, b.String())
			}
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
			assert.NotContains(t, b.String(), "04-refactor")
		})
	}
}
