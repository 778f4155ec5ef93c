package paymentlambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/payment"
	paymentlambda "github.com/emilys-pastries/serverless-evolution/shared/payment/lambda"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// instantEnv makes charges take no time, so the tests wait for nothing.
var instantEnv = map[string]string{paymentlambda.EnvMedianMS: "0"}

const body = `{"order_id":"ord-1","amount":1234,"currency":"GBP","customer_email":"ada@example.com"}`

// event is a function URL request as Lambda delivers it (header names in lower case).
func event(method, path, body string, headers map[string]string, base64Body bool) events.LambdaFunctionURLRequest {
	if base64Body {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	if headers == nil {
		headers = map[string]string{}
	}
	headers["content-type"] = "application/json"
	return events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: path, Headers: headers, Body: body, IsBase64Encoded: base64Body,
		RequestContext: events.LambdaFunctionURLRequestContext{
			DomainName: "abc123.lambda-url.eu-west-1.on.aws",
			HTTP:       events.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: path},
		},
	}
}

// invoke sends the event through the Lambda runtime's JSON handling, as on AWS.
func invoke(tb testing.TB, h *paymentlambda.Handler, ev events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, map[string]any) {
	tb.Helper()
	payload, err := json.Marshal(ev)
	require.NoError(tb, err)
	out, err := lambda.NewHandler(h.Handle).Invoke(tb.Context(), payload)
	require.NoError(tb, err)
	var resp events.LambdaFunctionURLResponse
	require.NoError(tb, json.Unmarshal(out, &resp))
	var got map[string]any
	require.NoError(tb, json.Unmarshal([]byte(resp.Body), &got), "body: %s", resp.Body)
	return resp, got
}

func TestHandleRoundTripsFunctionURLEvents(t *testing.T) {
	t.Parallel()
	h, err := paymentlambda.New(context.Background(), env(instantEnv))
	require.NoError(t, err)
	key := map[string]string{"idempotency-key": "order-ord-1"}

	tests := []struct {
		name   string
		ev     events.LambdaFunctionURLRequest
		status int
		check  func(t *testing.T, resp events.LambdaFunctionURLResponse, got map[string]any)
	}{
		{"charge", event("POST", "/v1/charges", body, key, false), 201,
			func(t *testing.T, resp events.LambdaFunctionURLResponse, got map[string]any) {
				assert.Equal(t, "succeeded", got["status"])
				assert.Equal(t, "ord-1", got["order_id"])
				assert.Equal(t, "application/json", resp.Headers["Content-Type"])
				assert.Empty(t, resp.Headers[payment.HeaderReplayed])
			}},
		{"retry with the same key, base64 body", event("POST", "/v1/charges", body, key, true), 201,
			func(t *testing.T, resp events.LambdaFunctionURLResponse, _ map[string]any) {
				assert.Equal(t, "true", resp.Headers[payment.HeaderReplayed])
			}},
		{"invalid amount", event("POST", "/v1/charges", `{"order_id":"ord-2","amount":0,"currency":"GBP","customer_email":"ada@example.com"}`, nil, false), 400,
			func(t *testing.T, _ events.LambdaFunctionURLResponse, got map[string]any) {
				assert.Equal(t, "amount", got["error"].(map[string]any)["param"])
			}},
		{"body marked base64 that is not", events.LambdaFunctionURLRequest{RawPath: "/v1/charges", Body: "%%%", IsBase64Encoded: true,
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST"}}}, 400,
			func(t *testing.T, _ events.LambdaFunctionURLResponse, got map[string]any) {
				assert.Contains(t, got["error"].(map[string]any)["message"], "not valid base64")
			}},
		{"stats", event("GET", "/v1/stats", "", nil, false), 200,
			func(t *testing.T, _ events.LambdaFunctionURLResponse, got map[string]any) {
				assert.Equal(t, 1.0, got["capacity"], "one charge at a time per execution environment")
				assert.Equal(t, 1.0, got["charges"])
				assert.Equal(t, 1.0, got["replayed"])
			}},
	}
	for _, tt := range tests { // in order: the later cases read what the earlier did
		resp, got := invoke(t, h, tt.ev)
		assert.Equal(t, tt.status, resp.StatusCode, tt.name)
		t.Run(tt.name, func(t *testing.T) { tt.check(t, resp, got) })
	}
}

func TestNewReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars map[string]string
		want string // error text; empty for success
	}{
		{"defaults", nil, ""},
		{"everything set", map[string]string{paymentlambda.EnvCapacity: "2", paymentlambda.EnvDeclineRate: "0",
			paymentlambda.EnvAlwaysApprove: "a@example.com, b@example.com", paymentlambda.EnvMedianMS: "5",
			paymentlambda.EnvP99MS: "20", paymentlambda.EnvSeed: "42"}, ""},
		{"capacity zero", map[string]string{paymentlambda.EnvCapacity: "0"}, "PAYMENT_CAPACITY must be a whole number of at least 1"},
		{"decline rate too high", map[string]string{paymentlambda.EnvDeclineRate: "2"}, "PAYMENT_DECLINE_RATE must be a number from 0 to 1"},
		{"median not a number", map[string]string{paymentlambda.EnvMedianMS: "fast"}, "PAYMENT_MEDIAN_MS must be a whole number"},
		{"p99 below median", map[string]string{paymentlambda.EnvMedianMS: "300", paymentlambda.EnvP99MS: "100"}, "PAYMENT_MEDIAN_MS and PAYMENT_P99_MS"},
		{"bad seed", map[string]string{paymentlambda.EnvSeed: "-1"}, "PAYMENT_SEED must be a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := paymentlambda.New(context.Background(), env(tt.vars))
			if tt.want != "" {
				assert.ErrorContains(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			cfg := h.Provider().Config()
			assert.Equal(t, payment.NoQueue, cfg.QueueLimit, "Lambda's throttle replaces the queue")
			if tt.vars == nil {
				assert.Equal(t, 1, cfg.Capacity)
				assert.Equal(t, payment.DefaultDeclineRate, cfg.DeclineRate)
				return
			}
			assert.Equal(t, 2, cfg.Capacity)
			assert.False(t, h.Provider().Declines("b@example.com"))
			assert.True(t, h.Provider().Declines(payment.DeclinedTestEmail))
		})
	}
}
