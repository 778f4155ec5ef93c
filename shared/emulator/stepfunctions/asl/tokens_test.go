package asl_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sqsWaitARN = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"

// tokenMachine hands $$.Task.Token to the task in its Parameters, as the callback pattern's
// example does: https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
func tokenMachine(extra string) string {
	return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + sqsWaitARN + `",` + extra + `
		"Parameters":{"QueueUrl":"q","MessageBody":{"Message":"hi","TaskToken.$":"$$.Task.Token"}},"End":true}}}`
}

// tokenOf reads the token the task received.
func tokenOf(t testing.TB, args any) string {
	t.Helper()
	body, ok := args.(map[string]any)["MessageBody"].(map[string]any)
	require.True(t, ok, "args %v", args)
	token, _ := body["TaskToken"].(string)
	require.NotEmpty(t, token)
	return token
}

func TestTaskTokens(t *testing.T) {
	t.Parallel()
	// SendTaskSuccess, SendTaskFailure and a missed heartbeat:
	// https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
	tests := []struct {
		name    string
		extra   string
		answer  func(tokens *asl.TaskTokens, token string) error
		status  string
		err     string
		output  string
		lastEvt string
	}{
		{
			name:   "success delivers the output",
			answer: func(tk *asl.TaskTokens, token string) error { return tk.Success(token, []byte(`{"approved":true}`)) },
			status: "SUCCEEDED", output: `{"approved":true}`, lastEvt: "TaskSucceeded",
		},
		{
			name: "failure is the task's error",
			answer: func(tk *asl.TaskTokens, token string) error {
				return tk.Failure(token, "Rejected", "the reviewer said no")
			},
			status: "FAILED", err: "Rejected", lastEvt: "TaskFailed",
		},
		{
			name:  "a heartbeat keeps the task waiting until success",
			extra: `"TimeoutSeconds":999999999,`,
			answer: func(tk *asl.TaskTokens, token string) error {
				if err := tk.Heartbeat(token); err != nil {
					return err
				}
				return tk.Success(token, []byte(`"ok"`))
			},
			status: "SUCCEEDED", output: `"ok"`, lastEvt: "TaskSucceeded",
		},
		{
			name:   "no heartbeat within HeartbeatSeconds is States.HeartbeatTimeout",
			extra:  `"HeartbeatSeconds":60,`,
			answer: func(*asl.TaskTokens, string) error { return nil },
			status: "FAILED", err: "States.HeartbeatTimeout", lastEvt: "TaskTimedOut",
		},
		{
			name:   "no answer within TimeoutSeconds is States.Timeout",
			extra:  `"TimeoutSeconds":300,`,
			answer: func(*asl.TaskTokens, string) error { return nil },
			status: "FAILED", err: "States.Timeout", lastEvt: "TaskTimedOut",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tokens := asl.NewTaskTokens()
			answered := make(chan error, 1)
			tasks := newFakeTasks(map[string]taskFunc{sqsWaitARN: func(_ context.Context, args any, token string) (any, error) {
				assert.Equal(t, token, tokenOf(t, args))
				go func() { answered <- tt.answer(tokens, token) }()
				return map[string]any{"MessageId": "m-1"}, nil
			}})
			r := run(t, tokenMachine(tt.extra), `{}`, runConfig{tasks: tasks, tokens: tokens})
			require.NoError(t, <-answered)
			assert.Equal(t, tt.status, r.Status, r.Cause)
			assert.Equal(t, tt.err, r.Error)
			if tt.output != "" {
				assert.JSONEq(t, tt.output, string(r.Output))
			}
			types := r.types()
			assert.Contains(t, types, "TaskSubmitted")
			assert.Contains(t, types, tt.lastEvt)
		})
	}
}

func TestTaskTokenErrors(t *testing.T) {
	t.Parallel()
	// A token nobody issued is InvalidToken; one whose task ended is TaskDoesNotExist:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
	tokens := asl.NewTaskTokens()
	assert.ErrorIs(t, tokens.Success("made-up", []byte(`{}`)), asl.ErrInvalidToken)
	assert.ErrorIs(t, tokens.Heartbeat("made-up"), asl.ErrInvalidToken)

	var issued string
	tasks := newFakeTasks(map[string]taskFunc{sqsWaitARN: func(_ context.Context, args any, token string) (any, error) {
		issued = token
		go func() { _ = tokens.Success(token, []byte(`1`)) }()
		return nil, nil
	}})
	r := run(t, tokenMachine(""), `{}`, runConfig{tasks: tasks, tokens: tokens})
	require.Equal(t, "SUCCEEDED", r.Status)
	assert.ErrorIs(t, tokens.Success(issued, []byte(`{}`)), asl.ErrTaskDoesNotExist)
	assert.ErrorIs(t, tokens.Failure(issued, "E", "c"), asl.ErrTaskDoesNotExist)
	assert.ErrorIs(t, tokens.Heartbeat(issued), asl.ErrTaskDoesNotExist)
	assert.Error(t, tokens.Success(issued, []byte(`not json`)))
}

func TestTaskTokenRetry(t *testing.T) {
	t.Parallel()
	// A token failure is retried like any task error, each attempt with a new token:
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
	tokens := asl.NewTaskTokens()
	seen := map[string]bool{}
	tasks := newFakeTasks(map[string]taskFunc{sqsWaitARN: func(_ context.Context, args any, token string) (any, error) {
		seen[token] = true
		if len(seen) == 1 {
			go func() { _ = tokens.Failure(token, "Flaky", "try again") }()
		} else {
			go func() { _ = tokens.Success(token, []byte(`"second"`)) }()
		}
		return nil, nil
	}})
	r := run(t, tokenMachine(`"Retry":[{"ErrorEquals":["Flaky"]}],`), `{}`, runConfig{tasks: tasks, tokens: tokens})
	assert.Equal(t, "SUCCEEDED", r.Status, r.Cause)
	assert.Len(t, seen, 2)
	assert.JSONEq(t, `"second"`, string(r.Output))
}

func TestStopExecution(t *testing.T) {
	t.Parallel()
	// StopExecution aborts a running execution with an optional error and cause:
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
	m, err := asl.Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `","End":true}}}`))
	require.NoError(t, err)
	started := make(chan struct{})
	var events []string
	e, err := m.Start(context.Background(), []byte(`{}`), asl.RunOptions{
		Clock: newFakeClock(),
		Tasks: newFakeTasks(map[string]taskFunc{lambdaARN: func(ctx context.Context, _ any, _ string) (any, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}}),
		Listener: func(ev asl.HistoryEvent) { events = append(events, ev.Type) },
	})
	require.NoError(t, err)
	<-started
	e.Stop("Operator", "stopped by hand")
	res := e.Wait()
	assert.Equal(t, "ABORTED", res.Status)
	assert.Equal(t, "Operator", res.Error)
	assert.Equal(t, "stopped by hand", res.Cause)
	assert.Equal(t, "ExecutionAborted", events[len(events)-1])
}

func TestExecutionTimeout(t *testing.T) {
	t.Parallel()
	// The definition's TimeoutSeconds ends the execution as TIMED_OUT:
	// https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
	tasks := newFakeTasks(map[string]taskFunc{lambdaARN: blockUntilCancelled})
	r := run(t, `{"TimeoutSeconds":60,"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+lambdaARN+`","End":true}}}`, `{}`, runConfig{tasks: tasks})
	assert.Equal(t, "TIMED_OUT", r.Status)
	assert.Equal(t, "States.Timeout", r.Error)
	assert.Equal(t, "ExecutionTimedOut", r.types()[len(r.types())-1])
}

func TestInputValidation(t *testing.T) {
	t.Parallel()
	// StartExecution rejects input that is not JSON (InvalidExecutionInput):
	// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
	m, err := asl.Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	require.NoError(t, err)
	_, err = m.Run(context.Background(), []byte(`{nope`), asl.RunOptions{})
	assert.Error(t, err)
}

func TestDataLimitExceeded(t *testing.T) {
	t.Parallel()
	// A task result or a state's output over 256 KiB fails with States.DataLimitExceeded, which
	// States.ALL does not catch, whether or not anything records the execution's history (an
	// express workflow keeps none):
	// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html and
	// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (payload size).
	tasks := func(n int) asl.Tasks {
		return newFakeTasks(map[string]taskFunc{lambdaARN: func(context.Context, any, string) (any, error) {
			return strings.Repeat("a", n), nil
		}})
	}
	catchAll := `"Catch":[{"ErrorEquals":["States.ALL"],"Next":"H"}]`
	tests := []struct {
		name, def string
		result    int // bytes of the task's result
		want      string
	}{
		{name: "task result", result: 300 << 10, want: "States.DataLimitExceeded",
			def: `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `",` + catchAll + `,"End":true},"H":{"Type":"Succeed"}}}`},
		{name: "state output", result: 200 << 10, want: "States.DataLimitExceeded",
			def: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `",` + catchAll + `,"Output":{"a":"{% $states.result %}","b":"{% $states.result %}"},"End":true},"H":{"Type":"Succeed"}}}`},
		{name: "escapes count as written", result: 140 << 10, want: "States.DataLimitExceeded",
			def: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `",` + catchAll + `,"Output":{"a":"{% $replace($states.result, 'a', '\\n') %}"},"End":true},"H":{"Type":"Succeed"}}}`},
		{name: "under the limit", result: 100 << 10, want: "",
			def: `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + lambdaARN + `",` + catchAll + `,"Output":{"a":"{% $states.result %}","b":"{% $states.result %}"},"End":true},"H":{"Type":"Succeed"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name+", history kept", func(t *testing.T) {
			t.Parallel()
			r := run(t, tt.def, `{}`, runConfig{tasks: tasks(tt.result)})
			assert.Equal(t, tt.want, r.Error)
		})
		t.Run(tt.name+", no history", func(t *testing.T) {
			t.Parallel()
			m, err := asl.Parse([]byte(tt.def))
			require.NoError(t, err)
			res, err := m.Run(context.Background(), []byte(`{}`), asl.RunOptions{Tasks: tasks(tt.result), Clock: newFakeClock()})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Error)
		})
	}
}

func TestRealClockSleep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, asl.RealClock{}.Sleep(ctx, time.Hour), context.Canceled)
	assert.NoError(t, asl.RealClock{}.Sleep(context.Background(), time.Millisecond))
}
