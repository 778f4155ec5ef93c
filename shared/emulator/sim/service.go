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

// Outcome is how a hop ended, as traces and metrics record it.
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

// Hop is the bookkeeping of one call to a resource: metrics, trace span, timing.
type Hop struct {
	res   *metrics.Resource
	end   trace.End
	start time.Time
	clock Clock
}

// Begin does a call's bookkeeping up front: it counts the invocation, opens a trace span under
// ctx, waits the component's modelled latency plus any fault latency on id, and draws the
// fault's error rate. It returns the context for nested calls, the hop to End, and ctx's error
// if the caller gave up during the wait or ErrInjected if a fault fired. component "" waits
// nothing. While the region is down (SetDown) it waits nothing and returns RegionDownError.
func (e *Env) Begin(ctx context.Context, id ID, op, component string) (context.Context, *Hop, error) {
	h := &Hop{clock: e.clock(), start: e.Now()}
	if e.Metrics != nil {
		h.res = e.Metrics.Resource(id.Service(), id.Name())
		h.res.Invoked()
	}
	ctx, h.end = trace.Begin(ctx, string(id), op)
	if e.down.Load() {
		return ctx, h, e.RegionDownError()
	}
	var d time.Duration
	if component != "" && e.Latency != nil {
		d = e.Latency.Sample(component)
	}
	var rule, inject = e.faultFor(id)
	var err error
	if rule != nil && rule.Latency > 0 {
		err = e.SleepFault(ctx, d, string(id)) // ends early if the fault is removed meanwhile
	} else {
		err = Sleep(ctx, h.clock, d)
	}
	if err != nil {
		return ctx, h, err
	}
	if inject {
		return ctx, h, ErrInjected
	}
	return ctx, h, nil
}

// Metrics returns the hop's resource metrics (nil without a registry).
func (h *Hop) Metrics() *metrics.Resource { return h.res }

// End records the hop's duration and outcome.
func (h *Hop) End(o Outcome) {
	if h.res != nil {
		h.res.Observe(h.clock.Now().Sub(h.start))
		switch o {
		case Failed:
			h.res.Errored()
		case Throttled:
			h.res.Throttled()
		case TimedOut:
			h.res.TimedOut()
		}
	}
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
