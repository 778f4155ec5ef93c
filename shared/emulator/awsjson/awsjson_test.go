package awsjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

type echoInput struct {
	Name  string `json:"Name"`
	Count int    `json:"Count"`
}

// router is a service with one of each kind of operation.
func router() *awsjson.Router {
	return &awsjson.Router{
		Prefix:  "Bakery_20261204",
		Version: "1.1",
		MaxBody: 64,
		Ops: map[string]awsjson.Op{
			"Echo": func(_ context.Context, body []byte) (any, error) {
				var in echoInput
				if err := awsjson.Decode(body, &in); err != nil {
					return nil, err
				}
				return in, nil
			},
			"Raw":     func(context.Context, []byte) (any, error) { return json.RawMessage(`{"raw":true}`), nil },
			"Bytes":   func(context.Context, []byte) (any, error) { return []byte(`{"bytes":true}`), nil },
			"Nothing": func(context.Context, []byte) (any, error) { return nil, nil },
			"Body":    func(_ context.Context, body []byte) (any, error) { return json.RawMessage(body), nil },
			"SoldOut": func(context.Context, []byte) (any, error) {
				return nil, sim.Errorf(http.StatusBadRequest, "ConditionalCheckFailedException", "The conditional request failed")
			},
			"NoStatus": func(context.Context, []byte) (any, error) { return nil, &sim.APIError{Code: "ValidationException"} },
			"Broken":   func(context.Context, []byte) (any, error) { return nil, errors.New("disk on fire") },
			"Canceled": func(ctx context.Context, _ []byte) (any, error) { return nil, context.Canceled },
		},
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, rt *awsjson.Router, method, target, body string) answer {
	t.Helper()
	r := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, r)
	res := w.Result()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return answer{res.StatusCode, res.Header, string(b)}
}

var uuid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// A request is POST / with X-Amz-Target "<prefix>.<operation>" and a JSON body; the answer is
// JSON with Content-Type application/x-amz-json-1.x and a request id
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html).
func TestServeHTTP(t *testing.T) {
	tests := []struct {
		name, target, body string
		want               string
	}{
		{"an operation's value, marshalled", "Bakery_20261204.Echo", `{"Name":"croissant","Count":2}`, `{"Name":"croissant","Count":2}`},
		{"a json.RawMessage as is", "Bakery_20261204.Raw", `{}`, `{"raw":true}`},
		{"a []byte as is", "Bakery_20261204.Bytes", `{}`, `{"bytes":true}`},
		{"nil is an empty object", "Bakery_20261204.Nothing", `{}`, `{}`},
		{"an empty body is an empty object", "Bakery_20261204.Body", ``, `{}`},
		{"a body up to the limit", "Bakery_20261204.Body", `{"k":"` + strings.Repeat("x", 64-8) + `"}`, `{"k":"` + strings.Repeat("x", 64-8) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := post(t, router(), http.MethodPost, tt.target, tt.body)
			require.Equal(t, http.StatusOK, got.status, got.body)
			assert.JSONEq(t, tt.want, got.body)
			assert.Equal(t, "application/x-amz-json-1.1", got.header.Get("Content-Type"))
			assert.Regexp(t, uuid, got.header.Get("X-Amzn-RequestId"))
			assert.Empty(t, got.header.Get("X-Amzn-ErrorType"))
		})
	}
}

// Errors are {"__type": code, "message": …} with the code in X-Amzn-ErrorType too, 4xx for the
// caller's errors and 500 InternalFailure for the service's
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html).
func TestServeHTTPErrors(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		status                     int
		code, message              string
	}{
		{"an operation's API error", http.MethodPost, "Bakery_20261204.SoldOut", `{}`, http.StatusBadRequest,
			"ConditionalCheckFailedException", "The conditional request failed"},
		{"an API error without a status is a 400", http.MethodPost, "Bakery_20261204.NoStatus", `{}`, http.StatusBadRequest, "ValidationException", ""},
		{"any other error is InternalFailure", http.MethodPost, "Bakery_20261204.Broken", `{}`, http.StatusInternalServerError, "InternalFailure", "disk on fire"},
		{"a canceled call", http.MethodPost, "Bakery_20261204.Canceled", `{}`, http.StatusBadRequest, "RequestCanceled", "context canceled"},
		{"an unknown operation", http.MethodPost, "Bakery_20261204.Bake", `{}`, http.StatusBadRequest,
			"UnknownOperationException", `the emulator's Bakery_20261204 does not support the operation "Bake"`},
		{"no target", http.MethodPost, "", `{}`, http.StatusBadRequest, "UnknownOperationException", `does not support the operation ""`},
		{"not POST", http.MethodGet, "Bakery_20261204.Echo", ``, http.StatusBadRequest, "UnknownOperationException", "the Bakery_20261204 API takes POST requests"},
		{"a body over the limit", http.MethodPost, "Bakery_20261204.Body", `{"k":"` + strings.Repeat("x", 64) + `"}`, http.StatusRequestEntityTooLarge,
			"RequestEntityTooLarge", "request body is larger than 64 bytes"},
		{"malformed JSON", http.MethodPost, "Bakery_20261204.Echo", `{"Name":`, http.StatusBadRequest, "SerializationException", "the request body is not valid JSON"},
		{"a field of the wrong type", http.MethodPost, "Bakery_20261204.Echo", `{"Count":"two"}`, http.StatusBadRequest,
			"SerializationException", `field "Count": cannot use a JSON string here`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := post(t, router(), tt.method, tt.target, tt.body)
			assert.Equal(t, tt.status, got.status)
			assert.Equal(t, tt.code, got.header.Get("X-Amzn-ErrorType"))
			assert.Equal(t, "application/x-amz-json-1.1", got.header.Get("Content-Type"))
			assert.Regexp(t, uuid, got.header.Get("X-Amzn-RequestId"))
			var e map[string]string
			require.NoError(t, json.Unmarshal([]byte(got.body), &e), got.body)
			assert.Equal(t, tt.code, e["__type"])
			assert.Contains(t, e["message"], tt.message)
			if tt.message == "" {
				assert.NotContains(t, got.body, "message", "an empty message is left out")
			}
		})
	}
}

// SQS's JSON protocol adds the query protocol's code in x-amzn-query-error, which OnError writes
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html).
func TestOnErrorAddsHeaders(t *testing.T) {
	rt := router()
	rt.OnError = func(h http.Header, e *sim.APIError) { h.Set("x-amzn-query-error", e.Code+";Sender") }
	got := post(t, rt, http.MethodPost, "Bakery_20261204.SoldOut", `{}`)
	assert.Equal(t, "ConditionalCheckFailedException;Sender", got.header.Get("x-amzn-query-error"))
}

func TestVersionDefaultsTo10(t *testing.T) {
	rt := router()
	rt.Version = ""
	got := post(t, rt, http.MethodPost, "Bakery_20261204.Nothing", `{}`)
	assert.Equal(t, "application/x-amz-json-1.0", got.header.Get("Content-Type"))
	got = post(t, rt, http.MethodPost, "Bakery_20261204.Bake", `{}`)
	assert.Equal(t, "application/x-amz-json-1.0", got.header.Get("Content-Type"))
}

func TestMaxBodyDefaultsTo1MiB(t *testing.T) {
	rt := router()
	rt.MaxBody = 0
	under := `{"k":"` + strings.Repeat("x", 1<<20-8) + `"}`
	assert.Equal(t, http.StatusOK, post(t, rt, http.MethodPost, "Bakery_20261204.Body", under).status)
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(t, rt, http.MethodPost, "Bakery_20261204.Body", under+" ").status)
}

// The target header names the service's prefix, a dot and the operation
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html).
func TestServes(t *testing.T) {
	tests := []struct {
		target string
		want   bool
	}{
		{"Bakery_20261204.Echo", true},
		{"Bakery_20261204.", true}, // the service refuses the empty operation itself
		{"Bakery_20261204", false},
		{"Bakery_20261204X.Echo", false},
		{"DynamoDB_20120810.GetItem", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("X-Amz-Target", tt.target)
			assert.Equal(t, tt.want, router().Serves(r))
		})
	}
}

// Another service reaches the same operations through Env.Call with the same JSON, and sees the
// same API errors an SDK client would.
func TestCallThroughEnv(t *testing.T) {
	env := &sim.Env{Region: "eu-west-1", AccountID: "000000000000"}
	env.Register("bakery", router())

	out, err := env.Call(context.Background(), "bakery", "Echo", []byte(`{"Name":"tart"}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Name":"tart","Count":0}`, string(out))

	out, err = env.Call(context.Background(), "arn:aws:bakery:eu-west-1:000000000000:oven/one", "Nothing", nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(out))

	_, err = env.Call(context.Background(), "bakery", "SoldOut", nil)
	var apiErr *sim.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ConditionalCheckFailedException", apiErr.Code)
	assert.Equal(t, http.StatusBadRequest, apiErr.Status)

	_, err = env.Call(context.Background(), "bakery", "Bake", nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "UnknownOperationException", apiErr.Code)

	_, err = env.Call(context.Background(), "bakery", "Echo", []byte(`{"Count":"two"}`))
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "SerializationException", apiErr.Code)
}

func TestAsAPIError(t *testing.T) {
	own := sim.Errorf(http.StatusNotFound, "ResourceNotFoundException", "no table")
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"an API error as is", own, http.StatusNotFound, "ResourceNotFoundException"},
		{"a wrapped API error", errors.Join(errors.New("get"), own), http.StatusNotFound, "ResourceNotFoundException"},
		{"a deadline", context.DeadlineExceeded, http.StatusBadRequest, "RequestCanceled"},
		{"anything else", io.ErrUnexpectedEOF, http.StatusInternalServerError, "InternalFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := awsjson.AsAPIError(tt.err)
			assert.Equal(t, tt.status, got.Status)
			assert.Equal(t, tt.code, got.Code)
		})
	}
}

func TestRequestIDsAreUUIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := awsjson.RequestID()
		assert.Regexp(t, uuid, id)
		assert.False(t, seen[id], "request ids repeat")
		seen[id] = true
	}
}

func BenchmarkServeHTTP(b *testing.B) {
	rt := router()
	body := `{"Name":"croissant","Count":2}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "Bakery_20261204.Echo")
		rt.ServeHTTP(httptest.NewRecorder(), r)
	}
}
