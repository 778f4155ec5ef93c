package apigateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// flavor holds what differs between REST and HTTP APIs in the request pipeline.
type flavor struct {
	kind      string
	component string // latency model component
	notFound  *reply
	throttled *reply
	internal  *reply // Lambda refused the invocation, or an injected error
	badAnswer *reply // a function error or a malformed answer
	timeout   *reply
	tooLong   *reply // the Lambda event is over Lambda's payload limit; nil: internal
}

// payloadTooLarge is Lambda refusing an event over its payload limit (RequestTooLargeException).
func payloadTooLarge(err error) bool {
	var ae *sim.APIError
	return errors.As(err, &ae) && ae.Status == http.StatusRequestEntityTooLarge
}

var (
	restFlavor = &flavor{kind: KindREST, component: "apigateway.rest", notFound: restMissingToken,
		throttled: restThrottled, internal: restInternal, badAnswer: restBadGateway, timeout: restTimeout,
		tooLong: restTooLong}
	httpFlavor = &flavor{kind: KindHTTP, component: "apigateway.http", notFound: httpNotFound,
		throttled: httpThrottled, internal: httpInternal, badAnswer: httpInternal, timeout: httpTimeout}
)

// exchange is one request to a known API and stage, routed but not yet answered.
type exchange struct {
	fl      *flavor
	r       *http.Request
	start   time.Time
	ids     requestIDs
	apiID   string
	simID   sim.ID            // the API's identity: metrics, faults, the span's resource
	metrics *metrics.Resource // the API's metrics
	op      string            // the matched resource path or route key, for the trace span
	hop     sim.Hop           // the request's bookkeeping

	ep      *endpoint // nil when nothing matched
	static  *reply    // answered without an integration (CORS preflight)
	limiter *bucket   // the stage's bucket for the method or route, if it sets one

	// event builds the Lambda event from the request body; answer reads the Lambda's answer.
	event  func(body []byte) ([]byte, error)
	answer func(payload []byte) (*reply, error)
	// decorate adjusts every reply (an HTTP API's CORS headers); it may be nil.
	decorate func(*reply) *reply
	// run answers a non-proxy integration (mapping templates, service integrations) instead of
	// event and answer; it may be nil.
	run func(ctx context.Context, body []byte) (*reply, sim.Outcome)
}

// serve runs the pipeline for an exchange and writes the reply.
func (s *Service) serve(w http.ResponseWriter, x *exchange) {
	ctx := x.r.Context()
	var own *trace.Trace
	if trace.FromContext(ctx) == nil {
		ctx, own = trace.New(ctx, x.ids.requestID, x.r.Method+" "+x.r.URL.Path)
	}
	ctx, x.hop = s.env.Open(ctx, x.simID, x.metrics, x.r.Method+" "+x.op)

	rp, o := s.process(ctx, x)
	if x.decorate != nil {
		rp = x.decorate(rp)
	}
	writeReply(w, rp, x.ids, x.fl.kind)

	// The request is counted when it is answered, with its duration since it arrived; a 5xx is
	// an error (a 504 timeout too), a 429 a throttle; a client that went away is not a 4xx.
	h := &x.hop
	h.Count()
	switch {
	case rp.status == http.StatusTooManyRequests:
		h.Add("4xx", 1)
	case rp.status >= 500:
		h.Add("5xx", 1)
		if rp.status == http.StatusGatewayTimeout {
			h.Add("504", 1)
		}
	case rp.status >= 400 && o != sim.Canceled:
		h.Add("4xx", 1)
	}
	if o == "" {
		o = outcomeOf(rp.status)
	}
	h.EndWith(o, sim.Tally{Observe: true, Duration: s.env.Now().Sub(x.start),
		Errored: rp.status >= 500, Throttled: rp.status == http.StatusTooManyRequests, TimedOut: o == sim.TimedOut})
	if own != nil {
		s.env.Traces.Finish(own, string(o))
	}
}

// clientError is the outcome of a request answered with a 4xx other than 429.
const clientError sim.Outcome = "client_error"

func outcomeOf(status int) sim.Outcome {
	switch {
	case status == http.StatusTooManyRequests:
		return sim.Throttled
	case status >= 500:
		return sim.Failed
	case status >= 400:
		return clientError
	}
	return sim.OK
}

// process decides the reply: gateway latency, body size, throttles and faults, routing, then the
// integration. The outcome is "" when the status tells it.
func (s *Service) process(ctx context.Context, x *exchange) (*reply, sim.Outcome) {
	if err := x.hop.Wait(ctx, x.fl.component); err != nil {
		return canceled, sim.Canceled
	}
	body, refused, outcome := readBody(x.r)
	if refused != nil {
		return refused, outcome
	}
	now := s.env.Now()
	if !s.account.take(now) {
		return x.fl.throttled, ""
	}
	if rule, inject, ok := x.hop.Fault(); ok {
		if rule.Throttle {
			return x.fl.throttled, ""
		}
		if inject {
			return x.fl.internal, ""
		}
	}
	if x.static != nil {
		return x.static, ""
	}
	if x.ep == nil {
		return x.fl.notFound, ""
	}
	if x.limiter != nil && !x.limiter.take(now) {
		return x.fl.throttled, ""
	}
	if x.run != nil {
		// A nil reply lets the request go on to a static or Lambda proxy integration.
		if rp, outcome := x.run(ctx, body); rp != nil {
			return rp, outcome
		}
	}
	if x.ep.static != nil {
		return x.ep.static, ""
	}
	payload, err := x.event(body)
	if err != nil {
		return x.fl.internal, ""
	}
	target := x.ep.lambda
	ictx, cancel := sim.WithTimeout(ctx, s.env.Clock, target.timeout)
	res, err := s.lambda.Invoke(ictx, target.functionARN, payload)
	timedOut := errors.Is(context.Cause(ictx), context.DeadlineExceeded)
	cancel()
	switch {
	case err != nil && ctx.Err() != nil:
		return canceled, sim.Canceled
	case err != nil && timedOut:
		return x.fl.timeout, sim.TimedOut
	case err != nil && x.fl.tooLong != nil && payloadTooLarge(err):
		return x.fl.tooLong, ""
	case err != nil:
		return x.fl.internal, ""
	case res.FunctionError != "":
		return x.fl.badAnswer, ""
	}
	rp, err := x.answer(res.Payload)
	if err != nil {
		return x.fl.badAnswer, ""
	}
	return rp, ""
}

// readBody reads the request body. A body over API Gateway's 10 MB limit is refused with 413; one
// the client stopped sending ends the request.
func readBody(r *http.Request) (body []byte, refused *reply, outcome sim.Outcome) {
	if r.ContentLength > MaxRequestBytes {
		return nil, tooLarge, ""
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil, ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	switch {
	case err != nil:
		return nil, canceled, sim.Canceled
	case len(body) > MaxRequestBytes:
		return nil, tooLarge, ""
	}
	return body, nil, ""
}
