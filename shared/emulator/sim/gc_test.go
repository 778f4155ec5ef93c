package sim_test

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

func TestTuneGC(t *testing.T) {
	tests := []struct {
		name        string
		gogc        string
		wantPercent int
	}{
		{name: "the emulator's setting when the environment says nothing", gogc: "", wantPercent: sim.GCPercent},
		{name: "GOGC in the environment wins", gogc: "150", wantPercent: 150},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOGC", tt.gogc)
			t.Setenv("GOMEMLIMIT", "")
			before := debug.SetGCPercent(150)
			defer debug.SetGCPercent(before)

			restore := sim.TuneGC()
			assert.Equal(t, tt.wantPercent, debug.SetGCPercent(tt.wantPercent), "GC percent while tuned")
			assert.Equal(t, int64(sim.MemoryLimit), debug.SetMemoryLimit(-1), "memory limit while tuned")
			restore()
			assert.Equal(t, 150, debug.SetGCPercent(150), "GC percent after restore")
		})
	}
}
