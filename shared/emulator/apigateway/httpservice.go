package apigateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// serviceIntegration is an HTTP API AWS_PROXY integration with an IntegrationSubtype: its
// RequestParameters, evaluated per request, are the parameters of one AWS action
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html).
type serviceIntegration struct {
	subtype string
	spec    *subtypeSpec
	params  map[string]string // parameter → mapping expression
	timeout time.Duration
}

// subtypeSpec describes one subtype: the service and action it calls, its required and
// optional parameters, and how they become the action's JSON input.
type subtypeSpec struct {
	service, action string
	required        []string
	optional        []string
	input           func(p map[string]string) (map[string]any, error)
}

var subtypes = map[string]*subtypeSpec{
	"SQS-SendMessage": {service: "sqs", action: "SendMessage",
		required: []string{"QueueUrl", "MessageBody"},
		optional: []string{"DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId", "MessageSystemAttributes", "Region"},
		input: func(p map[string]string) (map[string]any, error) {
			in := map[string]any{"QueueUrl": p["QueueUrl"], "MessageBody": p["MessageBody"]}
			if v := p["DelaySeconds"]; v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, sim.Errorf(http.StatusBadRequest, "InvalidParameterValue", "Value %s for parameter DelaySeconds is invalid.", v)
				}
				in["DelaySeconds"] = n
			}
			for _, k := range []string{"MessageDeduplicationId", "MessageGroupId"} {
				if v := p[k]; v != "" {
					in[k] = v
				}
			}
			for _, k := range []string{"MessageAttributes", "MessageSystemAttributes"} {
				if v := p[k]; v != "" {
					var m map[string]any
					if err := json.Unmarshal([]byte(v), &m); err != nil {
						return nil, sim.Errorf(http.StatusBadRequest, "InvalidParameterValue", "%s must be a JSON object: %v", k, err)
					}
					in[k] = m
				}
			}
			return in, nil
		}},
	"StepFunctions-StartExecution":     sfnSpec("StartExecution"),
	"StepFunctions-StartSyncExecution": sfnSpec("StartSyncExecution"),
	"EventBridge-PutEvents": {service: "events", action: "PutEvents",
		required: []string{"Detail", "DetailType", "Source"},
		optional: []string{"Time", "EventBusName", "Resources", "Region", "TraceHeader"},
		input: func(p map[string]string) (map[string]any, error) {
			e := map[string]any{"Detail": p["Detail"], "DetailType": p["DetailType"], "Source": p["Source"]}
			for _, k := range []string{"Time", "EventBusName", "TraceHeader"} {
				if v := p[k]; v != "" {
					e[k] = v
				}
			}
			if v := p["Resources"]; v != "" {
				var list []string
				if err := json.Unmarshal([]byte(v), &list); err != nil {
					list = strings.Split(v, ",")
				}
				e["Resources"] = list
			}
			return map[string]any{"Entries": []any{e}}, nil
		}},
}

func sfnSpec(action string) *subtypeSpec {
	return &subtypeSpec{service: "states", action: action,
		required: []string{"StateMachineArn"},
		optional: []string{"Name", "Input", "Region", "TraceHeader"},
		input: func(p map[string]string) (map[string]any, error) {
			in := map[string]any{"stateMachineArn": p["StateMachineArn"]}
			for k, field := range map[string]string{"Name": "name", "Input": "input", "TraceHeader": "traceHeader"} {
				if v := p[k]; v != "" {
					in[field] = v
				}
			}
			return in, nil
		}}
}

func (s *Service) provisionServiceIntegration(res *cfn.Resource, p *integrationProps) (sim.Physical, error) {
	spec := subtypes[p.IntegrationSubtype]
	switch {
	case p.IntegrationType != "AWS_PROXY":
		return sim.Physical{}, propError(res, "IntegrationType", "an integration with a subtype is AWS_PROXY, got %q", p.IntegrationType)
	case spec == nil:
		return sim.Physical{}, propError(res, "IntegrationSubtype", "%q is not supported yet; the emulator has SQS-SendMessage, StepFunctions-StartExecution, StepFunctions-StartSyncExecution and EventBridge-PutEvents", p.IntegrationSubtype)
	case p.PayloadFormatVersion != "" && p.PayloadFormatVersion != "1.0":
		return sim.Physical{}, propError(res, "PayloadFormatVersion", "AWS service integrations use 1.0, got %q", p.PayloadFormatVersion)
	case len(p.ResponseParameters) > 0:
		return sim.Physical{}, propError(res, "ResponseParameters", "response parameter mapping is not supported yet")
	case len(p.RequestTemplates) > 0:
		return sim.Physical{}, propError(res, "RequestTemplates", "HTTP APIs have no mapping templates")
	}
	for _, k := range spec.required {
		if p.RequestParameters[k] == "" {
			return sim.Physical{}, propError(res, "RequestParameters", "%s needs the parameter %s", p.IntegrationSubtype, k)
		}
	}
	for _, k := range sortedKeys(p.RequestParameters) {
		if !contains(spec.required, k) && !contains(spec.optional, k) {
			return sim.Physical{}, propError(res, "RequestParameters", "%s has no parameter %q (it takes %s and %s)", p.IntegrationSubtype, k,
				strings.Join(spec.required, ", "), strings.Join(spec.optional, ", "))
		}
	}
	timeout, err := integrationTimeout(p.TimeoutInMillis, maxHTTPTimeoutMillis)
	if err != nil {
		return sim.Physical{}, propError(res, "TimeoutInMillis", "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.httpAPIs[p.ApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "ApiId", "no HTTP API %q has been provisioned", p.ApiId)
	}
	id := physicalID("integration/"+api.id+"/"+res.LogicalID, 7)
	s.integrations[id] = &integration{apiID: api.id,
		service: &serviceIntegration{subtype: p.IntegrationSubtype, spec: spec, params: p.RequestParameters, timeout: timeout}}
	return sim.Physical{Ref: id, Attrs: map[string]any{"IntegrationId": id}}, nil
}

var httpBadRequest = jsonReply(http.StatusBadRequest, `{"message":"Bad Request"}`, "")

// runService answers an HTTP API route whose integration calls an AWS service: the request
// parameters evaluated, the action called through Env.Call, its JSON answer returned with 200,
// an error with the service's status and JSON error body.
func (s *Service) runService(ctx context.Context, r *http.Request, q eventRequest, body []byte) (*reply, sim.Outcome) {
	si := q.ep.service
	ev := &httpMapping{r: r, q: q, body: body, accountID: s.env.AccountID}
	values := make(map[string]string, len(si.params))
	for k, expr := range si.params {
		v, ok := ev.eval(expr)
		if !ok && contains(si.spec.required, k) {
			return httpBadRequest, ""
		}
		values[k] = v
	}
	for _, k := range si.spec.required {
		if values[k] == "" {
			return httpBadRequest, ""
		}
	}
	in, err := si.spec.input(values)
	var out []byte
	ictx, cancel := sim.WithTimeout(ctx, s.env.Clock, si.timeout)
	if err == nil {
		raw, _ := json.Marshal(in)
		out, err = s.env.Call(ictx, si.spec.service, si.spec.action, raw)
	}
	timedOut := errors.Is(context.Cause(ictx), context.DeadlineExceeded)
	cancel()
	switch {
	case ctx.Err() != nil:
		return canceled, sim.Canceled
	case timedOut:
		return httpTimeout, sim.TimedOut
	}
	var res backendResult
	if si.spec.service == "sqs" {
		// SQS answers API Gateway in its query protocol's JSON form.
		var apiErr *sim.APIError
		if err != nil && !errors.As(err, &apiErr) {
			return httpInternal, ""
		}
		if apiErr != nil {
			res = sqsErrorResult(apiErr, q.ids.apigwID, false)
		} else {
			var result map[string]any
			_ = json.Unmarshal(out, &result)
			r := map[string]any{}
			for _, k := range []string{"MD5OfMessageAttributes", "MD5OfMessageBody", "MD5OfMessageSystemAttributes", "MessageId", "SequenceNumber"} {
				r[k] = result[k]
			}
			b, _ := json.Marshal(map[string]any{"SendMessageResponse": map[string]any{
				"SendMessageResult": r, "ResponseMetadata": map[string]any{"RequestId": q.ids.apigwID}}})
			res = backendResult{status: http.StatusOK, body: b}
		}
	} else if res, err = actionResult(si.spec.service, out, err); err != nil {
		return httpInternal, ""
	}
	return &reply{status: res.status, header: http.Header{"Content-Type": {"application/json"}}, body: res.body}, ""
}

// httpMapping evaluates HTTP API parameter mapping expressions
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html):
// $request.body.<JSONPath>, $request.header.<name>, $request.querystring.<name>,
// $request.path.<name>, $context.<name>, $stageVariables.<name>, static text, and any of them
// inside text as ${request.header.x}.
type httpMapping struct {
	r         *http.Request
	q         eventRequest
	body      []byte
	accountID string
	ctxMap    map[string]any
}

func (m *httpMapping) eval(expr string) (string, bool) {
	if strings.HasPrefix(expr, "$") && !strings.HasPrefix(expr, "${") && !strings.ContainsAny(expr, " ") {
		return m.ref(expr[1:])
	}
	if !strings.Contains(expr, "${") {
		return expr, true
	}
	var b strings.Builder
	rest := expr
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		v, _ := m.ref(rest[i+2 : i+end])
		b.WriteString(v)
		rest = rest[i+end+1:]
	}
	return b.String(), true
}

func (m *httpMapping) ref(name string) (string, bool) {
	switch {
	case name == "request.body":
		return string(m.body), true
	case strings.HasPrefix(name, "request.body."):
		return jsonField(m.body, name[len("request.body."):])
	case strings.HasPrefix(name, "request.header."):
		vs := m.r.Header.Values(name[len("request.header."):])
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(name, "request.querystring."):
		vs := m.r.URL.Query()[name[len("request.querystring."):]]
		return strings.Join(vs, ","), len(vs) > 0
	case strings.HasPrefix(name, "request.path."):
		v, ok := m.q.params[name[len("request.path."):]]
		return v, ok
	case strings.HasPrefix(name, "context."):
		return contextValue(m.context(), name[len("context."):])
	case strings.HasPrefix(name, "stageVariables."):
		v, ok := m.q.variables[name[len("stageVariables."):]]
		return v, ok
	}
	return "", false
}

func (m *httpMapping) context() map[string]any {
	if m.ctxMap == nil {
		path := decodedPath(m.q.escapedPath)
		if m.q.stage != defaultStage {
			path = "/" + m.q.stage + path
		}
		m.ctxMap = map[string]any{
			"accountId": m.accountID, "apiId": m.q.apiID, "stage": m.q.stage, "routeKey": m.q.ep.routeKey,
			"requestId": m.q.ids.apigwID, "extendedRequestId": m.q.ids.apigwID, "httpMethod": m.r.Method,
			"path": path, "protocol": m.r.Proto, "domainName": m.r.Host, "domainPrefix": domainPrefix(m.r.Host),
			"requestTime": requestTime(m.q.now), "requestTimeEpoch": m.q.now.UnixMilli(),
			"identity": map[string]any{"sourceIp": sourceIP(m.r), "userAgent": m.r.UserAgent()},
		}
	}
	return m.ctxMap
}
