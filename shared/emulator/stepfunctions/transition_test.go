package stepfunctions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// passChain is a graph of n Pass states, as a Parallel branch or a Map ItemProcessor.
func passChain(prefix string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"StartAt":"%s0","States":{`, prefix)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next":"%s%d"`, prefix, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		fmt.Fprintf(&b, `"%s%d":{"Type":"Pass",%s}`, prefix, i, next)
	}
	b.WriteString("}}")
	return b.String()
}

// Parallel branches and Map iterations run concurrently
// (https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html), so their
// states' transition latencies overlap: with a fixed 100 ms transition and four states per
// branch, the execution takes 500 ms (the Parallel or Map state's own transition, then four
// rounds), not 100 ms + width × 400 ms. The fake clock is advanced only once every branch
// waits, which never happens when the transitions are taken one after another.
func TestTransitionsOfBranchesOverlap(t *testing.T) {
	const (
		n    = 4
		step = 100 * time.Millisecond
	)
	model, err := latency.Parse([]byte(`{"name":"fixed","version":"1","components":[
		{"id":"stepfunctions.express.transition","what":"fixed","median_ms":100,"p99_ms":100,"tag":"estimate","source":"test"}]}`), 1)
	require.NoError(t, err)
	tests := []struct {
		name  string
		def   string
		input string
		width int
	}{
		{name: "Parallel of two branches", width: 2, input: `{}`,
			def: `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[` + passChain("A", n) + `,` + passChain("B", n) + `]}}}`},
		{name: "Map of three iterations", width: 3, input: `[1,2,3]`,
			def: `{"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":` + passChain("P", n) + `}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := sim.NewFake(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
			f := newFixture(t, options{clock: clock})
			f.env.Latency = model
			arn := f.machine(t, "wide", "EXPRESS", tt.def)
			body, _ := json.Marshal(map[string]string{"stateMachineArn": arn, "input": tt.input})
			type answer struct {
				out []byte
				err error
			}
			done := make(chan answer, 1)
			go func() {
				out, err := f.env.Call(context.Background(), "states", "StartSyncExecution", body)
				done <- answer{out, err}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			// One timer is the express execution's five-minute limit.
			for i := range 1 + n {
				want := tt.width
				if i == 0 {
					want = 1
				}
				require.NoError(t, clock.WaitForTimers(ctx, 1+want), "before advance %d, %d states should wait at once", i, want)
				clock.Advance(step)
			}
			var a answer
			select {
			case a = <-done:
			case <-ctx.Done():
				t.Fatal("the execution did not end")
			}
			require.NoError(t, a.err)
			var out struct {
				Status  string `json:"status"`
				Billing struct {
					DurationMS int64 `json:"billedDurationInMilliseconds"`
				} `json:"billingDetails"`
			}
			require.NoError(t, json.Unmarshal(a.out, &out))
			assert.Equal(t, "SUCCEEDED", out.Status)
			assert.Equal(t, int64((1+n)*step/time.Millisecond), out.Billing.DurationMS)
		})
	}
}

// Two concurrent Map iterations run one Task state with the same arguments; each task's calls
// nest under its own iteration's state span
// (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html). The first call
// outlasts the other iteration's whole state, so a call put under the wrong span would end
// after its parent.
func TestTaskSpansOfConcurrentIdenticalIterations(t *testing.T) {
	f := newFixture(t, options{traces: true})
	arn := f.machine(t, "twins", "EXPRESS", `{"StartAt":"Each","States":{"Each":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"Get","States":{
		"Get":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"same","Payload":{}},"End":true}}}}}}`)
	ctx, tr := trace.New(context.Background(), "t-2", "twins")
	getEnded := func() bool {
		for _, s := range tr.Spans() {
			if s.Op == "Get" && s.Outcome == "ok" {
				return true
			}
		}
		return false
	}
	var calls atomic.Int32
	f.lambda.handle("same", func(ctx context.Context, _ []byte) ([]byte, string, error) {
		_, end := trace.Begin(ctx, "lambda:same", "Invoke")
		defer end("ok")
		if calls.Add(1) == 1 {
			for !getEnded() {
				select {
				case <-ctx.Done():
					return nil, "", ctx.Err()
				case <-time.After(time.Millisecond):
				}
			}
		}
		return []byte(`{}`), "", nil
	})
	body, _ := json.Marshal(map[string]string{"stateMachineArn": arn, "input": `[{},{}]`})
	out, err := f.env.Call(ctx, "states", "StartSyncExecution", body)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"status":"SUCCEEDED"`)

	spans := tr.Spans()
	parents := map[int]bool{}
	for _, s := range spans {
		if s.Resource != "lambda:same" {
			continue
		}
		require.GreaterOrEqual(t, s.Parent, 0)
		p := spans[s.Parent]
		assert.Equal(t, "Get", p.Op, "a task call nests under its state's span")
		assert.LessOrEqual(t, s.Start+s.Duration, p.Start+p.Duration, "a call ends before its state")
		parents[s.Parent] = true
	}
	assert.Len(t, parents, 2, "each iteration's call has its own state span")
}
