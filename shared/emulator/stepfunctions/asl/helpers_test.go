package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
	"github.com/stretchr/testify/require"
)

// fakeClock advances instantly: a Sleep shorter than blockAbove moves the clock and returns,
// a longer one (a task's default 99999999 s timeout) waits for its context. It records the
// sleeps it advanced, which is the retry schedule in the Retry tests.
type fakeClock struct {
	mu         sync.Mutex
	now        time.Time
	blockAbove time.Duration
	slept      []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), blockAbove: 24 * time.Hour}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if d >= c.blockAbove {
		<-ctx.Done()
		return ctx.Err()
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// taskFunc answers one task invocation.
type taskFunc func(ctx context.Context, args any, token string) (any, error)

// fakeTasks runs tasks by resource ARN and records their arguments.
type fakeTasks struct {
	mu    sync.Mutex
	funcs map[string]taskFunc
	calls map[string][]any
}

func newFakeTasks(funcs map[string]taskFunc) *fakeTasks {
	return &fakeTasks{funcs: funcs, calls: map[string][]any{}}
}

func (f *fakeTasks) Invoke(ctx context.Context, resource string, args any, token string, _, _ time.Duration) (any, error) {
	f.mu.Lock()
	f.calls[resource] = append(f.calls[resource], args)
	fn := f.funcs[resource]
	f.mu.Unlock()
	if fn == nil {
		return args, nil
	}
	return fn(ctx, args, token)
}

func (f *fakeTasks) count(resource string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[resource])
}

// failWith fails every invocation with the named error.
func failWith(name, cause string) taskFunc {
	return func(context.Context, any, string) (any, error) { return nil, &asl.Failure{Name: name, Cause: cause} }
}

// failTimes fails the first n invocations with name, then returns result.
func failTimes(n int, name string, result any) taskFunc {
	var mu sync.Mutex
	calls := 0
	return func(context.Context, any, string) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= n {
			return nil, &asl.Failure{Name: name, Cause: "attempt failed"}
		}
		return result, nil
	}
}

// blockUntilCancelled never finishes on its own.
func blockUntilCancelled(ctx context.Context, _ any, _ string) (any, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

type runResult struct {
	asl.Result
	events []asl.HistoryEvent
}

func (r runResult) types() []string {
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.Type
	}
	return out
}

func (r runResult) output(t testing.TB) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(r.Output, &v), "output %s", r.Output)
	return v
}

type runConfig struct {
	tasks  asl.Tasks
	clock  *fakeClock
	tokens *asl.TaskTokens
}

// run parses def and executes it with input, collecting its history.
func run(t testing.TB, def, input string, cfg runConfig) runResult {
	t.Helper()
	m, err := asl.Parse([]byte(def))
	require.NoError(t, err)
	if cfg.clock == nil {
		cfg.clock = newFakeClock()
	}
	if cfg.tasks == nil {
		cfg.tasks = newFakeTasks(nil)
	}
	var (
		mu     sync.Mutex
		events []asl.HistoryEvent
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := m.Run(ctx, []byte(input), asl.RunOptions{
		ExecutionArn:     "arn:aws:states:us-east-1:123456789012:execution:machine:exec-1",
		ExecutionName:    "exec-1",
		RoleArn:          "arn:aws:iam::123456789012:role/sfn",
		StateMachineArn:  "arn:aws:states:us-east-1:123456789012:stateMachine:machine",
		StateMachineName: "machine",
		Region:           "us-east-1",
		Tasks:            cfg.tasks,
		Clock:            cfg.clock,
		Tokens:           cfg.tokens,
		Listener: func(e asl.HistoryEvent) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		},
	})
	require.NoError(t, err)
	return runResult{Result: res, events: events}
}

type ctxT = context.Context

var errPlain = errors.New("connection refused")

func failure(name string) error { return &asl.Failure{Name: name, Cause: name + " happened"} }
