// Package awsjson is the AWS JSON protocol (1.0 and 1.1) written once for every emulated service
// that speaks it (DynamoDB, SQS, Step Functions, EventBridge): POST / with X-Amz-Target
// "<prefix>.<Operation>", a JSON body in and out, request ids, and errors in the shape the SDKs
// parse ({"__type": …, "message": …} plus X-Amzn-ErrorType).
//
// A Router serves HTTP and also implements sim.Caller, so another service reaches the same
// operations in process through Env.Call with the same JSON. DynamoDB routes and encodes its
// requests itself (its item encoder is the hot path) but writes its error answers with this
// package's SetErrorHeaders and AppendErrorMembers, so the error shape is written here only.
//
// Limitations: signatures are not checked; request bodies are decoded with encoding/json, which
// accepts what AWS's strict decoders reject in a few corner cases (duplicate keys, numbers for
// strings are errors in both).
package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/uuid"
)

// Op runs one operation on a request body and returns the value to answer with (marshalled with
// encoding/json; a []byte or json.RawMessage is written as is). Errors should be *sim.APIError;
// any other error answers 500 InternalFailure.
type Op func(ctx context.Context, body []byte) (any, error)

// Router dispatches AWS JSON protocol requests of one service.
type Router struct {
	// Prefix is the X-Amz-Target prefix before the dot, e.g. "AmazonSQS" or "AWSEvents".
	Prefix string
	// Version is "1.0" or "1.1" (the Content-Type application/x-amz-json-<version>).
	Version string
	Ops     map[string]Op
	// MaxBody bounds a request body; 0 means 1 MiB. Larger bodies answer 413.
	MaxBody int64
	// OnError, if set, may add headers to an error answer (SQS adds x-amzn-query-error).
	OnError func(h http.Header, e *sim.APIError)
}

var _ sim.Caller = (*Router)(nil)

// Serves reports whether r carries this router's X-Amz-Target prefix.
func (rt *Router) Serves(r *http.Request) bool {
	t := r.Header.Get("X-Amz-Target")
	return len(t) > len(rt.Prefix) && strings.HasPrefix(t, rt.Prefix) && t[len(rt.Prefix)] == '.'
}

// ServeHTTP answers one request.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := RequestID()
	if r.Method != http.MethodPost {
		rt.WriteError(w, reqID, sim.Errorf(http.StatusBadRequest, "UnknownOperationException", "the %s API takes POST requests", rt.Prefix))
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), rt.Prefix+".")
	limit := rt.MaxBody
	if limit <= 0 {
		limit = 1 << 20
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		rt.WriteError(w, reqID, sim.Errorf(http.StatusBadRequest, "SerializationException", "reading the request body: %v", err))
		return
	}
	if int64(len(body)) > limit {
		rt.WriteError(w, reqID, sim.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body is larger than %d bytes", limit))
		return
	}
	out, err := rt.Call(r.Context(), op, body)
	if err != nil {
		rt.WriteError(w, reqID, AsAPIError(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+rt.version())
	h.Set("X-Amzn-RequestId", reqID)
	_, _ = w.Write(out)
}

// Call runs op with a JSON body and returns the JSON answer (sim.Caller).
func (rt *Router) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	fn, ok := rt.Ops[op]
	if !ok {
		return nil, sim.Errorf(http.StatusBadRequest, "UnknownOperationException", "the emulator's %s does not support the operation %q", rt.Prefix, op)
	}
	if len(input) == 0 {
		input = []byte("{}")
	}
	v, err := fn(ctx, input)
	if err != nil {
		return nil, err
	}
	switch b := v.(type) {
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case nil:
		return []byte("{}"), nil
	}
	return json.Marshal(v)
}

func (rt *Router) version() string {
	if rt.Version == "" {
		return "1.0"
	}
	return rt.Version
}

// WriteError writes e in the AWS JSON error shape: {"__type": code, "message": …} (no message
// member when the message is empty), with the code in X-Amzn-ErrorType too.
func (rt *Router) WriteError(w http.ResponseWriter, reqID string, e *sim.APIError) {
	h := w.Header()
	SetErrorHeaders(h, rt.version(), reqID, e.Code)
	if rt.OnError != nil {
		rt.OnError(h, e)
	}
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	msgKey := "message"
	if e.Message == "" {
		msgKey = ""
	}
	b := make([]byte, 0, 32+len(e.Code)+len(e.Message))
	b = append(b, '{')
	b = AppendErrorMembers(b, e.Code, msgKey, e.Message)
	b = append(b, '}')
	_, _ = w.Write(b)
}

// The error shape, for services that write their own error answers (DynamoDB, whose errors
// carry more members and whose bodies it encodes by hand) and for Router.WriteError.

// SetErrorHeaders sets the headers of an error answer: the Content-Type of the protocol version
// ("1.0" or "1.1"; "" is "1.0"), X-Amzn-RequestId and, unless errorType is "",
// X-Amzn-ErrorType, where most AWS JSON services repeat the error's code and where the SDKs look
// for it first (the error resolution of Smithy's awsJson1_0 protocol:
// https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
// DynamoDB sends no such header: it passes "".
func SetErrorHeaders(h http.Header, version, reqID, errorType string) {
	if version == "" {
		version = "1.0"
	}
	h["Content-Type"] = []string{"application/x-amz-json-" + version}
	h["X-Amzn-Requestid"] = []string{reqID}
	if errorType != "" {
		h["X-Amzn-Errortype"] = []string{errorType}
	}
}

// AppendErrorMembers appends the members every AWS JSON error body starts with to b, an open
// object: "__type":typ and, unless msgKey is "", ,"<msgKey>":msg. typ is the error's code,
// bare (ConditionalCheckFailedException) or behind its namespace as DynamoDB writes it
// (com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException); msgKey is "message" for
// most errors and "Message" for the few whose API model names it so. The caller appends any
// further members and the closing brace.
func AppendErrorMembers(b []byte, typ, msgKey, msg string) []byte {
	b = append(b, `"__type":`...)
	b = AppendString(b, typ)
	if msgKey != "" {
		b = append(b, ',')
		b = AppendString(b, msgKey)
		b = append(b, ':')
		b = AppendString(b, msg)
	}
	return b
}

// AppendString appends s to b as a JSON string, as AWS services write strings: control
// characters, quotes and backslashes escaped, everything else (HTML characters, U+2028) as is,
// and invalid UTF-8 replaced by \ufffd. It is DynamoDB's item encoder's string writer, so it is
// written for speed.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				const hex = "0123456789abcdef"
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AsAPIError turns any error into an API error: *sim.APIError as is, a context error into a
// 499-like RequestCanceled (no client reads it), anything else a 500 InternalFailure.
func AsAPIError(err error) *sim.APIError {
	var apiErr *sim.APIError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &sim.APIError{Status: http.StatusBadRequest, Code: "RequestCanceled", Message: err.Error()}
	}
	return &sim.APIError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: err.Error()}
}

// Decode unmarshals a request body into v; malformed JSON is a SerializationException that says
// where, as AWS answers it.
func Decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return sim.Errorf(http.StatusBadRequest, "SerializationException", "field %q: cannot use a JSON %s here", typeErr.Field, typeErr.Value)
		}
		return sim.Errorf(http.StatusBadRequest, "SerializationException", "the request body is not valid JSON: %v", err)
	}
	return nil
}

// RequestID is a random UUID, the form most AWS services use for x-amzn-RequestId.
func RequestID() string { return uuid.New() }
