package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

func TestMilestoneTable(t *testing.T) {
	tests := []struct {
		name string
		rows []*loadgen.Result
		want []string
	}{
		{name: "a synchronous stage has none", rows: []*loadgen.Result{{Profile: "smoke"}}},
		{name: "paid and ready", rows: []*loadgen.Result{{Profile: "morning-rush",
			MilestonesMS: map[string]loadgen.Milestone{"paid": {Orders: 3, Latency: loadgen.Latency{P50: 2015.2, P99: 4042.8}}, "ready": {Orders: 3, Latency: loadgen.Latency{P50: 3776.5, P99: 6303.7}}},
			Events:       &loadgen.Events{Received: 7248, Missed: 1}}},
			want: []string{"| to paid p50 (ms) | to paid p99 (ms) | to ready p50 (ms)", "| morning-rush | 2,015 | 4,043 | 3,777 | 6,304 | 7248 | 1 |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			milestoneTable(&b, tt.rows)
			if len(tt.want) == 0 {
				assert.Empty(t, b.String())
			}
			for _, w := range tt.want {
				assert.Contains(t, b.String(), w)
			}
		})
	}
}
