package asl

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

// TaskTokens delivers SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat to the tasks
// that wait on a token. The service keeps one for all its executions and passes it in
// RunOptions. It is safe for concurrent use.
type TaskTokens struct {
	mu      sync.Mutex
	waiting map[string]*tokenWait
	// ended remembers tokens whose task has finished, so that a late answer is
	// TaskDoesNotExist rather than InvalidToken. It is cleared past maxEnded entries, after
	// which a very late answer is InvalidToken.
	ended map[string]bool
}

type tokenWait struct {
	done chan tokenResult
	beat chan struct{}
}

type tokenResult struct {
	output any
	fail   *Failure
}

// NewTaskTokens returns an empty registry.
func NewTaskTokens() *TaskTokens {
	return &TaskTokens{waiting: map[string]*tokenWait{}, ended: map[string]bool{}}
}

func (t *TaskTokens) issue() (string, *tokenWait) {
	var b [96]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	w := &tokenWait{done: make(chan tokenResult, 1), beat: make(chan struct{}, 1)}
	t.mu.Lock()
	t.waiting[token] = w
	t.mu.Unlock()
	return token, w
}

const maxEnded = 100000

func (t *TaskTokens) forget(token string) {
	if token == "" {
		return
	}
	t.mu.Lock()
	delete(t.waiting, token)
	t.end(token)
	t.mu.Unlock()
}

// end records a finished token; t.mu is held.
func (t *TaskTokens) end(token string) {
	if len(t.ended) >= maxEnded {
		clear(t.ended)
	}
	t.ended[token] = true
}

func (t *TaskTokens) take(token string) (*tokenWait, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.waiting[token]
	if !ok {
		if t.ended[token] {
			return nil, ErrTaskDoesNotExist
		}
		return nil, ErrInvalidToken
	}
	delete(t.waiting, token)
	t.end(token)
	return w, nil
}

// Success completes the task waiting on token with output, a JSON document.
func (t *TaskTokens) Success(token string, output []byte) error {
	v, err := decode(output)
	if err != nil {
		return fmt.Errorf("task output is not valid JSON: %w", err)
	}
	w, err := t.take(token)
	if err != nil {
		return err
	}
	w.done <- tokenResult{output: v}
	return nil
}

// Failure fails the task waiting on token with an error name and cause, which Retry and
// Catch match like any task error.
func (t *TaskTokens) Failure(token, errName, cause string) error {
	w, err := t.take(token)
	if err != nil {
		return err
	}
	w.done <- tokenResult{fail: &Failure{Name: errName, Cause: cause}}
	return nil
}

// Heartbeat restarts the HeartbeatSeconds interval of the task waiting on token.
func (t *TaskTokens) Heartbeat(token string) error {
	t.mu.Lock()
	w, ok := t.waiting[token]
	ended := t.ended[token]
	t.mu.Unlock()
	switch {
	case ok:
		select {
		case w.beat <- struct{}{}:
		default:
		}
		return nil
	case ended:
		return ErrTaskDoesNotExist
	}
	return ErrInvalidToken
}

var (
	errTaskTimeout      = errors.New("task timed out")
	errHeartbeatTimeout = errors.New("task heartbeat timed out")
)

// splitResource names a task's resource as TaskScheduled does: "arn:aws:states:::lambda:invoke"
// is type "lambda", resource "invoke"; any other ARN is its service and the whole ARN (the
// parser accepts ARNs only).
func splitResource(resource string) (typ, res string) {
	a, err := arn.Parse(resource)
	if err != nil {
		return "", resource
	}
	if a.Service == "states" && a.Region == "" {
		if typ, res, ok := strings.Cut(a.Resource, ":"); ok {
			return typ, res
		}
	}
	return a.Service, resource
}

// seconds resolves TimeoutSeconds or HeartbeatSeconds from a literal, a path or a JSONata
// expression.
func (c *stateRun) seconds(lit any, path, field string, ctxObj, states map[string]any) (time.Duration, *Failure) {
	v := lit
	switch {
	case path != "":
		r, err := jpSelectAny(c.raw, ctxObj, c.vars(nil), path)
		if err != nil {
			return 0, c.runtimeError(err)
		}
		v = r
	case lit == nil:
		return 0, nil
	default:
		if str, ok := lit.(string); ok {
			r, err := evalJSONata(str, field, c.jsonata(states))
			if err != nil {
				return 0, asFailure(err)
			}
			v = r
		}
	}
	n, ok := jsonpath.Number(v)
	if !ok || n < 1 || n != math.Trunc(n) {
		return 0, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The value %s for the field '%s' of state '%s' must be a positive integer", encodeString(v), field, c.s.name)}
	}
	return time.Duration(n) * time.Second, nil
}

// task runs a Task state's resource once, with its timeout and heartbeat.
func (c *stateRun) task(ctx context.Context, args any, token string, w *tokenWait, ctxObj, states map[string]any) (any, *Failure) {
	x, s := c.x, c.s
	timeout, f := c.seconds(s.timeout, s.timeoutPath, "TimeoutSeconds", ctxObj, states)
	if f != nil {
		x.opts.Tokens.forget(token)
		return nil, f
	}
	heartbeat, f := c.seconds(s.heartbeat, s.heartbeatPath, "HeartbeatSeconds", ctxObj, states)
	if f != nil {
		x.opts.Tokens.forget(token)
		return nil, f
	}
	if heartbeat > 0 && timeout > 0 && heartbeat >= timeout {
		x.opts.Tokens.forget(token)
		return nil, &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The HeartbeatSeconds of state '%s' must be smaller than its TimeoutSeconds", s.name)}
	}
	rtype, rname := splitResource(s.resource)
	x.emit(c.th, HistoryEvent{Type: EventTaskScheduled, TaskScheduledEventDetails: &TaskScheduledEventDetails{
		ResourceType: rtype, Resource: rname, Region: x.opts.Region, Parameters: x.payload(args),
		TimeoutInSeconds: int64(timeout / time.Second), HeartbeatInSeconds: int64(heartbeat / time.Second),
	}})
	x.emit(c.th, HistoryEvent{Type: EventTaskStarted, TaskStartedEventDetails: &TaskStartedEventDetails{ResourceType: rtype, Resource: rname}})
	parent := ctx
	if c.taskCtx != nil {
		parent = c.taskCtx
	}
	tctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	// Without TimeoutSeconds AWS allows 99999999 s (over three years); no timer is kept for
	// that, which saves a goroutine per task.
	if timeout > 0 {
		go func() {
			if x.clock.Sleep(tctx, timeout) == nil {
				cancel(errTaskTimeout)
			}
		}()
	}
	var (
		result any
		err    error
	)
	if x.opts.Tasks == nil {
		err = &Failure{Name: ErrTaskFailed, Cause: "no task runner is configured"}
	} else {
		result, err = x.opts.Tasks.Invoke(tctx, s.resource, args, token, timeout, heartbeat)
	}
	if err == nil && token != "" {
		x.emit(c.th, HistoryEvent{Type: EventTaskSubmitted, TaskSubmittedEventDetails: &TaskSubmittedEventDetails{ResourceType: rtype, Resource: rname, Output: x.payload(result)}})
		result, err = c.awaitToken(tctx, cancel, w, heartbeat)
	}
	x.opts.Tokens.forget(token)
	switch cause := context.Cause(tctx); {
	case ctx.Err() != nil:
		return nil, &Failure{Name: ErrRuntime, Cause: "aborted"}
	case errors.Is(cause, errTaskTimeout) || errors.Is(cause, errHeartbeatTimeout):
		name := ErrTimeout
		if errors.Is(cause, errHeartbeatTimeout) {
			name = ErrHeartbeatTimeout
		}
		f := &Failure{Name: name}
		x.emit(c.th, HistoryEvent{Type: EventTaskTimedOut, TaskTimedOutEventDetails: &TaskFailedEventDetails{ResourceType: rtype, Resource: rname, Error: f.Name}})
		return nil, f
	}
	if err != nil {
		f := asFailure(err)
		x.emit(c.th, HistoryEvent{Type: EventTaskFailed, TaskFailedEventDetails: &TaskFailedEventDetails{ResourceType: rtype, Resource: rname, Error: f.Name, Cause: f.Cause}})
		return nil, f
	}
	result, err = normalize(result)
	if err != nil {
		f := &Failure{Name: ErrRuntime, Cause: fmt.Sprintf("The task result of state '%s' is not JSON: %v", s.name, err)}
		x.emit(c.th, HistoryEvent{Type: EventTaskFailed, TaskFailedEventDetails: &TaskFailedEventDetails{ResourceType: rtype, Resource: rname, Error: f.Name, Cause: f.Cause}})
		return nil, f
	}
	var output string // the event's payload, built only for a listener (history)
	size := 0
	if x.listening() {
		output = encodeString(result)
		size = len(output)
	} else {
		size = encodedLen(result)
	}
	if size > maxPayload {
		f := dataLimitExceeded(s.name)
		x.emit(c.th, HistoryEvent{Type: EventTaskFailed, TaskFailedEventDetails: &TaskFailedEventDetails{ResourceType: rtype, Resource: rname, Error: f.Name, Cause: f.Cause}})
		return nil, f
	}
	x.emit(c.th, HistoryEvent{Type: EventTaskSucceeded, TaskSucceededEventDetails: &TaskSucceededEventDetails{ResourceType: rtype, Resource: rname, Output: output}})
	return result, nil
}

// awaitToken waits for SendTaskSuccess or SendTaskFailure, failing the task when no
// heartbeat arrives within heartbeat.
// An answer that arrived while Invoke was still running waits in w's buffered channel.
func (c *stateRun) awaitToken(ctx context.Context, cancel context.CancelCauseFunc, w *tokenWait, heartbeat time.Duration) (any, error) {
	if heartbeat > 0 {
		go func() {
			for {
				hctx, hcancel := context.WithCancel(ctx)
				slept := make(chan error, 1)
				go func() { slept <- c.x.clock.Sleep(hctx, heartbeat) }()
				select {
				case <-w.beat:
					// The cancelled sleeper ends on its own; slept is buffered.
					hcancel()
					continue
				case err := <-slept:
					hcancel()
					if err == nil {
						cancel(errHeartbeatTimeout)
					}
					return
				}
			}
		}()
	}
	select {
	case r := <-w.done:
		if r.fail != nil {
			return nil, r.fail
		}
		return r.output, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// normalize turns a task result into the interpreter's JSON representation.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return v, nil
	case json.RawMessage:
		return decode(x)
	case []byte:
		return decode(x)
	case map[string]any:
		for _, e := range x {
			if !plain(e) {
				return decode(encode(v))
			}
		}
		return v, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decode(b)
}

// plain reports whether v already uses only the interpreter's JSON types.
func plain(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return true
	case map[string]any:
		for _, e := range x {
			if !plain(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range x {
			if !plain(e) {
				return false
			}
		}
		return true
	}
	return false
}
