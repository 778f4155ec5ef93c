package apigateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

func newEnv() *sim.Env {
	return &sim.Env{Region: "us-east-1", AccountID: "000000000000", StackName: "Test",
		Latency: latency.Zero(), Faults: &fault.Set{}, Metrics: &metrics.Registry{}, Traces: trace.NewRecorder(10)}
}

// echoInvoker answers every invocation with 200, the invoked function's ARN in an X-Function
// header and the event it received as the body, so tests can read both from the HTTP response.
type echoInvoker struct {
	mu     sync.Mutex
	events []string
}

func (e *echoInvoker) Invoke(_ context.Context, arn string, payload []byte) (apigateway.InvokeResult, error) {
	e.mu.Lock()
	e.events = append(e.events, string(payload))
	e.mu.Unlock()
	answer, err := json.Marshal(map[string]any{
		"statusCode": 200,
		"headers":    map[string]string{"X-Function": functionName(arn)},
		"body":       string(payload),
	})
	return apigateway.InvokeResult{Payload: answer}, err
}

// lastEvent returns the raw JSON of the most recent event.
func (e *echoInvoker) lastEvent() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.events) == 0 {
		return ""
	}
	return e.events[len(e.events)-1]
}

// answersWith returns the same answer to every invocation.
type answersWith struct {
	payload       string
	functionError string
}

func (a answersWith) Invoke(context.Context, string, []byte) (apigateway.InvokeResult, error) {
	return apigateway.InvokeResult{Payload: []byte(a.payload), FunctionError: a.functionError}, nil
}

// slowInvoker never answers: it returns only when its context is done.
type slowInvoker struct{}

func (slowInvoker) Invoke(ctx context.Context, _ string, _ []byte) (apigateway.InvokeResult, error) {
	<-ctx.Done()
	return apigateway.InvokeResult{}, ctx.Err()
}

// throttledInvoker fails every invocation the way Lambda refuses one at its concurrency limit.
type throttledInvoker struct{}

func (throttledInvoker) Invoke(context.Context, string, []byte) (apigateway.InvokeResult, error) {
	return apigateway.InvokeResult{}, errors.New("TooManyRequestsException: Rate Exceeded. (reason: ConcurrentInvocationLimitExceeded)")
}

func functionARN(name string) string {
	return "arn:aws:lambda:us-east-1:000000000000:function:" + name
}

func functionName(arn string) string { return arn[strings.LastIndexByte(arn, ':')+1:] }

// invocationURI is what the CDK's Fn::Join for a Lambda integration resolves to.
func invocationURI(name string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + functionARN(name) + "/invocations"
}

// provision creates one resource as the emulator core would, with resolved properties.
func provision(t testing.TB, svc *apigateway.Service, logicalID, typ string, props map[string]any) sim.Physical {
	t.Helper()
	phys, err := svc.Provision(context.Background(), &cfn.Resource{LogicalID: logicalID, Type: typ}, props)
	require.NoError(t, err)
	return phys
}

func do(t testing.TB, h http.Handler, method, url, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req, rec := request(method, url, body, header...)
	h.ServeHTTP(rec, req)
	return rec
}
