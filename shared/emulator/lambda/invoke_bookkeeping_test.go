package lambda_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// TestInvokeBookkeeping pins what an invocation records through its sim.Hop: the "Invoke"
// span's outcome on the function's id, and the function's invocations, errors, throttles,
// timeouts and durations. A throttle (a throttle fault or no concurrency left) counts a
// throttle and no duration; an error-rate fault fails the handler (a function error, not an
// API error); a caller who gives up during the front end's latency is not counted; the
// execution records its own duration, error and timeout.
func TestInvokeBookkeeping(t *testing.T) {
	type counts struct{ invocations, errors, throttles, timeouts, durations, coldStarts int64 }
	tests := []struct {
		name     string
		ctor     string         // "echo" or "overrun"
		props    map[string]any // the function's properties
		fault    *fault.Rule
		model    func(t *testing.T) *latency.Model // nil: the zero model
		payloads []string
		timeout  time.Duration // the caller's; 0: none
		// per invocation: the span's outcome, whether Invoke failed, the result's FunctionError
		spans    []string
		apiErr   []bool
		funcErr  []string
		want     counts
		contains string // in the last payload
	}{
		{name: "a cold start, then a warm one", ctor: "echo", payloads: []string{`{"Name":"A"}`, `{"Name":"B"}`},
			spans: []string{"ok (cold)", "ok"}, apiErr: []bool{false, false}, funcErr: []string{"", ""},
			want: counts{invocations: 2, durations: 2, coldStarts: 1}},
		{name: "a function error", ctor: "echo", payloads: []string{`{}`},
			spans: []string{"error"}, apiErr: []bool{false}, funcErr: []string{"Unhandled"},
			want: counts{invocations: 1, errors: 1, durations: 1, coldStarts: 1}, contains: "name is required"},
		{name: "a throttle fault refuses the call", ctor: "echo", fault: &fault.Rule{Throttle: true}, payloads: []string{`{"Name":"A"}`},
			spans: []string{"throttled"}, apiErr: []bool{true}, funcErr: []string{""},
			want: counts{invocations: 1, throttles: 1}},
		{name: "an error-rate fault fails the handler, not the call", ctor: "echo", fault: &fault.Rule{ErrorRate: 1},
			payloads: []string{`{"Name":"A"}`},
			spans:    []string{"error"}, apiErr: []bool{false}, funcErr: []string{"Unhandled"},
			want: counts{invocations: 1, errors: 1, durations: 1, coldStarts: 1}, contains: "injected fault: function error"},
		{name: "no concurrency left is a throttle", ctor: "echo", props: map[string]any{"ReservedConcurrentExecutions": 0},
			payloads: []string{`{"Name":"A"}`},
			spans:    []string{"throttled"}, apiErr: []bool{true}, funcErr: []string{""},
			want: counts{invocations: 1, throttles: 1}},
		{name: "a timeout is an error and a timeout", ctor: "overrun", props: map[string]any{"Timeout": 1}, payloads: []string{`{}`},
			spans: []string{"timeout"}, apiErr: []bool{false}, funcErr: []string{"Unhandled"},
			want: counts{invocations: 1, errors: 1, timeouts: 1, durations: 1, coldStarts: 1}, contains: "Task timed out"},
		{name: "a caller who gives up during the front end is not counted", ctor: "echo", model: slowFrontEnd,
			timeout: 20 * time.Millisecond, payloads: []string{`{"Name":"A"}`},
			spans: []string{"error"}, apiErr: []bool{true}, funcErr: []string{""}},
		{name: "a latency fault slows the function, not the front end: the caller who gives up was counted", ctor: "echo",
			fault: &fault.Rule{Latency: time.Minute}, timeout: 20 * time.Millisecond, payloads: []string{`{"Name":"A"}`},
			spans: []string{"error"}, apiErr: []bool{true}, funcErr: []string{""},
			want: counts{invocations: 1, durations: 1, coldStarts: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			var calls atomic.Int32
			env := newEnv()
			if tt.model != nil {
				env.Latency = tt.model(t)
			}
			svc := lambda.New(env, map[string]lambda.Constructor{"Test/Echo": echo, "Test/Slow": overrun(release, &calls)}, lambda.Options{})
			logical := map[string]string{"echo": "Echo", "overrun": "Slow"}[tt.ctor]
			name := provision(t, svc, logical, tt.props)
			id := sim.NewID("lambda", name)
			if tt.fault != nil {
				require.NoError(t, env.Faults.Put(string(id), *tt.fault))
			}
			ctx, tr := trace.New(context.Background(), "req", "test")
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			var last lambda.Result
			for i, p := range tt.payloads {
				res, err := svc.Invoke(ctx, name, []byte(p))
				assert.Equal(t, tt.apiErr[i], err != nil, "invocation %d: %v", i, err)
				assert.Equal(t, tt.funcErr[i], res.FunctionError, "invocation %d", i)
				last = res
			}
			assert.Contains(t, string(last.Payload), tt.contains)
			close(release)
			env.Faults.Clear("") // a fault's latency would hold the execution Close waits for
			require.NoError(t, svc.Close())

			var spans []string
			for _, s := range tr.Spans() {
				if s.Resource == string(id) && s.Op == "Invoke" {
					spans = append(spans, s.Outcome)
				}
			}
			assert.Equal(t, tt.spans, spans)
			m := env.Metrics.Resource("lambda", name).Snapshot()
			assert.Equal(t, tt.want, counts{m.Invocations, m.Errors, m.Throttles, m.Timeouts, m.DurationCount, m.ColdStarts})
		})
	}
}

// slowFrontEnd is a latency model whose Lambda front end takes a minute and the rest nothing.
func slowFrontEnd(t *testing.T) *latency.Model {
	t.Helper()
	component := func(id string, ms float64) string {
		return fmt.Sprintf(`{"id": %q, "what": "test", "median_ms": %v, "p99_ms": %v, "tag": "estimate", "source": "test"}`, id, ms, ms)
	}
	m, err := latency.Parse([]byte(`{"name": "slow-front-end", "version": "1", "components": [`+
		component("lambda.invoke", 60000)+","+component("lambda.init.platform", 0.001)+","+
		component("lambda.init.go.arm64", 0.001)+","+component("lambda.init.go.x86_64", 0.001)+","+
		component("lambda.async.dwell", 0.001)+`]}`), 1)
	require.NoError(t, err)
	return m
}
