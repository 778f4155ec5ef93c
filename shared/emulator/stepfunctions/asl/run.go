package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/workers"
)

// Clock is where executions take time from: Wait states, Retry intervals, task timeouts and
// heartbeats and the execution timeout. Tests pass a fake that advances instantly.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx ends, when it returns ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d on a timer, or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Tasks runs the work of Task states. Invoke returns the task's result (any JSON value, or
// json.RawMessage). An error that is a *Failure is caught and retried by its Name; any other
// error becomes States.TaskFailed. For a ".waitForTaskToken" resource (and for activities),
// taskToken is the token the task must be completed with through TaskTokens; Invoke then
// only hands the work over and its result is ignored. ctx descends from the context
// RunOptions.OnState returned for this visit of the state. timeout and heartbeat are the state's
// TimeoutSeconds and HeartbeatSeconds (zero when unset); the interpreter enforces the timeout
// itself by cancelling ctx.
type Tasks interface {
	Invoke(ctx context.Context, resource string, args any, taskToken string, timeout, heartbeat time.Duration) (any, error)
}

// TasksFunc adapts a function to Tasks.
type TasksFunc func(ctx context.Context, resource string, args any, taskToken string, timeout, heartbeat time.Duration) (any, error)

// Invoke calls f.
func (f TasksFunc) Invoke(ctx context.Context, resource string, args any, taskToken string, timeout, heartbeat time.Duration) (any, error) {
	return f(ctx, resource, args, taskToken, timeout, heartbeat)
}

var _ Tasks = TasksFunc(nil)

// Listener receives every history event of an execution, in id order, from one goroutine at
// a time. It must not block for long: every state of the execution, in every branch, waits
// for it. Work that takes time belongs in a StateHook.
type Listener func(HistoryEvent)

// StateRun is one visit of one state, as a StateHook sees it.
type StateRun struct {
	Name string
	Type string // "Task", "Pass", "Parallel", …
	// EnteredEventID is the id of the visit's <Type>StateEntered event, unique within the
	// execution: two concurrent Map iterations of one state have different ones.
	EnteredEventID int64
}

// StateHook is called once per visit of a state, after its StateEntered event and before its
// work, on the goroutine that runs the state and with no lock held, so the hooks of Parallel
// branches and Map iterations run at the same time. A hook may wait (a transition's latency)
// on ctx.
//
// It returns the context the state's task runs in, which must descend from ctx: a Task
// state's Tasks.Invoke gets a context derived from it, which is how the caller tells one
// visit's task from another's. Parallel branches and Map iterations derive from ctx, not from
// it. done, when not nil, is called once when the visit ends, with nil when the state exited
// (also after a caught error) or the failure that ended it. An error fails the state without
// Retry or Catch (a *Failure by its name, any other error as States.TaskFailed), or aborts it
// when ctx has ended; done is not called then.
type StateHook func(ctx context.Context, st StateRun) (stateCtx context.Context, done func(*Failure), err error)

// RunOptions carries what an execution needs from the service.
type RunOptions struct {
	// The context object's Execution and StateMachine fields
	// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
	ExecutionArn     string
	ExecutionName    string
	RoleArn          string
	StateMachineArn  string
	StateMachineName string
	// StartTime defaults to Clock.Now().
	StartTime time.Time
	// Region is reported in TaskScheduled events.
	Region string

	Tasks    Tasks
	Clock    Clock // RealClock when nil
	Listener Listener
	// OnState, when set, is called for every state visit; see StateHook.
	OnState StateHook
	// Tokens is where SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat reach waiting
	// tasks; a private registry when nil.
	Tokens *TaskTokens
}

// Execution statuses, as DescribeExecution reports them.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Result is how an execution ended.
type Result struct {
	Status string
	// Output is the execution's output when it succeeded.
	Output json.RawMessage
	// Error and Cause say why it did not.
	Error string
	Cause string
	// Transitions counts the states entered, which is what Step Functions bills.
	Transitions int64
	StartDate   time.Time
	StopDate    time.Time
}

// Execution is a running execution.
type Execution struct {
	done   chan struct{}
	result Result
	cancel context.CancelCauseFunc
}

// Done is closed when the execution has ended.
func (e *Execution) Done() <-chan struct{} { return e.done }

// Wait blocks until the execution ends and returns how.
func (e *Execution) Wait() Result {
	<-e.done
	return e.result
}

// Stop aborts the execution (StopExecution) with an optional error and cause.
func (e *Execution) Stop(errName, cause string) {
	e.cancel(&abortError{Failure{Name: errName, Cause: cause}})
}

type abortError struct{ f Failure }

func (a *abortError) Error() string { return "execution aborted" }

var errExecutionTimeout = errors.New("execution timed out")

// Run executes the machine and waits for it to end. The error is for input that is not JSON
// (InvalidExecutionInput); a failed execution is a Result with Status FAILED.
func (m *Machine) Run(ctx context.Context, input []byte, opts RunOptions) (Result, error) {
	e, err := m.start(ctx, input, opts, false)
	if err != nil {
		return Result{}, err
	}
	return e.Wait(), nil
}

// Start begins an execution in its own goroutine. Cancelling ctx aborts it, as Stop does.
func (m *Machine) Start(ctx context.Context, input []byte, opts RunOptions) (*Execution, error) {
	return m.start(ctx, input, opts, true)
}

// start begins an execution, on a goroutine of its own when async, else on the caller's.
func (m *Machine) start(ctx context.Context, input []byte, opts RunOptions, async bool) (*Execution, error) {
	if len(input) == 0 {
		input = []byte("{}")
	}
	in, err := decode(input)
	if err != nil {
		return nil, fmt.Errorf("execution input is not valid JSON: %w", err)
	}
	if len(input) > maxPayload {
		return nil, fmt.Errorf("execution input is %d bytes, more than the %d allowed", len(input), maxPayload)
	}
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.Tokens == nil {
		opts.Tokens = NewTaskTokens()
	}
	if opts.StartTime.IsZero() {
		opts.StartTime = opts.Clock.Now()
	}
	rctx, cancel := context.WithCancelCause(ctx)
	x := &run{m: m, opts: opts, clock: opts.Clock}
	x.execCtx = map[string]any{
		"Id":           opts.ExecutionArn,
		"Input":        in,
		"Name":         opts.ExecutionName,
		"RoleArn":      opts.RoleArn,
		"StartTime":    formatTime(opts.StartTime),
		"RedriveCount": json.Number("0"),
	}
	x.smCtx = map[string]any{"Id": opts.StateMachineArn, "Name": opts.StateMachineName}
	e := &Execution{done: make(chan struct{}), cancel: cancel}
	x.emit(&thread{}, HistoryEvent{Type: EventExecutionStarted, ExecutionStartedEventDetails: &ExecutionStartedEventDetails{Input: string(input), RoleArn: opts.RoleArn}})
	if m.timeout > 0 {
		go func() {
			if opts.Clock.Sleep(rctx, m.timeout) == nil {
				cancel(errExecutionTimeout)
			}
		}()
	}
	body := func() {
		defer close(e.done)
		th := &thread{prev: 1}
		out, f := x.runGraph(rctx, m.root, in, newScope(nil), th, nil)
		res := Result{StartDate: opts.StartTime}
		cause := context.Cause(rctx)
		var ab *abortError
		switch {
		case errors.Is(cause, errExecutionTimeout):
			res.Status, res.Error, res.Cause = StatusTimedOut, ErrTimeout, "The execution timed out"
			x.emit(th, HistoryEvent{Type: EventExecutionTimedOut, ExecutionTimedOutEventDetails: &ErrorEventDetails{Error: res.Error, Cause: res.Cause}})
		case errors.As(cause, &ab):
			res.Status, res.Error, res.Cause = StatusAborted, ab.f.Name, ab.f.Cause
			x.emit(th, HistoryEvent{Type: EventExecutionAborted, ExecutionAbortedEventDetails: &ErrorEventDetails{Error: res.Error, Cause: res.Cause}})
		case cause != nil:
			res.Status = StatusAborted
			x.emit(th, HistoryEvent{Type: EventExecutionAborted, ExecutionAbortedEventDetails: &ErrorEventDetails{}})
		case f != nil:
			res.Status, res.Error, res.Cause = StatusFailed, f.Name, f.Cause
			x.emit(th, HistoryEvent{Type: EventExecutionFailed, ExecutionFailedEventDetails: &ErrorEventDetails{Error: f.Name, Cause: f.Cause}})
		default:
			b := encode(out)
			if len(b) > maxPayload {
				res.Status, res.Error, res.Cause = StatusFailed, ErrDataLimitExceeded, "The state/task returned a result with a size exceeding the maximum number of bytes service limit."
				x.emit(th, HistoryEvent{Type: EventExecutionFailed, ExecutionFailedEventDetails: &ErrorEventDetails{Error: res.Error, Cause: res.Cause}})
				break
			}
			res.Status, res.Output = StatusSucceeded, b
			x.emit(th, HistoryEvent{Type: EventExecutionSucceeded, ExecutionSucceededEventDetails: &ExecutionSucceededEventDetails{Output: string(b)}})
		}
		cancel(nil)
		res.Transitions = x.transitions.Load()
		res.StopDate = x.clock.Now()
		e.result = res
	}
	if async {
		workers.Go(body)
	} else {
		body()
	}
	return e, nil
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// run is the state of one execution.
type run struct {
	m           *Machine
	opts        RunOptions
	clock       Clock
	execCtx     map[string]any
	smCtx       map[string]any
	transitions atomic.Int64

	mu     sync.Mutex
	nextID int64
}

// thread is a line of events (the execution, one Parallel branch, one Map iteration) whose
// events link to their predecessor by PreviousEventID.
type thread struct{ prev int64 }

func (x *run) emit(th *thread, ev HistoryEvent) int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.nextID++
	ev.ID = x.nextID
	ev.PreviousEventID = th.prev
	th.prev = ev.ID
	if ev.Timestamp.IsZero() {
		ev.Timestamp = x.clock.Now()
	}
	if x.opts.Listener != nil {
		x.opts.Listener(ev)
	}
	return ev.ID
}

// listening reports whether events need their payloads; encoding them is most of the
// interpreter's cost per state.
func (x *run) listening() bool { return x.opts.Listener != nil }

func (x *run) payload(v any) string {
	if !x.listening() {
		return ""
	}
	return encodeString(v)
}

// mapItem is the context object's Map field inside a Map state's ItemSelector.
type mapItem struct {
	index int
	value any
}

func (x *run) contextObject(stateName string, entered time.Time, retryCount int, token string, item *mapItem) map[string]any {
	c := map[string]any{
		"Execution":    x.execCtx,
		"StateMachine": x.smCtx,
		"State": map[string]any{
			"Name":        stateName,
			"EnteredTime": formatTime(entered),
			"RetryCount":  json.Number(strconv.Itoa(retryCount)),
		},
	}
	if token != "" {
		c["Task"] = map[string]any{"Token": token}
	}
	if item != nil {
		c["Map"] = map[string]any{"Item": map[string]any{"Index": json.Number(strconv.Itoa(item.index)), "Value": item.value}}
	}
	return c
}

// scope holds workflow variables. Parallel branches and Map iterations get a child scope that
// reads its parent's variables; a state can only assign in its own scope.
type scope struct {
	parent *scope
	mu     sync.RWMutex
	vals   map[string]any
}

func newScope(parent *scope) *scope { return &scope{parent: parent} }

func (s *scope) lookup(name string) (any, bool) {
	for c := s; c != nil; c = c.parent {
		c.mu.RLock()
		v, ok := c.vals[name]
		c.mu.RUnlock()
		if ok {
			return v, true
		}
	}
	return nil, false
}

func (s *scope) set(vals map[string]any) {
	if len(vals) == 0 {
		return
	}
	s.mu.Lock()
	if s.vals == nil {
		s.vals = make(map[string]any, len(vals))
	}
	for k, v := range vals {
		s.vals[k] = v
	}
	s.mu.Unlock()
}

// runGraph runs states from g's StartAt until one ends the graph.
func (x *run) runGraph(ctx context.Context, g *graph, input any, sc *scope, th *thread, item *mapItem) (any, *Failure) {
	cur := g.startAt
	for {
		if ctx.Err() != nil {
			return nil, &Failure{Name: ErrRuntime, Cause: "aborted"}
		}
		s := g.states[cur]
		out, next, f := x.runState(ctx, s, input, sc, th)
		if f != nil {
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		input, cur = out, next
	}
}
