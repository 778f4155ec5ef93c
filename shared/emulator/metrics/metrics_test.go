package metrics_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
)

// The counters mirror CloudWatch's Lambda metrics: Invocations, Errors, Throttles,
// ConcurrentExecutions, Duration (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).
func TestResourceCounts(t *testing.T) {
	var reg metrics.Registry
	r := reg.Resource("lambda", "Order")
	require.Same(t, r, reg.Resource("lambda", "Order"), "one resource per kind and name")

	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Invoked()
			r.Enter()
			r.Observe(10 * time.Millisecond)
			r.Exit()
		}()
	}
	wg.Wait()
	r.Errored()
	r.Throttled()
	r.TimedOut()
	r.ColdStarted()
	r.Billed(1024, time.Second)
	r.Add("async_retries", 2)

	s := r.Snapshot()
	assert.Equal(t, "lambda", s.Kind)
	assert.Equal(t, int64(100), s.Invocations)
	assert.Equal(t, int64(1), s.Errors)
	assert.Equal(t, int64(1), s.Throttles)
	assert.Equal(t, int64(1), s.Timeouts)
	assert.Equal(t, int64(1), s.ColdStarts)
	assert.Equal(t, int64(0), s.Concurrent)
	assert.LessOrEqual(t, s.MaxConcurrent, int64(100))
	assert.Positive(t, s.MaxConcurrent)
	assert.InDelta(t, 1.0, s.GBSeconds, 1e-9)
	assert.InDelta(t, 10.0, s.DurationMS.P50, 0.05)
	assert.Equal(t, int64(100), s.DurationCount)
	assert.Equal(t, map[string]int64{"async_retries": 2}, s.Counters)
}

func TestRegistrySnapshotAndReset(t *testing.T) {
	var reg metrics.Registry
	reg.Resource("lambda", "b").Invoked()
	reg.Resource("dynamodb", "a").Invoked()
	snaps := reg.Snapshot()
	require.Len(t, snaps, 2)
	assert.Equal(t, "dynamodb", snaps[0].Kind, "sorted by kind, then name")

	reg.Reset()
	for _, s := range reg.Snapshot() {
		assert.Zero(t, s.Invocations)
	}
}

// Counts is Snapshot without the duration percentiles, for readers that poll.
func TestRegistryCountsLeaveOutDurations(t *testing.T) {
	var reg metrics.Registry
	r := reg.Resource("lambda", "Order")
	r.Invoked()
	r.Throttled()
	r.Enter()
	r.Observe(25 * time.Millisecond)
	r.Add("retries", 3)
	reg.Resource("dynamodb", "Orders").Throttled()

	full, counts := reg.Snapshot(), reg.Counts()
	require.Len(t, counts, len(full))
	for i := range full {
		want := full[i]
		want.DurationMS, want.DurationCount = metrics.Percentiles{}, 0
		assert.Equal(t, want, counts[i])
	}
	assert.Equal(t, "dynamodb", counts[0].Kind, "sorted like Snapshot")
	assert.InDelta(t, 25.0, full[1].DurationMS.P99, 0.05)
	assert.Equal(t, int64(1), counts[1].Concurrent)
}
