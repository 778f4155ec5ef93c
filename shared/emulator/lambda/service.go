package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// ServiceName is Lambda's ARN namespace: the service's name for Env.Call and the first part of
// its resources' ids ("lambda:<function name>").
const ServiceName = "lambda"

var (
	_ sim.Service = (*Service)(nil)
	_ sim.Caller  = (*Service)(nil)
)

// Name is "lambda".
func (s *Service) Name() string { return ServiceName }

// Serves reports whether r is a call to Lambda's REST API.
func (s *Service) Serves(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/2015-03-31/functions") || strings.HasPrefix(p, "/2019-09-30/functions/")
}

// Resources lists the functions, sorted by name. A function sends work to its asynchronous
// invocation's OnFailure destination.
func (s *Service) Resources() []sim.Resource {
	fs := s.Functions()
	out := make([]sim.Resource, len(fs))
	for i, f := range fs {
		out[i] = sim.Resource{ID: f.id, Type: TypeFunction, LogicalID: f.LogicalID, Physical: f.Name, ARN: f.ARN}
		if d := f.async.onFailure; d != "" {
			out[i].Targets = []sim.ID{sim.NewID(ServiceName, functionName(d))}
		}
	}
	return out
}

// invokeInput is the input of Call's Invoke, the members of Lambda's Invoke request (and of Step
// Functions' lambda:invoke task).
type invokeInput struct {
	FunctionName   string
	InvocationType string
	Qualifier      string
	Payload        json.RawMessage
}

// Call is how other services reach Lambda through Env.Call. The one operation is "Invoke":
//
//	in:  {"FunctionName": "<name or ARN>", "InvocationType": "RequestResponse"|"Event"|"DryRun", "Payload": <JSON>}
//	out: {"StatusCode": 200, "ExecutedVersion": "$LATEST", "FunctionError": "Unhandled", "Payload": <JSON>}
//
// InvocationType defaults to RequestResponse; an Event answers {"StatusCode": 202} once queued,
// a DryRun {"StatusCode": 204}. FunctionError is present only when the function failed, timed out
// or crashed, and Payload is then Lambda's error object. A throttle, an unknown function or a too
// large payload is a *sim.APIError with Lambda's code (TooManyRequestsException,
// ResourceNotFoundException, RequestTooLargeException); a caller that gives up gets its context's
// error.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	if op == "GetFunctionConfiguration" {
		var in struct{ FunctionName string }
		if err := json.Unmarshal(input, &in); err != nil {
			return nil, sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "the GetFunctionConfiguration input is not valid JSON: %v", err)
		}
		f, err := s.Lookup(in.FunctionName)
		if err != nil {
			return nil, asAPIError(err)
		}
		return json.Marshal(f.configuration())
	}
	if op != "Invoke" {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "the emulator's Lambda takes Invoke and GetFunctionConfiguration through Env.Call, got %q", op)
	}
	in, ok := quickInvokeInput(input)
	if !ok {
		if err := json.Unmarshal(input, &in); err != nil {
			return nil, sim.Errorf(http.StatusBadRequest, "InvalidRequestContentException", "the Invoke input is not valid JSON: %v", err)
		}
	}
	if in.Qualifier != "" && in.Qualifier != "$LATEST" {
		return nil, sim.Errorf(http.StatusNotFound, "ResourceNotFoundException", "Function not found: %s:%s (the emulator has no versions or aliases)", in.FunctionName, in.Qualifier)
	}
	payload := []byte(in.Payload)
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	switch in.InvocationType {
	case "", "RequestResponse":
		res, err := s.Invoke(ctx, in.FunctionName, payload)
		if err != nil {
			return nil, asAPIError(err)
		}
		return invokeOutput(res), nil
	case "Event":
		if _, err := s.InvokeAsync(ctx, in.FunctionName, payload); err != nil {
			return nil, asAPIError(err)
		}
		return []byte(`{"StatusCode":202}`), nil
	case "DryRun":
		if _, err := s.Lookup(in.FunctionName); err != nil {
			return nil, asAPIError(err)
		}
		return []byte(`{"StatusCode":204}`), nil
	}
	return nil, sim.Errorf(http.StatusBadRequest, "InvalidParameterValueException", "InvocationType must be RequestResponse, Event or DryRun, got %q", in.InvocationType)
}

// quickInvokeInput reads the input API Gateway's integrations write, {"FunctionName":"<name
// or ARN without escapes>","Payload":<JSON>}, without decoding the payload: it is the hot path
// of every API request. Any other input is left to encoding/json.
func quickInvokeInput(input []byte) (invokeInput, bool) {
	const head, payload = `{"FunctionName":"`, `","Payload":`
	rest, ok := bytes.CutPrefix(input, []byte(head))
	if !ok || len(input) == 0 || input[len(input)-1] != '}' {
		return invokeInput{}, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return invokeInput{}, false
	}
	p, ok := bytes.CutPrefix(rest[end:], []byte(payload))
	if !ok {
		return invokeInput{}, false
	}
	return invokeInput{FunctionName: string(rest[:end]), Payload: p[:len(p)-1]}, true
}

// invokeOutput writes Invoke's output in one allocation; the payload is the function's JSON.
func invokeOutput(res Result) []byte {
	const head = `{"StatusCode":200,"ExecutedVersion":"$LATEST",`
	b := make([]byte, 0, len(head)+len(res.Payload)+48)
	b = append(b, head...)
	if res.FunctionError != "" {
		b = append(b, `"FunctionError":`...)
		b = strconv.AppendQuote(b, res.FunctionError)
		b = append(b, ',')
	}
	b = append(b, `"Payload":`...)
	if len(res.Payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, res.Payload...)
	}
	return append(b, '}')
}

// asAPIError maps the model's errors to Lambda's API errors; a context's error stays as is.
func asAPIError(err error) error {
	var (
		te  *ThrottleError
		nf  *NotFoundError
		big *PayloadTooLargeError
	)
	switch {
	case errors.As(err, &te):
		return &sim.APIError{Status: http.StatusTooManyRequests, Code: "TooManyRequestsException", Message: "Rate Exceeded. (reason " + te.Reason + ")", Sender: true}
	case errors.As(err, &nf):
		return &sim.APIError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", Message: nf.Error(), Sender: true}
	case errors.As(err, &big):
		return &sim.APIError{Status: http.StatusRequestEntityTooLarge, Code: "RequestTooLargeException", Message: big.Error(), Sender: true}
	}
	return err
}
