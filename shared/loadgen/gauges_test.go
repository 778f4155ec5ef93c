package loadgen

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGaugeSeconds(t *testing.T) {
	t.Parallel()
	type reading struct {
		at time.Duration
		g  Gauges
	}
	tests := []struct {
		name     string
		first    Gauges
		readings []reading
		elapsed  time.Duration // since the start when the run stops
		want     *SystemSeconds
	}{
		{
			name:  "peaks per second and throttles during each second",
			first: Gauges{LambdaThrottles: 5, DynamoDBThrottles: 1}, // before the run: not the run's
			readings: []reading{
				{100 * time.Millisecond, Gauges{LambdaConcurrency: 3, LambdaThrottles: 5, DynamoDBThrottles: 1}},
				{600 * time.Millisecond, Gauges{LambdaConcurrency: 9, LambdaThrottles: 7, DynamoDBThrottles: 1}},
				{1100 * time.Millisecond, Gauges{LambdaConcurrency: 4, LambdaThrottles: 12, DynamoDBThrottles: 4}},
				{2300 * time.Millisecond, Gauges{LambdaConcurrency: 1, LambdaThrottles: 12, DynamoDBThrottles: 4}},
			},
			elapsed: 2500 * time.Millisecond, // second 2 is cut short: left out
			want: &SystemSeconds{
				LambdaConcurrency: []int64{9, 4},
				LambdaThrottles:   []int64{2, 5},
				DynamoDBThrottles: []int64{0, 3},
			},
		},
		{
			name: "a second without a reading carries the totals on",
			readings: []reading{
				{500 * time.Millisecond, Gauges{LambdaThrottles: 2, QueueDepth: 7, Queues: true}},
				{2500 * time.Millisecond, Gauges{LambdaThrottles: 6, QueueDepth: 3, Queues: true}},
			},
			elapsed: 3 * time.Second,
			want: &SystemSeconds{
				LambdaConcurrency: []int64{0, 0, 0},
				LambdaThrottles:   []int64{2, 0, 4},
				DynamoDBThrottles: []int64{0, 0, 0},
				QueueDepth:        []int64{7, 0, 3},
			},
		},
		{
			name:     "shorter than a second: nothing to report",
			readings: []reading{{100 * time.Millisecond, Gauges{LambdaConcurrency: 2}}},
			elapsed:  900 * time.Millisecond,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now().Add(-tt.elapsed)
			m := &gaugeMeter{start: start, stopped: make(chan struct{}), first: tt.first}
			for _, r := range tt.readings {
				m.read = func() Gauges { return r.g }
				m.sample(start.Add(r.at))
			}
			assert.Equal(t, tt.want, m.stop())
		})
	}
}

func TestGaugesInARun(t *testing.T) {
	t.Parallel()
	srv := startServer(t, accepts("paid"))
	cfg := testConfig(srv, testProfile(2.5, 1, flat(10, 2.5)...))
	var reads atomic.Int64
	cfg.Gauges = func() Gauges {
		n := reads.Add(1)
		return Gauges{LambdaConcurrency: 4, LambdaThrottles: n}
	}
	res := mustRun(t, cfg)
	if assert.NotNil(t, res.System) {
		assert.GreaterOrEqual(t, len(res.System.LambdaConcurrency), 2, "one entry per whole second of the run")
		assert.Equal(t, int64(4), res.System.LambdaConcurrency[0])
		assert.Positive(t, res.System.LambdaThrottles[1], "the throttle total grew during second 1")
		assert.Nil(t, res.System.QueueDepth, "no queues, no queue depth")
	}
	assert.Nil(t, mustRun(t, testConfig(srv, testProfile(1, 1, flat(5, 1)...))).System, "no gauges, nothing kept")
}
