package apigateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway/vtl"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Backends of a mapped (non-proxy) REST integration.
const (
	backendAction  = "action"   // arn:aws:apigateway:<region>:<service>:action/<Op>
	backendSQSPath = "sqs-path" // arn:aws:apigateway:<region>:sqs:path/<account>/<queue>
	backendLambda  = "lambda"   // arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations
	backendMock    = "mock"
	backendHTTP    = "http"
)

// mappedIntegration is a REST integration of type AWS, MOCK or HTTP: request parameters and a
// request template shape what the backend gets, integration responses shape what the client
// gets (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-integration-types.html).
type mappedIntegration struct {
	backend     string
	service     string // AWS: the URI's service ("states", "dynamodb", "sqs", "events")
	action      string // action/<Op>
	queuePath   string // sqs path/<account>/<queue>
	functionARN string // Lambda non-proxy
	uri         string // HTTP: the endpoint URL, with {name} path parameters
	httpMethod  string
	timeout     time.Duration
	passthrough string                   // WHEN_NO_MATCH (default), WHEN_NO_TEMPLATES, NEVER
	templates   map[string]*vtl.Template // request templates by content type
	params      []paramMapping           // integration.request.{header,querystring,path}.*
	responses   []*integrationResponse   // those with a SelectionPattern, in declared order
	fallback    *integrationResponse     // the one without
}

// integrationResponse is one of Integration.IntegrationResponses.
type integrationResponse struct {
	status    int
	pattern   *regexp.Regexp
	params    []paramMapping
	templates map[string]*vtl.Template
}

// mappedEndpoint builds the endpoint of an AWS, HTTP or templated MOCK integration.
func mappedEndpoint(res *cfn.Resource, ip *restIntegrationProps) (*endpoint, error) {
	m := &mappedIntegration{httpMethod: strings.ToUpper(ip.IntegrationHttpMethod), passthrough: ip.PassthroughBehavior}
	switch ip.PassthroughBehavior {
	case "":
		m.passthrough = "WHEN_NO_MATCH"
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return nil, propError(res, "Integration.PassthroughBehavior", "want WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER, got %q", ip.PassthroughBehavior)
	}
	switch {
	case ip.ConnectionType == "VPC_LINK" || ip.ConnectionId != "":
		return nil, propError(res, "Integration.ConnectionType", "VPC links are not supported")
	case ip.ContentHandling != "":
		return nil, propError(res, "Integration.ContentHandling", "content handling (binary conversion) is not supported yet")
	case strings.Contains(ip.Uri, "${stageVariables."):
		return nil, propError(res, "Integration.Uri", "stage variables in the integration URI are not supported yet")
	}
	switch ip.Type {
	case "MOCK":
		m.backend = backendMock
	case "HTTP":
		u, err := url.Parse(ip.Uri)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, propError(res, "Integration.Uri", "an HTTP integration needs an http(s) URL, got %q", ip.Uri)
		}
		if !httpMethods[m.httpMethod] || m.httpMethod == "ANY" {
			return nil, propError(res, "Integration.IntegrationHttpMethod", "want the HTTP method to call the endpoint with, got %q", ip.IntegrationHttpMethod)
		}
		m.backend, m.uri = backendHTTP, ip.Uri
	case "AWS":
		if err := m.parseAWSURI(ip.Uri); err != nil {
			return nil, propError(res, "Integration.Uri", "%v", err)
		}
		if m.httpMethod != "POST" && m.backend != backendSQSPath {
			return nil, propError(res, "Integration.IntegrationHttpMethod", "AWS service actions are called with POST, got %q", ip.IntegrationHttpMethod)
		}
	}
	var err error
	if m.timeout, err = integrationTimeout(ip.TimeoutInMillis, maxRESTTimeoutMillis); err != nil {
		return nil, propError(res, "Integration.TimeoutInMillis", "%v", err)
	}
	if m.templates, err = compileTemplates("RequestTemplates", ip.RequestTemplates); err != nil {
		return nil, propError(res, "Integration.RequestTemplates", "%v", err)
	}
	if m.params, err = parseMappings(ip.RequestParameters, "integration.request.", "header", "querystring", "path"); err != nil {
		return nil, propError(res, "Integration.RequestParameters", "%v", err)
	}
	for i, irp := range ip.IntegrationResponses {
		where := fmt.Sprintf("Integration.IntegrationResponses[%d]", i)
		ir := &integrationResponse{}
		if ir.status, err = strconv.Atoi(irp.StatusCode); err != nil || ir.status < 100 || ir.status > 599 {
			return nil, propError(res, where+".StatusCode", "want an HTTP status code, got %q", irp.StatusCode)
		}
		if irp.ContentHandling != "" {
			return nil, propError(res, where+".ContentHandling", "content handling (binary conversion) is not supported yet")
		}
		if ir.templates, err = compileTemplates("ResponseTemplates", irp.ResponseTemplates); err != nil {
			return nil, propError(res, where+".ResponseTemplates", "%v", err)
		}
		if ir.params, err = parseMappings(irp.ResponseParameters, "method.response.", "header"); err != nil {
			return nil, propError(res, where+".ResponseParameters", "%v", err)
		}
		if irp.SelectionPattern == "" {
			if m.fallback != nil {
				return nil, propError(res, where+".SelectionPattern", "only one integration response may be the default (no SelectionPattern)")
			}
			m.fallback = ir
			continue
		}
		// Java's String.matches: the pattern must match the whole text.
		if ir.pattern, err = regexp.Compile(`^(?:` + irp.SelectionPattern + `)$`); err != nil {
			return nil, propError(res, where+".SelectionPattern", "%v", err)
		}
		m.responses = append(m.responses, ir)
	}
	return &endpoint{mapped: m}, nil
}

// parseAWSURI reads arn:aws:apigateway:<region>:<service>:action/<Op> or :path/<path>.
func (m *mappedIntegration) parseAWSURI(uri string) error {
	a, err := arn.Parse(uri)
	if err != nil || a.Service != "apigateway" {
		return fmt.Errorf("want arn:aws:apigateway:<region>:<service>:action/<Action> or :path/<path>, got %q", uri)
	}
	// "sqs", or the subdomain form "<subdomain>.<service>", e.g. "sync.states" for
	// StartSyncExecution's sync- endpoint: the service is the last part.
	service := a.AccountID
	if i := strings.LastIndex(service, "."); i >= 0 {
		service = service[i+1:]
	}
	m.service = service
	kind, rest, _ := strings.Cut(a.Resource, "/")
	switch {
	case service == "lambda" && kind == "path":
		fn, err := functionFromInvocationURI(uri)
		if err != nil {
			return err
		}
		m.backend, m.functionARN = backendLambda, fn
	case kind == "action" && rest != "":
		op, query, _ := strings.Cut(rest, "&")
		if query != "" {
			return fmt.Errorf("action parameters in the URI (%q) are not supported yet; map them with RequestParameters or the template", query)
		}
		m.backend, m.action = backendAction, op
	case kind == "path" && service == "sqs":
		account, queue, ok := strings.Cut(rest, "/")
		if !ok || account == "" || queue == "" || strings.Contains(queue, "/") {
			return fmt.Errorf("want sqs:path/<account>/<queue name>, got %q", uri)
		}
		m.backend, m.queuePath = backendSQSPath, rest
	case kind == "path":
		return fmt.Errorf("path-style URIs are supported for SQS only, got %s (use action/<Action>)", service)
	default:
		return fmt.Errorf("want action/<Action> or path/<path> after the service, got %q", a.Resource)
	}
	return nil
}

// Errors a mapped integration answers with, as API Gateway words them.
var (
	restUnsupportedMedia = jsonReply(http.StatusUnsupportedMediaType, `{"message": "Unsupported Media Type"}`, "UnsupportedMediaTypeException")
)

// integrationRequest is what the backend is called with.
type integrationRequest struct {
	header http.Header
	query  url.Values
	path   map[string]string
	body   []byte
}

// backendResult is the backend's answer: the integration response before mapping.
type backendResult struct {
	status      int
	header      http.Header
	body        []byte
	lambdaError string // a Lambda non-proxy function error's errorMessage, matched by SelectionPattern
	failed      bool   // the function failed (errorMessage may be empty)
}

// runMethod runs a REST method's request validation and, for a mapped integration, the whole
// non-proxy pipeline. It returns a nil reply when the request should go on to a Lambda proxy or
// static integration. log, when set, collects the execution log TestInvokeMethod returns.
func (s *Service) runMethod(ctx context.Context, q *methodRequest, log *execLog) (*reply, sim.Outcome) {
	if log != nil {
		log.printf("HTTP Method: %s, Resource Path: %s", q.r.Method, q.ep.path)
		log.printf("Method request path: %s", javaMap(q.params, func(s string) string { return s }))
		log.printf("Method request query string: %s", javaMap(q.r.URL.Query(), func(v []string) string { return strings.Join(v, ",") }))
		log.printf("Method request headers: %s", headerMap(q.r.Header))
		log.printf("Method request body before transformations: %s", q.body)
	}
	if q.ep.validation != nil {
		if rp := s.validate(q, log); rp != nil {
			log.printf("Method completed with status: %d", rp.status)
			return rp, ""
		}
	}
	m := q.ep.mapped
	if m == nil {
		return nil, ""
	}
	acct := s.env.AccountID

	// Integration request: parameters, then the template.
	ir := &integrationRequest{header: http.Header{}, query: url.Values{}, path: map[string]string{}}
	src := mappingSources{q: q, account: acct}
	for _, p := range m.params {
		v, ok := src.value(p.source)
		if !ok {
			continue
		}
		switch p.where {
		case "header":
			ir.header.Set(p.name, v)
		case "querystring":
			ir.query.Set(p.name, v)
		case "path":
			ir.path[p.name] = v
		}
	}
	ct := mediaType(q.r.Header.Get("Content-Type"))
	if ct == "" {
		ct = "application/json" // API Gateway's default when the client sends none
	}
	var reqOverride vtl.RequestOverride
	tmpl, found := m.templates[ct]
	switch {
	case found:
		in := q.templateInput(acct, tmpl)
		out, err := tmpl.Render(in)
		if err != nil {
			log.printf("Execution failed due to configuration error: %v", err)
			var bodyErr *vtl.BodyError
			if errors.As(err, &bodyErr) {
				return jsonReply(http.StatusBadRequest, fmt.Sprintf(`{"message": "Could not parse request body into json: %s"}`, jsonEscape(bodyErr.Err.Error())), "BadRequestException"), ""
			}
			return restInternal, ""
		}
		ir.body = []byte(out.Body)
		reqOverride = out.RequestOverride
		for k, v := range out.RequestOverride.Header {
			ir.header.Set(k, v)
		}
		for k, v := range out.RequestOverride.QueryString {
			ir.query.Set(k, v)
		}
		for k, v := range out.RequestOverride.Path {
			ir.path[k] = v
		}
	case m.passthrough == "NEVER", m.passthrough == "WHEN_NO_TEMPLATES" && len(m.templates) > 0:
		// https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
		log.printf("Execution failed: no mapping template for content type %s and passthrough behavior %s", ct, m.passthrough)
		log.printf("Method completed with status: 415")
		return restUnsupportedMedia, ""
	default:
		ir.body = q.body
	}

	// The backend, on the integration's timeout.
	if log != nil {
		log.printf("Endpoint request URI: %s", m.endpointURI(s.env.Region, ir))
		log.printf("Endpoint request headers: %s", headerMap(ir.header))
		log.printf("Endpoint request body after transformations: %s", ir.body)
		log.printf("Sending request to %s", m.endpointURI(s.env.Region, ir))
	}
	started := s.env.Now()
	ictx, cancel := sim.WithTimeout(ctx, s.env.Clock, m.timeout)
	res, err := s.callBackend(ictx, m, ir, q)
	timedOut := errors.Is(context.Cause(ictx), context.DeadlineExceeded)
	cancel()
	switch {
	case ctx.Err() != nil:
		return canceled, sim.Canceled
	case timedOut:
		log.printf("Execution failed due to a timeout error")
		log.printf("Method completed with status: 504")
		return restTimeout, sim.TimedOut
	case err != nil:
		log.printf("Execution failed due to configuration error: %v", err)
		log.printf("Method completed with status: 500")
		return restInternal, ""
	}
	if log != nil {
		log.printf("Received response. Status: %d, Integration latency: %d ms", res.status, s.env.Now().Sub(started).Milliseconds())
		log.printf("Endpoint response headers: %s", headerMap(res.header))
		log.printf("Endpoint response body before transformations: %s", res.body)
	}

	// Integration response: selection, parameters, template, overrides.
	resp := m.selectResponse(res)
	if resp == nil {
		log.printf("Execution failed due to configuration error: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: %d", res.status)
		log.printf("Method completed with status: 500")
		return restInternal, ""
	}
	rp := &reply{status: resp.status, header: http.Header{}}
	rsrc := mappingSources{q: q, account: acct, respHdr: res.header, respBody: res.body}
	for _, p := range resp.params {
		if v, ok := rsrc.value(p.source); ok {
			rp.header.Set(p.name, v)
		}
	}
	rct, rt := responseTemplate(resp.templates, q.r.Header.Values("Accept"))
	if rt == nil {
		rp.body = res.body
		rct = "application/json"
	} else {
		in := q.templateInput(acct, rt)
		hdr := make(map[string]string, len(res.header))
		for k, vs := range res.header {
			hdr[k] = vs[len(vs)-1]
		}
		in.Response = &vtl.IntegrationResponse{Body: string(res.body), StatusCode: res.status, Headers: hdr}
		in.RequestOverride = reqOverride
		out, err := rt.Render(in)
		if err != nil {
			log.printf("Execution failed due to configuration error: %v", err)
			log.printf("Method completed with status: 500")
			return restInternal, ""
		}
		rp.body = []byte(out.Body)
		if out.ResponseOverride.Status != 0 {
			rp.status = out.ResponseOverride.Status
		}
		for k, v := range out.ResponseOverride.Header {
			rp.header.Set(k, v)
		}
	}
	if rp.header.Get("Content-Type") == "" {
		rp.header.Set("Content-Type", rct)
	}
	if log != nil {
		log.printf("Method response body after transformations: %s", rp.body)
		log.printf("Method response headers: %s", headerMap(rp.header))
		log.printf("Successfully completed execution")
		log.printf("Method completed with status: %d", rp.status)
	}
	return rp, ""
}

// selectResponse picks the integration response: a Lambda function error's errorMessage, or
// else the backend's status code, matched in full against each SelectionPattern; the default
// (no pattern) when none matches
// (https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html, selectionPattern).
func (m *mappedIntegration) selectResponse(res backendResult) *integrationResponse {
	subject := strconv.Itoa(res.status)
	if m.backend == backendLambda {
		if !res.failed {
			return m.fallback
		}
		subject = res.lambdaError
	}
	for _, ir := range m.responses {
		if ir.pattern.MatchString(subject) {
			return ir
		}
	}
	return m.fallback
}

// endpointURI is the URL AWS would call, for the execution log.
func (m *mappedIntegration) endpointURI(region string, ir *integrationRequest) string {
	switch m.backend {
	case backendAction:
		return "https://" + m.service + "." + region + ".amazonaws.com/?Action=" + m.action
	case backendSQSPath:
		return "https://sqs." + region + ".amazonaws.com/" + m.queuePath
	case backendLambda:
		return "https://lambda." + region + ".amazonaws.com/2015-03-31/functions/" + m.functionARN + "/invocations"
	case backendHTTP:
		return m.httpURL(ir)
	}
	return "(mock)"
}

func (m *mappedIntegration) httpURL(ir *integrationRequest) string {
	u := m.uri
	for k, v := range ir.path {
		u = strings.ReplaceAll(u, "{"+k+"}", url.PathEscape(v))
	}
	if len(ir.query) > 0 {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + ir.query.Encode()
	}
	return u
}

// callBackend calls the integration's backend.
func (s *Service) callBackend(ctx context.Context, m *mappedIntegration, ir *integrationRequest, q *methodRequest) (backendResult, error) {
	switch m.backend {
	case backendMock:
		return mockResult(ir.body), nil
	case backendAction:
		out, err := s.env.Call(ctx, m.service, m.action, ir.body)
		return actionResult(m.service, out, err)
	case backendSQSPath:
		return s.callSQSPath(ctx, m, ir, q.ids.requestID)
	case backendLambda:
		res, err := s.lambda.Invoke(ctx, m.functionARN, ir.body)
		if err != nil {
			return backendResult{}, err
		}
		br := backendResult{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: res.Payload}
		if res.FunctionError != "" {
			var e struct{ ErrorMessage string }
			_ = json.Unmarshal(res.Payload, &e)
			br.failed, br.lambdaError = true, e.ErrorMessage
			br.header.Set("X-Amz-Function-Error", res.FunctionError)
		}
		return br, nil
	case backendHTTP:
		req, err := http.NewRequestWithContext(ctx, m.httpMethod, m.httpURL(ir), bytes.NewReader(ir.body))
		if err != nil {
			return backendResult{}, err
		}
		req.Header = ir.header
		resp, err := s.client().Do(req)
		if err != nil {
			return backendResult{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxRequestBytes))
		if err != nil {
			return backendResult{}, err
		}
		return backendResult{status: resp.StatusCode, header: resp.Header, body: body}, nil
	}
	return backendResult{}, fmt.Errorf("unknown backend %q", m.backend)
}

// client is the HTTP client of HTTP integrations.
func (s *Service) client() *http.Client {
	if s.httpClient != nil {
		return s.httpClient
	}
	return http.DefaultClient
}

// WithHTTPClient sets the client HTTP (non-proxy) integrations call their endpoints with; the
// default is http.DefaultClient.
func WithHTTPClient(c *http.Client) Option { return func(s *Service) { s.httpClient = c } }

var statusCodeRE = regexp.MustCompile(`"?statusCode"?\s*:\s*"?(\d{3})`)

// mockResult reads the status code a MOCK integration's request template chose
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-mock-integration.html):
// {"statusCode": 200}, also in the unquoted form the CDK writes ({ statusCode: 200 }). Without
// one the mock answers 200.
func mockResult(body []byte) backendResult {
	status := http.StatusOK
	if m := statusCodeRE.FindSubmatch(body); m != nil {
		status, _ = strconv.Atoi(string(m[1]))
	}
	return backendResult{status: status, header: http.Header{"Content-Type": {"application/json"}}}
}

// actionResult turns an Env.Call answer into an integration response: 200 and the JSON output,
// or the error's status and AWS's JSON error body.
func actionResult(service string, out []byte, err error) (backendResult, error) {
	h := http.Header{"Content-Type": {"application/x-amz-json-1.0"}}
	if err == nil {
		return backendResult{status: http.StatusOK, header: h, body: out}, nil
	}
	var apiErr *sim.APIError
	if !errors.As(err, &apiErr) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return backendResult{}, err
		}
		apiErr = &sim.APIError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: err.Error()}
	}
	code := apiErr.Code
	if service == "dynamodb" && !strings.Contains(code, "#") {
		code = "com.amazonaws.dynamodb.v20120810#" + code // DynamoDB's __type is namespaced
	}
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, apiErr.Message})
	status := apiErr.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	h.Set("X-Amzn-Errortype", apiErr.Code)
	return backendResult{status: status, header: h, body: body}, nil
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
