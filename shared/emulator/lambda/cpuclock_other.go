//go:build !linux

package lambda

import "time"

// cpuClocks is false where the emulator has no per-thread CPU clock: the CPU model then counts
// the handler goroutine's busy wall time (its time outside SDK calls) as its CPU time.
const cpuClocks = false

func threadCPU() time.Duration  { return 0 }
func processCPU() time.Duration { return 0 }
func threadID() int             { return 0 }
