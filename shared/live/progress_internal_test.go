package live

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The lines are loadgen's progress line (shared/loadgen/progress.go) as the dashboard's run
// draws it; the page charts the figures.
func TestParseProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line string
		want       *Progress
	}{
		{"sending", "03-crisis morning-rush   12.3/40 s  offered 245  rate 38.0/s  in flight 120  p99 3.2s  failed 4  abandoned 17",
			&Progress{ElapsedS: 12.3, Offered: 245, InFlight: 120, Failed: 4, Abandoned: 17, P99MS: 3200}},
		{"sent all, tracking", "04-refactor smoke   10.0/10 s  offered 50  sent all  in flight 0  p99 212ms  failed 0  abandoned 0  tracking 12",
			&Progress{ElapsedS: 10, Offered: 50, P99MS: 212}},
		{"no answer yet", "01-monolith smoke    0.2/10 s  offered 1  rate 0.0/s  in flight 1  p99 0s  failed 0  abandoned 0",
			&Progress{ElapsedS: 0.2, Offered: 1, InFlight: 1}},
		{"not a progress line", "the run failed: connection refused", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, parseProgress(tt.line))
		})
	}
}
