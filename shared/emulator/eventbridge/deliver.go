package eventbridge

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/transform"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Retry defaults and the emulator's backoff (eb-rule-dlq.html: 185 retries, 24 hours,
// "exponential back off and jitter"; the base and cap are the emulator's).
const (
	defaultMaxRetries = 185
	defaultMaxAge     = 24 * time.Hour
	backoffBase       = time.Second
	backoffCap        = 10 * time.Minute
	apiTimeout        = 5 * time.Second // eb-api-destinations.html: 5-second client timeout
)

// failure is why an attempt failed, as the dead-letter message's ERROR_CODE and
// ERROR_MESSAGE say it, and whether retrying can help.
type failure struct {
	code, message string
	retryable     bool
	retryAfter    time.Duration
}

func (f *failure) Error() string { return f.code + ": " + f.message }

// deliver sends one event to one target, retrying as the target's policy allows, then to the
// dead-letter queue.
func (s *Service) deliver(ctx context.Context, r *rule, t *target, ev *event) {
	ctx, hop, err := s.env.Begin(ctx, sim.NewID(ServiceName, r.bus+"/"+r.name), "Deliver", s.component(ComponentDeliver))
	hop.End(sim.OutcomeOf(err)) // the hop is ingestion to the first attempt
	if ctx.Err() != nil || s.ctx.Err() != nil {
		return
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	defer context.AfterFunc(s.ctx, stop)()

	maxRetries, maxAge := defaultMaxRetries, defaultMaxAge
	if p := t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			maxRetries = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	input, ferr := s.input(r, t, ev)
	retries := 0
	for {
		if ferr == nil {
			s.count(r.bus, r.name, "InvocationAttempts", 1)
			ferr = s.invoke(ctx, r, t, ev, input)
		}
		if ferr == nil {
			s.count(r.bus, r.name, "Invocations", 1)
			return
		}
		if ctx.Err() != nil {
			return
		}
		if !ferr.retryable {
			s.fail(ctx, r, t, ev, ferr, retries, "")
			return
		}
		if retries >= maxRetries {
			s.fail(ctx, r, t, ev, ferr, retries, "MaximumRetryAttempts")
			return
		}
		d := s.backoff(retries)
		if ferr.retryAfter > d {
			d = ferr.retryAfter // the more conservative of the two (eb-api-destinations.html)
		}
		if s.clock.Now().Add(d).Sub(ev.ingested) > maxAge {
			s.fail(ctx, r, t, ev, ferr, retries, "MaximumEventAgeInSeconds")
			return
		}
		if err := sim.Sleep(ctx, s.clock, d); err != nil {
			return
		}
		retries++
		ferr = nil
	}
}

// backoff is the wait before retry n+1: exponential from 1 s to a 10-minute cap, with equal
// jitter drawn from the latency model's seeded source when there is one.
func (s *Service) backoff(n int) time.Duration {
	d := backoffCap
	if n < 20 {
		d = min(backoffCap, backoffBase<<n)
	}
	var f float64
	if s.env.Latency != nil {
		f = s.env.Latency.Float64()
	} else {
		f = rand.Float64()
	}
	return d/2 + time.Duration(f*float64(d/2))
}

// input is what the target receives: the event, or Input, InputPath or the transformer's output.
func (s *Service) input(r *rule, t *target, ev *event) ([]byte, *failure) {
	switch {
	case t.Input != nil:
		return []byte(*t.Input), nil
	case t.InputPath != "":
		b, err := transform.SelectPath(ev.raw, t.InputPath)
		if err != nil {
			return nil, &failure{code: "INVALID_JSON", message: err.Error()}
		}
		return b, nil
	case t.transformer != nil:
		b, err := t.transformer.Apply(ev.raw, transform.Reserved{RuleARN: r.arn, RuleName: r.name, IngestionTime: ev.ingested})
		if err != nil {
			return nil, &failure{code: "INVALID_JSON", message: err.Error()}
		}
		return b, nil
	}
	return ev.raw, nil
}

// invoke makes one attempt.
func (s *Service) invoke(ctx context.Context, r *rule, t *target, ev *event, input []byte) *failure {
	switch t.kind {
	case "lambda":
		payload := input
		if !json.Valid(payload) {
			payload, _ = json.Marshal(string(input))
		}
		body, _ := json.Marshal(map[string]any{"FunctionName": t.Arn, "InvocationType": "Event", "Payload": json.RawMessage(payload)})
		_, err := s.env.Call(ctx, "lambda", "Invoke", body)
		return classify(err)
	case "sqs":
		return classify(s.sendToQueue(ctx, t.Arn, input, t.SqsParameters, ev.id, nil))
	case "states":
		body, _ := json.Marshal(map[string]string{"stateMachineArn": t.Arn, "input": string(input)})
		_, err := s.env.Call(ctx, "states", "StartExecution", body)
		return classify(err)
	case "events":
		// Bus to bus: the event goes on as it is (eb-bus-to-bus.html); inputs are not applied.
		e := ev.entry
		e.EventBusName = t.Arn
		if _, code, msg := s.ingest(ctx, &e, s.clock.Now(), ev.id, ""); code != "" {
			retryable := false
			if strings.Contains(msg, "does not exist") {
				code = "NO_RESOURCE"
			}
			return &failure{code: code, message: msg, retryable: retryable}
		}
		return nil
	case "api-destination":
		return s.callAPIDestination(ctx, t, input)
	}
	return &failure{code: "INVALID_PARAMETER", message: "unsupported target " + t.Arn}
}

// classify turns an Env.Call error into a failure.
func classify(err error) *failure {
	if err == nil {
		return nil
	}
	var api *sim.APIError
	if !errors.As(err, &api) {
		if errors.Is(err, context.DeadlineExceeded) {
			return &failure{code: "TIMEOUT", message: err.Error(), retryable: true}
		}
		return &failure{code: "INTERNAL_ERROR", message: err.Error(), retryable: true}
	}
	msg := api.Error()
	switch {
	case api.Status == http.StatusNotFound || strings.Contains(api.Code, "NotFound") || strings.Contains(api.Code, "NonExistent") ||
		strings.Contains(api.Code, "DoesNotExist") || api.Code == "UnknownServiceException":
		return &failure{code: "NO_RESOURCE", message: msg}
	case api.Status == http.StatusTooManyRequests || strings.Contains(api.Code, "Throttl") || strings.Contains(api.Code, "TooManyRequests"):
		return &failure{code: "THROTTLING", message: msg, retryable: true}
	case api.Status == http.StatusForbidden || strings.Contains(api.Code, "AccessDenied"):
		return &failure{code: "NO_PERMISSIONS", message: msg}
	case api.Status >= 500:
		return &failure{code: "ERROR_FROM_TARGET", message: msg, retryable: true}
	}
	return &failure{code: "INVALID_PARAMETER", message: msg}
}

// fail ends a delivery that did not succeed: to the dead-letter queue with the documented
// attributes, or dropped.
func (s *Service) fail(ctx context.Context, r *rule, t *target, ev *event, f *failure, retries int, exhausted string) {
	s.count(r.bus, r.name, "Invocations", 1)
	s.count(r.bus, r.name, "FailedInvocations", 1)
	if t.DeadLetterConfig == nil || t.DeadLetterConfig.Arn == "" {
		s.dropped.Add(1)
		return
	}
	attrs := map[string]string{
		"RULE_ARN":       r.arn,
		"TARGET_ARN":     t.Arn,
		"ERROR_CODE":     f.code,
		"ERROR_MESSAGE":  f.message,
		"RETRY_ATTEMPTS": strconv.Itoa(retries),
	}
	if exhausted != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = exhausted
	}
	if err := s.sendToQueue(ctx, t.DeadLetterConfig.Arn, ev.raw, nil, ev.id, attrs); err != nil {
		s.count(r.bus, r.name, "InvocationsFailedToBeSentToDLQ", 1)
		s.dropped.Add(1)
		return
	}
	s.count(r.bus, r.name, "DeadLetterInvocations", 1)
}

// sendToQueue sends a message to the queue with the given ARN through the SQS service.
func (s *Service) sendToQueue(ctx context.Context, queueARN string, body []byte, p *sqsParameters, dedup string, attrs map[string]string) error {
	u, err := s.queueURL(ctx, queueARN)
	if err != nil {
		return err
	}
	in := map[string]any{"QueueUrl": u, "MessageBody": string(body)}
	if strings.HasSuffix(queueARN, ".fifo") {
		// EventBridge uses the event id as the deduplication id of a FIFO target.
		in["MessageDeduplicationId"] = dedup
		if p != nil && p.MessageGroupId != "" {
			in["MessageGroupId"] = p.MessageGroupId
		}
	}
	if len(attrs) > 0 {
		ma := map[string]any{}
		for k, v := range attrs {
			ma[k] = map[string]string{"DataType": "String", "StringValue": v}
		}
		in["MessageAttributes"] = ma
	}
	b, _ := json.Marshal(in)
	_, err = s.env.Call(ctx, "sqs", "SendMessage", b)
	return err
}

func (s *Service) queueURL(ctx context.Context, queueARN string) (string, error) {
	if u, ok := s.queueURLs.Load(queueARN); ok {
		return u.(string), nil
	}
	a, err := arn.Parse(queueARN)
	if err != nil {
		return "", sim.Errorf(http.StatusBadRequest, "InvalidParameter", "queue ARN %q: %v", queueARN, err)
	}
	b, _ := json.Marshal(map[string]string{"QueueName": a.Resource, "QueueOwnerAWSAccountId": a.AccountID})
	out, err := s.env.Call(ctx, "sqs", "GetQueueUrl", b)
	if err != nil {
		return "", err
	}
	var res struct{ QueueUrl string }
	if err := json.Unmarshal(out, &res); err != nil {
		return "", err
	}
	s.queueURLs.Store(queueARN, res.QueueUrl)
	return res.QueueUrl, nil
}

// resourceID is the sim.ID of a target ARN, for the topology.
func resourceID(a string) sim.ID {
	p, err := arn.Parse(a)
	if err != nil {
		return ""
	}
	switch p.Service {
	case "lambda":
		f := strings.Split(strings.TrimPrefix(p.Resource, "function:"), ":")
		return sim.NewID("lambda", f[0])
	case "sqs":
		return sim.NewID("sqs", p.Resource)
	case "states":
		return sim.NewID("states", strings.TrimPrefix(p.Resource, "stateMachine:"))
	case ServiceName:
		if n, ok := strings.CutPrefix(p.Resource, "event-bus/"); ok {
			return sim.NewID(ServiceName, n)
		}
		if n, ok := strings.CutPrefix(p.Resource, "api-destination/"); ok {
			n, _, _ = strings.Cut(n, "/")
			return sim.NewID("apidestination", n)
		}
	}
	return ""
}

func asValidation(err error, target **transform.ValidationError) bool { return errors.As(err, target) }

// --- connections and API destinations ---

type connection struct {
	name, arn, secretArn string
	logicalID            string
	authType             string
	apiKeyName, apiKey   string
	user, password       string
	headers, query       []httpParam
	body                 []httpParam
}

type httpParam struct {
	Key           string `json:"Key"`
	Value         string `json:"Value"`
	IsValueSecret *bool  `json:"IsValueSecret,omitempty"`
}

type apiDestination struct {
	name, arn, logicalID string
	connection           string // name
	endpoint, method     string
	rate                 int

	mu       sync.Mutex
	nextSlot time.Time
}

// wait takes the destination's next invocation slot (InvocationRateLimitPerSecond) on the
// emulator's clock.
func (d *apiDestination) wait(ctx context.Context, clock sim.Clock) error {
	if d.rate <= 0 {
		return nil
	}
	d.mu.Lock()
	now := clock.Now()
	slot := d.nextSlot
	if slot.Before(now) {
		slot = now
	}
	d.nextSlot = slot.Add(time.Second / time.Duration(d.rate))
	d.mu.Unlock()
	return sim.Sleep(ctx, clock, slot.Sub(now))
}

func (s *Service) callAPIDestination(ctx context.Context, t *target, input []byte) *failure {
	_, _, f := s.invokeAPIDestination(ctx, t.Arn, input, t.HttpParameters)
	return f
}

// invokeAPIDestination sends input to an API destination with its connection's authorization,
// after its rate limit, and returns the endpoint's status and body. A non-2xx answer is also a
// failure, retryable as EventBridge retries it.
func (s *Service) invokeAPIDestination(ctx context.Context, destARN string, input []byte, params *httpParameters) (int, []byte, *failure) {
	name, _, _ := strings.Cut(strings.TrimPrefix(mustResource(destARN), "api-destination/"), "/")
	s.mu.RLock()
	d := s.destinations[name]
	var c *connection
	if d != nil {
		c = s.connections[d.connection]
	}
	s.mu.RUnlock()
	if d == nil || c == nil {
		return 0, nil, &failure{code: "NO_RESOURCE", message: fmt.Sprintf("API destination %s does not exist.", name)}
	}
	if err := d.wait(ctx, s.clock); err != nil {
		return 0, nil, &failure{code: "TIMEOUT", message: err.Error(), retryable: true}
	}
	endpoint := d.endpoint
	var hp httpParameters
	if params != nil {
		hp = *params
	}
	for _, v := range hp.PathParameterValues {
		endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return 0, nil, &failure{code: "INVALID_PARAMETER", message: err.Error()}
	}
	q := u.Query()
	for _, p := range c.query {
		q.Set(p.Key, p.Value)
	}
	for k, v := range hp.QueryStringParameters {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	var body io.Reader
	if d.method != http.MethodGet && d.method != http.MethodHead {
		body = bytes.NewReader(input)
	}
	// The request is real network I/O, so its timeout runs on the wall clock: a test that
	// advances a fake clock must not cut a request the endpoint is still answering.
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, d.method, u.String(), body)
	if err != nil {
		return 0, nil, &failure{code: "INVALID_PARAMETER", message: err.Error()}
	}
	// Headers EventBridge adds to every request (eb-api-destinations.html).
	req.Header.Set("User-Agent", "Amazon/EventBridge/ApiDestinations")
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range hp.HeaderParameters {
		req.Header.Set(k, v)
	}
	for _, p := range c.headers {
		req.Header.Set(p.Key, p.Value)
	}
	switch c.authType {
	case "API_KEY":
		req.Header.Set(c.apiKeyName, c.apiKey)
	case "BASIC":
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.user+":"+c.password)))
	}
	res, err := s.client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return 0, nil, &failure{code: "TIMEOUT", message: "Unable to invoke ApiDestination endpoint: the endpoint did not answer within 5 seconds.", retryable: true}
		}
		return 0, nil, &failure{code: "CONNECTION_FAILURE", message: "Unable to invoke ApiDestination endpoint: " + err.Error(), retryable: true}
	}
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	_ = res.Body.Close()
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return res.StatusCode, answer, nil
	}
	// 429 and 5xx are retried, other statuses are not (eb-api-destinations.html).
	f := &failure{code: "SDK_CLIENT_ERROR", message: fmt.Sprintf("Unable to invoke ApiDestination endpoint: The endpoint responded with HTTP status code %d.", res.StatusCode),
		retryable: res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500}
	if ra := res.Header.Get("Retry-After"); ra != "" && f.retryable {
		if n, err := strconv.Atoi(ra); err == nil {
			if n < 0 {
				f.retryable = false // a negative Retry-After stops retries
			}
			f.retryAfter = time.Duration(n) * time.Second
		}
	}
	return res.StatusCode, answer, f
}

func mustResource(a string) string {
	p, err := arn.Parse(a)
	if err != nil {
		return ""
	}
	return p.Resource
}
