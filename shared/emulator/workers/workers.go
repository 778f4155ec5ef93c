// Package workers runs the emulator's background work on goroutines that outlive it.
package workers

import (
	"sync/atomic"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
)

// idleWorker is how long a worker of Go waits for more work before it exits.
const idleWorker = time.Second

var (
	// work hands a function to a worker waiting for one; unbuffered, so Go starts a new worker
	// rather than queue behind a busy one.
	work = make(chan func())
	// workersStarted and workersIdle are for tests.
	workersStarted, workersIdle atomic.Int64
)

// Go runs f on its own goroutine, as `go f()` does, but on one that has run earlier work when
// such a goroutine is idle. A new goroutine's stack starts small and is copied to a new one each
// time it doubles; the emulator's background work (an event's delivery, a workflow run) reaches
// deep into SDK middleware and handlers every time, so new goroutines paid that growth again
// and again (about 6 % of 04-refactor's CPU per order, docs/emulator.md). A worker keeps its grown
// stack until the collector shrinks it, and exits after a second without work. Go never waits
// for a worker: f starts at once either way. Each f starts labelled as the emulator's CPU
// (cpupart), whatever the worker ran before.
func Go(f func()) {
	select {
	case work <- f:
	default:
		workersStarted.Add(1)
		go worker(f)
	}
}

func worker(f func()) {
	cpupart.EnterEmulator()
	f()
	idle := time.NewTimer(idleWorker)
	defer idle.Stop()
	for {
		workersIdle.Add(1)
		select {
		case f = <-work:
			workersIdle.Add(-1)
			cpupart.EnterEmulator() // a task of the emulator's, whatever the last one was
			f()
			idle.Reset(idleWorker)
		case <-idle.C:
			workersIdle.Add(-1)
			return
		}
	}
}
