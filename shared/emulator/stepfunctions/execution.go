package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// maxInput is the largest execution input (256 KiB).
const maxInput = 256 * 1024

// execution is one execution of a state machine. Standard executions are kept for
// DescribeExecution, ListExecutions and GetExecutionHistory; express ones only while they run.
type execution struct {
	arn, name     string
	sm            *stateMachine
	input         string
	parent        string // the execution ARN of a states:startExecution parent
	start         time.Time
	handle        *asl.Execution // nil for runs on the caller's goroutine
	done          chan struct{}
	keepsHistory  bool
	historyCapped bool

	mu      sync.Mutex
	status  string
	stop    time.Time
	output  string
	errName string
	cause   string
	history []asl.HistoryEvent
	billing billingDetails
}

type billingDetails struct {
	MemoryMB   int64 `json:"billedMemoryUsedInMB"`
	DurationMS int64 `json:"billedDurationInMilliseconds"`
}

// snapshot returns the execution's mutable fields under its lock.
func (e *execution) snapshot() (status, output, errName, cause string, stop time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status, e.output, e.errName, e.cause, e.stop
}

// startRequest is what StartExecution, StartSyncExecution and the states:startExecution
// integration have in common.
type startRequest struct {
	sm     *stateMachine
	name   string
	input  string
	parent string
	op     string // StartExecution or StartSyncExecution, for the hop
	sync   bool   // run on the caller's goroutine and return when the execution ended
}

var errThrottled = sim.Errorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")

// execute checks and starts an execution. A sync request returns once it ended.
func (s *Service) execute(ctx context.Context, req startRequest) (*execution, error) {
	sm := req.sm
	express := sm.typ == TypeExpress
	if req.name == "" {
		req.name = awsjson.RequestID()
	} else if !validName(req.name) {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidName", "Invalid Name: '%s'", req.name)
	}
	if req.input == "" {
		req.input = "{}"
	}
	if len(req.input) > maxInput {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input is %d bytes, more than the 262144 allowed'", len(req.input))
	}
	if !json.Valid([]byte(req.input)) {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "Invalid State Machine Execution Input: 'not valid JSON'")
	}
	component := ""
	if req.op == "StartSyncExecution" && s.env.Latency != nil && s.env.Latency.Has(componentStartSync) {
		component = componentStartSync
	}
	hctx, hop, err := s.env.Begin(ctx, sim.NewID(ServiceName, sm.name), req.op, component)
	if err != nil {
		hop.End(sim.OutcomeOf(err))
		if errors.Is(err, sim.ErrInjected) {
			return nil, sim.Errorf(http.StatusInternalServerError, "InternalServerError", "fault injected on states:%s", sm.name)
		}
		return nil, err
	}
	b := s.startStandard
	if express {
		b = s.startExpress
	}
	if !b.take(s.clock.Now()) {
		s.count(sm.name, MetricExecutionThrottled, 1)
		hop.End(sim.Throttled)
		return nil, errThrottled
	}
	now := s.clock.Now()
	ex := &execution{name: req.name, sm: sm, input: req.input, parent: req.parent, start: now, done: make(chan struct{}), status: asl.StatusRunning, keepsHistory: !express}
	if express {
		ex.arn = s.env.ARN(ServiceName, "express:"+sm.name+":"+req.name+":"+awsjson.RequestID())
	} else {
		ex.arn = s.env.ARN(ServiceName, "execution:"+sm.name+":"+req.name)
		s.mu.Lock()
		if old := s.executions[ex.arn]; old != nil {
			s.mu.Unlock()
			hop.End(sim.OK)
			// StartExecution is idempotent for a running execution with the same input.
			if st, _, _, _, _ := old.snapshot(); st == asl.StatusRunning && old.input == req.input {
				return old, nil
			}
			return nil, sim.Errorf(http.StatusBadRequest, "ExecutionAlreadyExists", "Execution Already Exists: '%s'", ex.arn)
		}
		s.executions[ex.arn] = ex
		s.byMachine[sm.arn] = append(s.byMachine[sm.arn], ex)
		s.mu.Unlock()
	}
	s.count(sm.name, MetricExecutionsStarted, 1)

	var (
		ectx   context.Context
		cancel context.CancelFunc
	)
	if req.sync {
		ectx, cancel = context.WithCancel(hctx)
	} else {
		// The execution outlives the request; it keeps the request's trace and ends with Close.
		ectx, cancel = context.WithCancel(context.WithoutCancel(hctx))
		stop := context.AfterFunc(s.ctx, cancel)
		prev := cancel
		cancel = func() { stop(); prev() }
	}
	if express {
		var tcancel context.CancelFunc
		ectx, tcancel = sim.WithTimeout(ectx, s.clock, expressMaxDuration)
		prev := cancel
		cancel = func() { tcancel(); prev() }
	}
	tr := s.newTracer(ectx, ex)
	opts := asl.RunOptions{
		ExecutionArn: ex.arn, ExecutionName: ex.name, RoleArn: sm.roleArn,
		StateMachineArn: sm.arn, StateMachineName: sm.name, StartTime: now, Region: s.env.Region,
		Tasks: &integrations{s: s, ex: ex}, Clock: aslClock{s.clock}, Tokens: s.tokens,
	}
	if tr != nil {
		opts.OnState = tr.onState
		if ex.keepsHistory {
			// Only a listener makes the interpreter encode every payload into its events; an
			// express execution keeps no history, and the payload limits are checked either way.
			opts.Listener = tr.on
		}
	}
	finish := func(res asl.Result) {
		if res.Status == asl.StatusAborted && errors.Is(context.Cause(ectx), context.DeadlineExceeded) {
			res.Status, res.Error, res.Cause = asl.StatusTimedOut, asl.ErrTimeout, "The execution timed out"
		}
		cancel()
		s.finish(ex, res, hop)
	}
	if req.sync {
		res, err := sm.machine.Run(ectx, []byte(req.input), opts)
		if err != nil {
			cancel()
			hop.End(sim.Failed)
			return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
		}
		finish(res)
		return ex, nil
	}
	h, err := sm.machine.Start(ectx, []byte(req.input), opts)
	if err != nil {
		cancel()
		hop.End(sim.Failed)
		s.forget(ex)
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	ex.mu.Lock()
	ex.handle = h
	ex.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		finish(h.Wait())
	}()
	return ex, nil
}

// forget drops an execution that did not start.
func (s *Service) forget(ex *execution) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.executions, ex.arn)
	list := s.byMachine[ex.sm.arn]
	for i, e := range list {
		if e == ex {
			s.byMachine[ex.sm.arn] = append(list[:i], list[i+1:]...)
			break
		}
	}
}

// finish records how an execution ended: its status, its metrics and its hop.
func (s *Service) finish(ex *execution, res asl.Result, hop *sim.Hop) {
	stop := s.clock.Now()
	var bill billingDetails
	if ex.sm.typ == TypeExpress {
		bill = expressBilling(stop.Sub(ex.start), len(ex.input)+len(res.Output)+len(ex.sm.definition))
		s.count(ex.sm.name, MetricExpressBilledMBms, bill.MemoryMB*bill.DurationMS)
	}
	ex.mu.Lock()
	ex.status, ex.stop, ex.output, ex.errName, ex.cause, ex.billing = res.Status, stop, string(res.Output), res.Error, res.Cause, bill
	ex.mu.Unlock()
	s.count(ex.sm.name, MetricStateTransitions, res.Transitions)
	outcome := sim.OK
	switch res.Status {
	case asl.StatusSucceeded:
		s.count(ex.sm.name, MetricExecutionsSucceeded, 1)
	case asl.StatusFailed:
		s.count(ex.sm.name, MetricExecutionsFailed, 1)
		outcome = sim.Failed
	case asl.StatusTimedOut:
		s.count(ex.sm.name, MetricExecutionsTimedOut, 1)
		outcome = sim.TimedOut
	case asl.StatusAborted:
		s.count(ex.sm.name, MetricExecutionsAborted, 1)
		outcome = sim.Canceled
	}
	hop.End(outcome)
	close(ex.done)
}

// expressBilling is what an express execution is billed: memory in 64 MB steps and duration
// rounded up to the next 100 ms (https://aws.amazon.com/step-functions/pricing/). The memory
// an execution uses is estimated from its definition and payloads, which is what AWS says it
// depends on; that is always the first 64 MB step for payloads within the 256 KiB limit.
func expressBilling(d time.Duration, bytes int) billingDetails {
	const step = 64 << 20
	mem := int64(math.Ceil(float64(max(bytes, 1))/step)) * 64
	ms := int64(math.Ceil(float64(d)/float64(100*time.Millisecond))) * 100
	if ms < 100 {
		ms = 100
	}
	return billingDetails{MemoryMB: mem, DurationMS: ms}
}

// tracer is an execution's state hook and, for a standard execution, its Listener, which keeps
// the history (called under the interpreter's event lock). The hook, called
// on the goroutine that runs each state and outside that lock, waits the transition's modelled
// latency (and the StateTransition bucket of standard workflows), so that Parallel branches
// and Map iterations wait at the same time, and opens the state's trace span, under which the
// state's task calls nest through the context the hook returns.
type tracer struct {
	s        *Service
	ex       *execution
	latency  string // transition component, "" when it takes no time
	tracing  bool
	resource string // the state machine, as spans name it
}

// newTracer returns the tracer an execution needs, or nil when it needs none: an express
// execution with no transition latency and no trace costs nothing per state.
func (s *Service) newTracer(ctx context.Context, ex *execution) *tracer {
	t := &tracer{s: s, ex: ex, tracing: trace.FromContext(ctx) != nil, resource: string(sim.NewID(ServiceName, ex.sm.name))}
	comp := componentStandardTransition
	if ex.sm.typ == TypeExpress {
		comp = componentExpressTransition
	}
	if m := s.env.Latency; m != nil && !m.IsZero() && m.Has(comp) {
		t.latency = comp
	}
	if !ex.keepsHistory && !t.tracing && t.latency == "" {
		return nil
	}
	return t
}

// on is the Listener of an execution that keeps its history (a standard one).
func (t *tracer) on(ev asl.HistoryEvent) {
	t.ex.mu.Lock()
	if len(t.ex.history) < maxHistoryEvents {
		t.ex.history = append(t.ex.history, ev)
	} else {
		t.ex.historyCapped = true
	}
	t.ex.mu.Unlock()
}

// onState is the asl.StateHook: the transition's wait, then the state's span.
func (t *tracer) onState(ctx context.Context, st asl.StateRun) (context.Context, func(*asl.Failure), error) {
	var d time.Duration
	if t.latency != "" {
		d = t.s.env.Latency.Sample(t.latency)
	}
	if t.ex.sm.typ == TypeStandard {
		d += t.s.transitions.reserve(t.s.clock.Now())
	}
	if d > 0 {
		if err := sim.Sleep(ctx, t.s.clock, d); err != nil {
			return ctx, nil, err
		}
	}
	if !t.tracing {
		return ctx, nil, nil
	}
	sctx, end := trace.Begin(ctx, t.resource, st.Name)
	return sctx, func(f *asl.Failure) {
		if f != nil {
			end(string(sim.Failed))
			return
		}
		end(string(sim.OK))
	}, nil
}
