//go:build unix

package loadgen

import (
	"syscall"
	"time"
)

// processCPU is the user and system CPU time the process has used so far (getrusage(2),
// RUSAGE_SELF: every thread, the emulator's and the handlers' included).
func processCPU() (user, sys time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), true
}
