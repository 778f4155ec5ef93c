package apigateway

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Resource types this package provisions.
const (
	TypeRestAPI          = "AWS::ApiGateway::RestApi"
	TypeResource         = "AWS::ApiGateway::Resource"
	TypeMethod           = "AWS::ApiGateway::Method"
	TypeDeployment       = "AWS::ApiGateway::Deployment"
	TypeStage            = "AWS::ApiGateway::Stage"
	TypeAccount          = "AWS::ApiGateway::Account"
	TypeHTTPAPI          = "AWS::ApiGatewayV2::Api"
	TypeIntegration      = "AWS::ApiGatewayV2::Integration"
	TypeRoute            = "AWS::ApiGatewayV2::Route"
	TypeHTTPStage        = "AWS::ApiGatewayV2::Stage"
	TypeHTTPDeployment   = "AWS::ApiGatewayV2::Deployment"
	TypeModel            = "AWS::ApiGateway::Model"
	TypeRequestValidator = "AWS::ApiGateway::RequestValidator"
)

var (
	_ sim.Provisioner = (*Service)(nil)
	_ http.Handler    = (*Service)(nil)
)

// Integration timeouts: REST 50 ms to 29 s, HTTP API 50 ms to 30 s; each defaults to its maximum.
const (
	minTimeoutMillis     = 50
	maxRESTTimeoutMillis = 29000
	maxHTTPTimeoutMillis = 30000
)

var httpMethods = map[string]bool{"ANY": true, "GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "HEAD": true, "OPTIONS": true}

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string {
	return []string{TypeRestAPI, TypeResource, TypeMethod, TypeDeployment, TypeStage, TypeAccount,
		TypeHTTPAPI, TypeIntegration, TypeRoute, TypeHTTPStage, TypeHTTPDeployment, TypeModel, TypeRequestValidator}
}

// Provision creates one API Gateway resource from its resolved properties.
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	switch res.Type {
	case TypeRestAPI:
		return s.provisionRestAPI(res, props)
	case TypeResource:
		return s.provisionResource(res, props)
	case TypeMethod:
		return s.provisionMethod(res, props)
	case TypeDeployment:
		return s.provisionDeployment(res, props)
	case TypeStage:
		return s.provisionStage(res, props)
	case TypeAccount:
		var p struct{ CloudWatchRoleArn string }
		if err := cfn.Decode(res, props, &p); err != nil {
			return sim.Physical{}, err
		}
		// The CloudWatch role only lets AWS write execution logs; the emulator writes none.
		return sim.Physical{Ref: physicalID("account/"+res.LogicalID, 10)}, nil
	case TypeHTTPAPI:
		return s.provisionHTTPAPI(res, props)
	case TypeIntegration:
		return s.provisionIntegration(res, props)
	case TypeRoute:
		return s.provisionRoute(res, props)
	case TypeHTTPStage:
		return s.provisionHTTPStage(res, props)
	case TypeHTTPDeployment:
		return s.provisionHTTPDeployment(res, props)
	case TypeModel:
		return s.provisionModel(res, props)
	case TypeRequestValidator:
		return s.provisionRequestValidator(res, props)
	}
	return sim.Physical{}, fmt.Errorf("resource %s (%s): not an API Gateway type", res.LogicalID, res.Type)
}

// propError names the resource, its type and the property, like cfn.Decode's errors.
func propError(res *cfn.Resource, prop, format string, args ...any) error {
	return fmt.Errorf("resource %s (%s): property %s: %s", res.LogicalID, res.Type, prop, fmt.Sprintf(format, args...))
}

func required(res *cfn.Resource, values ...string) error {
	for i := 0; i+1 < len(values); i += 2 {
		if values[i+1] == "" {
			return propError(res, values[i], "is required")
		}
	}
	return nil
}

// restAPIProps are the AWS::ApiGateway::RestApi properties the emulator honours or safely
// ignores; cfn.Decode rejects any other.
type restAPIProps struct {
	Name                      string
	Description               string
	EndpointConfiguration     map[string]any // REGIONAL, EDGE or PRIVATE: the same locally
	BinaryMediaTypes          []string
	Policy                    any // resource policies are not evaluated
	Tags                      []map[string]string
	DisableExecuteApiEndpoint bool
	MinimumCompressionSize    *int
	ApiKeySourceType          string
	FailOnWarnings            bool
	Parameters                map[string]string
	Mode                      string
	Body                      any
	BodyS3Location            any
	CloneFrom                 string
}

func (s *Service) provisionRestAPI(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p restAPIProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	switch {
	case p.Body != nil:
		return sim.Physical{}, propError(res, "Body", "importing an OpenAPI definition is not supported yet; declare Resources and Methods")
	case p.BodyS3Location != nil:
		return sim.Physical{}, propError(res, "BodyS3Location", "importing an OpenAPI definition is not supported yet; declare Resources and Methods")
	case p.CloneFrom != "":
		return sim.Physical{}, propError(res, "CloneFrom", "cloning an API is not supported")
	}
	id := physicalID(s.apiSeed("restapi/", res.LogicalID), 10)
	api := &restAPI{
		id: id, logicalID: res.LogicalID, name: p.Name, simID: sim.NewID(ServiceName, id),
		root:             &pathNode{id: physicalID("root/"+res.LogicalID, 10), path: "/"},
		binaryMediaTypes: p.BinaryMediaTypes,
		stages:           map[string]*restStage{},
		metrics:          s.metrics.Resource(ServiceName, id),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.restAPIs[id] != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): already provisioned", res.LogicalID, res.Type)
	}
	s.restAPIs[id] = api
	s.resources[api.root.id] = &resource{api: api, node: api.root}
	return sim.Physical{Ref: id, Attrs: map[string]any{"RestApiId": id, "RootResourceId": api.root.id}}, nil
}

func (s *Service) provisionResource(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p struct{ ParentId, PathPart, RestApiId string }
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "RestApiId", p.RestApiId, "ParentId", p.ParentId, "PathPart", p.PathPart); err != nil {
		return sim.Physical{}, err
	}
	if err := checkPathPart(p.PathPart); err != nil {
		return sim.Physical{}, propError(res, "PathPart", "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.restAPIs[p.RestApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "RestApiId", "no REST API %q has been provisioned", p.RestApiId)
	}
	parent := s.resources[p.ParentId]
	if parent == nil || parent.api != api {
		return sim.Physical{}, propError(res, "ParentId", "no resource %q in REST API %s", p.ParentId, api.logicalID)
	}
	if _, greedy, ok := variable(lastPart(parent.node.path)); ok && greedy {
		return sim.Physical{}, propError(res, "ParentId", "%s is a greedy {proxy+} resource and cannot have children", parent.node.path)
	}
	existing, err := parent.node.child(p.PathPart, false)
	if err == nil && existing != nil {
		err = fmt.Errorf("another resource (%s) already has the path %s", existing.id, existing.path)
	}
	if err != nil {
		return sim.Physical{}, propError(res, "PathPart", "%v", err)
	}
	node, err := parent.node.child(p.PathPart, true)
	if err != nil {
		return sim.Physical{}, propError(res, "PathPart", "%v", err)
	}
	node.id = physicalID("resource/"+api.id+"/"+res.LogicalID, 6)
	if s.resources[node.id] != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): resource id %s collides; rename the logical ID", res.LogicalID, res.Type, node.id)
	}
	s.resources[node.id] = &resource{api: api, node: node}
	return sim.Physical{Ref: node.id, Attrs: map[string]any{"ResourceId": node.id}}, nil
}

type methodProps struct {
	RestApiId           string
	ResourceId          string
	HttpMethod          string
	AuthorizationType   string
	AuthorizerId        string
	AuthorizationScopes []string
	ApiKeyRequired      bool
	OperationName       string
	RequestModels       map[string]string
	RequestParameters   map[string]bool
	RequestValidatorId  string
	MethodResponses     []any
	Integration         *restIntegrationProps
}

type restIntegrationProps struct {
	Type                  string
	IntegrationHttpMethod string
	Uri                   string
	TimeoutInMillis       *int
	Credentials           string // the role API Gateway would assume: IAM is not evaluated
	IntegrationResponses  []integrationResponseProps
	RequestTemplates      map[string]string
	RequestParameters     map[string]string
	PassthroughBehavior   string
	ContentHandling       string
	CacheKeyParameters    []string
	CacheNamespace        string
	ConnectionType        string
	ConnectionId          string
}

type integrationResponseProps struct {
	StatusCode         string
	SelectionPattern   string
	ResponseParameters map[string]string
	ResponseTemplates  map[string]string
	ContentHandling    string
}

func (s *Service) provisionMethod(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p methodProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "RestApiId", p.RestApiId, "ResourceId", p.ResourceId, "HttpMethod", p.HttpMethod); err != nil {
		return sim.Physical{}, err
	}
	method := strings.ToUpper(p.HttpMethod)
	switch {
	case !httpMethods[method]:
		return sim.Physical{}, propError(res, "HttpMethod", "%q is not an HTTP method API Gateway accepts (ANY, GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS)", p.HttpMethod)
	case p.AuthorizationType != "" && p.AuthorizationType != "NONE":
		return sim.Physical{}, propError(res, "AuthorizationType", "%s is not supported yet: the emulator has no authorizers; use NONE", p.AuthorizationType)
	case p.AuthorizerId != "":
		return sim.Physical{}, propError(res, "AuthorizerId", "authorizers are not supported yet")
	case p.ApiKeyRequired:
		return sim.Physical{}, propError(res, "ApiKeyRequired", "API keys and usage plans are not supported yet")
	case p.Integration == nil:
		return sim.Physical{}, propError(res, "Integration", "is required: a method without an integration cannot be deployed")
	}
	ep, err := restIntegration(res, p.Integration)
	if err != nil {
		return sim.Physical{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.restAPIs[p.RestApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "RestApiId", "no REST API %q has been provisioned", p.RestApiId)
	}
	r := s.resources[p.ResourceId]
	if r == nil || r.api != api {
		return sim.Physical{}, propError(res, "ResourceId", "no resource %q in REST API %s", p.ResourceId, api.logicalID)
	}
	if r.node.methods[method] != nil {
		return sim.Physical{}, propError(res, "HttpMethod", "%s %s already has a method", method, r.node.path)
	}
	ep.method, ep.path, ep.resourceID = method, r.node.path, r.node.id
	if ep.validation, err = methodValidationFor(res, api, &p); err != nil {
		return sim.Physical{}, err
	}
	if r.node.methods == nil {
		r.node.methods = map[string]*endpoint{}
	}
	r.node.methods[method] = ep
	return sim.Physical{Ref: physicalID("method/"+res.LogicalID, 10)}, nil
}

// restIntegration builds what a REST method does from its Integration property.
func restIntegration(res *cfn.Resource, ip *restIntegrationProps) (*endpoint, error) {
	switch ip.Type {
	case "AWS_PROXY":
	case "MOCK":
		if static, err := mockReply(res, ip); err == nil {
			return &endpoint{static: static}, nil
		}
		// Templates, selection patterns or mapped parameters: the full pipeline.
		return mappedEndpoint(res, ip)
	case "AWS", "HTTP":
		return mappedEndpoint(res, ip)
	case "HTTP_PROXY":
		return nil, propError(res, "Integration.Type", "%s integrations are not supported yet; use AWS_PROXY for Lambda", ip.Type)
	case "":
		return nil, propError(res, "Integration.Type", "is required")
	default:
		return nil, propError(res, "Integration.Type", "unknown integration type %q", ip.Type)
	}
	switch {
	case ip.IntegrationHttpMethod != "POST":
		return nil, propError(res, "Integration.IntegrationHttpMethod", "a Lambda proxy integration calls Lambda's Invoke API with POST, got %q", ip.IntegrationHttpMethod)
	case len(ip.RequestTemplates) > 0:
		return nil, propError(res, "Integration.RequestTemplates", "mapping templates are not supported yet")
	case len(ip.RequestParameters) > 0:
		return nil, propError(res, "Integration.RequestParameters", "request parameter mapping is not supported yet")
	case ip.ConnectionType == "VPC_LINK" || ip.ConnectionId != "":
		return nil, propError(res, "Integration.ConnectionType", "VPC links are not supported")
	}
	fn, err := functionFromInvocationURI(ip.Uri)
	if err != nil {
		return nil, propError(res, "Integration.Uri", "%v", err)
	}
	timeout, err := integrationTimeout(ip.TimeoutInMillis, maxRESTTimeoutMillis)
	if err != nil {
		return nil, propError(res, "Integration.TimeoutInMillis", "%v", err)
	}
	return &endpoint{lambda: &lambdaTarget{functionARN: fn, timeout: timeout, payloadFormat: "1.0"}}, nil
}

func integrationTimeout(ms *int, maxMillis int) (time.Duration, error) {
	if ms == nil {
		return time.Duration(maxMillis) * time.Millisecond, nil
	}
	if *ms < minTimeoutMillis || *ms > maxMillis {
		return 0, fmt.Errorf("must be %d to %d milliseconds, got %d", minTimeoutMillis, maxMillis, *ms)
	}
	return time.Duration(*ms) * time.Millisecond, nil
}

// functionFromInvocationURI takes the function ARN out of
// arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations.
func functionFromInvocationURI(uri string) (string, error) {
	const (
		prefix = "path/2015-03-31/functions/"
		suffix = "/invocations"
	)
	if strings.Contains(uri, "${stageVariables.") {
		return "", fmt.Errorf("stage variables in the integration URI are not supported yet")
	}
	a, err := arn.Parse(uri)
	if err != nil || a.Service != "apigateway" || a.AccountID != "lambda" ||
		!strings.HasPrefix(a.Resource, prefix) || !strings.HasSuffix(a.Resource, suffix) || len(a.Resource) < len(prefix)+len(suffix) {
		if strings.Contains(uri, "/response-streaming-invocations") {
			return "", fmt.Errorf("response streaming is not supported yet")
		}
		return "", fmt.Errorf("want arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations, got %q", uri)
	}
	fn := a.Resource[len(prefix) : len(a.Resource)-len(suffix)]
	if !isFunctionARN(fn) {
		return "", fmt.Errorf("%q is not a Lambda function ARN", fn)
	}
	return fn, nil
}

// isFunctionARN reports whether s is arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>].
func isFunctionARN(s string) bool {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "lambda" || strings.Contains(a.Resource, "/") {
		return false
	}
	name, ok := strings.CutPrefix(a.Resource, "function:")
	if !ok {
		return false
	}
	name, qualifier, hasQualifier := strings.Cut(name, ":")
	return name != "" && (!hasQualifier || (qualifier != "" && !strings.Contains(qualifier, ":")))
}

// mockReply turns a MOCK integration whose one integration response is static (header values in
// single quotes, templates without VTL) into the reply it always gives.
func mockReply(res *cfn.Resource, ip *restIntegrationProps) (*reply, error) {
	const where = "Integration.IntegrationResponses"
	if len(ip.IntegrationResponses) != 1 {
		return nil, propError(res, where, "a MOCK integration needs exactly one integration response; selecting among %d is not supported yet", len(ip.IntegrationResponses))
	}
	for _, ct := range sortedKeys(ip.RequestTemplates) {
		if isVTL(ip.RequestTemplates[ct]) {
			return nil, propError(res, "Integration.RequestTemplates", "VTL mapping templates are not supported yet")
		}
	}
	ir := ip.IntegrationResponses[0]
	if ir.SelectionPattern != "" {
		return nil, propError(res, where+"[0].SelectionPattern", "selection patterns are not supported yet")
	}
	status, err := strconv.Atoi(ir.StatusCode)
	if err != nil || status < 100 || status > 599 {
		return nil, propError(res, where+"[0].StatusCode", "want an HTTP status code, got %q", ir.StatusCode)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	for _, name := range sortedKeys(ir.ResponseParameters) {
		header, ok := strings.CutPrefix(name, "method.response.header.")
		v := ir.ResponseParameters[name]
		if !ok {
			return nil, propError(res, where+"[0].ResponseParameters", "only method.response.header.* is supported, got %q", name)
		}
		if len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
			return nil, propError(res, where+"[0].ResponseParameters", "only static values in single quotes are supported yet, got %s for %s", v, name)
		}
		h.Set(header, v[1:len(v)-1])
	}
	var body []byte
	if len(ir.ResponseTemplates) > 0 {
		ct := "application/json"
		if _, ok := ir.ResponseTemplates[ct]; !ok {
			ct = sortedKeys(ir.ResponseTemplates)[0]
		}
		t := ir.ResponseTemplates[ct]
		if isVTL(t) {
			return nil, propError(res, where+"[0].ResponseTemplates", "VTL mapping templates are not supported yet")
		}
		body = []byte(t)
		h.Set("Content-Type", ct)
	}
	return &reply{status: status, header: h, body: body}, nil
}

// isVTL reports whether a mapping template does more than return its text.
func isVTL(t string) bool { return strings.ContainsAny(t, "$#") }

func (s *Service) provisionDeployment(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p struct {
		RestApiId, Description, StageName string
		StageDescription                  any
		DeploymentCanarySettings          any
	}
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	switch {
	case p.RestApiId == "":
		return sim.Physical{}, propError(res, "RestApiId", "is required")
	case p.StageDescription != nil:
		return sim.Physical{}, propError(res, "StageDescription", "is not supported yet; declare an AWS::ApiGateway::Stage")
	case p.DeploymentCanarySettings != nil:
		return sim.Physical{}, propError(res, "DeploymentCanarySettings", "canary deployments are not supported")
	}
	if p.StageName != "" && !validStageName(p.StageName) {
		return sim.Physical{}, propError(res, "StageName", "%q: stage names use letters, digits, '-' and '_'", p.StageName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.restAPIs[p.RestApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "RestApiId", "no REST API %q has been provisioned", p.RestApiId)
	}
	id := physicalID("deployment/"+api.id+"/"+res.LogicalID, 6)
	s.deployments[id] = &deployment{apiID: api.id}
	if p.StageName != "" {
		if api.stages[p.StageName] != nil {
			return sim.Physical{}, propError(res, "StageName", "REST API %s already has a stage %q", api.logicalID, p.StageName)
		}
		api.stages[p.StageName] = &restStage{}
	}
	return sim.Physical{Ref: id, Attrs: map[string]any{"DeploymentId": id}}, nil
}

type stageProps struct {
	RestApiId            string
	StageName            string
	DeploymentId         string
	Description          string
	Variables            map[string]string
	MethodSettings       []methodSettingProps
	TracingEnabled       bool
	AccessLogSetting     map[string]any
	CacheClusterEnabled  bool
	CacheClusterSize     string
	CanarySetting        any
	ClientCertificateId  string
	DocumentationVersion string
	Tags                 []map[string]string
}

type methodSettingProps struct {
	HttpMethod           string
	ResourcePath         string
	ThrottlingRateLimit  *float64
	ThrottlingBurstLimit *int
	LoggingLevel         string
	MetricsEnabled       bool
	DataTraceEnabled     bool
	CachingEnabled       bool
	CacheTtlInSeconds    *int
	CacheDataEncrypted   bool
}

func (s *Service) provisionStage(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p stageProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "RestApiId", p.RestApiId, "StageName", p.StageName, "DeploymentId", p.DeploymentId); err != nil {
		return sim.Physical{}, err
	}
	switch {
	case !validStageName(p.StageName):
		return sim.Physical{}, propError(res, "StageName", "%q: stage names use letters, digits, '-' and '_'", p.StageName)
	case p.CacheClusterEnabled:
		return sim.Physical{}, propError(res, "CacheClusterEnabled", "caching is not supported yet")
	case p.CanarySetting != nil:
		return sim.Physical{}, propError(res, "CanarySetting", "canary deployments are not supported")
	}
	st := &restStage{variables: p.Variables, settings: map[string]limits{}}
	for i, ms := range p.MethodSettings {
		where := fmt.Sprintf("MethodSettings[%d]", i)
		if ms.CachingEnabled {
			return sim.Physical{}, propError(res, where+".CachingEnabled", "caching is not supported yet")
		}
		l := limits{rate: ms.ThrottlingRateLimit, burst: ms.ThrottlingBurstLimit}
		if err := checkLimits(l); err != nil {
			return sim.Physical{}, propError(res, where, "%v", err)
		}
		method := strings.ToUpper(ms.HttpMethod)
		if method == "" {
			method = "*"
		}
		st.settings[method+" "+settingPath(ms.ResourcePath)] = l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.restAPIs[p.RestApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "RestApiId", "no REST API %q has been provisioned", p.RestApiId)
	}
	if d := s.deployments[p.DeploymentId]; d == nil || d.apiID != api.id {
		return sim.Physical{}, propError(res, "DeploymentId", "no deployment %q of REST API %s", p.DeploymentId, api.logicalID)
	}
	if api.stages[p.StageName] != nil {
		return sim.Physical{}, propError(res, "StageName", "REST API %s already has a stage %q", api.logicalID, p.StageName)
	}
	api.stages[p.StageName] = st
	return sim.Physical{Ref: p.StageName}, nil
}

// settingPath decodes a MethodSettings ResourcePath: "/~1orders~1{id}" is /orders/{id}, "/*"
// stands for every resource.
func settingPath(p string) string {
	if p == "" || p == "/*" {
		return "/*"
	}
	rest := strings.TrimPrefix(p, "/")
	rest = strings.ReplaceAll(strings.ReplaceAll(rest, "~1", "/"), "~0", "~")
	if !strings.HasPrefix(rest, "/") {
		rest = "/" + rest
	}
	return rest
}

func checkLimits(l limits) error {
	if l.rate != nil && *l.rate < 0 {
		return fmt.Errorf("ThrottlingRateLimit must be 0 or more, got %v", *l.rate)
	}
	if l.burst != nil && *l.burst < 0 {
		return fmt.Errorf("ThrottlingBurstLimit must be 0 or more, got %d", *l.burst)
	}
	return nil
}

func validStageName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

type httpAPIProps struct {
	Name                      string
	ProtocolType              string
	Description               string
	Version                   string
	CorsConfiguration         *corsProps
	DisableExecuteApiEndpoint bool
	DisableSchemaValidation   bool
	FailOnWarnings            bool
	IpAddressType             string
	RouteSelectionExpression  string
	ApiKeySelectionExpression string
	Tags                      map[string]string
	Body                      any
	BodyS3Location            any
	BasePath                  string
	CredentialsArn            string
	RouteKey                  string
	Target                    string
}

type corsProps struct {
	AllowCredentials bool
	AllowHeaders     []string
	AllowMethods     []string
	AllowOrigins     []string
	ExposeHeaders    []string
	MaxAge           *int
}

func (s *Service) provisionHTTPAPI(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p httpAPIProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	switch {
	case p.ProtocolType == "WEBSOCKET":
		return sim.Physical{}, propError(res, "ProtocolType", "WebSocket APIs are not supported yet")
	case p.ProtocolType != "HTTP":
		return sim.Physical{}, propError(res, "ProtocolType", "want HTTP, got %q", p.ProtocolType)
	case p.Body != nil:
		return sim.Physical{}, propError(res, "Body", "importing an OpenAPI definition is not supported yet; declare Integrations and Routes")
	case p.BodyS3Location != nil:
		return sim.Physical{}, propError(res, "BodyS3Location", "importing an OpenAPI definition is not supported yet; declare Integrations and Routes")
	case p.Target != "" || p.RouteKey != "":
		return sim.Physical{}, propError(res, "Target", "quick create is not supported yet; declare an AWS::ApiGatewayV2::Integration and Route")
	}
	id := physicalID(s.apiSeed("httpapi/", res.LogicalID), 10)
	api := &httpAPI{
		id: id, logicalID: res.LogicalID, simID: sim.NewID(ServiceName, id),
		root:      &pathNode{path: "/"},
		routeKeys: map[string]bool{},
		stages:    map[string]*httpStage{},
		metrics:   s.metrics.Resource(ServiceName, id),
	}
	if c := p.CorsConfiguration; c != nil {
		api.cors = newCORS(c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpAPIs[id] != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): already provisioned", res.LogicalID, res.Type)
	}
	s.httpAPIs[id] = api
	endpoint := fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", id, s.env.Region)
	return sim.Physical{Ref: id, Attrs: map[string]any{"ApiId": id, "ApiEndpoint": endpoint}}, nil
}

type integrationProps struct {
	ApiId                       string
	IntegrationType             string
	IntegrationUri              string
	IntegrationMethod           string
	IntegrationSubtype          string
	PayloadFormatVersion        string
	TimeoutInMillis             *int
	Description                 string
	ConnectionType              string
	ConnectionId                string
	CredentialsArn              string // IAM is not evaluated
	RequestParameters           map[string]string
	ResponseParameters          map[string]any
	RequestTemplates            map[string]string
	TemplateSelectionExpression string
	PassthroughBehavior         string
	ContentHandlingStrategy     string
	TlsConfig                   any
}

func (s *Service) provisionIntegration(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p integrationProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "ApiId", p.ApiId, "IntegrationType", p.IntegrationType); err != nil {
		return sim.Physical{}, err
	}
	if p.IntegrationSubtype != "" {
		return s.provisionServiceIntegration(res, &p)
	}
	switch {
	case p.IntegrationType == "HTTP_PROXY":
		return sim.Physical{}, propError(res, "IntegrationType", "HTTP_PROXY integrations are not supported yet; use AWS_PROXY for Lambda")
	case p.IntegrationType != "AWS_PROXY":
		return sim.Physical{}, propError(res, "IntegrationType", "%s is not supported; HTTP APIs use AWS_PROXY for Lambda", p.IntegrationType)
	case p.IntegrationMethod != "" && p.IntegrationMethod != "POST":
		return sim.Physical{}, propError(res, "IntegrationMethod", "a Lambda proxy integration calls Lambda's Invoke API with POST, got %q", p.IntegrationMethod)
	case p.PayloadFormatVersion != "1.0" && p.PayloadFormatVersion != "2.0":
		return sim.Physical{}, propError(res, "PayloadFormatVersion", "want 1.0 or 2.0 for a Lambda proxy integration, got %q", p.PayloadFormatVersion)
	case len(p.RequestParameters) > 0:
		return sim.Physical{}, propError(res, "RequestParameters", "parameter mapping is not supported yet")
	case len(p.ResponseParameters) > 0:
		return sim.Physical{}, propError(res, "ResponseParameters", "parameter mapping is not supported yet")
	case len(p.RequestTemplates) > 0:
		return sim.Physical{}, propError(res, "RequestTemplates", "mapping templates are not supported")
	case p.ConnectionType == "VPC_LINK" || p.ConnectionId != "":
		return sim.Physical{}, propError(res, "ConnectionType", "VPC links are not supported")
	case p.TlsConfig != nil:
		return sim.Physical{}, propError(res, "TlsConfig", "private integrations are not supported")
	}
	fn := p.IntegrationUri
	if !isFunctionARN(fn) {
		var err error
		if fn, err = functionFromInvocationURI(p.IntegrationUri); err != nil {
			return sim.Physical{}, propError(res, "IntegrationUri", "want a Lambda function ARN: %v", err)
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
		target: &lambdaTarget{functionARN: fn, timeout: timeout, payloadFormat: p.PayloadFormatVersion}}
	return sim.Physical{Ref: id, Attrs: map[string]any{"IntegrationId": id}}, nil
}

type routeProps struct {
	ApiId                            string
	RouteKey                         string
	Target                           string
	AuthorizationType                string
	AuthorizerId                     string
	AuthorizationScopes              []string
	ApiKeyRequired                   bool
	OperationName                    string
	RequestModels                    map[string]string
	RequestParameters                map[string]any
	ModelSelectionExpression         string
	RouteResponseSelectionExpression string
}

func (s *Service) provisionRoute(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p routeProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "ApiId", p.ApiId, "RouteKey", p.RouteKey, "Target", p.Target); err != nil {
		return sim.Physical{}, err
	}
	switch {
	case p.AuthorizationType != "" && p.AuthorizationType != "NONE":
		return sim.Physical{}, propError(res, "AuthorizationType", "%s is not supported yet: the emulator has no authorizers; use NONE", p.AuthorizationType)
	case p.AuthorizerId != "":
		return sim.Physical{}, propError(res, "AuthorizerId", "authorizers are not supported yet")
	case p.ApiKeyRequired:
		return sim.Physical{}, propError(res, "ApiKeyRequired", "API keys are not supported by HTTP APIs")
	case len(p.RequestParameters) > 0:
		return sim.Physical{}, propError(res, "RequestParameters", "request parameters are not supported yet")
	}
	integrationID, ok := strings.CutPrefix(p.Target, "integrations/")
	if !ok {
		return sim.Physical{}, propError(res, "Target", "want integrations/<integration id>, got %q", p.Target)
	}
	method, path, err := parseRouteKey(p.RouteKey)
	if err != nil {
		return sim.Physical{}, propError(res, "RouteKey", "%v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.httpAPIs[p.ApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "ApiId", "no HTTP API %q has been provisioned", p.ApiId)
	}
	integ := s.integrations[integrationID]
	if integ == nil || integ.apiID != api.id {
		return sim.Physical{}, propError(res, "Target", "no integration %q in HTTP API %s", integrationID, api.logicalID)
	}
	if api.routeKeys[p.RouteKey] {
		return sim.Physical{}, propError(res, "RouteKey", "HTTP API %s already has the route %q", api.logicalID, p.RouteKey)
	}
	ep := &endpoint{method: method, path: path, routeKey: p.RouteKey, lambda: integ.target, service: integ.service}
	if p.RouteKey == defaultStage {
		api.defaultRoute = ep
	} else {
		node := api.root
		for part := range strings.SplitSeq(strings.TrimPrefix(path, "/"), "/") {
			if part == "" {
				continue
			}
			if node, err = node.child(part, true); err != nil {
				return sim.Physical{}, propError(res, "RouteKey", "%v", err)
			}
		}
		if node.methods == nil {
			node.methods = map[string]*endpoint{}
		}
		if node.methods[method] != nil {
			return sim.Physical{}, propError(res, "RouteKey", "HTTP API %s already has the route %s", api.logicalID, node.methods[method].routeKey)
		}
		node.methods[method] = ep
	}
	api.routeKeys[p.RouteKey] = true
	id := physicalID("route/"+api.id+"/"+res.LogicalID, 7)
	return sim.Physical{Ref: id, Attrs: map[string]any{"RouteId": id}}, nil
}

// parseRouteKey splits "GET /orders/{id}" into its method and path; "$default" has neither.
func parseRouteKey(key string) (method, path string, err error) {
	if key == defaultStage {
		return "", "", nil
	}
	method, path, ok := strings.Cut(key, " ")
	if !ok || !httpMethods[method] {
		return "", "", fmt.Errorf("want $default or \"<METHOD> /path\" with METHOD one of ANY, GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, got %q", key)
	}
	if !strings.HasPrefix(path, "/") {
		return "", "", fmt.Errorf("the path of %q must start with /", key)
	}
	if path == "/" {
		return method, path, nil
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, part := range parts {
		if err := checkPathPart(part); err != nil {
			return "", "", fmt.Errorf("route %q: %w", key, err)
		}
		if _, greedy, ok := variable(part); ok && greedy && i != len(parts)-1 {
			return "", "", fmt.Errorf("route %q: a greedy variable must be the last path part", key)
		}
	}
	return method, path, nil
}

type httpStageProps struct {
	ApiId                string
	StageName            string
	AutoDeploy           bool
	DeploymentId         string
	Description          string
	ClientCertificateId  string
	DefaultRouteSettings *routeSettingsProps
	RouteSettings        map[string]routeSettingsProps
	StageVariables       map[string]string
	AccessLogSettings    map[string]any
	Tags                 map[string]string
}

type routeSettingsProps struct {
	ThrottlingBurstLimit   *int
	ThrottlingRateLimit    *float64
	DetailedMetricsEnabled bool
	DataTraceEnabled       bool
	LoggingLevel           string
}

func (s *Service) provisionHTTPStage(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p httpStageProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if err := required(res, "ApiId", p.ApiId, "StageName", p.StageName); err != nil {
		return sim.Physical{}, err
	}
	if p.StageName != defaultStage && !validStageName(p.StageName) {
		return sim.Physical{}, propError(res, "StageName", "%q: stage names are $default or use letters, digits, '-' and '_'", p.StageName)
	}
	// AutoDeploy or not, a stage serves the API's current routes (see Limitations).
	st := &httpStage{variables: p.StageVariables, routeLimits: map[string]limits{}}
	if d := p.DefaultRouteSettings; d != nil {
		st.defaults = limits{rate: d.ThrottlingRateLimit, burst: d.ThrottlingBurstLimit}
		if err := checkLimits(st.defaults); err != nil {
			return sim.Physical{}, propError(res, "DefaultRouteSettings", "%v", err)
		}
	}
	for _, key := range sortedKeys(p.RouteSettings) {
		rs := p.RouteSettings[key]
		l := limits{rate: rs.ThrottlingRateLimit, burst: rs.ThrottlingBurstLimit}
		if err := checkLimits(l); err != nil {
			return sim.Physical{}, propError(res, "RouteSettings."+key, "%v", err)
		}
		st.routeLimits[key] = l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	api := s.httpAPIs[p.ApiId]
	if api == nil {
		return sim.Physical{}, propError(res, "ApiId", "no HTTP API %q has been provisioned", p.ApiId)
	}
	if api.stages[p.StageName] != nil {
		return sim.Physical{}, propError(res, "StageName", "HTTP API %s already has a stage %q", api.logicalID, p.StageName)
	}
	api.stages[p.StageName] = st
	return sim.Physical{Ref: p.StageName}, nil
}

func (s *Service) provisionHTTPDeployment(res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	var p struct{ ApiId, Description, StageName string }
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	s.mu.RLock()
	api := s.httpAPIs[p.ApiId]
	s.mu.RUnlock()
	if api == nil {
		return sim.Physical{}, propError(res, "ApiId", "no HTTP API %q has been provisioned", p.ApiId)
	}
	id := physicalID("deployment/"+api.id+"/"+res.LogicalID, 6)
	return sim.Physical{Ref: id, Attrs: map[string]any{"DeploymentId": id}}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// apiSeed is the seed of an API's id: its kind and logical id, plus its region outside
// us-east-1 (the emulator's default region), so that one template deployed to two regions of a
// multi-region emulator gets two ids, which route its invoke URLs, while a single-region stage
// keeps the ids it always had.
func (s *Service) apiSeed(kind, logicalID string) string {
	if s.env.Region == "" || s.env.Region == "us-east-1" {
		return kind + logicalID
	}
	return kind + s.env.Region + "/" + logicalID
}
