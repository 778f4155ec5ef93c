package cpupart_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cpupart"
)

// A request served in process: the goroutine is the emulator's while it is served, and the
// caller's again afterwards (what the in-process transport does around a request).
func TestServingLabelsAndReturns(t *testing.T) {
	tests := []struct {
		name          string
		caller        context.Context
		before, after string
	}{
		{"a handler's SDK call", cpupart.With(context.Background(), cpupart.Handler), cpupart.Handler, cpupart.Handler},
		{"the load tool's request", cpupart.With(context.Background(), cpupart.Client), cpupart.Client, cpupart.Client},
		{"a caller that never labelled itself", context.Background(), "", cpupart.Emulator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var before, during, after string
			go func() { // a goroutine of its own: the test's keeps its labels
				defer close(done)
				cpupart.Enter(tt.caller)
				before = cpupart.Current()
				cpupart.EnterEmulator()
				during = cpupart.Current()
				cpupart.Return(tt.caller)
				after = cpupart.Current()
			}()
			<-done
			assert.Equal(t, tt.before, before)
			assert.Equal(t, cpupart.Emulator, during)
			assert.Equal(t, tt.after, after)
		})
	}
}
