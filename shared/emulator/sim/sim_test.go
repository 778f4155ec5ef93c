package sim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

var epoch = time.Date(2025, 3, 1, 7, 0, 0, 0, time.UTC)

func newEnv(clock sim.Clock) *sim.Env {
	return &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Test", Latency: latency.Zero(),
		Faults: &fault.Set{}, Metrics: &metrics.Registry{}, Traces: trace.NewRecorder(10), Clock: clock}
}

func TestFakeClockFiresTimersInOrder(t *testing.T) {
	c := sim.NewFake(epoch)
	late, early := c.NewTimer(2*time.Minute), c.NewTimer(time.Minute)
	stopped := c.NewTimer(time.Minute)
	require.True(t, stopped.Stop())
	assert.Equal(t, 2, c.Pending())

	c.Advance(time.Minute)
	assert.Equal(t, epoch.Add(time.Minute), <-early.C())
	select {
	case <-late.C():
		require.FailNow(t, "a timer fired early")
	default:
	}
	c.Advance(time.Hour)
	assert.Equal(t, epoch.Add(2*time.Minute), <-late.C(), "a timer reads the time it was due")
	assert.Equal(t, epoch.Add(time.Hour+time.Minute), c.Now())
	assert.False(t, late.Stop(), "a fired timer cannot be stopped")
}

func TestSleepAndAfterFuncOnTheFakeClock(t *testing.T) {
	c := sim.NewFake(epoch)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	slept := make(chan error, 1)
	go func() { slept <- sim.Sleep(ctx, c, 5*time.Minute) }()
	fired := make(chan struct{})
	sim.AfterFunc(c, 30*time.Second, func() { close(fired) })
	stop := sim.AfterFunc(c, 10*time.Second, func() { t.Error("a stopped AfterFunc ran") })
	assert.True(t, stop())

	require.NoError(t, c.WaitForTimers(ctx, 2))
	c.Advance(5 * time.Minute)
	require.NoError(t, <-slept)
	<-fired

	canceled, stopNow := context.WithCancel(context.Background())
	stopNow()
	assert.ErrorIs(t, sim.Sleep(canceled, c, time.Hour), context.Canceled)
}

func TestWithTimeout(t *testing.T) {
	t.Run("fake clock", func(t *testing.T) {
		c := sim.NewFake(epoch)
		ctx, cancel := sim.WithTimeout(context.Background(), c, 15*time.Minute)
		defer cancel()
		_, has := ctx.Deadline()
		assert.False(t, has, "a fake time is no deadline for the runtime")
		c.Advance(15 * time.Minute)
		<-ctx.Done()
		assert.ErrorIs(t, context.Cause(ctx), context.DeadlineExceeded)
	})
	t.Run("real clock", func(t *testing.T) {
		ctx, cancel := sim.WithTimeout(context.Background(), sim.Real{}, time.Millisecond)
		defer cancel()
		<-ctx.Done()
		assert.ErrorIs(t, context.Cause(ctx), context.DeadlineExceeded)
	})
	t.Run("cancelled first", func(t *testing.T) {
		ctx, cancel := sim.WithTimeout(context.Background(), sim.NewFake(epoch), time.Minute)
		cancel()
		assert.ErrorIs(t, context.Cause(ctx), context.Canceled)
	})
}

type echoCaller struct{ name string }

func (e echoCaller) Call(_ context.Context, op string, input []byte) ([]byte, error) {
	return []byte(e.name + " " + op + " " + string(input)), nil
}

// Env.Call routes by service name or by any ARN of the service
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
func TestCallRouting(t *testing.T) {
	env := newEnv(nil)
	env.Register("sqs", echoCaller{"sqs"})
	env.Register("lambda", echoCaller{"lambda"})
	tests := []struct {
		name, target string
		want         string
		code         string
	}{
		{name: "by name", target: "sqs", want: "sqs Op {}"},
		{name: "by ARN", target: "arn:aws:lambda:us-east-1:000000000000:function:f", want: "lambda Op {}"},
		{name: "unknown service", target: "states", code: "UnknownServiceException"},
		{name: "not a whole ARN", target: "arn:aws:sqs", code: "UnknownServiceException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := env.Call(context.Background(), tt.target, "Op", []byte("{}"))
			if tt.code != "" {
				var apiErr *sim.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.code, apiErr.Code)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

func TestIDAndARN(t *testing.T) {
	id := sim.NewID("lambda", "Stack-Order")
	assert.Equal(t, sim.ID("lambda:Stack-Order"), id)
	assert.Equal(t, "lambda", id.Service())
	assert.Equal(t, "Stack-Order", id.Name())
	assert.Equal(t, "arn:aws:sqs:us-east-1:000000000000:orders", newEnv(nil).ARN("sqs", "orders"))
}

func TestBeginEndBookkeeping(t *testing.T) {
	c := sim.NewFake(epoch)
	env := newEnv(c)
	id := sim.NewID("sqs", "orders")
	ctx, tr := trace.New(context.Background(), "req", "test")

	// A fault's latency is waited on the emulator's clock.
	require.NoError(t, env.Faults.Put(string(id), fault.Rule{Latency: 2 * time.Second}))
	begun := make(chan error, 1)
	var hop *sim.Hop
	go func() {
		var err error
		_, hop, err = env.Begin(ctx, id, "SendMessage", "")
		begun <- err
	}()
	wait, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.WaitForTimers(wait, 1))
	c.Advance(2 * time.Second)
	require.NoError(t, <-begun)
	hop.End(sim.OK)

	// An error-rate fault of 1 always fires.
	require.NoError(t, env.Faults.Put(string(id), fault.Rule{ErrorRate: 1}))
	_, hop, err := env.Begin(ctx, id, "SendMessage", "")
	require.ErrorIs(t, err, sim.ErrInjected)
	hop.End(sim.OutcomeOf(err))

	m := env.Metrics.Resource("sqs", "orders").Snapshot()
	assert.Equal(t, int64(2), m.Invocations)
	assert.Equal(t, int64(1), m.Errors)
	assert.InDelta(t, 2000.0, m.DurationMS.Max, 5)
	spans := tr.Spans()
	require.Len(t, spans, 2)
	assert.Equal(t, "sqs:orders", spans[0].Resource)
	assert.Equal(t, "ok", spans[0].Outcome)
	assert.Equal(t, "error", spans[1].Outcome)
}

func TestOutcomeOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want sim.Outcome
	}{
		{"nil", nil, sim.OK},
		{"canceled", context.Canceled, sim.Canceled},
		{"deadline", context.DeadlineExceeded, sim.Canceled},
		{"429", sim.Errorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded."), sim.Throttled},
		{"throttling code", sim.Errorf(http.StatusBadRequest, "ThrottlingException", "slow down"), sim.Throttled},
		{"other", errors.New("boom"), sim.Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, sim.OutcomeOf(tt.err))
		})
	}
}

// TestFaultLatencyFollowsTheFault: a call waiting out a fault's added latency re-reads the fault
// when the faults change, so removing the fault ends the wait once the modelled call (base) has
// passed, and shortening it ends the wait at the new latency. Without this a fault removed after
// 4 s of a +120 s latency kept calls failing for 116 s more (issue 11).
func TestFaultLatencyFollowsTheFault(t *testing.T) {
	const base = 100 * time.Millisecond // the modelled call
	tests := []struct {
		name    string
		elapsed time.Duration // when the fault changes
		change  func(*fault.Set)
		more    time.Duration // how much longer the call must still wait
	}{
		{"removed after the base: ends at once", 30 * time.Second, func(s *fault.Set) { _ = s.Remove("payment") }, 0},
		{"cleared after the base: ends at once", 30 * time.Second, func(s *fault.Set) { s.Clear("") }, 0},
		{"removed within the base: ends with the base", 40 * time.Millisecond, func(s *fault.Set) { _ = s.Remove("payment") }, 60 * time.Millisecond},
		{"shortened to 1 min: ends at 1 min", 30 * time.Second,
			func(s *fault.Set) { _ = s.Put("payment", fault.Rule{Latency: time.Minute}) }, 30*time.Second + base},
		{"another resource's fault changes: the wait goes on", 30 * time.Second,
			func(s *fault.Set) { _ = s.Put("kitchen", fault.Rule{Throttle: true}) }, 2*time.Minute + base - 30*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sim.NewFake(epoch)
			env := newEnv(c)
			require.NoError(t, env.Faults.Put("payment", fault.Rule{Latency: 2 * time.Minute}))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard only
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- env.SleepFault(ctx, base, "payment") }()
			require.NoError(t, c.WaitForTimers(ctx, 1))
			c.Advance(tt.elapsed)
			tt.change(env.Faults)
			if tt.more > 0 {
				// Whenever the call re-arms its timer, its end is computed from the start, so
				// stepping to just before it leaves the call waiting; one more step ends it.
				c.Advance(tt.more - time.Millisecond)
				select {
				case err := <-done:
					t.Fatalf("ended early: %v", err)
				default:
				}
				c.Advance(time.Millisecond)
			}
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-ctx.Done():
				t.Fatal("the call still waits for the removed fault")
			}
		})
	}
	t.Run("a caller who leaves ends the wait", func(t *testing.T) {
		c := sim.NewFake(epoch)
		env := newEnv(c)
		require.NoError(t, env.Faults.Put("payment", fault.Rule{Latency: 2 * time.Minute}))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- env.SleepFault(ctx, base, "payment") }()
		require.NoError(t, c.WaitForTimers(context.Background(), 1))
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	t.Run("through Begin, as every service waits", func(t *testing.T) {
		c := sim.NewFake(epoch)
		env := newEnv(c)
		id := sim.ID("lambda:orders")
		require.NoError(t, env.Faults.Put(string(id), fault.Rule{Latency: 2 * time.Minute}))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, h, err := env.Begin(ctx, id, "Invoke", "")
			h.End(sim.OutcomeOf(err))
			done <- err
		}()
		require.NoError(t, c.WaitForTimers(ctx, 1))
		c.Advance(4 * time.Second)
		require.NoError(t, env.Faults.Remove(string(id)))
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-ctx.Done():
			t.Fatal("Begin still waits for the removed fault")
		}
	})
}
