package sim

import (
	"os"
	"runtime/debug"
)

// GCPercent and MemoryLimit are how every emulator command (make local, make load, make demo,
// make live, go run ./shared/cmd/emulator) runs Go's garbage collector, and how the emulator's
// benchmarks measure it.
//
// With Go's default (GOGC=100) and the small live heap of an emulator process, the collector
// runs every few megabytes of allocation; its mark phases and mark assists then stall requests
// on the answer path, and the emulator would measure its own collector instead of the latency
// model. Measured at 04's morning rush with the provider 2 s slower (seed 7, one run each):
// answer p99 500 ms and 27.4 s of CPU at GOGC=100, 326 ms and 18.6 s at GOGC=400. The memory
// limit bounds what the laxer collector may use.
const (
	GCPercent   = 400
	MemoryLimit = 3 << 30
)

// TuneGC applies GCPercent and MemoryLimit unless the environment sets GOGC or GOMEMLIMIT (which
// then win, so GOGC=100 measures Go's default), and returns a function that restores the
// previous settings (a benchmark passes it to b.Cleanup).
func TuneGC() (restore func()) {
	prevPercent, prevLimit := -2, int64(-1)
	if os.Getenv("GOGC") == "" {
		prevPercent = debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		prevLimit = debug.SetMemoryLimit(MemoryLimit)
	}
	return func() {
		if prevPercent != -2 {
			debug.SetGCPercent(prevPercent)
		}
		if prevLimit >= 0 {
			debug.SetMemoryLimit(prevLimit)
		}
	}
}
