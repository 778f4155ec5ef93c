package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

func TestYScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		values    []float64
		allowLog  bool
		wantLog   bool
		wantTicks []float64
	}{
		{"linear", []float64{120, 400}, true, false, []float64{0, 100, 200, 300, 400}},
		{"linear when log is not allowed", []float64{1, 6400}, false, false, []float64{0, 2000, 4000, 6000, 8000}},
		{"log when p99 spans 100 ms to 10 s", []float64{95, 6400}, true, true,
			[]float64{50, 100, 200, 500, 1000, 2000, 5000, 10000}},
		{"log over many decades keeps powers of ten", []float64{1, 60000}, true, true,
			[]float64{0.5, 1, 10, 100, 1000, 10000, 100000}},
		{"nothing measured", nil, true, false, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newYScale(tt.values, tt.allowLog, 100, 300)
			assert.Equal(t, tt.wantLog, s.log)
			assert.InDeltaSlice(t, tt.wantTicks, s.ticks, 1e-9)
			assert.InDelta(t, 300, s.y(s.lo), 1e-9, "the lowest tick sits on the axis")
			assert.InDelta(t, 100, s.y(s.hi), 1e-9, "the highest tick is the top of the plot")
		})
	}
}

func TestBinTimeline(t *testing.T) {
	t.Parallel()
	t.Run("short runs keep every second", func(t *testing.T) {
		t.Parallel()
		p99, offered, tMax := binTimeline([]loadgen.Bucket{
			{T: 1, Offered: 20, P99MS: 300}, {T: 0, Offered: 10, P99MS: 100}, {T: 2, Offered: 30},
		})
		assert.Equal(t, []point{{0, 100, true}, {1, 300, true}, {2, 0, false}}, p99, "a second without answers is a gap")
		assert.Equal(t, []point{{0, 10, true}, {1, 20, true}, {2, 30, true}}, offered)
		assert.InDelta(t, 3, tMax, 0)
	})
	t.Run("long runs are binned", func(t *testing.T) {
		t.Parallel()
		var buckets []loadgen.Bucket
		for s := range 1800 {
			buckets = append(buckets, loadgen.Bucket{T: s, Offered: 6, P99MS: float64(s)})
		}
		p99, offered, tMax := binTimeline(buckets)
		require.Len(t, p99, 600)
		assert.Equal(t, point{0, 2, true}, p99[0], "a bin shows its worst second")
		assert.Equal(t, point{1797, 1799, true}, p99[599])
		assert.Equal(t, point{1797, 6, true}, offered[599], "offered stays a per-second rate")
		assert.InDelta(t, 1800, tMax, 0)
	})
}
