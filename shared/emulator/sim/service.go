package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// Service is one emulated AWS service. The emulator keeps a list of them and loops over it to
// provision a template, route requests, put faults, describe resources and close; adding a
// service is its package plus one line in that list.
type Service interface {
	Provisioner
	// Name is the service's ARN namespace ("sqs", "lambda", "states", "events", …); Env.Call
	// routes by it.
	Name() string
	// Serves reports whether an HTTP request to the emulator's endpoint is for this service
	// (by X-Amz-Target, path, form Action or host).
	Serves(r *http.Request) bool
	http.Handler
	// Resources lists what the service holds, for faults, metrics, `make local`'s table and
	// the dashboard's topology.
	Resources() []Resource
	// Close stops the service's background work (pollers, timers, running invocations).
	Close() error
}

// Caller is what a service implements to be called by other services through Env.Call: one API
// operation with the JSON request body of its AWS JSON protocol (or of its REST API's body
// members) in, the response JSON out. Errors are *APIError.
type Caller interface {
	Call(ctx context.Context, op string, input []byte) ([]byte, error)
}

// ID is a resource's one identity: "<service>:<name>", e.g. "sqs:orders" or
// "lambda:Stack-Payment". It keys metrics, faults, trace spans and dashboard nodes.
type ID string

// NewID joins a service and a resource name.
func NewID(service, name string) ID { return ID(service + ":" + name) }

// Service is the part before the first colon.
func (id ID) Service() string { s, _, _ := strings.Cut(string(id), ":"); return s }

// Name is the part after the first colon.
func (id ID) Name() string { _, n, _ := strings.Cut(string(id), ":"); return n }

// Resource describes one provisioned resource of a service.
type Resource struct {
	ID        ID     `json:"id"`
	Type      string `json:"type"` // CloudFormation type
	LogicalID string `json:"logical_id,omitempty"`
	Physical  string `json:"physical_id"`
	ARN       string `json:"arn,omitempty"`
	// Targets are the resources this one sends work to (a rule's targets, a mapping's
	// function), for the topology's edges.
	Targets []ID `json:"targets,omitempty"`
	// Sources are the resources this one reads from (a mapping's queue, a pipe's source).
	Sources []ID `json:"sources,omitempty"`
}

// APIError is an AWS API error: the HTTP status, the error code (__type) and the message.
type APIError struct {
	Status  int
	Code    string
	Message string
	// Sender is true for client errors in the query protocol's <Type>Sender</Type>.
	Sender bool
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Errorf builds a client error (4xx).
func Errorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Status: status, Code: code, Message: fmt.Sprintf(format, args...), Sender: status < 500}
}

// callers is the routing table of Env.Call.
type callers struct {
	mu sync.RWMutex
	m  map[string]Caller
}

// Register makes a service callable by name through Env.Call.
func (e *Env) Register(name string, c Caller) {
	e.callers.mu.Lock()
	defer e.callers.mu.Unlock()
	if e.callers.m == nil {
		e.callers.m = map[string]Caller{}
	}
	e.callers.m[name] = c
}

// Call runs op on another service, named by its ARN namespace ("sqs") or by any ARN of it
// ("arn:aws:sqs:…"). The callee does its own bookkeeping (latency, faults, metrics, span), as
// for a call from an SDK client.
func (e *Env) Call(ctx context.Context, target, op string, input []byte) ([]byte, error) {
	if e.down.Load() {
		return nil, e.RegionDownError()
	}
	name := target
	if arn.IsARN(target) {
		a, err := arn.Parse(target)
		if err != nil {
			return nil, Errorf(http.StatusBadRequest, "ValidationException", "invalid ARN %q: %v", target, err)
		}
		name = a.Service
	}
	e.callers.mu.RLock()
	c := e.callers.m[name]
	e.callers.mu.RUnlock()
	if c == nil {
		return nil, Errorf(http.StatusBadRequest, "UnknownServiceException", "the emulator has no service %q to call %s on", name, op)
	}
	return c.Call(ctx, op, input)
}

// Outcome is how a hop ended, as traces and metrics record it. A service may end a hop with an
// outcome of its own that says more than these (Lambda's "ok (cold)", API Gateway's
// "client_error"); the span shows it as it is, and EndWith's Tally says what it counts.
type Outcome string

// The outcomes a hop can have.
const (
	OK        Outcome = "ok"
	Failed    Outcome = "error"
	Throttled Outcome = "throttled"
	TimedOut  Outcome = "timeout"
	Canceled  Outcome = "canceled"
)

// ErrInjected is returned by Begin when an error-rate fault fired on the resource.
var ErrInjected = errors.New("fault injected")

// Hop is the bookkeeping of one call to a resource (modelled latency, fault, metrics, trace span,
// typed Outcome), all of it keyed by the resource's ID. It is the one helper the services use
// for it. Begin returns a hop ready for the call, as SQS, EventBridge, Step Functions, Pipes and
// AppSync call it; Open one that has counted and waited nothing yet, for a service that does the
// steps in its own order (Count, Wait, Fault, Add) and records figures of its own (EndWith with a
// Tally), as Lambda's Invoke and API Gateway's requests do. (DynamoDB keeps its own, on the same
// IDs: a request may touch several tables, and faults may be put on one partition key.) A Hop
// is a value so that a service can keep it in a struct it allocates anyway, or on its stack:
// Open costs no allocation.
type Hop struct {
	env   *Env
	id    ID
	res   *metrics.Resource
	end   trace.End
	start time.Time
}

// Begin does a call's bookkeeping up front: it counts the invocation, opens a trace span under
// ctx, waits the component's modelled latency plus any fault latency on id, and draws the
// fault's error rate. It returns the context for nested calls, the hop to End, and ctx's error
// if the caller gave up during the wait or ErrInjected if a fault fired. component "" waits
// nothing. While the region is down (SetDown) it waits nothing and returns RegionDownError.
// Begin is Open, Count and Wait, with the fault drawn before the wait.
func (e *Env) Begin(ctx context.Context, id ID, op, component string) (context.Context, *Hop, error) {
	var res *metrics.Resource
	if e.Metrics != nil {
		res = e.Metrics.Resource(id.Service(), id.Name())
	}
	h := new(Hop)
	ctx, *h = e.Open(ctx, id, res, op)
	h.Count()
	if e.down.Load() {
		return ctx, h, e.RegionDownError()
	}
	d := e.sample(component)
	var rule, inject = e.faultFor(id)
	var err error
	if rule != nil && rule.Latency > 0 {
		err = e.SleepFault(ctx, d, string(id)) // ends early if the fault is removed meanwhile
	} else {
		err = Sleep(ctx, e.clock(), d)
	}
	if err != nil {
		return ctx, h, err
	}
	if inject {
		return ctx, h, ErrInjected
	}
	return ctx, h, nil
}

// Open starts a call's bookkeeping without counting the call or waiting: it opens the trace
// span under ctx and starts the hop's clock. res is the resource's metrics, looked up once by
// the service (Metrics.Resource(id.Service(), id.Name()), or nil for none), so that a call
// costs no lookup. The service then does the rest with the hop, in the order its AWS
// counterpart does: Count, Wait, Fault, Add, and End or EndWith. Lambda counts an invocation
// only once its front end's latency has passed and the caller is still there, then reads the
// function's faults (a throttle fault refuses the call, an error-rate fault fails the handler);
// API Gateway waits its latency before reading the body and counts the request when it answers.
// Open does not look at the region's state: a request to a region that is down does not reach
// its services' APIs (see SetDown).
func (e *Env) Open(ctx context.Context, id ID, res *metrics.Resource, op string) (context.Context, Hop) {
	h := Hop{env: e, id: id, res: res, start: e.Now()}
	ctx, h.end = trace.Begin(ctx, string(id), op)
	return ctx, h
}

// sample draws the component's modelled latency; component "" or no model is none.
func (e *Env) sample(component string) time.Duration {
	if component == "" || e.Latency == nil {
		return 0
	}
	return e.Latency.Sample(component)
}

// Metrics returns the hop's resource metrics (nil without a registry).
func (h *Hop) Metrics() *metrics.Resource { return h.res }

// Count counts one invocation (request) of the hop's resource. Begin counts it itself.
func (h *Hop) Count() {
	if h.res != nil {
		h.res.Invoked()
	}
}

// Wait waits the component's modelled latency plus any fault latency on the hop's resource,
// following the fault while it waits (SleepFault: a fault removed meanwhile ends the wait). It
// returns ctx's error if the caller gave up first. component "" waits only the fault's latency.
func (h *Hop) Wait(ctx context.Context, component string) error {
	return h.env.SleepFault(ctx, h.env.sample(component), string(h.id))
}

// Fault returns the fault rule switched on for the hop's resource, if any (ok), and whether its
// error rate fired on this call (inject). What a fault does is the service's to say: Begin
// answers an injected error with ErrInjected; Lambda fails the function's handler instead.
func (h *Hop) Fault() (rule fault.Rule, inject, ok bool) {
	if h.env.Faults == nil || !h.env.Faults.Active() {
		return fault.Rule{}, false, false
	}
	return h.env.Fault(string(h.id))
}

// Add adds n to one of the hop's resource's named counters (API Gateway's "4xx", "5xx", "504").
func (h *Hop) Add(counter string, n int64) {
	if h.res != nil {
		h.res.Add(counter, n)
	}
}

// Tally is what a call adds to its resource's metrics as it ends, besides the invocation Count
// (or Begin) counted. End works it out from the outcome; a service whose figures differ says
// them to EndWith: API Gateway records the duration since it received the request and counts a
// 504 timeout as an error too; Lambda's Invoke counts only its throttles, because the function's
// execution, which goes on after its caller gave up, records its own duration, error and
// timeout when it ends (Tally.AddTo).
type Tally struct {
	// Observe records Duration in the resource's duration histogram.
	Observe  bool
	Duration time.Duration
	// Errored, Throttled and TimedOut count an error, a throttle and a timeout.
	Errored, Throttled, TimedOut bool
}

// AddTo adds the tally to a resource's metrics (nothing when m is nil).
func (t Tally) AddTo(m *metrics.Resource) {
	if m == nil {
		return
	}
	if t.Observe {
		m.Observe(t.Duration)
	}
	if t.Errored {
		m.Errored()
	}
	if t.Throttled {
		m.Throttled()
	}
	if t.TimedOut {
		m.TimedOut()
	}
}

// End records the hop's duration (since Begin or Open) and outcome: Failed counts an error,
// Throttled a throttle, TimedOut a timeout; the span ends with o.
func (h *Hop) End(o Outcome) {
	h.EndWith(o, Tally{Observe: true, Duration: h.env.Now().Sub(h.start),
		Errored: o == Failed, Throttled: o == Throttled, TimedOut: o == TimedOut})
}

// EndWith ends the hop's span with o and adds t to the resource's metrics, for a service whose
// figures are not the ones End derives from the outcome (see Tally).
func (h *Hop) EndWith(o Outcome, t Tally) {
	t.AddTo(h.res)
	h.end(string(o))
}

// OutcomeOf classifies an error for End: nil is OK, a context error Canceled, a throttling
// APIError Throttled, anything else Failed.
func OutcomeOf(err error) Outcome {
	var apiErr *APIError
	switch {
	case err == nil:
		return OK
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Canceled
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusTooManyRequests || strings.Contains(apiErr.Code, "Throttl")):
		return Throttled
	}
	return Failed
}
