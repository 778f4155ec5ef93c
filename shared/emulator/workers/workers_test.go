package workers

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
)

// The tests share the package's workers, so they run one after another.

func TestGoRunsEveryFunctionAtOnce(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"one", 1},
		{"more than are idle", 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every function blocks until all have started: Go must not queue one behind
			// another, or this would never end.
			var started, done sync.WaitGroup
			started.Add(tt.n)
			done.Add(tt.n)
			release := make(chan struct{})
			for range tt.n {
				Go(func() {
					defer done.Done()
					started.Done()
					<-release
				})
			}
			waitOrFail(t, &started, "every function started")
			close(release)
			waitOrFail(t, &done, "every function ended")
		})
	}
}

func TestGoReusesAnIdleWorker(t *testing.T) {
	ran := make(chan struct{})
	Go(func() { ran <- struct{}{} })
	<-ran
	require.Eventually(t, func() bool { return workersIdle.Load() > 0 }, 5*time.Second, time.Millisecond)
	before := workersStarted.Load()
	Go(func() { ran <- struct{}{} })
	<-ran
	assert.Equal(t, before, workersStarted.Load(), "the idle worker ran it; no new goroutine")
}

// A worker that ran a handler's invocation (labelled cpupart.Handler) runs the next task as
// the emulator's.
func TestEachTaskStartsAsTheEmulators(t *testing.T) {
	ran := make(chan string)
	Go(func() {
		cpupart.Enter(cpupart.With(context.Background(), cpupart.Handler))
		ran <- cpupart.Current()
	})
	require.Equal(t, cpupart.Handler, <-ran)
	require.Eventually(t, func() bool { return workersIdle.Load() > 0 }, 5*time.Second, time.Millisecond)
	before := workersStarted.Load()
	Go(func() { ran <- cpupart.Current() })
	assert.Equal(t, cpupart.Emulator, <-ran)
	assert.Equal(t, before, workersStarted.Load(), "on the same, reused worker")
}

func TestIdleWorkersExit(t *testing.T) {
	ran := make(chan struct{})
	Go(func() { ran <- struct{}{} })
	<-ran
	require.Eventually(t, func() bool { return workersIdle.Load() > 0 }, 5*time.Second, time.Millisecond)
	assert.Eventually(t, func() bool { return workersIdle.Load() == 0 }, idleWorker+5*time.Second, 10*time.Millisecond,
		"a worker without work exits after idleWorker")
}

func waitOrFail(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("not %s within 10 s", what)
	}
}
