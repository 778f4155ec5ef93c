package loadgen

import (
	"crypto/sha256"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCPUBoundRule(t *testing.T) {
	t.Parallel()
	busy := func(n int, cores float64) []float64 {
		s := make([]float64, 20)
		for i := range n {
			s[i] = cores
		}
		return s
	}
	tests := []struct {
		name        string
		cores, gmp  int
		perSecond   []float64
		machine     []float64
		busySeconds int
		bound       bool
	}{
		{"idle", 2, 2, busy(0, 0), nil, 0, false},
		{"four busy seconds are a burst", 2, 2, busy(4, 1.9), nil, 4, false},
		{"five busy seconds", 2, 2, busy(5, 1.9), nil, 5, true},
		{"at 80 % exactly is not above it", 2, 2, busy(10, 1.6), nil, 0, false},
		{"GOMAXPROCS=1 on 2 cores: one core is the machine", 2, 1, busy(6, 0.9), nil, 6, true},
		{"one core's worth on 2 usable cores is fine", 2, 2, busy(20, 1.0), busy(20, 1.2), 0, false},
		{"other programs took the cores", 2, 2, busy(20, 0.3), busy(5, 1.9), 0, true},
		{"other programs for four seconds", 2, 2, busy(20, 0.3), busy(4, 2), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &CPU{Cores: tt.cores, GOMAXPROCS: tt.gmp, PerSecond: tt.perSecond, MachinePerSecond: tt.machine}
			c.judge()
			assert.Equal(t, tt.busySeconds, c.BusySeconds)
			assert.Equal(t, tt.bound, c.Bound)
		})
	}
}

// TestCPUMeterChargesEachSecond feeds the meter a fake clock and fake CPU times: CPU time used
// between two samples is shared among the seconds they span in proportion to the wall time.
func TestCPUMeterChargesEachSecond(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	cpu := time.Duration(0)
	m := &cpuMeter{period: time.Hour, unit: time.Second, stopped: make(chan struct{}),
		clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		usage: func() (time.Duration, time.Duration, bool) { mu.Lock(); defer mu.Unlock(); return cpu, 0, true },
	}
	m.begin()
	step := func(wall, used time.Duration) {
		mu.Lock()
		now, cpu = now.Add(wall), cpu+used
		mu.Unlock()
		m.sample()
	}
	step(time.Second, 1500*time.Millisecond)         // second 0: 1.5 cores
	step(2*time.Second, 2*time.Second)               // seconds 1 and 2: 1 core each
	step(500*time.Millisecond, 900*time.Millisecond) // half of second 3
	mu.Lock()
	now = now.Add(300 * time.Millisecond) // a fraction of a second that is not reported
	mu.Unlock()
	c := m.stop()
	require.NotNil(t, c)
	assert.Equal(t, []float64{1.5, 1, 1}, c.PerSecond[:3])
	assert.Len(t, c.PerSecond, 3, "only whole seconds are reported")
	assert.InDelta(t, 4.4, c.UserS, 1e-9)
}

// TestSqueezedRunIsCPUBound runs the load tool with the process squeezed onto one core
// (GOMAXPROCS=1) against handlers that need more than that, and a light run beside it: the
// first is marked CPU-bound, the second is not, unless other programs kept this machine's cores
// busy (then its latencies were inflated too, and the mark says so). The meter's "second" is
// shortened to 100 ms so the test takes about a second per run.
func TestSqueezedRunIsCPUBound(t *testing.T) {
	period, unit := cpuPeriod, cpuUnit
	cpuPeriod, cpuUnit = 20*time.Millisecond, 100*time.Millisecond
	defer func() { cpuPeriod, cpuUnit = period, unit }()

	// work hashes for about d of CPU: real work, as a handler's JSON and signing would be.
	work := func(d time.Duration) {
		var sum [32]byte
		for start := time.Now(); time.Since(start) < d; {
			for range 100 {
				sum = sha256.Sum256(sum[:])
			}
		}
	}
	var ids atomic.Int64
	heavy := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		work(20 * time.Millisecond)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"order_id":"o-` + string(rune('a'+ids.Add(1)%26)) + `","status":"paid"}`))
	})
	light := startServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"order_id":"o-1","status":"paid"}`))
	})
	terminal := func(c Config) Config {
		c.Tracking = Tracking{Terminal: []string{"paid"}}
		return c
	}

	t.Run("squeezed", func(t *testing.T) {
		old := runtime.GOMAXPROCS(1)
		defer runtime.GOMAXPROCS(old)
		// 100 orders/s × 20 ms of CPU each is two cores' worth of work on one.
		res := mustRun(t, terminal(testConfig(heavy, testProfile(1.2, 10, flat(100, 1.2)...))))
		require.NotNil(t, res.CPU)
		assert.Equal(t, 1, res.CPU.GOMAXPROCS)
		assert.True(t, res.CPU.Bound, "process per unit: %v, machine: %v", res.CPU.PerSecond, res.CPU.MachinePerSecond)
	})
	t.Run("light", func(t *testing.T) {
		res := mustRun(t, terminal(testConfig(light, testProfile(1.2, 10, flat(20, 1.2)...))))
		require.NotNil(t, res.CPU)
		assert.Less(t, res.CPU.BusySeconds, CPUBoundSeconds, "per unit: %v", res.CPU.PerSecond)
		assert.Less(t, res.CPU.Mean(), 0.5*float64(res.CPU.Usable()))
		if res.CPU.MachineBusySeconds < CPUBoundSeconds {
			assert.False(t, res.CPU.Bound)
		}
	})
}
