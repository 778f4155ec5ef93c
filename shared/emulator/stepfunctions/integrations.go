package stepfunctions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/jsonvalue"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// integrations is the asl.Tasks of one execution: each Task resource becomes a call to another
// emulated service through Env.Call, so that its latency, limits and faults apply.
type integrations struct {
	s  *Service
	ex *execution
}

// integration is what follows arn:aws:states::: in an optimized integration's resource,
// "<service>:<action>[.<pattern>]" (e.g. "lambda:invoke.waitForTaskToken"); ok is false for
// any other resource.
func integration(resource string) (rest string, ok bool) {
	a, err := arn.Parse(resource)
	if err != nil || a.Partition != "aws" || a.Service != "states" || a.Region != "" || a.AccountID != "" {
		return "", false
	}
	return a.Resource, true
}

// Invoke runs one Task state's resource
// (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html).
func (in *integrations) Invoke(ctx context.Context, resource string, args any, token string, _, _ time.Duration) (any, error) {
	rest, ok := integration(resource)
	if !ok {
		if a, err := arn.Parse(resource); err == nil && a.Service == "lambda" {
			// The bare function ARN: the result is the function's payload.
			out, err := in.lambda(ctx, map[string]any{"FunctionName": resource, "Payload": args})
			if err != nil {
				return nil, err
			}
			return out["Payload"], nil
		}
		return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: fmt.Sprintf("the emulator does not support the task resource %q", resource)}
	}
	service, action, _ := strings.Cut(rest, ":")
	pattern := ""
	if i := strings.Index(action, "."); i >= 0 {
		action, pattern = action[:i], action[i+1:]
	}
	if token != "" && pattern != "waitForTaskToken" {
		return nil, &asl.Failure{Name: asl.ErrRuntime, Cause: "a task token was issued for a resource that does not wait for one"}
	}
	params, _ := args.(map[string]any)
	if params == nil {
		params = map[string]any{}
	}
	switch service {
	case "lambda":
		if action != "invoke" || (pattern != "" && pattern != "waitForTaskToken") {
			break
		}
		out, err := in.lambda(ctx, params)
		if err != nil {
			return nil, err
		}
		return out, nil
	case "dynamodb":
		switch action {
		case "getItem", "putItem", "updateItem", "deleteItem":
			if pattern == "" {
				return in.call(ctx, "dynamodb", pascal(action), params, "DynamoDB", "AmazonDynamoDBException", true)
			}
		}
	case "sqs":
		if action == "sendMessage" && (pattern == "" || pattern == "waitForTaskToken") {
			if b, ok := params["MessageBody"]; ok {
				if _, isString := b.(string); !isString {
					params = withField(params, "MessageBody", compact(b))
				}
			}
			return in.call(ctx, "sqs", "SendMessage", params, "SQS", "AmazonSQSException", true)
		}
	case "events":
		if action == "putEvents" && (pattern == "" || pattern == "waitForTaskToken") {
			return in.putEvents(ctx, params)
		}
	case "states":
		if action == "startExecution" {
			return in.startExecution(ctx, params, pattern)
		}
	case "aws-sdk":
		svc, op, ok := strings.Cut(action, ":")
		if ok && (pattern == "" || pattern == "waitForTaskToken") {
			return in.awsSDK(ctx, svc, op, params)
		}
	}
	return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: fmt.Sprintf("the emulator does not support the task resource %q", resource)}
}

func withField(m map[string]any, k string, v any) map[string]any {
	c := make(map[string]any, len(m))
	for kk, vv := range m {
		c[kk] = vv
	}
	c[k] = v
	return c
}

// compact is a JSON value as the string Step Functions sends where a service takes a string.
func compact(v any) string {
	return string(asl.EncodeJSON(v))
}

// pascal is an action name as the API spells it: getItem → GetItem.
func pascal(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// sdkMetadata is what Step Functions adds to the answer of an optimized integration.
func sdkMetadata(out map[string]any, length int) {
	reqID := awsjson.RequestID()
	contentLength, date := strconv.Itoa(length), httpDate(time.Now())
	const contentType = "application/x-amz-json-1.0"
	out["SdkHttpMetadata"] = map[string]any{
		"AllHttpHeaders": map[string]any{
			"Content-Length":   []any{contentLength},
			"Content-Type":     []any{contentType},
			"Date":             []any{date},
			"x-amzn-RequestId": []any{reqID},
		},
		"HttpHeaders": map[string]any{
			"Content-Length":   contentLength,
			"Content-Type":     contentType,
			"Date":             date,
			"x-amzn-RequestId": reqID,
		},
		"HttpStatusCode": json.Number("200"),
	}
	out["SdkResponseMetadata"] = map[string]any{"RequestId": reqID}
}

// lastDate is the most recent Date header httpDate wrote, with the second it is for: an
// integration's answer carries one, and many answers share a second.
var lastDate atomic.Pointer[datedSecond]

type datedSecond struct {
	unix int64
	text string
}

// httpDate is t as an HTTP Date header (http.TimeFormat), formatted once a second.
func httpDate(t time.Time) string {
	sec := t.Unix()
	if d := lastDate.Load(); d != nil && d.unix == sec {
		return d.text
	}
	d := &datedSecond{unix: sec, text: t.UTC().Format(http.TimeFormat)}
	lastDate.Store(d)
	return d.text
}

// serviceFailure names a service's API error as Step Functions reports it: "<prefix>.<Code>"
// with Exception appended where the code lacks it, and the generic exception (the SDK's base
// exception class, e.g. DynamoDB.AmazonDynamoDBException) for server errors the service's SDK
// does not model: InternalFailure and ServiceUnavailable, AWS's common errors
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html), which a
// regional outage answers. The cause reads like the Java SDK's message, which AWS shows.
func serviceFailure(err error, prefix, generic, serviceID string) error {
	var apiErr *sim.APIError
	if !errors.As(err, &apiErr) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &asl.Failure{Name: prefix + ".SdkClientException", Cause: err.Error()}
	}
	code := apiErr.Code
	if i := strings.LastIndexAny(code, "#."); i >= 0 {
		code = code[i+1:]
	}
	name := generic
	if code != "" && !(apiErr.Status >= 500 && (code == "InternalFailure" || code == "ServiceUnavailable")) {
		if !strings.HasSuffix(code, "Exception") {
			code += "Exception"
		}
		name = code
	}
	status := apiErr.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	return &asl.Failure{Name: prefix + "." + name, Cause: fmt.Sprintf("%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		apiErr.Message, serviceID, status, apiErr.Code, awsjson.RequestID())}
}

// call runs op on a service with params as its JSON body and answers the decoded result.
func (in *integrations) call(ctx context.Context, service, op string, params map[string]any, prefix, generic string, metadata bool) (any, error) {
	out, err := in.s.env.Call(ctx, service, op, asl.EncodeJSON(params))
	if err != nil {
		return nil, serviceFailure(err, prefix, generic, serviceID(service))
	}
	v, err := decodeJSON(out)
	if err != nil {
		return nil, &asl.Failure{Name: prefix + ".SdkClientException", Cause: err.Error()}
	}
	if m, ok := v.(map[string]any); ok && metadata {
		sdkMetadata(m, len(out))
	}
	return v, nil
}

func serviceID(service string) string {
	switch service {
	case "dynamodb":
		return "AmazonDynamoDBv2"
	case "sqs":
		return "AmazonSQS"
	case "events":
		return "AmazonCloudWatchEvents"
	case "lambda":
		return "AWSLambda"
	case "states":
		return "AWSStepFunctions"
	}
	return service
}

func decodeJSON(b []byte) (any, error) {
	if v, ok := jsonvalue.Parse(b); ok {
		return v, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// lambda is arn:aws:states:::lambda:invoke
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html): the answer is
// Invoke's with the payload decoded; a function error fails the task with the function's
// errorType (Lambda.Unknown when it has none) and the error payload as cause; Lambda's API
// errors are Lambda.<Exception>.
func (in *integrations) lambda(ctx context.Context, params map[string]any) (map[string]any, error) {
	fn, _ := params["FunctionName"].(string)
	if fn == "" {
		return nil, &asl.Failure{Name: "Lambda.InvalidParameterValueException", Cause: "FunctionName is required"}
	}
	req := map[string]any{"FunctionName": fn}
	if t, ok := params["InvocationType"].(string); ok && t != "" {
		req["InvocationType"] = t
	}
	if q, ok := params["Qualifier"].(string); ok && q != "" {
		req["Qualifier"] = q
	}
	payload := []byte("{}")
	if p, ok := params["Payload"]; ok {
		payload = asl.EncodeJSON(p)
	}
	req["Payload"] = json.RawMessage(payload)
	body, _ := json.Marshal(req)
	out, err := in.s.env.Call(ctx, "lambda", "Invoke", body)
	if err != nil {
		var apiErr *sim.APIError
		if errors.As(err, &apiErr) && apiErr.Status >= 500 && !strings.HasSuffix(apiErr.Code, "Exception") {
			return nil, serviceFailure(&sim.APIError{Status: apiErr.Status, Code: "ServiceException", Message: apiErr.Message}, "Lambda", "AWSLambdaException", "AWSLambda")
		}
		return nil, serviceFailure(err, "Lambda", "AWSLambdaException", "AWSLambda")
	}
	var res struct {
		StatusCode      int             `json:"StatusCode"`
		FunctionError   string          `json:"FunctionError"`
		ExecutedVersion string          `json:"ExecutedVersion"`
		Payload         json.RawMessage `json:"Payload"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, &asl.Failure{Name: "Lambda.SdkClientException", Cause: err.Error()}
	}
	if res.FunctionError != "" {
		var fe struct {
			ErrorType string `json:"errorType"`
		}
		_ = json.Unmarshal(res.Payload, &fe)
		name := fe.ErrorType
		if name == "" {
			name = "Lambda.Unknown"
		}
		return nil, &asl.Failure{Name: name, Cause: string(res.Payload)}
	}
	result := map[string]any{"StatusCode": json.Number(strconv.Itoa(res.StatusCode))}
	if res.ExecutedVersion != "" {
		result["ExecutedVersion"] = res.ExecutedVersion
	}
	if len(res.Payload) > 0 {
		if v, err := decodeJSON(res.Payload); err == nil {
			result["Payload"] = v
		} else {
			result["Payload"] = string(res.Payload)
		}
	} else if res.StatusCode != http.StatusAccepted {
		result["Payload"] = nil
	}
	sdkMetadata(result, len(res.Payload))
	return result, nil
}

// putEvents is arn:aws:states:::events:putEvents
// (https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html): a Detail
// given as an object is sent as its JSON text; failed entries fail the task with
// EventBridge.FailedEntry.
func (in *integrations) putEvents(ctx context.Context, params map[string]any) (any, error) {
	entries, _ := params["Entries"].([]any)
	conv := make([]any, 0, len(entries))
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			conv = append(conv, e)
			continue
		}
		if d, ok := m["Detail"]; ok {
			if _, isString := d.(string); !isString {
				m = withField(m, "Detail", compact(d))
			}
		}
		conv = append(conv, m)
	}
	v, err := in.call(ctx, "events", "PutEvents", withField(params, "Entries", conv), "EventBridge", "AmazonEventBridgeException", false)
	if err != nil {
		return nil, err
	}
	if m, ok := v.(map[string]any); ok {
		if n, _ := m["FailedEntryCount"].(json.Number); n != "" && n != "0" {
			return nil, &asl.Failure{Name: "EventBridge.FailedEntry", Cause: compact(m)}
		}
	}
	return v, nil
}

// awsSDK is arn:aws:states:::aws-sdk:<service>:<action>
// (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):
// parameters and results are the API's shapes in PascalCase, errors
// "<ServiceName>.<Exception>" with the SDK's service name (DynamoDb, Sqs, Sfn, EventBridge,
// Lambda).
func (in *integrations) awsSDK(ctx context.Context, service, action string, params map[string]any) (any, error) {
	op := pascal(action)
	switch service {
	case "dynamodb":
		return in.call(ctx, "dynamodb", op, params, "DynamoDb", "DynamoDbException", false)
	case "sqs":
		return in.call(ctx, "sqs", op, params, "Sqs", "SqsException", false)
	case "eventbridge":
		return in.call(ctx, "events", op, params, "EventBridge", "EventBridgeException", false)
	case "lambda":
		if op == "Invoke" {
			out, err := in.lambda(ctx, params)
			if err != nil {
				return nil, err
			}
			delete(out, "SdkHttpMetadata")
			delete(out, "SdkResponseMetadata")
			return out, nil
		}
	case "sfn":
		// Step Functions' own API is camelCase on the wire.
		body := asl.EncodeJSON(recase(params, false))
		out, err := in.s.Call(ctx, op, body)
		if err != nil {
			return nil, serviceFailure(err, "Sfn", "SfnException", "AWSStepFunctions")
		}
		v, err := decodeJSON(out)
		if err != nil {
			return nil, &asl.Failure{Name: "Sfn.SdkClientException", Cause: err.Error()}
		}
		return recase(v, true), nil
	}
	return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: fmt.Sprintf("the emulator does not support the AWS SDK integration %s:%s", service, action)}
}

// recase turns the keys of v to PascalCase (up) or camelCase.
func recase(v any, up bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r := []rune(k)
			if len(r) > 0 {
				if up {
					r[0] = unicode.ToUpper(r[0])
				} else {
					r[0] = unicode.ToLower(r[0])
				}
			}
			out[string(r)] = recase(e, up)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = recase(e, up)
		}
		return out
	}
	return v
}

// startExecution is arn:aws:states:::states:startExecution, .sync, .sync:2 and
// .waitForTaskToken (https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html).
// The child runs in this service with the parent's execution ARN recorded; .sync answers the
// child's description with Input and Output as JSON text, .sync:2 as JSON values.
func (in *integrations) startExecution(ctx context.Context, params map[string]any, pattern string) (any, error) {
	smArn, _ := params["StateMachineArn"].(string)
	sm, err := in.s.machineByArn(smArn)
	if err != nil {
		return nil, serviceFailure(err, "StepFunctions", "AWSStepFunctionsException", "AWSStepFunctions")
	}
	input := "{}"
	switch v := params["Input"].(type) {
	case nil:
	case string:
		input = v
	default:
		input = compact(v)
	}
	name, _ := params["Name"].(string)
	sync := pattern == "sync" || pattern == "sync:2"
	req := startRequest{sm: sm, name: name, input: input, parent: in.ex.arn, op: "StartExecution"}
	req.sync = sync && sm.typ == TypeExpress
	child, err := in.s.execute(ctx, req)
	if err != nil {
		return nil, serviceFailure(err, "StepFunctions", "AWSStepFunctionsException", "AWSStepFunctions")
	}
	if !sync {
		out := map[string]any{"ExecutionArn": child.arn, "StartDate": millis(child.start)}
		sdkMetadata(out, 0)
		return out, nil
	}
	select {
	case <-child.done:
	case <-ctx.Done():
		// The parent task ended (stopped or timed out): the child is stopped too.
		if child.handle != nil {
			child.handle.Stop("", "")
		}
		return nil, ctx.Err()
	}
	status, output, errName, cause, stop := child.snapshot()
	desc := map[string]any{
		"ExecutionArn": child.arn, "StateMachineArn": sm.arn, "Name": child.name, "Status": status,
		"StartDate": millis(child.start), "StopDate": millis(stop), "Input": child.input,
		"InputDetails": map[string]any{"Included": true}, "RedriveCount": json.Number("0"), "RedriveStatus": "NOT_REDRIVABLE",
	}
	if status == asl.StatusSucceeded {
		desc["Output"] = output
		desc["OutputDetails"] = map[string]any{"Included": true}
	} else {
		desc["Error"], desc["Cause"] = errName, cause
	}
	if pattern == "sync:2" {
		desc["Input"], _ = decodeJSON([]byte(child.input))
		if status == asl.StatusSucceeded {
			desc["Output"], _ = decodeJSON([]byte(output))
		}
	}
	if status != asl.StatusSucceeded {
		return nil, &asl.Failure{Name: asl.ErrTaskFailed, Cause: compact(desc)}
	}
	return desc, nil
}

func millis(t time.Time) json.Number { return json.Number(strconv.FormatInt(t.UnixMilli(), 10)) }
