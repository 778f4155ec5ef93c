package awsjson_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// SetErrorHeaders writes the protocol's Content-Type and the request id, and X-Amzn-ErrorType
// only for a service that sends it: most AWS JSON services do, DynamoDB does not (see
// dynamodb.TestErrorShape for the recorded answers). The SDKs take the code from that header
// first and from the body's __type otherwise
// (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
func TestSetErrorHeaders(t *testing.T) {
	tests := []struct {
		name, version, errorType string
		want                     http.Header
	}{
		{"with the error type", "1.1", "ResourceNotFoundException", http.Header{
			"Content-Type":     {"application/x-amz-json-1.1"},
			"X-Amzn-Requestid": {"req-1"},
			"X-Amzn-Errortype": {"ResourceNotFoundException"},
		}},
		{"without (DynamoDB)", "1.0", "", http.Header{
			"Content-Type":     {"application/x-amz-json-1.0"},
			"X-Amzn-Requestid": {"req-1"},
		}},
		{"the version defaults to 1.0", "", "ValidationException", http.Header{
			"Content-Type":     {"application/x-amz-json-1.0"},
			"X-Amzn-Requestid": {"req-1"},
			"X-Amzn-Errortype": {"ValidationException"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			awsjson.SetErrorHeaders(h, tt.version, "req-1", tt.errorType)
			assert.Equal(t, tt.want, h)
		})
	}
}

// An error body opens with __type and the message; the message member is "message" for most
// errors and "Message" for a few (DynamoDB's TransactionCanceledException), and the service
// appends its own members (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.Components).
func TestAppendErrorMembers(t *testing.T) {
	tests := []struct {
		name, typ, msgKey, msg string
		want                   string
	}{
		{"a bare code", "ConditionalCheckFailedException", "message", "The conditional request failed",
			`{"__type":"ConditionalCheckFailedException","message":"The conditional request failed"}`},
		{"a namespaced code", "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message", "Requested resource not found",
			`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`},
		{"Message", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException", "Message", "Transaction cancelled",
			`{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled"}`},
		{"no message member", "ValidationException", "", "ignored", `{"__type":"ValidationException"}`},
		{"an empty message with a member", "UnknownOperationException", "message", "", `{"__type":"UnknownOperationException","message":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := awsjson.AppendErrorMembers([]byte{'{'}, tt.typ, tt.msgKey, tt.msg)
			assert.Equal(t, tt.want, string(append(b, '}')))
		})
	}
}

// AppendString writes strings as AWS services do, without HTML escaping, and what it writes
// decodes back to the string (invalid UTF-8 to U+FFFD, as encoding/json does).
func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`quote " and backslash \`, `"quote \" and backslash \\"`},
		{"new\nline\rtab\t", `"new\nline\rtab\t"`},
		{"bell\x07 nul\x00", `"bell\u0007 nul\u0000"`},
		{"a < b && c > d", `"a < b && c > d"`},
		{"ünïcödé ✓ \u2028", "\"ünïcödé ✓ \u2028\""},
		{"bad \xff byte", `"bad \ufffd byte"`},
	}
	for _, tt := range tests {
		got := awsjson.AppendString([]byte("x"), tt.in)
		assert.Equal(t, "x"+tt.want, string(got), "%q", tt.in)
		var back string
		require.NoError(t, json.Unmarshal(got[1:], &back))
		assert.Equal(t, strings.ToValidUTF8(tt.in, "\ufffd"), back)
	}
}

// A Router's error body is written by the same functions: a message with HTML characters is
// written as is.
func TestWriteErrorBody(t *testing.T) {
	rt := router()
	rt.Ops["Html"] = func(_ context.Context, _ []byte) (any, error) {
		return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", `Value "<b>" at 'name' failed to satisfy constraint`)
	}
	got := post(t, rt, http.MethodPost, "Bakery_20261204.Html", `{}`)
	assert.Equal(t, `{"__type":"ValidationException","message":"Value \"<b>\" at 'name' failed to satisfy constraint"}`, got.body)
	assert.Equal(t, "ValidationException", got.header.Get("X-Amzn-ErrorType"))
}
