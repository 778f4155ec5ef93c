package loadgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

func sampleResult() *Result {
	e2e := Latency{P50: 380, P90: 410, P95: 450, P99: 600, Max: 900}
	r := &Result{
		Stage:       "04-refactor",
		Profile:     "morning-rush",
		Scale:       1,
		Seed:        1,
		Target:      "emulator",
		StartedAt:   time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC),
		DurationS:   40,
		Offered:     1812,
		AchievedRPS: 45.3,
		Outcomes:    Outcomes{OK: 1790, SoldOut: 10, Throttled429: 2, Abandoned: 10},
		FailureRate: 2.0 / 1812,
		Abandonment: 10.0 / 1812,
		LatencyMS:   Latency{P50: 90, P90: 120, P99: 310, Max: 8000},
		EndToEndMS:  &e2e,
		Accepted:    1790,
		Completed:   1789,
		Lost:        1,
		Lambda:      &Lambda{Functions: 10, Invocations: 5000, ColdStarts: 12, GBSeconds: 40},
		PaymentProvider: &payment.Stats{Charges: 1795, Succeeded: 1790, Declined: 5, MaxQueued: 12,
			WaitMS: payment.Percentiles{P99: 180}, Orphaned: 3, DuplicateCharges: 1},
		Timeline:      []Bucket{{T: 0, Offered: 10, OK: 10, P50MS: 80, P99MS: 100}},
		Environment:   Env{Cores: 2, GoVersion: "go1.26", LatencyModel: "aws-figures v1", Command: "load -stage 04-refactor"},
		Expected:      1812.5,
		PatienceS:     8,
		GraceS:        20,
		Late:          LateAnswers{OK: 9, Unanswered: 1},
		FinalStatuses: map[string]int{"paid": 1780, "failed": 9},
		LostSample:    []string{"ord-7: received"},
		Errors:        []ErrorCount{{Error: "EOF", Count: 1}},
		MilestonesMS:  map[string]Milestone{"paid": {Orders: 1789, Latency: Latency{P50: 700, P90: 900, P99: 1100, Max: 1500}}},
		Events:        &Events{Orders: 1790, Received: 7100, Missed: 3, OrdersWithGaps: 2, Reconciled: 1, Gets: 3, Connections: 18},
	}
	r.SetCost(Estimate(Usage{RESTRequests: 1812, LambdaRequests: 5000}))
	return r
}

func TestWriteAndReadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "results", "04-refactor", "morning-rush.json")
	want := sampleResult()

	require.NoError(t, WriteFile(path, want))
	got, err := ReadFile(path)

	require.NoError(t, err)
	assert.Equal(t, want, got)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "{\n  \"stage\": \"04-refactor\",\n"), "pretty JSON")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestReadFileErrors(t *testing.T) {
	t.Parallel()
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{"), 0o644))
	_, err = ReadFile(bad)
	assert.ErrorContains(t, err, "bad.json")
}

// The report and people's scripts read these names: they must not change.
func TestResultFieldNamesAreStable(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(sampleResult())
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m))
	for _, key := range []string{
		"stage", "profile", "scale", "seed", "target", "started_at", "duration_s", "offered", "achieved_rps",
		"outcomes", "failure_rate", "abandonment_rate", "latency_ms", "end_to_end_ms", "accepted", "completed",
		"lost", "lambda", "cost_usd_per_1k_orders", "cost", "timeline", "environment",
	} {
		assert.Contains(t, m, key)
	}
	var outcomes map[string]int
	require.NoError(t, json.Unmarshal(m["outcomes"], &outcomes))
	assert.Len(t, outcomes, 7)
	for _, key := range []string{"ok", "sold_out", "rejected_4xx", "throttled_429", "server_5xx", "gateway_timeout_504", "abandoned"} {
		assert.Contains(t, outcomes, key)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, Summary(&b, sampleResult()))
	out := b.String()
	for _, want := range []string{
		"stage          04-refactor   target emulator\n",
		"offered        1812 in 40.0 s = 45.3/s",
		"outcomes       ok 1790   sold out 10   rejected 0   throttled 2   5xx 0   504 0   abandoned 10\n",
		"latency ms     p50 90.0   p90 120.0   p99 310.0   max 8000.0\n",
		"end-to-end ms  p50 380.0",
		"orders         accepted 1790   completed 1789   lost 1   pending 0",
		"cost           $",
		"lambda         10 functions",
		"error          1 × EOF\n",
		"to paid ms     p50 700.0   p90 900.0   p99 1100.0   max 1500.0   (1789 orders)\n",
		"events         1790 orders subscribed   received 7100   missed 3   orders with gaps 2   reconciled 1   polled 0   connections 18\n",
		"provider       1795 charges (1790 paid, 5 declined)   max queue 12   wait p99 180 ms   busy 0   orphaned 3   duplicate charges 1\n",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "PARTIAL")
}
