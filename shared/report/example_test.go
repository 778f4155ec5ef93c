package report_test

import (
	"os"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
	"github.com/emilys-pastries/serverless-evolution/shared/report"
)

func ExampleTable() {
	cost := func(usd float64) *float64 { return &usd }
	env := loadgen.Env{Cores: 2, LatencyModel: "aws-2025.1", Command: "make demo"}
	started := time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)
	results := []*loadgen.Result{
		{
			Stage: "04-refactor", Profile: "morning-rush", Seed: 42, StartedAt: started, Environment: env,
			LatencyMS:   loadgen.Latency{P50: 120, P95: 310, P99: 400},
			FailureRate: 0.001, Lambda: &loadgen.Lambda{Functions: 10, ColdStarts: 22, MaxConcurrency: 64},
			CostPer1k: cost(0.0268),
		},
		{
			Stage: "03-crisis", Profile: "morning-rush", Seed: 42, StartedAt: started, Environment: env,
			LatencyMS:   loadgen.Latency{P50: 1900, P95: 5200, P99: 6400},
			FailureRate: 0.031, Abandonment: 0.229, Lost: 17,
			Lambda:    &loadgen.Lambda{Functions: 42, ColdStarts: 388, Throttles: 1204, Timeouts: 311, MaxConcurrency: 1000},
			CostPer1k: cost(0.3127),
		},
	}
	_ = report.Table(os.Stdout, results, "morning-rush")
	// Output:
	// morning-rush — make demo · 2025-06-02 · 2 cores · latency model aws-2025.1 · seed 42
	// stage        fns  p50 ms  p95 ms  p99 ms  failed  abandoned  lost  dup charges  owed  cold  throttles  timeouts  max conc  USD/1k
	// 03-crisis     42   1,900   5,200   6,400    3.1%      22.9%    17            –     –   388      1,204       311     1,000   0.313
	// 04-refactor   10     120     310     400    0.1%       0.0%     0            –     –    22          0         0        64  0.0268
}
