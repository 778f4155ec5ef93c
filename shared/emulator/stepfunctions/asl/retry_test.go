package asl_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

const lambdaARN = "arn:aws:states:::lambda:invoke"

func TestRetry(t *testing.T) {
	t.Parallel()
	// Retrier fields and defaults (IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0),
	// MaxDelaySeconds and per-retrier counters:
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	tests := []struct {
		name     string
		retry    string
		task     taskFunc
		status   string
		err      string
		attempts int
		sleeps   []time.Duration
	}{
		{
			name:     "defaults retry three times with backoff 2",
			retry:    `[{"ErrorEquals":["States.ALL"]}]`,
			task:     failWith("Boom", "x"),
			status:   "FAILED",
			err:      "Boom",
			attempts: 4,
			sleeps:   []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name:     "a schedule of minutes runs instantly",
			retry:    `[{"ErrorEquals":["Boom"],"IntervalSeconds":60,"MaxAttempts":3,"BackoffRate":3}]`,
			task:     failTimes(3, "Boom", "ok"),
			status:   "SUCCEEDED",
			attempts: 4,
			sleeps:   []time.Duration{time.Minute, 3 * time.Minute, 9 * time.Minute},
		},
		{
			name:     "MaxDelaySeconds caps the backoff",
			retry:    `[{"ErrorEquals":["Boom"],"IntervalSeconds":10,"MaxAttempts":4,"BackoffRate":10,"MaxDelaySeconds":120}]`,
			task:     failWith("Boom", "x"),
			status:   "FAILED",
			err:      "Boom",
			attempts: 5,
			sleeps:   []time.Duration{10 * time.Second, 100 * time.Second, 120 * time.Second, 120 * time.Second},
		},
		{
			name:     "MaxAttempts 0 never retries",
			retry:    `[{"ErrorEquals":["Boom"],"MaxAttempts":0}]`,
			task:     failWith("Boom", "x"),
			status:   "FAILED",
			err:      "Boom",
			attempts: 1,
		},
		{
			name:     "an error no retrier names is not retried",
			retry:    `[{"ErrorEquals":["Other"]}]`,
			task:     failWith("Boom", "x"),
			status:   "FAILED",
			err:      "Boom",
			attempts: 1,
		},
		{
			name:     "States.TaskFailed matches task errors",
			retry:    `[{"ErrorEquals":["States.TaskFailed"],"MaxAttempts":1}]`,
			task:     failTimes(1, "Lambda.ServiceException", "ok"),
			status:   "SUCCEEDED",
			attempts: 2,
			sleeps:   []time.Duration{time.Second},
		},
		{
			name:     "the first matching retrier decides even when exhausted",
			retry:    `[{"ErrorEquals":["Boom"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}]`,
			task:     failWith("Boom", "x"),
			status:   "FAILED",
			err:      "Boom",
			attempts: 2,
			sleeps:   []time.Duration{time.Second},
		},
		{
			name:     "States.Runtime is not retried by States.ALL",
			retry:    `[{"ErrorEquals":["States.ALL"]}]`,
			task:     failWith("States.Runtime", "x"),
			status:   "FAILED",
			err:      "States.Runtime",
			attempts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			tasks := newFakeTasks(map[string]taskFunc{lambdaARN: tt.task})
			def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","Retry":` + tt.retry + `,"End":true}}}`
			r := run(t, def, `{}`, runConfig{tasks: tasks, clock: clock})
			assert.Equal(t, tt.status, r.Status, r.Cause)
			assert.Equal(t, tt.err, r.Error)
			assert.Equal(t, tt.attempts, tasks.count(lambdaARN))
			assert.Equal(t, tt.sleeps, clock.sleeps())
		})
	}
}

func TestRetryIndependentCounters(t *testing.T) {
	t.Parallel()
	// Each retrier keeps its own count: two errors alternating are each retried up to their
	// own MaxAttempts. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	calls := 0
	seq := []string{"A", "B", "A", "B"}
	tasks := newFakeTasks(map[string]taskFunc{lambdaARN: func(_ ctxT, _ any, _ string) (any, error) {
		calls++
		if calls <= len(seq) {
			return nil, failure(seq[calls-1])
		}
		return "done", nil
	}})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","Retry":[{"ErrorEquals":["A"],"MaxAttempts":2},{"ErrorEquals":["B"],"MaxAttempts":2,"IntervalSeconds":5}],"End":true}}}`
	clock := newFakeClock()
	r := run(t, def, `{}`, runConfig{tasks: tasks, clock: clock})
	assert.Equal(t, "SUCCEEDED", r.Status, r.Cause)
	assert.Equal(t, []time.Duration{time.Second, 5 * time.Second, 2 * time.Second, 10 * time.Second}, clock.sleeps())
}

func TestRetryJitterFull(t *testing.T) {
	t.Parallel()
	// JitterStrategy FULL draws each delay between 0 and the computed interval:
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	clock := newFakeClock()
	tasks := newFakeTasks(map[string]taskFunc{lambdaARN: failWith("Boom", "x")})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":10,"MaxAttempts":3,"JitterStrategy":"FULL"}],"End":true}}}`
	run(t, def, `{}`, runConfig{tasks: tasks, clock: clock})
	sleeps := clock.sleeps()
	if assert.Len(t, sleeps, 3) {
		for i, max := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
			assert.LessOrEqual(t, sleeps[i], max)
		}
	}
}

func TestCatch(t *testing.T) {
	t.Parallel()
	// Catchers, the error output {"Error","Cause"} and ResultPath on it:
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	tests := []struct {
		name  string
		catch string
		task  taskFunc
		input string
		want  string
		err   string
	}{
		{
			name:  "error output replaces the input by default",
			catch: `[{"ErrorEquals":["CustomError"],"Next":"Handled"}]`,
			task:  failWith("CustomError", "This is a custom error!"),
			input: `{"a":1}`,
			want:  `{"Error":"CustomError","Cause":"This is a custom error!"}`,
		},
		{
			name:  "ResultPath keeps the input",
			catch: `[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Handled"}]`,
			task:  failWith("CustomError", "This is a custom error!"),
			input: `{"a":1}`,
			want:  `{"a":1,"error":{"Error":"CustomError","Cause":"This is a custom error!"}}`,
		},
		{
			name:  "ResultPath null drops the error",
			catch: `[{"ErrorEquals":["States.ALL"],"ResultPath":null,"Next":"Handled"}]`,
			task:  failWith("CustomError", "x"),
			input: `{"a":1}`,
			want:  `{"a":1}`,
		},
		{
			name:  "first matching catcher wins",
			catch: `[{"ErrorEquals":["Other"],"Next":"Elsewhere"},{"ErrorEquals":["CustomError","More"],"Next":"Handled"},{"ErrorEquals":["States.ALL"],"Next":"Elsewhere"}]`,
			task:  failWith("More", "m"),
			input: `{}`,
			want:  `{"Error":"More","Cause":"m"}`,
		},
		{
			name:  "a plain Go error is States.TaskFailed",
			catch: `[{"ErrorEquals":["States.TaskFailed"],"Next":"Handled"}]`,
			task:  func(ctxT, any, string) (any, error) { return nil, errPlain },
			input: `{}`,
			want:  `{"Error":"States.TaskFailed","Cause":"connection refused"}`,
		},
		{
			name:  "uncaught error fails the execution",
			catch: `[{"ErrorEquals":["Other"],"Next":"Handled"}]`,
			task:  failWith("CustomError", "x"),
			input: `{}`,
			err:   "CustomError",
		},
		{
			name:  "States.Timeout is caught by name",
			catch: `[{"ErrorEquals":["States.Timeout"],"Next":"Handled"}]`,
			task:  blockUntilCancelled,
			input: `{}`,
			want:  `{"Error":"States.Timeout","Cause":""}`,
		},
		{
			name:  "States.TaskFailed does not match States.Timeout",
			catch: `[{"ErrorEquals":["States.TaskFailed"],"Next":"Handled"}]`,
			task:  blockUntilCancelled,
			input: `{}`,
			err:   "States.Timeout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tasks := newFakeTasks(map[string]taskFunc{lambdaARN: tt.task})
			def := `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"` + lambdaARN + `","TimeoutSeconds":5,"Catch":` + tt.catch + `,"Next":"Elsewhere"},
				"Handled":{"Type":"Pass","End":true},
				"Elsewhere":{"Type":"Fail","Error":"Wrong"}}}`
			r := run(t, def, tt.input, runConfig{tasks: tasks})
			assert.Equal(t, tt.err, r.Error, r.Cause)
			if tt.want != "" {
				assert.Equal(t, "SUCCEEDED", r.Status)
				assert.JSONEq(t, tt.want, string(r.Output))
			}
		})
	}
}

func TestCatchHistory(t *testing.T) {
	t.Parallel()
	// A caught failure: TaskFailed, then the state exits to the catcher's Next:
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	tasks := newFakeTasks(map[string]taskFunc{lambdaARN: failWith("E", "c")})
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","Catch":[{"ErrorEquals":["E"],"Next":"H"}],"End":true},"H":{"Type":"Succeed"}}}`
	r := run(t, def, `{}`, runConfig{tasks: tasks})
	assert.Equal(t, []string{"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited",
		"SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}, r.types())
	assert.Equal(t, "E", r.events[4].TaskFailedEventDetails.Error)
	assert.Equal(t, "c", r.events[4].TaskFailedEventDetails.Cause)
}

func TestTaskTimeout(t *testing.T) {
	t.Parallel()
	// TimeoutSeconds and TimeoutSecondsPath end the task with States.Timeout and a TaskTimedOut event:
	// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
	for _, timeout := range []string{`"TimeoutSeconds":30`, `"TimeoutSecondsPath":"$.t"`} {
		t.Run(timeout, func(t *testing.T) {
			t.Parallel()
			tasks := newFakeTasks(map[string]taskFunc{lambdaARN: blockUntilCancelled})
			r := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+lambdaARN+`",`+timeout+`,"End":true}}}`, `{"t":30}`, runConfig{tasks: tasks})
			assert.Equal(t, "FAILED", r.Status)
			assert.Equal(t, "States.Timeout", r.Error)
			assert.Contains(t, r.types(), "TaskTimedOut")
		})
	}
}
