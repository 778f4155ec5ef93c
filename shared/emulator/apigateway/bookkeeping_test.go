package apigateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
)

// TestRequestBookkeeping pins what a request records through its sim.Hop: the span on
// "apigateway:<api id>" and the request's own trace end with the outcome the status tells
// ("client_error" for a 4xx other than 429), or "canceled" for a client that went away (not a
// 4xx); every request counts an invocation and a duration; a 5xx is an error, a 429 a throttle.
func TestRequestBookkeeping(t *testing.T) {
	t.Parallel()
	type counts struct {
		invocations, errors, throttles, timeouts, durations int64
		counters                                            map[string]int64
	}
	tests := []struct {
		name    string
		http    bool // an HTTP API instead of a REST API
		invoker apigateway.Invoker
		fault   *fault.Rule
		path    string
		cancel  bool // the client is gone before the request is served
		status  int
		outcome string
		want    counts
	}{
		{name: "ok", path: "/orders/1", status: http.StatusOK, outcome: "ok",
			want: counts{invocations: 1, durations: 1}},
		{name: "ok, HTTP API", http: true, path: "/orders/1", status: http.StatusOK, outcome: "ok",
			want: counts{invocations: 1, durations: 1}},
		{name: "a client error", path: "/", status: http.StatusForbidden, outcome: "client_error",
			want: counts{invocations: 1, durations: 1, counters: map[string]int64{"4xx": 1}}},
		{name: "a throttle fault", fault: &fault.Rule{Throttle: true}, path: "/orders/1", status: http.StatusTooManyRequests, outcome: "throttled",
			want: counts{invocations: 1, throttles: 1, durations: 1, counters: map[string]int64{"4xx": 1}}},
		{name: "an error-rate fault", fault: &fault.Rule{ErrorRate: 1}, path: "/orders/1", status: http.StatusInternalServerError, outcome: "error",
			want: counts{invocations: 1, errors: 1, durations: 1, counters: map[string]int64{"5xx": 1}}},
		{name: "a function error", invoker: answersWith{payload: `{"errorMessage":"boom"}`, functionError: "Unhandled"},
			path: "/orders/1", status: http.StatusBadGateway, outcome: "error",
			want: counts{invocations: 1, errors: 1, durations: 1, counters: map[string]int64{"5xx": 1}}},
		{name: "a client that went away", cancel: true, path: "/orders/1", status: 499, outcome: "canceled",
			want: counts{invocations: 1, durations: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv()
			inv := tt.invoker
			if inv == nil {
				inv = answersWith{payload: `{"statusCode":200,"body":"{}"}`}
			}
			svc := apigateway.New(env, inv)
			var base, apiID string
			if tt.http {
				base, apiID = httpStack(t, svc, true, nil, nil)
			} else {
				base, apiID = restStack(t, svc, nil)
			}
			if tt.fault != nil {
				require.NoError(t, env.Faults.Put("apigateway:"+apiID, *tt.fault))
			}
			req := httptest.NewRequest(http.MethodGet, base+tt.path, strings.NewReader(""))
			if tt.cancel {
				ctx, cancel := context.WithCancel(req.Context())
				cancel()
				req = req.WithContext(ctx)
			}
			rec := httptest.NewRecorder()
			svc.ServeHTTP(rec, req)
			assert.Equal(t, tt.status, rec.Code)

			traces := env.Traces.Recent(1)
			require.Len(t, traces, 1)
			assert.Equal(t, tt.outcome, traces[0].Outcome, "the request's trace")
			spans := traces[0].Spans()
			require.Len(t, spans, 1)
			assert.Equal(t, "apigateway:"+apiID, spans[0].Resource)
			assert.Equal(t, tt.outcome, spans[0].Outcome, "the span")

			m := snapshot(t, env.Metrics, apiID)
			assert.Equal(t, tt.want, counts{m.Invocations, m.Errors, m.Throttles, m.Timeouts, m.DurationCount, m.Counters})
		})
	}
}
