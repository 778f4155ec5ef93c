//go:build linux

package lambda

import (
	"syscall"
	"time"
	"unsafe"
)

// Linux's CPU-time clocks (clock_gettime(2)): nanosecond CPU time of the calling thread and of
// the whole process, as the scheduler accounts it.
const (
	clockProcessCPUTime = 2 // CLOCK_PROCESS_CPUTIME_ID
	clockThreadCPUTime  = 3 // CLOCK_THREAD_CPUTIME_ID
)

// cpuClocks reports whether threadCPU and processCPU measure CPU time (true on Linux).
const cpuClocks = true

func cpuClock(id uintptr) time.Duration {
	var ts syscall.Timespec
	// A CPU-time clock read never blocks, so RawSyscall (no scheduler hand-off) is safe.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, id, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// threadCPU is the CPU time the calling OS thread has used. Only meaningful on a goroutine locked
// to its thread (runtime.LockOSThread).
func threadCPU() time.Duration { return cpuClock(clockThreadCPUTime) }

// processCPU is the CPU time every thread of the process has used.
func processCPU() time.Duration { return cpuClock(clockProcessCPUTime) }

// threadID identifies the calling OS thread.
func threadID() int { return syscall.Gettid() }
