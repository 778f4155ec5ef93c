// Package paymentlambda runs the payment provider on AWS, for deployed runs: the same
// payment.Provider and payment.Handler as offline, behind a Lambda function URL, with a
// payment.Lognormal service time. Its main is shared/payment/lambda/cmd/bootstrap; a stage's CDK
// stack builds it like its own functions, gives it a function URL and passes the URL to its
// payment client.
//
// Capacity works differently from offline. Lambda hands an execution environment one request at
// a time, so each environment is a provider with one worker and no queue, and the fleet's
// capacity is the function's reserved concurrency: the stack sets it to the capacity it wants
// (payment.DefaultCapacity, 20, to match offline runs). A charge beyond that does not wait in a
// queue for QueueTimeout as it does offline: Lambda refuses it at once with 429, which
// payment.Client reports as a *payment.BusyError like a 503.
//
// Environment variables (all optional):
//
//	PAYMENT_CAPACITY       charges one execution environment works on at once (default 1; more
//	                       only matters where one environment takes concurrent requests, such as
//	                       Lambda Managed Instances)
//	PAYMENT_DECLINE_RATE   share of customers declined, 0 to 1 (default 0.02; 0 declines nobody
//	                       but payment.DeclinedTestEmail)
//	PAYMENT_ALWAYS_APPROVE comma-separated emails never declined, besides payment.ApprovedTestEmail
//	PAYMENT_MEDIAN_MS      median service time of a charge (default 300; 0 makes charges instant)
//	PAYMENT_P99_MS         p99 service time of a charge (default 1200)
//	PAYMENT_SEED           seed of the service-time sampler (default: random per environment)
//
// Limitations: each execution environment keeps its own idempotency keys, paid orders and
// statistics, so a retry that lands on another environment charges again, and GET /v1/stats
// answers for one environment only; a new environment's cold start adds to its first charge's
// latency, which a real provider would not have; the function's billed duration includes the
// service time it waits; a function URL with AuthType AWS_IAM needs the caller's HTTPDoer to sign
// requests (payment.Client does not).
package paymentlambda

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Environment variables the function reads.
const (
	EnvCapacity      = "PAYMENT_CAPACITY"
	EnvDeclineRate   = "PAYMENT_DECLINE_RATE"
	EnvAlwaysApprove = "PAYMENT_ALWAYS_APPROVE"
	EnvMedianMS      = "PAYMENT_MEDIAN_MS"
	EnvP99MS         = "PAYMENT_P99_MS"
	EnvSeed          = "PAYMENT_SEED"
)

// Handler adapts the provider's HTTP API to function URL events.
type Handler struct {
	provider *payment.Provider
	api      *payment.Handler
}

// New builds the environment's provider from the function's environment. Every error names the
// variable at fault.
func New(_ context.Context, getenv func(string) string) (*Handler, error) {
	cfg := payment.Config{Capacity: 1, QueueLimit: payment.NoQueue}
	var err error
	if cfg.Capacity, err = intVar(getenv, EnvCapacity, 1, 1); err != nil {
		return nil, err
	}
	if v := getenv(EnvDeclineRate); v != "" {
		f, perr := strconv.ParseFloat(v, 64)
		if perr != nil || f < 0 || f > 1 {
			return nil, fmt.Errorf("paymentlambda: %s must be a number from 0 to 1, got %q", EnvDeclineRate, v)
		}
		cfg.DeclineRate = f
		if f == 0 {
			cfg.DeclineRate = -1 // payment.Config reads 0 as the default
		}
	}
	for _, e := range strings.Split(getenv(EnvAlwaysApprove), ",") {
		if e = strings.TrimSpace(e); e != "" {
			cfg.AlwaysApprove = append(cfg.AlwaysApprove, e)
		}
	}
	median, err := intVar(getenv, EnvMedianMS, int(payment.DefaultMedian/time.Millisecond), 0)
	if err != nil {
		return nil, err
	}
	p99, err := intVar(getenv, EnvP99MS, int(payment.DefaultP99/time.Millisecond), 0)
	if err != nil {
		return nil, err
	}
	seed := rand.Uint64()
	if v := getenv(EnvSeed); v != "" {
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			return nil, fmt.Errorf("paymentlambda: %s must be a whole number, got %q", EnvSeed, v)
		}
	}
	if median == 0 {
		cfg.ServiceTime = payment.ServiceTimeFunc(func(context.Context) error { return nil })
	} else {
		ln, lerr := payment.NewLognormal(time.Duration(median)*time.Millisecond, time.Duration(p99)*time.Millisecond, seed)
		if lerr != nil {
			return nil, fmt.Errorf("paymentlambda: %s and %s: %w", EnvMedianMS, EnvP99MS, lerr)
		}
		// The issuer's round trip completes whatever the caller does (see payment.ServiceTime).
		cfg.ServiceTime = payment.ServiceTimeFunc(func(ctx context.Context) error { return ln.Spend(context.WithoutCancel(ctx)) })
	}
	p, err := payment.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("paymentlambda: %w", err)
	}
	return &Handler{provider: p, api: payment.NewHandler(p)}, nil
}

func intVar(getenv func(string) string, name string, def, least int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		return 0, fmt.Errorf("paymentlambda: %s must be a whole number of at least %d, got %q", name, least, v)
	}
	return n, nil
}

// Provider is this execution environment's provider.
func (h *Handler) Provider() *payment.Provider { return h.provider }

// Handle serves one function URL request with payment.Handler. The returned error is always nil:
// every problem is an HTTP answer.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	hr, err := toHTTP(ctx, req)
	if err != nil {
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusBadRequest,
			Headers: map[string]string{"Content-Type": "application/json"},
			Body:    fmt.Sprintf(`{"error":{"type":"invalid_request_error","code":"invalid_request","message":%q}}`, err.Error())}, nil
	}
	rec := &recorder{header: http.Header{}}
	h.api.ServeHTTP(rec, hr)
	headers := make(map[string]string, len(rec.header))
	for k, vs := range rec.header {
		headers[k] = strings.Join(vs, ",")
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return events.LambdaFunctionURLResponse{StatusCode: rec.status, Headers: headers, Body: rec.body.String()}, nil
}

func toHTTP(ctx context.Context, req events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := req.Body
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return nil, fmt.Errorf("request body is marked base64 but is not valid base64")
		}
		body = string(b)
	}
	path := req.RawPath
	if path == "" {
		path = req.RequestContext.HTTP.Path
	}
	u, err := url.ParseRequestURI(path)
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", path, err)
	}
	u.Scheme, u.Host, u.RawQuery = "https", req.RequestContext.DomainName, req.RawQueryString
	if u.Host == "" {
		u.Host = "lambda-url.invalid"
	}
	method := req.RequestContext.HTTP.Method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request %s %s: %w", method, path, err)
	}
	for k, v := range req.Headers {
		hr.Header.Set(k, v)
	}
	hr.RequestURI = u.RequestURI()
	return hr, nil
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
