package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// TestOpenHop: a hop from Open counts and waits nothing by itself; the service does each step
// (Count, Wait, Fault, Add) in its own order and ends the hop with End (figures from the
// outcome) or EndWith (its own figures and outcome). Lambda and API Gateway do their
// bookkeeping this way.
func TestOpenHop(t *testing.T) {
	type want struct {
		span                                     sim.Outcome
		invocations, errors, throttles, timeouts int64
		durations                                int64   // how many durations were recorded
		maxMS                                    float64 // the largest, when durations > 0
		counters                                 map[string]int64
		waited                                   time.Duration // on the emulator's clock
		err                                      error         // what the call's Wait returned
		fault                                    fault.Rule    // what the call's Fault answered
		inject, faulted                          bool
	}
	// got is what a call's Wait and Fault answered.
	type got struct {
		err             error
		fault           fault.Rule
		inject, faulted bool
	}
	tests := []struct {
		name string
		// fault is switched on for the hop's resource before the call.
		fault *fault.Rule
		// down marks the region down (Open does not look).
		down bool
		// call runs the service's steps on the hop.
		call func(ctx context.Context, h *sim.Hop) got
		// advance moves the fake clock once the call waits (0: the call must not wait).
		advance time.Duration
		// cancel gives up the caller's context before the call.
		cancel bool
		want   want
	}{
		{
			name: "Open counts nothing; EndWith with no tally records nothing",
			call: func(_ context.Context, h *sim.Hop) got { h.EndWith(sim.OK, sim.Tally{}); return got{} },
			want: want{span: sim.OK},
		},
		{
			name: "Count then End: the invocation, the hop's duration and the outcome's counter",
			call: func(_ context.Context, h *sim.Hop) got { h.Count(); h.End(sim.Failed); return got{} },
			want: want{span: sim.Failed, invocations: 1, errors: 1, durations: 1},
		},
		{
			name: "End counts a timeout as a timeout only",
			call: func(_ context.Context, h *sim.Hop) got { h.Count(); h.End(sim.TimedOut); return got{} },
			want: want{span: sim.TimedOut, invocations: 1, timeouts: 1, durations: 1},
		},
		{
			name: "EndWith: a custom outcome and the duration the service measured",
			call: func(_ context.Context, h *sim.Hop) got {
				h.Count()
				h.EndWith("ok (cold)", sim.Tally{Observe: true, Duration: 3 * time.Second})
				return got{}
			},
			want: want{span: "ok (cold)", invocations: 1, durations: 1, maxMS: 3000},
		},
		{
			name: "EndWith: a timeout that is an error too (API Gateway's 504)",
			call: func(_ context.Context, h *sim.Hop) got {
				h.Count()
				h.Add("5xx", 1)
				h.Add("504", 1)
				h.EndWith(sim.TimedOut, sim.Tally{Observe: true, Duration: 29 * time.Second, Errored: true, TimedOut: true})
				return got{}
			},
			want: want{span: sim.TimedOut, invocations: 1, errors: 1, timeouts: 1, durations: 1, maxMS: 29000,
				counters: map[string]int64{"5xx": 1, "504": 1}},
		},
		{
			name: "EndWith: a throttle without a duration (Lambda's)",
			call: func(_ context.Context, h *sim.Hop) got {
				h.Count()
				h.EndWith(sim.Throttled, sim.Tally{Throttled: true})
				return got{}
			},
			want: want{span: sim.Throttled, invocations: 1, throttles: 1},
		},
		{
			name: "Add counts named counters",
			call: func(_ context.Context, h *sim.Hop) got {
				h.Add("4xx", 1)
				h.Add("4xx", 2)
				h.EndWith("client_error", sim.Tally{})
				return got{}
			},
			want: want{span: "client_error", counters: map[string]int64{"4xx": 3}},
		},
		{
			name:    "Wait waits the fault's latency on the emulator's clock",
			fault:   &fault.Rule{Latency: 2 * time.Second},
			advance: 2 * time.Second,
			call: func(ctx context.Context, h *sim.Hop) got {
				err := h.Wait(ctx, "lambda.invoke")
				h.End(sim.OutcomeOf(err))
				return got{err: err}
			},
			want: want{span: sim.OK, durations: 1, maxMS: 2000, waited: 2 * time.Second},
		},
		{
			name:   "Wait returns the context's error when the caller gave up",
			cancel: true,
			call: func(ctx context.Context, h *sim.Hop) got {
				err := h.Wait(ctx, "lambda.invoke")
				h.EndWith(sim.Failed, sim.Tally{})
				return got{err: err}
			},
			want: want{span: sim.Failed, err: context.Canceled},
		},
		{
			name: "Open ignores a region that is down",
			down: true,
			call: func(ctx context.Context, h *sim.Hop) got {
				err := h.Wait(ctx, "")
				h.Count()
				h.End(sim.OutcomeOf(err))
				return got{err: err}
			},
			want: want{span: sim.OK, invocations: 1, durations: 1},
		},
		{
			name:  "Fault: a throttle fault",
			fault: &fault.Rule{Throttle: true},
			call: func(_ context.Context, h *sim.Hop) got {
				rule, inject, ok := h.Fault()
				h.EndWith(sim.Throttled, sim.Tally{Throttled: true})
				return got{fault: rule, inject: inject, faulted: ok}
			},
			want: want{span: sim.Throttled, throttles: 1, fault: fault.Rule{Throttle: true}, faulted: true},
		},
		{
			name:  "Fault: an error rate of 1 always fires",
			fault: &fault.Rule{ErrorRate: 1},
			call: func(_ context.Context, h *sim.Hop) got {
				rule, inject, ok := h.Fault()
				h.EndWith(sim.Failed, sim.Tally{})
				return got{fault: rule, inject: inject, faulted: ok}
			},
			want: want{span: sim.Failed, fault: fault.Rule{ErrorRate: 1}, inject: true, faulted: true},
		},
		{
			name: "Fault: none on",
			call: func(_ context.Context, h *sim.Hop) got {
				rule, inject, ok := h.Fault()
				h.EndWith(sim.OK, sim.Tally{})
				return got{fault: rule, inject: inject, faulted: ok}
			},
			want: want{span: sim.OK},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sim.NewFake(epoch)
			env := newEnv(c)
			env.SetDown(tt.down)
			id := sim.NewID("lambda", "Stack-Order")
			if tt.fault != nil {
				require.NoError(t, env.Faults.Put(string(id), *tt.fault))
			}
			res := env.Metrics.Resource(id.Service(), id.Name())
			ctx, tr := trace.New(context.Background(), "req", "test")
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			if tt.cancel {
				cancel()
			}
			hctx, hop := env.Open(ctx, id, res, "Invoke")
			assert.NotNil(t, trace.FromContext(hctx))
			assert.Same(t, res, hop.Metrics())

			done := make(chan got, 1)
			go func() { done <- tt.call(hctx, &hop) }()
			if tt.advance > 0 {
				wait, stop := context.WithTimeout(context.Background(), 5*time.Second)
				defer stop()
				require.NoError(t, c.WaitForTimers(wait, 1))
				c.Advance(tt.advance)
			}
			select {
			case g := <-done:
				if tt.want.err != nil {
					require.ErrorIs(t, g.err, tt.want.err)
				} else {
					require.NoError(t, g.err)
				}
				assert.Equal(t, tt.want.fault, g.fault, "the fault")
				assert.Equal(t, tt.want.inject, g.inject, "inject")
				assert.Equal(t, tt.want.faulted, g.faulted, "a fault is on")
			case <-time.After(5 * time.Second):
				t.Fatal("the call still waits")
			}
			assert.Equal(t, tt.want.waited, c.Now().Sub(epoch))

			m := res.Snapshot()
			assert.Equal(t, tt.want.invocations, m.Invocations, "invocations")
			assert.Equal(t, tt.want.errors, m.Errors, "errors")
			assert.Equal(t, tt.want.throttles, m.Throttles, "throttles")
			assert.Equal(t, tt.want.timeouts, m.Timeouts, "timeouts")
			assert.Equal(t, tt.want.durations, m.DurationCount, "durations")
			if tt.want.durations > 0 {
				assert.InDelta(t, tt.want.maxMS, m.DurationMS.Max, tt.want.maxMS/100+0.01, "the longest duration")
			}
			assert.Equal(t, tt.want.counters, m.Counters, "counters")
			spans := tr.Spans()
			require.Len(t, spans, 1)
			assert.Equal(t, "lambda:Stack-Order", spans[0].Resource)
			assert.Equal(t, "Invoke", spans[0].Op)
			assert.Equal(t, string(tt.want.span), spans[0].Outcome)
		})
	}
}

// TestTallyAddTo: a tally adds each figure it says to a resource's metrics, and nothing to none
// (a Lambda execution records its outcome this way after its caller's hop has ended).
func TestTallyAddTo(t *testing.T) {
	tests := []struct {
		name  string
		tally sim.Tally
		want  metrics.Snapshot
	}{
		{"nothing", sim.Tally{}, metrics.Snapshot{}},
		{"a duration", sim.Tally{Observe: true, Duration: 250 * time.Millisecond},
			metrics.Snapshot{DurationCount: 1, DurationMS: metrics.Percentiles{P50: 250, P90: 250, P99: 250, Max: 250}}},
		{"a zero duration is recorded as 1 µs", sim.Tally{Observe: true},
			metrics.Snapshot{DurationCount: 1, DurationMS: metrics.Percentiles{P50: 0.001, P90: 0.001, P99: 0.001, Max: 0.001}}},
		{"a failed run that timed out", sim.Tally{Observe: true, Duration: time.Second, Errored: true, TimedOut: true},
			metrics.Snapshot{Errors: 1, Timeouts: 1, DurationCount: 1, DurationMS: metrics.Percentiles{P50: 1000, P90: 1000, P99: 1000, Max: 1000}}},
		{"a throttle", sim.Tally{Throttled: true}, metrics.Snapshot{Throttles: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reg metrics.Registry
			res := reg.Resource("lambda", "Stack-Order")
			tt.tally.AddTo(res)
			tt.tally.AddTo(nil) // no metrics: nothing to do, no panic
			got := res.Snapshot()
			got.Kind, got.Name = "", ""
			want := tt.want
			if want.DurationCount > 0 {
				// The histogram keeps three significant digits.
				assert.InDelta(t, want.DurationMS.Max, got.DurationMS.Max, want.DurationMS.Max/100)
				got.DurationMS, want.DurationMS = metrics.Percentiles{}, metrics.Percentiles{}
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestOpenAllocatesNothing: Open and a hop's steps cost no allocation when no trace is
// recording, so Lambda's Invoke and API Gateway's requests pay nothing for using them.
func TestOpenAllocatesNothing(t *testing.T) {
	env := newEnv(nil)
	id := sim.NewID("lambda", "Stack-Order")
	res := env.Metrics.Resource(id.Service(), id.Name())
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		hctx, hop := env.Open(ctx, id, res, "Invoke")
		_ = hop.Wait(hctx, "lambda.invoke")
		hop.Count()
		_, _, _ = hop.Fault()
		hop.EndWith(sim.OK, sim.Tally{Observe: true, Duration: time.Millisecond})
	})
	assert.Zero(t, allocs)
}
