package lambda_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

var epoch = time.Date(2025, 3, 1, 7, 0, 0, 0, time.UTC)

// A function's timeout is at most 900 seconds; at the timeout Lambda stops the invocation
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html). On the emulated
// clock the 15 minutes pass in one Advance.
func TestFifteenMinuteTimeoutOnTheEmulatedClock(t *testing.T) {
	clock := sim.NewFake(epoch)
	env := newEnv()
	env.Clock = clock
	g := newGate()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Long": g.constructor}, lambda.Options{})
	name := provision(t, svc, "Long", map[string]any{"Timeout": 900})

	done := make(chan lambda.Result, 1)
	go func() {
		res, err := svc.Invoke(context.Background(), name, []byte(`{}`))
		assert.NoError(t, err)
		done <- res
	}()
	<-g.entered
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// The handler's context and Lambda's own timer both wait on the clock.
	require.NoError(t, clock.WaitForTimers(ctx, 2))
	clock.Advance(15*time.Minute - time.Second)
	select {
	case <-done:
		require.FailNow(t, "the invocation ended before its timeout")
	case <-time.After(20 * time.Millisecond):
	}
	clock.Advance(time.Second)
	var res lambda.Result
	select {
	case res = <-done:
	case <-ctx.Done():
		require.FailNow(t, "the invocation did not end at its emulated timeout")
	}
	assert.True(t, res.TimedOut)
	assert.Equal(t, "Unhandled", res.FunctionError)
	assert.Contains(t, string(res.Payload), "Task timed out after 900.00 seconds")
	assert.Equal(t, 15*time.Minute, res.Duration)
	require.NoError(t, svc.Close())
}

// Lambda keeps an idle execution environment for a while and then shuts it down
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html); the next
// invocation is a cold start.
func TestIdleEnvironmentReclaimedOnTheEmulatedClock(t *testing.T) {
	clock := sim.NewFake(epoch)
	env := newEnv()
	env.Clock = clock
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{IdleTimeout: 30 * time.Second})
	defer svc.Close()
	name := provision(t, svc, "Echo", nil)

	tests := []struct {
		name    string
		advance time.Duration
		cold    bool
	}{
		{name: "first invocation", cold: true},
		{name: "right after", cold: false},
		{name: "idle 29 s", advance: 29 * time.Second, cold: false},
		{name: "idle 30 s", advance: 30 * time.Second, cold: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(tt.advance)
			res, err := svc.Invoke(context.Background(), name, []byte(`{"Name":"Ada"}`))
			require.NoError(t, err)
			assert.Equal(t, tt.cold, res.Cold)
		})
	}
}

// Other services invoke a function through Env.Call with Invoke's request members, and get
// back what Step Functions' lambda:invoke task returns: StatusCode, FunctionError, Payload
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html).
func TestCallInvoke(t *testing.T) {
	env := newEnv()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(t, svc, "Echo", map[string]any{"Environment": map[string]any{"Variables": map[string]any{"GREETING": "Hi"}}})
	arn := env.ARN("lambda", "function:"+name)

	tests := []struct {
		name, target, input, want string
		code                      string
	}{
		{name: "by name", target: "lambda", input: `{"FunctionName":"` + name + `","Payload":{"Name":"Ada"}}`,
			want: `{"StatusCode":200,"ExecutedVersion":"$LATEST","Payload":"Hi, Ada"}`},
		{name: "by ARN", target: arn, input: `{"FunctionName":"` + arn + `","InvocationType":"RequestResponse","Payload":{"Name":"Bo"}}`,
			want: `{"StatusCode":200,"ExecutedVersion":"$LATEST","Payload":"Hi, Bo"}`},
		{name: "function error", target: "lambda", input: `{"FunctionName":"` + name + `","Payload":{}}`,
			want: `{"StatusCode":200,"ExecutedVersion":"$LATEST","FunctionError":"Unhandled","Payload":{"errorMessage":"name is required","errorType":"errorString"}}`},
		{name: "event", target: "lambda", input: `{"FunctionName":"` + name + `","InvocationType":"Event","Payload":{"Name":"Cy"}}`,
			want: `{"StatusCode":202}`},
		{name: "dry run", target: "lambda", input: `{"FunctionName":"` + name + `","InvocationType":"DryRun"}`,
			want: `{"StatusCode":204}`},
		{name: "unknown function", target: "lambda", input: `{"FunctionName":"nope","Payload":{}}`, code: "ResourceNotFoundException"},
		{name: "a version", target: "lambda", input: `{"FunctionName":"` + name + `","Qualifier":"1"}`, code: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := env.Call(context.Background(), tt.target, "Invoke", []byte(tt.input))
			if tt.code != "" {
				var apiErr *sim.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.code, apiErr.Code)
				assert.Equal(t, http.StatusNotFound, apiErr.Status)
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}

// A service's resources are its functions, with the ids metrics and faults use.
func TestResources(t *testing.T) {
	env := newEnv()
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	defer svc.Close()
	name := provision(t, svc, "Echo", nil)
	assert.Equal(t, []sim.Resource{{ID: sim.ID("lambda:" + name), Type: lambda.TypeFunction, LogicalID: "Echo", Physical: name,
		ARN: "arn:aws:lambda:us-east-1:000000000000:function:" + name}}, svc.Resources())
}

// A latency fault on a function makes the function that much slower, once: the invocation takes
// the fault's latency (inside the function's duration, so within its timeout), not twice it.
func TestLatencyFaultIsWaitedOnce(t *testing.T) {
	clock := sim.NewFake(epoch)
	env := newEnv()
	env.Clock = clock
	autoAdvance(t, clock, 100*time.Millisecond)
	svc := lambda.New(env, map[string]lambda.Constructor{"Test/Echo": echo}, lambda.Options{})
	name := provision(t, svc, "Echo", map[string]any{"Timeout": 10})
	require.NoError(t, env.Faults.Put(string(sim.NewID("lambda", name)), fault.Rule{Latency: 2 * time.Second}))

	// The clock moves only while the handler waits (autoAdvance needs its three timers: the
	// fault's wait, the timeout, the handler's deadline); a wait anywhere else would hold the
	// call until this real-time bound.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := clock.Now()
	res, err := svc.Invoke(ctx, name, []byte(`{"Name":"A"}`))
	require.NoError(t, err)
	assert.Empty(t, res.FunctionError)
	assert.Equal(t, 2*time.Second, clock.Now().Sub(start), "the caller waited the fault's latency once")
	assert.Equal(t, 2*time.Second, res.Duration, "inside the function")
	env.Faults.Clear("")
	require.NoError(t, svc.Close())
}
