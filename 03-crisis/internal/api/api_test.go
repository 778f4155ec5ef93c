package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/api"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/invoker"
	"github.com/emilys-pastries/serverless-evolution/03-crisis/internal/message"
	"github.com/emilys-pastries/serverless-evolution/shared/bakery"
)

// callFunc is a fake function to call.
type callFunc func(ctx context.Context, in, out any) error

func (f callFunc) Call(ctx context.Context, in, out any) error { return f(ctx, in, out) }

// answers fills out with v through JSON, as a real call would.
func answers(v any) callFunc {
	return func(_ context.Context, _, out any) error {
		if out == nil {
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, out)
	}
}

// formatter is response-formatter itself.
var formatter = callFunc(func(ctx context.Context, in, out any) error {
	resp, err := api.FormatResponse(ctx, in.(message.FormatRequest))
	*out.(*events.APIGatewayProxyResponse) = resp
	return err
})

// parser is request-parser itself.
var parser = callFunc(func(ctx context.Context, in, out any) error {
	res, err := api.ParseRequestBody(ctx, in.(message.ParseRequest))
	*out.(*message.ParseResult) = res
	return err
})

var (
	now        = time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	paid       = bakery.Order{ID: "ordertestaaaaaaaaaaa", Status: bakery.StatusPaid, StoreID: "lon-01", Currency: "GBP", Total: 288}
	request    = `{"store_id":"lon-01","customer":{"name":"Ada","email":"ada@example.com"},"items":[{"item_id":"croissant","quantity":1}],"pickup_at":"2026-11-27T08:30:00Z"}`
	errRefused = fmt.Errorf("invoke OrderWorkflow: %w: throttled", invoker.ErrNotCalled)
)

func newAPI(workflow, reader api.Caller) *api.OrderAPI {
	return &api.OrderAPI{
		Parser: parser, Formatter: formatter, Workflow: workflow, Reader: reader,
		Menu:  answers(message.MenuResult{Items: bakery.Menu()}),
		Now:   func() time.Time { return now },
		NewID: func() string { return paid.ID },
	}
}

func TestPlaceOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       string
		workflow   func(calls *int) callFunc
		wantStatus int
		wantBody   string // a substring
		wantErr    string
		wantCalls  int
		base64     bool // the body is base64-encoded (isBase64Encoded)
	}{
		{
			name: "a paid order is read back and answered 201",
			body: request,
			workflow: func(calls *int) callFunc {
				return func(ctx context.Context, in, out any) error {
					*calls++
					co := in.(message.Checkout)
					assert.Equal(t, paid.ID, co.OrderID)
					assert.Equal(t, now, co.ReceivedAt)
					return answers(message.Checkout{OrderID: co.OrderID})(ctx, in, out)
				}
			},
			wantStatus: http.StatusCreated, wantBody: `"status":"paid"`, wantCalls: 1,
		},
		{
			name:       "a body that is not an order is a 400 and reaches nothing else",
			body:       `{"store":"lon-01"}`,
			workflow:   func(calls *int) callFunc { return func(context.Context, any, any) error { *calls++; return nil } },
			wantStatus: http.StatusBadRequest, wantBody: `unknown field \"store\"`, wantCalls: 0,
		},
		{
			name: "a rejection from the chain is answered with its status",
			body: request,
			workflow: func(calls *int) callFunc {
				return func(ctx context.Context, in, out any) error {
					*calls++
					return answers(message.Checkout{Rejection: &message.Rejection{StatusCode: http.StatusConflict, Error: "croissant is sold out"}})(ctx, in, out)
				}
			},
			wantStatus: http.StatusConflict, wantBody: "sold out", wantCalls: 1,
		},
		// API Gateway base64-encodes a body it treats as binary, and a REST API passes bytes
		// that are not UTF-8 as U+FFFD
		// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html).
		{
			name: "a base64-encoded order is decoded", body: base64.StdEncoding.EncodeToString([]byte(request)), base64: true,
			workflow: func(calls *int) callFunc {
				return func(ctx context.Context, in, out any) error {
					*calls++
					return answers(message.Checkout{OrderID: paid.ID})(ctx, in, out)
				}
			},
			wantStatus: http.StatusCreated, wantCalls: 1,
		},
		{
			name: "bytes that are not UTF-8 are a 400 saying so, not a complaint about base64 text",
			body: base64.StdEncoding.EncodeToString([]byte("{\"store_id\":\"lon-01\xff\"}")), base64: true,
			workflow:   func(calls *int) callFunc { return func(context.Context, any, any) error { *calls++; return nil } },
			wantStatus: http.StatusBadRequest, wantBody: "request body is not UTF-8 text: byte 19 is 0xff", wantCalls: 0,
		},
		{
			name:       "U+FFFD from a REST API is a 400 saying so",
			body:       strings.Replace(request, "lon-01", "lon-01\uFFFD", 1),
			workflow:   func(calls *int) callFunc { return func(context.Context, any, any) error { *calls++; return nil } },
			wantStatus: http.StatusBadRequest, wantBody: "replaced with U+FFFD", wantCalls: 0,
		},
		{
			name: "a throttled workflow is asked again at once",
			body: request,
			workflow: func(calls *int) callFunc {
				return func(ctx context.Context, in, out any) error {
					if *calls++; *calls < 3 {
						return errRefused
					}
					return answers(message.Checkout{OrderID: paid.ID})(ctx, in, out)
				}
			},
			wantStatus: http.StatusCreated, wantCalls: 3,
		},
		{
			name: "after WorkflowAttempts throttles the order fails",
			body: request,
			workflow: func(calls *int) callFunc {
				return func(context.Context, any, any) error { *calls++; return errRefused }
			},
			wantErr: "invocation refused", wantCalls: api.WorkflowAttempts,
		},
		{
			name: "a chain that failed is not asked again by order-api",
			body: request,
			workflow: func(calls *int) callFunc {
				return func(context.Context, any, any) error {
					*calls++
					return &invoker.FunctionError{Function: "OrderWorkflow", Message: "payment failed"}
				}
			},
			wantErr: "payment failed", wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			h := newAPI(tt.workflow(&calls), answers(message.OrderResult{Order: &paid}))
			resp, err := h.Handle(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "POST", Resource: "/orders", Path: "/orders", Body: tt.body, IsBase64Encoded: tt.base64})
			assert.Equal(t, tt.wantCalls, calls)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Headers["Content-Type"])
			assert.Contains(t, resp.Body, tt.wantBody)
		})
	}
}

func TestReads(t *testing.T) {
	t.Parallel()
	none := callFunc(func(context.Context, any, any) error { return errors.New("the workflow is not called for reads") })
	tests := []struct {
		name       string
		req        events.APIGatewayProxyRequest
		reader     callFunc
		wantStatus int
		wantBody   string
	}{
		{"the menu", events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/menu"}, answers(message.OrderResult{}), http.StatusOK, `"item_id":"croissant"`},
		{"an order", events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/orders/{id}", PathParameters: map[string]string{"id": paid.ID}},
			answers(message.OrderResult{Order: &paid}), http.StatusOK, `"order_id":"` + paid.ID + `"`},
		{"an unknown order", events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/orders/{id}", PathParameters: map[string]string{"id": "nope"}},
			answers(message.OrderResult{}), http.StatusNotFound, `order \"nope\" not found`},
		{"an unknown route", events.APIGatewayProxyRequest{HTTPMethod: "DELETE", Resource: "/orders/{id}", Path: "/orders/x"},
			answers(message.OrderResult{}), http.StatusNotFound, "the routes are"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := newAPI(none, tt.reader).Handle(context.Background(), tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Contains(t, resp.Body, tt.wantBody)
		})
	}
}

func TestParseRequestBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, wantErr string
	}{
		{"an order", request, ""},
		{"nothing", "", "got nothing"},
		{"not JSON", "{", "must be valid JSON"},
		{"a wrong type", `{"items":"croissant"}`, "items must be a JSON array"},
		{"two objects", request + request, "got more after it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := api.ParseRequestBody(context.Background(), message.ParseRequest{Body: tt.body})
			require.NoError(t, err, "bad input is an answer, not a failure")
			if tt.wantErr == "" {
				require.NotNil(t, got.Request)
				assert.Equal(t, "lon-01", got.Request.StoreID)
				return
			}
			assert.Nil(t, got.Request)
			assert.Contains(t, got.Error, tt.wantErr)
		})
	}
}
