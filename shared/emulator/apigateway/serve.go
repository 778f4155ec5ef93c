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
	fl       *flavor
	r        *http.Request
	start    time.Time
	ids      requestIDs
	apiID    string
	faultKey string
	metrics  *metrics.Resource
	op       string // the matched resource path or route key, for the trace span

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
	run func(ctx context.Context, body []byte) (*reply, string)
}

// serve runs the pipeline for an exchange and writes the reply.
func (s *Service) serve(w http.ResponseWriter, x *exchange) {
	ctx := x.r.Context()
	var own *trace.Trace
	if trace.FromContext(ctx) == nil {
		ctx, own = trace.New(ctx, x.ids.requestID, x.r.Method+" "+x.r.URL.Path)
	}
	ctx, end := trace.Begin(ctx, x.faultKey, x.r.Method+" "+x.op)

	rp, outcome := s.process(ctx, x)
	if x.decorate != nil {
		rp = x.decorate(rp)
	}
	writeReply(w, rp, x.ids, x.fl.kind)

	m := x.metrics
	m.Invoked()
	m.Observe(s.env.Now().Sub(x.start))
	switch {
	case rp.status == http.StatusTooManyRequests:
		m.Throttled()
		m.Add("4xx", 1)
	case rp.status >= 500:
		m.Errored()
		m.Add("5xx", 1)
		if rp.status == http.StatusGatewayTimeout {
			m.Add("504", 1)
		}
	case rp.status >= 400 && outcome != "canceled":
		m.Add("4xx", 1)
	}
	if outcome == "" {
		outcome = outcomeOf(rp.status)
	}
	if outcome == "timeout" {
		m.TimedOut()
	}
	end(outcome)
	if own != nil {
		s.env.Traces.Finish(own, outcome)
	}
}

func outcomeOf(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "throttled"
	case status >= 500:
		return "error"
	case status >= 400:
		return "client_error"
	}
	return "ok"
}

// process decides the reply: gateway latency, body size, throttles and faults, routing, then the
// integration. The outcome is "" when the status tells it.
func (s *Service) process(ctx context.Context, x *exchange) (*reply, string) {
	if err := s.env.Spend(ctx, x.fl.component, x.faultKey); err != nil {
		return canceled, "canceled"
	}
	body, refused, outcome := readBody(x.r)
	if refused != nil {
		return refused, outcome
	}
	now := s.env.Now()
	if !s.account.take(now) {
		return x.fl.throttled, ""
	}
	if rule, inject, ok := s.env.Fault(x.faultKey); ok {
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
		return canceled, "canceled"
	case err != nil && timedOut:
		return x.fl.timeout, "timeout"
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
func readBody(r *http.Request) (body []byte, refused *reply, outcome string) {
	if r.ContentLength > MaxRequestBytes {
		return nil, tooLarge, ""
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil, ""
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	switch {
	case err != nil:
		return nil, canceled, "canceled"
	case len(body) > MaxRequestBytes:
		return nil, tooLarge, ""
	}
	return body, nil, ""
}
