package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
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
		Tasks: &integrations{s: s, ex: ex, tr: tr}, Clock: aslClock{s.clock}, Tokens: s.tokens,
	}
	if tr != nil {
		opts.Listener = tr.on
	}
	finish := func(res asl.Result) {
		if res.Status == asl.StatusAborted && errors.Is(context.Cause(ectx), context.DeadlineExceeded) {
			res.Status, res.Error, res.Cause = asl.StatusTimedOut, asl.ErrTimeout, "The execution timed out"
		}
		cancel()
		if tr != nil {
			tr.closeSpans()
		}
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

// tracer is an execution's Listener: it keeps the history of standard executions, waits each
// transition's modelled latency (and the StateTransition bucket of standard workflows), and
// opens a trace span per state under which the state's task calls nest.
type tracer struct {
	s       *Service
	ex      *execution
	ctx     context.Context // the execution's, for waits and spans
	latency string          // transition component, "" when it takes no time
	tracing bool

	mu      sync.Mutex
	owner   map[int64]int64 // event id → id of the StateEntered event of its state
	spans   map[int64]*stateSpan
	pending []*pendingTask
}

type stateSpan struct {
	ctx context.Context
	end trace.End
}

type pendingTask struct {
	resource string // as TaskStarted names it: type + ":" + resource
	params   string
	span     *stateSpan
}

// newTracer returns the listener an execution needs, or nil when it needs none: an express
// execution with no transition latency and no trace costs nothing per state.
func (s *Service) newTracer(ctx context.Context, ex *execution) *tracer {
	t := &tracer{s: s, ex: ex, ctx: ctx, tracing: trace.FromContext(ctx) != nil}
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
	if t.tracing {
		t.owner, t.spans = map[int64]int64{}, map[int64]*stateSpan{}
	}
	return t
}

func (t *tracer) on(ev asl.HistoryEvent) {
	if t.ex.keepsHistory {
		t.ex.mu.Lock()
		if len(t.ex.history) < maxHistoryEvents {
			t.ex.history = append(t.ex.history, ev)
		} else {
			t.ex.historyCapped = true
		}
		t.ex.mu.Unlock()
	}
	entered := strings.HasSuffix(ev.Type, "StateEntered")
	if entered {
		var d time.Duration
		if t.latency != "" {
			d = t.s.env.Latency.Sample(t.latency)
		}
		if t.ex.sm.typ == TypeStandard {
			d += t.s.transitions.reserve(t.s.clock.Now())
		}
		if d > 0 {
			_ = sim.Sleep(t.ctx, t.s.clock, d)
		}
	}
	if !t.tracing {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case entered:
		name := ""
		if ev.StateEnteredEventDetails != nil {
			name = ev.StateEnteredEventDetails.Name
		}
		ctx, end := trace.Begin(t.ctx, string(sim.NewID(ServiceName, t.ex.sm.name)), name)
		t.spans[ev.ID] = &stateSpan{ctx: ctx, end: end}
		t.owner[ev.ID] = ev.ID
		return
	case strings.HasSuffix(ev.Type, "StateExited"):
		if id, ok := t.owner[ev.PreviousEventID]; ok {
			if sp := t.spans[id]; sp != nil {
				sp.end(string(sim.OK))
				delete(t.spans, id)
			}
		}
		return
	}
	id, ok := t.owner[ev.PreviousEventID]
	if !ok {
		return
	}
	t.owner[ev.ID] = id
	switch ev.Type {
	case asl.EventTaskScheduled:
		if d := ev.TaskScheduledEventDetails; d != nil {
			t.pending = append(t.pending, &pendingTask{resource: d.ResourceType + ":" + d.Resource, params: d.Parameters})
		}
	case asl.EventTaskStarted:
		if d := ev.TaskStartedEventDetails; d != nil {
			key := d.ResourceType + ":" + d.Resource
			for i := len(t.pending) - 1; i >= 0; i-- {
				if p := t.pending[i]; p.resource == key && p.span == nil {
					p.span = t.spans[id]
					break
				}
			}
		}
	}
}

// taskContext is ctx with the trace position of the state span that runs the task, so that
// the integration's calls nest under it.
func (t *tracer) taskContext(ctx context.Context, resource string, args any) context.Context {
	if t == nil || !t.tracing {
		return ctx
	}
	typ, res := splitResource(resource)
	key := typ + ":" + res
	params := ""
	if b, err := json.Marshal(args); err == nil {
		params = string(b)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	pick := -1
	for i, p := range t.pending {
		if p.resource != key || p.span == nil {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if p.params == params {
			pick = i
			break
		}
	}
	if pick < 0 {
		return ctx
	}
	sp := t.pending[pick].span
	t.pending = append(t.pending[:pick], t.pending[pick+1:]...)
	return spanContext{Context: ctx, values: sp.ctx}
}

// closeSpans ends the spans of states that did not exit (they failed or were stopped).
func (t *tracer) closeSpans() {
	if !t.tracing {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, sp := range t.spans {
		sp.end(string(sim.Failed))
		delete(t.spans, id)
	}
}

// spanContext keeps ctx's deadline and cancellation and takes its values from another context
// of the same request: the state's span.
type spanContext struct {
	context.Context
	values context.Context
}

func (c spanContext) Value(key any) any { return c.values.Value(key) }

// splitResource names a task's resource as TaskScheduled does: "arn:aws:states:::lambda:invoke"
// is type "lambda", resource "invoke"; any other ARN is its service and itself.
func splitResource(arn string) (typ, res string) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) >= 7 && parts[2] == "states" && parts[3] == "" {
		return parts[5], parts[6]
	}
	if len(parts) >= 3 {
		return parts[2], arn
	}
	return "", arn
}
