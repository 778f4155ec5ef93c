// Package invoker is how the 42 functions of 2022 call each other: a synchronous Lambda Invoke
// (RequestResponse) with the real SDK v2 client, JSON in and JSON out, the callee named by an
// environment variable that the stack sets with a Ref to the callee.
//
// The client is left exactly as the SDK builds it: the standard retryer (3 attempts, exponential
// backoff with jitter, a client-side retry quota) retries a throttled invocation
// (429 TooManyRequestsException) and Lambda's 5xx answers, and there is no timeout of its own, so
// a caller waits for its callee until its own function timeout ends it. A callee that failed,
// crashed or timed out comes back as a *FunctionError.
package invoker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// InvokeAPI is the part of the SDK's Lambda client the package uses.
type InvokeAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var _ InvokeAPI = (*lambda.Client)(nil)

// Client invokes functions synchronously.
type Client struct {
	api InvokeAPI
}

// New returns a client built from cfg with the SDK's defaults.
func New(cfg aws.Config) *Client {
	return &Client{api: lambda.NewFromConfig(cfg)}
}

// NewWithAPI returns a client over api (tests pass a fake).
func NewWithAPI(api InvokeAPI) *Client {
	return &Client{api: api}
}

// Function is one function to call, by name.
type Function struct {
	Name   string
	client *Client
}

// Function binds the function named by the environment variable envVar. It fails when the
// variable is not set, naming it.
func (c *Client) Function(getenv func(string) string, envVar string) (Function, error) {
	name := getenv(envVar)
	if name == "" {
		return Function{}, fmt.Errorf("%s is not set; the stack sets it to the name of the function to call", envVar)
	}
	return Function{Name: name, client: c}, nil
}

// FunctionError is a callee that failed: its handler returned an error or panicked, or it timed
// out.
type FunctionError struct {
	Function string
	Type     string // the errorType Lambda reports; empty for a timeout
	Message  string
	// Timeout is set when Lambda ended the callee at its timeout; Message then says after how long.
	Timeout bool
}

func (e *FunctionError) Error() string {
	switch {
	case e.Timeout:
		return fmt.Sprintf("function %s timed out %s", e.Function, e.Message)
	case e.Type == "":
		return fmt.Sprintf("function %s failed: %s", e.Function, e.Message)
	}
	return fmt.Sprintf("function %s failed: %s: %s", e.Function, e.Type, e.Message)
}

// lambdaTimeout is how Lambda's timeout message starts, after its timestamp and request ID.
const lambdaTimeout = "Task timed out "

// ErrNotCalled is wrapped by every error of a call that never reached the callee's handler:
// a throttle the retryer gave up on, an unknown function, a bad payload.
var ErrNotCalled = errors.New("invocation refused")

// Call invokes the function with in as its JSON event and decodes its JSON answer into out (out
// may be nil when the answer does not matter).
func (f Function) Call(ctx context.Context, in, out any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("invoke %s: encode the event: %w", f.Name, err)
	}
	res, err := f.client.api.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(f.Name),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("invoke %s: %w", f.Name, ctx.Err())
		}
		return fmt.Errorf("invoke %s: %w: %w", f.Name, ErrNotCalled, err)
	}
	if fe := aws.ToString(res.FunctionError); fe != "" {
		var body struct {
			Type    string `json:"errorType"`
			Message string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &body) // an unreadable error body still is an error
		if body.Message == "" {
			body.Message = string(res.Payload)
		}
		// Keep the callers' own error messages free of Lambda's timeout sentence: it is the
		// callee that timed out, not them.
		if _, after, ok := strings.Cut(body.Message, lambdaTimeout); ok && body.Type == "" {
			return &FunctionError{Function: f.Name, Message: after, Timeout: true}
		}
		return &FunctionError{Function: f.Name, Type: body.Type, Message: body.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.Payload, out); err != nil {
		return fmt.Errorf("invoke %s: decode the answer: %w", f.Name, err)
	}
	return nil
}

// Binder binds the functions a handler calls and remembers the first missing variable, so a
// constructor can bind several and check once.
type Binder struct {
	client *Client
	getenv func(string) string
	err    error
}

// NewBinder returns a Binder with a client built from cfg.
func NewBinder(cfg aws.Config, getenv func(string) string) *Binder {
	return &Binder{client: New(cfg), getenv: getenv}
}

// Function binds the function named by envVar; after a failure it returns a zero Function and
// Err reports the first failure.
func (b *Binder) Function(envVar string) Function {
	f, err := b.client.Function(b.getenv, envVar)
	if err != nil && b.err == nil {
		b.err = err
	}
	return f
}

// Err is the first binding failure.
func (b *Binder) Err() error { return b.err }
