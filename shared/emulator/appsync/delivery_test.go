package appsync_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Delivery waits the modelled publish → subscriber latency on the emulator's clock: the
// publish is answered at once, the event arrives once the clock has moved on.
func TestDeliveryWaitsModelledLatency(t *testing.T) {
	t.Parallel()
	clock := sim.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	env := newEnv(clock)
	env.Latency = latency.Default(1)
	f := startWith(t, env)
	require.NotEmpty(t, f.svc.LatencyComponent(), "the default model has a component for AppSync Events")
	c := f.connect(t)
	f.subscribe(t, c, "s", "/orders/*")
	status, _ := f.publish(t, f.key, map[string]any{"channel": "/orders/1", "events": []string{`"late"`}})
	require.Equal(t, http.StatusOK, status)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, clock.WaitForTimers(ctx, 2), "the keep-alive and the delivery wait on the clock")
	assert.Equal(t, int64(0), f.counter("delivered_events"))
	clock.Advance(time.Hour)
	m := read(t, c)
	if m["type"] == "ka" { // the keep-alive fired in the same hour
		m = read(t, c)
	}
	assert.Equal(t, map[string]any{"type": "data", "id": "s", "event": `"late"`}, m)
	assert.Equal(t, int64(1), f.env.Metrics.Resource("appsync", "orders-events").Snapshot().Invocations, "one Publish hop per publish")
}

// An error-rate fault on the API loses the published batch.
func TestFaultDropsDelivery(t *testing.T) {
	t.Parallel()
	env := newEnv(nil)
	env.Faults = &fault.Set{}
	f := startWith(t, env)
	require.NoError(t, env.Faults.Put("appsync:orders-events", fault.Rule{ErrorRate: 1}))
	c := f.connect(t)
	f.subscribe(t, c, "s", "/orders/*")
	status, _ := f.publish(t, f.key, map[string]any{"channel": "/orders/1", "events": []string{"1", "2"}})
	require.Equal(t, http.StatusOK, status, "the publish itself is accepted")
	assert.Eventually(t, func() bool { return f.counter("dropped_events") == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, int64(0), f.counter("delivered_events"))
	assert.Equal(t, int64(1), env.Metrics.Resource("appsync", "orders-events").Snapshot().Errors)
}
