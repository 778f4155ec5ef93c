package apigateway

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Invoker runs a Lambda function synchronously. functionARN is the ARN from the integration URI.
// A throttle or a service error comes back as err; a function error (unhandled) as
// FunctionError != "". Invoke returns when the function answers or ctx is done (the function
// itself may go on running).
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, payload []byte) (InvokeResult, error)
}

// InvokeResult is what a synchronous Lambda invocation returns.
type InvokeResult struct {
	Payload       []byte
	FunctionError string
}

// Account-level limits (AWS: 10,000 requests per second per account and region, 5,000 burst) and
// the largest request body API Gateway accepts.
const (
	DefaultAccountRateLimit  = 10000
	DefaultAccountBurstLimit = 5000
	MaxRequestBytes          = 10 << 20
)

// API kinds.
const (
	KindREST = "rest"
	KindHTTP = "http"
)

// API is one deployed stage of an API, for printing its URLs.
type API struct {
	LogicalID string
	ID        string
	Kind      string // KindREST or KindHTTP
	Stage     string
	// Path is the invoke URL's path prefix, e.g. "/restapis/abc1234567/prod/_user_request_";
	// append the resource path ("/orders") to it.
	Path string
}

// Option changes a Service's defaults.
type Option func(*Service)

// WithAccountThrottle sets the account's token bucket: ratePerSecond requests per second refill
// it, burst is its size. Every API of the Service shares it.
func WithAccountThrottle(ratePerSecond float64, burst int) Option {
	return func(s *Service) { s.account = newBucket(ratePerSecond, burst) }
}

// Service is API Gateway for one account and region. It is an http.Handler for the invoke URLs.
type Service struct {
	env     *sim.Env
	lambda  Invoker
	metrics *metrics.Registry
	account *bucket
	// httpClient calls HTTP (non-proxy) integrations; nil means http.DefaultClient.
	httpClient *http.Client

	mu           sync.RWMutex
	restAPIs     map[string]*restAPI    // by id
	resources    map[string]*resource   // by resource id, roots included
	deployments  map[string]*deployment // REST, by id
	httpAPIs     map[string]*httpAPI    // by id
	integrations map[string]*integration
}

// New makes the service. env must have a latency model. lambda runs the integrations; nil means
// through env.Call to the "lambda" service, as in the emulator (tests pass fakes).
func New(env *sim.Env, lambda Invoker, opts ...Option) *Service {
	if lambda == nil {
		lambda = envInvoker{env}
	}
	s := &Service{
		env:          env,
		lambda:       lambda,
		metrics:      env.Metrics,
		account:      newBucket(DefaultAccountRateLimit, DefaultAccountBurstLimit),
		restAPIs:     map[string]*restAPI{},
		resources:    map[string]*resource{},
		deployments:  map[string]*deployment{},
		httpAPIs:     map[string]*httpAPI{},
		integrations: map[string]*integration{},
	}
	if s.metrics == nil {
		s.metrics = &metrics.Registry{}
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// APIs lists every deployed stage, sorted by logical ID and stage.
func (s *Service) APIs() []API {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []API
	for _, a := range s.restAPIs {
		for name := range a.stages {
			out = append(out, API{LogicalID: a.logicalID, ID: a.id, Kind: KindREST, Stage: name,
				Path: "/restapis/" + a.id + "/" + name + "/" + userRequest})
		}
	}
	for _, a := range s.httpAPIs {
		for name := range a.stages {
			p := "/apis/" + a.id + "/" + name + "/" + userRequest
			if name == defaultStage {
				p = "/apis/" + a.id + "/" + userRequest
			}
			out = append(out, API{LogicalID: a.logicalID, ID: a.id, Kind: KindHTTP, Stage: name, Path: p})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LogicalID != out[j].LogicalID {
			return out[i].LogicalID < out[j].LogicalID
		}
		return out[i].Stage < out[j].Stage
	})
	return out
}

const (
	userRequest  = "_user_request_"
	defaultStage = "$default"
)

// ServeHTTP answers the invoke URLs of REST and HTTP APIs (see the package doc).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	if s.serveControl(w, r, p) { // the control plane's GetRestApis, GetResources, TestInvokeMethod
		return
	}
	switch {
	case strings.HasPrefix(p, "/restapis/"):
		id, stage, path, ok := splitInvokePath(p[len("/restapis/"):], false)
		if !ok {
			break
		}
		s.serveREST(w, r, id, stage, path)
		return
	case strings.HasPrefix(p, "/apis/"):
		id, stage, path, ok := splitInvokePath(p[len("/apis/"):], true)
		if !ok {
			break
		}
		s.serveHTTPAPI(w, r, id, stage, path)
		return
	}
	writePlain(w, http.StatusNotFound, `{"message":"Not Found"}`)
}

// splitInvokePath splits "{id}/{stage}/_user_request_/{path}" into its parts; path keeps its
// percent-encoding and starts with "/". With stageOptional, "{id}/_user_request_/{path}" means
// the $default stage.
func splitInvokePath(p string, stageOptional bool) (id, stage, path string, ok bool) {
	id, rest, found := strings.Cut(p, "/")
	if !found || id == "" {
		return "", "", "", false
	}
	if stageOptional && (rest == userRequest || strings.HasPrefix(rest, userRequest+"/")) {
		stage = defaultStage
	} else {
		var escaped string
		escaped, rest, found = strings.Cut(rest, "/")
		if !found || escaped == "" {
			return "", "", "", false
		}
		if stage, ok = unescape(escaped); !ok {
			return "", "", "", false
		}
	}
	if rest != userRequest && !strings.HasPrefix(rest, userRequest+"/") {
		return "", "", "", false
	}
	path = rest[len(userRequest):]
	if path == "" {
		path = "/"
	}
	return id, stage, path, true
}
