// Package emulator runs a stage of Emily's Pastries offline: it reads the stage's synthesized
// CloudFormation template, provisions every resource in the emulated services (Lambda with the
// stage's real Go handlers, API Gateway, DynamoDB), and serves their AWS APIs both in-process (an
// http.RoundTripper for the handlers' SDK clients: no sockets on the hot path) and, when asked, on a
// loopback port for curl and the AWS CLI.
//
// Its lifecycle copies net/http/httptest: New builds it, Start opens the optional listener, URL and
// APIURL say where it answers, and the caller must Close it.
//
// # How a service is built
//
// Read this before adding a service (SQS, EventBridge, Step Functions, …). A service is one
// package under shared/emulator, in three layers:
//
//   - The model: the service's state and semantics as AWS documents them (a queue's visibility
//     timeout, a function's concurrency), in plain Go, independent of HTTP. Large models live in
//     a model subpackage (dynamodb/model).
//   - The wire API: ServeHTTP speaks the service's AWS protocol so the SDK clients and the AWS CLI
//     work against it. JSON-protocol services (X-Amz-Target) use an awsjson.Router, which also
//     gives them Call; REST-JSON services (Lambda) route with net/http ServeMux patterns.
//   - The CloudFormation resource: Types and Provision create the model's resources from a
//     template's properties (decoded with cfn.Decode, so an unsupported property is an error
//     naming it) and answer Ref and Fn::GetAtt through sim.Physical.
//
// The package's New takes the *sim.Env every service shares and returns a value implementing
// sim.Service: Name (its ARN namespace), Types and Provision, Serves (is this HTTP request mine?),
// ServeHTTP, Resources (what it holds, for faults, metrics, `make local` and the dashboard) and
// Close. New also calls env.Register(name, svc) if other services may call it (sim.Caller).
//
// # Registration
//
// The services are the list registry in this file; adding one is its package plus one line:
//
//	var registry = []NewService{
//		func(env *sim.Env, _ Deps) sim.Service { return esm.New(env) },
//		func(env *sim.Env, d Deps) sim.Service { return lambda.New(env, d.Stage.Handlers, d.lambdaOptions()) },
//		func(env *sim.Env, _ Deps) sim.Service { return dynamodb.New(env) },
//		…
//		func(env *sim.Env, _ Deps) sim.Service { return sqs.New(env) }, // one line per service
//	}
//
// Today's services: Lambda event source mappings (esm), Lambda, DynamoDB, API Gateway, SQS,
// EventBridge (events), Step Functions (states), AppSync Events (appsync), EventBridge Pipes
// (pipes) and CloudFormation custom resources (cloudformation).
//
// The emulator loops over the list: a template resource goes to the service whose Types include
// its type; a request to the first service whose Serves is true (the payment provider and the
// admin API come first); FaultResources and the dashboard list every service's Resources; Close
// closes them in reverse order. Options.Services appends more (tests use it for fakes). A
// service claims a request by what names it on AWS (its path, its X-Amz-Target, the service of
// its SigV4 credential scope), so one that names none is no service's: it gets the emulator's
// own 400 listing the services, except a plain GET /, which is DynamoDB's health check (package
// dynamodb).
//
// # Calling other services
//
// No service package imports another. A service calls another through env.Call(ctx, target, op,
// input): target is the callee's name ("lambda") or any ARN of it, op the API operation, input
// and output its JSON (the AWS JSON protocol's body, or a REST API's members). The callee does
// its own bookkeeping, exactly as for a call from an SDK client. Lambda's Invoke takes
// {"FunctionName", "InvocationType", "Payload"} and returns {"StatusCode", "FunctionError",
// "Payload"} (see lambda.Service.Call); DynamoDB takes its wire operations ("PutItem") with their
// wire JSON. Errors are *sim.APIError. API Gateway's Lambda integrations go this way.
//
// # Identity, timing, faults, metrics, traces
//
// A resource's one identity is its sim.ID, "<service>:<name>" ("lambda:Stack-Order",
// "dynamodb:Orders", "apigateway:<api id>"): it keys the metrics (metrics.Registry.Resource(service,
// name)), the faults (fault.Set, switched on with PutFault or the admin API), the trace spans and
// the dashboard's nodes. The services do a call's bookkeeping with one helper, sim.Hop, keyed by
// that id. env.Begin(ctx, id, op, component) does it up front: it counts the call, opens a span,
// waits the latency model's component (package latency: every modelled latency is sourced in
// latency/model.json) plus any fault latency, and draws the fault's error rate;
// Hop.End(sim.OutcomeOf(err)) records the duration and outcome (SQS, EventBridge, Step
// Functions, Pipes, AppSync). A service whose AWS counterpart admits a call in another
// order starts with env.Open, which opens the span only, and does the steps itself with the
// hop: Count, Wait (latency and fault latency), Fault (the rule and its error-rate draw), Add (a
// named counter), then EndWith(outcome, sim.Tally) for figures of its own. Lambda's Invoke waits
// its front end, then counts the invocation (not when the caller gave up meanwhile), refuses it
// on a throttle fault and fails the handler on an error-rate fault, and ends the span "ok (cold)"
// on a cold start; its execution, which outlives a caller who gives up, records its duration,
// error and timeout with a sim.Tally when it ends. API Gateway counts a request when it answers
// it, with the duration since it arrived, a 504 as both an error and a timeout, and the "4xx",
// "5xx" and "504" counters. DynamoDB opens one hop for a request that may touch several tables
// (its span names them all) and records each table's metrics with a sim.Tally; it waits its
// latency with env.Spend and looks up faults on the tables and on single partition keys
// ("dynamodb:Stock/lon-01#…") itself, since a hop has one resource.
//
// Time comes from env.Clock (env.Now, env.Sleep, sim.AfterFunc, sim.WithTimeout, Clock.NewTimer),
// never from time.Now or time.NewTimer. In runs it is sim.Real: every modelled latency is waited
// for with a timer, so what a load run measures comes from the model, the limits the services
// enforce, and the handlers' real code. Tests set a sim.Fake and Advance it, so a 15-minute
// Lambda timeout or a retry schedule of minutes takes milliseconds.
//
// Resource types that matter only on AWS (IAM, CloudWatch Logs, CDK metadata, the API Gateway
// account) are accepted, answered for Ref and Fn::GetAtt with made-up names and ARNs, and listed by
// Ignored. Any other type the emulator does not know is an error naming the resource. Outputs
// whose Condition is false are left out.
//
// # Several regions
//
// NewGlobal runs a stage deployed to several regions (GlobalStage: one stack per region) in one
// process: one *Emulator per region, each with its own Env (Region), services, Lambda account
// concurrency, API Gateway account throttle, faults, metrics and traces. It builds every region's
// services first, links their DynamoDB services for global tables (dynamodb.Link), then
// provisions the stacks in the given order. The payment provider and the kitchen are shared by
// every region (third parties with regional endpoints; a charge's idempotency key is global); a
// kitchen ticket is marked ready in the region that sent it, whose Step Functions own its task
// token.
//
// A request goes to the region of its SigV4 credential scope (the Authorization header's
// Credential=AKID/date/<region>/service/aws4_request, or a presigned URL's X-Amz-Credential), so
// an SDK client built from Global.Config(region), a handler's client in either region and the
// AWS CLI's --region all reach the region they name, in process and on the one loopback port.
// A request signed for a region the stage is not in gets 403 InvalidSignatureException naming
// the regions. Unsigned requests (API Gateway invoke URLs, AppSync Events) go to the region
// owning the API id in their path (an API's id mixes in its region outside us-east-1, so one
// template gives each region its own), else to the caller's region (the first for Global's own
// client and port). The payment provider, the kitchen and the admin API are never down; the
// loopback port's admin API adds /_emulator/regions and region outages (see admin.go), and takes
// ?region= for the rest.
//
// Global.SetRegionDown is a regional outage: in process, requests to the region fail with a
// refused connection (an error the SDKs retry, as they do when an endpoint cannot be reached);
// on the loopback port they get 503 ServiceUnavailable (a listener shared by every region cannot
// refuse one region's connections); calls between the region's services (Env.Call, Env.Begin)
// answer 503 ServiceUnavailable, so its event source mappings, pipes and workflows fail and
// retry per their own policies; global table replication to and from it is held and catches up
// after. The other regions keep working. Routing costs a request about 0.2 µs and no allocation
// (BenchmarkGlobalRoute); a single-region Emulator does not route at all.
//
// # The loopback port
//
// Start serves on a loopback address only, and the server (NewServer, also used by the
// dashboard) answers only this machine's own clients: a request whose Host is not a loopback
// name (localhost, 127.0.0.1, [::1], any port) or one of the emulator's own host names
// (emulator.internal, payment.internal, kitchen.internal, *.amazonaws.com) is refused with 403,
// so a page whose domain is made to resolve to 127.0.0.1 (DNS rebinding) gets nothing; so is a
// request from a browser page of another origin (an Origin that is not the port's own, or a
// Sec-Fetch-Site other than same-origin or none), except what AWS serves cross-origin: AppSync
// Events, and an API Gateway API for the origins its CORS configuration allows
// (apigateway.Service.AllowsOrigin). AWS lets any origin reach an API and only hides the answer
// from the page; the emulator refuses the rest because it runs on the user's machine. The AWS
// CLI, boto3 and the SDKs send no Origin and are not affected. A request must arrive within
// 60 s, body included (ReadTimeout; Options.ReadTimeout shortens it), so a client that
// announces a large body and stalls is cut off; header 10 s, idle connections 120 s. Each
// service bounds its body as AWS does: Lambda 6 MB (1 MB asynchronous), API Gateway 10 MB,
// DynamoDB 16 MB, SQS 1 MiB a message.
//
// Limitations: one stack per region and one account; no cross-stack or cross-region references
// (Fn::ImportValue); no IAM evaluation (every call is allowed); an invocation already running
// when its region goes down runs to its end (its calls fail). Each service package lists its
// own limitations.
package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/apigateway"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/appsync"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/customresource"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb"
	dynamodbmodel "github.com/emilys-pastries/serverless-evolution/shared/emulator/dynamodb/model"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/esm"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/fault"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/metrics"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/pipes"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sqs"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
	"github.com/emilys-pastries/serverless-evolution/shared/kitchen"
	"github.com/emilys-pastries/serverless-evolution/shared/payment"
)

// Stage is what a stage hands the emulator: its template and its handlers.
type Stage struct {
	Name      string // "01-monolith"
	StackName string // the CDK stack's name, used for physical names
	Template  []byte // the synthesized CloudFormation template (JSON)
	// Handlers maps a function's construct path (without "/Resource"), its full aws:cdk:path or
	// its logical ID to the constructor that functions/<name>/main.go also calls.
	Handlers map[string]lambda.Constructor
	// Parameters are values for the template's parameters (defaults apply to the rest).
	Parameters map[string]any
}

// Options tune an emulator. The zero value is the sourced latency model with seed 1, AWS's
// default limits, no listener.
type Options struct {
	Seed    int64
	Latency *latency.Model // nil: latency.Default(Seed)
	// Addr is the loopback address to serve the AWS APIs on (e.g. "127.0.0.1:4566", or
	// "127.0.0.1:0" in tests); empty means in-process only. Only loopback addresses are accepted.
	Addr string
	// ReadTimeout bounds reading a request on the loopback port, body included (0: 60 s, see
	// NewServer); tests shorten it.
	ReadTimeout        time.Duration
	Region, AccountID  string
	AccountConcurrency int // Lambda account concurrency; 0 means 1,000
	Lambda             lambda.Options
	APIGateway         []apigateway.Option
	// Payment configures the external payment provider at http://payment.internal. Its service
	// time always comes from the latency model ("payment.charge") and the "payment" fault; zero
	// fields take the provider's defaults, except DeclineRate: 0 means no declines, because
	// load-test cards are approved as in a provider's test mode (set it above 0 to see declines).
	Payment payment.Config
	// Services adds services after the registry's, e.g. a test's fake.
	Services []NewService
}

// NewService builds one service of an emulator. It registers itself with env for Env.Call if
// other services may call it.
type NewService func(env *sim.Env, d Deps) sim.Service

// Deps is what a service's constructor may need beyond the Env.
type Deps struct {
	Stage   Stage
	Options Options
	// Config returns the aws.Config that points SDK clients at this emulator (what Lambda hands
	// its handlers).
	Config func() aws.Config
}

// registry lists the emulated AWS services. The emulator provisions a template's resources with
// the service whose Types include the resource's type, routes an HTTP request to the first
// service whose Serves is true, lists every service's Resources for faults, `make local` and the
// dashboard, and closes them in reverse order. Adding a service is its package plus one line.
var registry = []NewService{
	// Event source mappings first: their API lives under Lambda's /2015-03-31/ paths.
	func(env *sim.Env, _ Deps) sim.Service { return esm.New(env) },
	func(env *sim.Env, d Deps) sim.Service { return lambda.New(env, d.Stage.Handlers, d.lambdaOptions()) },
	func(env *sim.Env, _ Deps) sim.Service { return dynamodb.New(env) },
	func(env *sim.Env, d Deps) sim.Service {
		return apigateway.New(env, nil, append([]apigateway.Option{apigateway.WithHTTPClient(d.HTTPClient())}, d.Options.APIGateway...)...)
	},
	func(env *sim.Env, _ Deps) sim.Service { return sqs.New(env) },
	func(env *sim.Env, d Deps) sim.Service {
		return eventbridge.New(env, eventbridge.Options{HTTPClient: d.HTTPClient()})
	},
	func(env *sim.Env, _ Deps) sim.Service { return stepfunctions.New(env) },
	func(env *sim.Env, _ Deps) sim.Service { return appsync.New(env) },
	func(env *sim.Env, d Deps) sim.Service {
		return pipes.New(env, pipes.Options{HTTPClient: d.HTTPClient()})
	},
	func(env *sim.Env, _ Deps) sim.Service { return customresource.New(env, internalHost) },
}

// HTTPClient is the emulator's in-process client: any host reaches the emulator, so an API
// destination or a custom resource's ResponseURL never leaves the process.
func (d Deps) HTTPClient() *http.Client {
	if c, ok := d.Config().HTTPClient.(*http.Client); ok {
		return c
	}
	return http.DefaultClient
}

func (d Deps) lambdaOptions() lambda.Options {
	o := d.Options.Lambda
	if d.Options.AccountConcurrency != 0 {
		o.AccountConcurrency = d.Options.AccountConcurrency
	}
	o.Config = d.Config
	return o
}

// Emulator is one running stage.
type Emulator struct {
	stage       Stage
	env         *sim.Env
	addr        string
	readTimeout time.Duration

	// The services of the registry, typed, for callers that need their own API.
	Lambda     *lambda.Service
	DynamoDB   *dynamodb.Service
	APIGateway *apigateway.Service
	Payment    *payment.Provider
	Kitchen    *kitchen.Kitchen

	services []sim.Service // in registry order
	global   *Global       // the multi-region emulator this is one region of; nil alone

	transport  http.RoundTripper
	paymentAPI http.Handler
	kitchenAPI http.Handler
	resources  []Resource
	ignored    []Resource
	outputs    map[string]any
	baseline   *dynamodbmodel.Snapshot // the tables as provisioned and seeded, for Reset

	mu       sync.Mutex
	listener net.Listener
	server   *http.Server
	baseURL  string
}

// Resource is one provisioned resource of the template.
type Resource struct {
	LogicalID string `json:"logical_id"`
	Type      string `json:"type"`
	Physical  string `json:"physical_id"`
	CDKPath   string `json:"cdk_path,omitempty"`
}

// awsOnly are the types that only matter on AWS; the emulator accepts them and does nothing.
var awsOnly = map[string]string{
	"AWS::CDK::Metadata":         "CDK version reporting",
	"AWS::IAM::Role":             "IAM is not evaluated offline",
	"AWS::IAM::Policy":           "IAM is not evaluated offline",
	"AWS::IAM::ManagedPolicy":    "IAM is not evaluated offline",
	"AWS::Logs::LogGroup":        "logs go to the emulator's output",
	"AWS::ApiGateway::Account":   "the CloudWatch role of API Gateway",
	"AWS::Lambda::LayerVersion":  "layers are not used by Go handlers",
	"AWS::CloudWatch::Alarm":     "alarms are not evaluated offline",
	"AWS::CloudWatch::Dashboard": "dashboards are not rendered offline",
}

// internalHost is the host name in-process clients use; nothing ever dials it.
const internalHost = "emulator.internal"

// New provisions the stage's template. Every error names the resource, its type and the
// property that could not be honoured.
func New(stage Stage, opts Options) (*Emulator, error) {
	e, tmpl, err := build(stage, opts, nil)
	if err != nil {
		return nil, err
	}
	if err := e.provision(tmpl); err != nil {
		_ = e.closeServices()
		e.Kitchen.Close()
		return nil, fmt.Errorf("stage %s: %w", stage.Name, err)
	}
	e.snapshotBaseline()
	return e, nil
}

// build makes an emulator's services, payment provider and kitchen without provisioning its
// template, so that a Global can link the services of every region first. With g, the emulator
// is one region of g: its transport routes through g, and the payment provider and the kitchen
// are g's (the first region builds them).
func build(stage Stage, opts Options, g *Global) (*Emulator, *cfn.Template, error) {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Latency == nil {
		opts.Latency = latency.Default(opts.Seed)
	}
	if stage.StackName == "" {
		stage.StackName = "Stack"
	}
	tmpl, err := cfn.Parse(stage.Template)
	if err != nil {
		return nil, nil, fmt.Errorf("stage %s: %w", stage.Name, err)
	}
	e := &Emulator{
		stage:       stage,
		addr:        opts.Addr,
		readTimeout: opts.ReadTimeout,
		outputs:     map[string]any{},
		global:      g,
		env: &sim.Env{
			Region:    opts.Region,
			AccountID: opts.AccountID,
			StackName: stage.StackName,
			Latency:   opts.Latency,
			Faults:    &fault.Set{},
			Metrics:   &metrics.Registry{},
			Traces:    trace.NewRecorder(200),
		},
	}
	if g != nil {
		e.addr = "" // the Global listens for every region
		e.transport = g.router(e)
	} else {
		e.transport = &inProcess{handler: http.HandlerFunc(e.serve)}
	}
	deps := Deps{Stage: stage, Options: opts, Config: e.Config}
	for _, newService := range append(slices.Clip(registry), opts.Services...) {
		svc := newService(e.env, deps)
		e.services = append(e.services, svc)
		switch s := svc.(type) {
		case *lambda.Service:
			e.Lambda = s
		case *dynamodb.Service:
			e.DynamoDB = s
		case *apigateway.Service:
			e.APIGateway = s
		}
	}
	if g != nil && g.payment != nil {
		e.Payment, e.Kitchen = g.payment, g.kitchen
	} else {
		if e.Payment, err = newPaymentProvider(e.env, opts.Payment); err != nil {
			_ = e.closeServices()
			return nil, nil, fmt.Errorf("stage %s: payment provider: %w", stage.Name, err)
		}
		ready := e.readyAtAPI
		if g != nil {
			ready = g.kitchenReady
		}
		if e.Kitchen, err = e.newKitchen(ready); err != nil {
			_ = e.closeServices()
			return nil, nil, fmt.Errorf("stage %s: kitchen: %w", stage.Name, err)
		}
		if g != nil {
			g.payment, g.kitchen = e.Payment, e.Kitchen
		}
	}
	e.paymentAPI = payment.NewHandler(e.Payment)
	e.kitchenAPI = kitchen.NewHandler(e.Kitchen)
	if g != nil {
		e.kitchenAPI = g.kitchenOrigin(e, e.kitchenAPI)
	}
	return e, tmpl, nil
}

// Services lists the emulator's services in registry order.
func (e *Emulator) Services() []sim.Service { return slices.Clone(e.services) }

// SimResources lists every service's resources (sim.Resource: the id metrics, faults, traces
// and the dashboard use, the type, the targets), service by service in registry order.
func (e *Emulator) SimResources() []sim.Resource {
	var out []sim.Resource
	for _, s := range e.services {
		out = append(out, s.Resources()...)
	}
	return out
}

// closeServices closes the services in reverse registry order: a later service may call an
// earlier one (an event source mapping polls into Lambda) until it is closed.
//
// The pollers (event source mappings, pipes) close first whatever their place in the list: they
// start new invocations from their queues, and a backlog (a slow provider's payments) would
// otherwise keep Lambda busy for minutes after a run while Close waits for its invocations.
func (e *Emulator) closeServices() error {
	var errs []error
	closed := make([]bool, len(e.services))
	closeAt := func(i int) {
		closed[i] = true
		if err := e.services[i].Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.services[i].Name(), err))
		}
	}
	for i, s := range e.services {
		if pollers[s.Name()] {
			closeAt(i)
		}
	}
	for i := len(e.services) - 1; i >= 0; i-- {
		if !closed[i] {
			closeAt(i)
		}
	}
	return errors.Join(errs...)
}

// pollers are the services that take work from queues on their own.
var pollers = map[string]bool{"esm": true, pipes.ServiceName: true}

func (e *Emulator) provision(tmpl *cfn.Template) error {
	byType := map[string]sim.Provisioner{}
	for _, p := range e.services {
		for _, t := range p.Types() {
			byType[t] = p
		}
	}
	state := map[string]sim.Physical{}
	resolver, err := cfn.NewResolver(tmpl, cfn.Resolver{
		StackName:  e.stage.StackName,
		Region:     e.env.Region,
		AccountID:  e.env.AccountID,
		Partition:  "aws",
		URLSuffix:  "amazonaws.com",
		Parameters: e.stage.Parameters,
		Ref: func(id string) (any, error) {
			p, ok := state[id]
			if !ok {
				return nil, fmt.Errorf("resource %s is not provisioned (it may be excluded by its Condition)", id)
			}
			return p.Ref, nil
		},
		GetAtt: func(id, attr string) (any, error) {
			p, ok := state[id]
			if !ok {
				return nil, fmt.Errorf("resource %s is not provisioned (it may be excluded by its Condition)", id)
			}
			v, ok := p.Attrs[attr]
			if !ok {
				return nil, fmt.Errorf("resource %s has no attribute %s in the emulator", id, attr)
			}
			return v, nil
		},
	})
	if err != nil {
		return err
	}
	order, err := tmpl.Order()
	if err != nil {
		return err
	}
	ctx := context.Background()
	for _, res := range order {
		include, err := resolver.Include(res)
		if err != nil {
			return err
		}
		if !include {
			continue
		}
		props, err := resolver.Properties(res)
		if err != nil {
			return err
		}
		r := Resource{LogicalID: res.LogicalID, Type: res.Type, CDKPath: res.CDKPath()}
		p := byType[res.Type]
		if p == nil && customresource.Handles(res.Type) {
			p = byType[customresource.TypeCustomResource]
		}
		if p != nil {
			phys, err := p.Provision(ctx, res, props)
			if err != nil {
				return err
			}
			state[res.LogicalID] = phys
			r.Physical = fmt.Sprint(phys.Ref)
			e.resources = append(e.resources, r)
			continue
		}
		if _, ok := awsOnly[res.Type]; ok {
			name := e.env.PhysicalName(res.LogicalID, 64)
			service := strings.ToLower(strings.Split(res.Type, "::")[1])
			a := arn.ARN{Partition: "aws", Service: service, Region: e.env.Region, AccountID: e.env.AccountID,
				Resource: strings.ToLower(strings.Split(res.Type, "::")[2]) + "/" + name}
			if service == "iam" {
				a.Region = "" // IAM is global: arn:aws:iam::<account>:role/<name>
			}
			state[res.LogicalID] = sim.Physical{Ref: name, Attrs: map[string]any{"Arn": a.String(), "Name": name}}
			r.Physical = name
			e.ignored = append(e.ignored, r)
			continue
		}
		return fmt.Errorf("resource %s (%s): the emulator does not support this type (supported: %s)", res.LogicalID, res.Type, strings.Join(supported(byType), ", "))
	}
	// Outputs whose Condition is false are left out, as CloudFormation does.
	outputs, err := resolver.Outputs()
	if err != nil {
		return err
	}
	for name, v := range outputs {
		e.outputs[name] = v
	}
	return nil
}

func supported(byType map[string]sim.Provisioner) []string {
	out := make([]string, 0, len(byType)+len(awsOnly))
	for t := range byType {
		out = append(out, t)
	}
	for t := range awsOnly {
		out = append(out, t+" (accepted, AWS only)")
	}
	sort.Strings(out)
	return out
}

// Resources lists the provisioned resources in provisioning order.
func (e *Emulator) Resources() []Resource { return append([]Resource(nil), e.resources...) }

// Ignored lists the resources accepted but not emulated because they matter only on AWS.
func (e *Emulator) Ignored() []Resource { return append([]Resource(nil), e.ignored...) }

// Outputs are the template's outputs as the emulator resolved them (API URLs point at AWS's
// domain; use APIURL for the emulator's).
func (e *Emulator) Outputs() map[string]any { return e.outputs }

// Env exposes the shared latency model, faults, metrics and traces.
func (e *Emulator) Env() *sim.Env { return e.env }

// Metrics returns every resource's metrics.
func (e *Emulator) Metrics() *metrics.Registry { return e.env.Metrics }

// Faults returns the switchable faults.
func (e *Emulator) Faults() *fault.Set { return e.env.Faults }

// Traces returns the kept traces.
func (e *Emulator) Traces() *trace.Recorder { return e.env.Traces }

// Start opens the loopback listener when Options.Addr was set. It returns once the listener
// accepts connections.
func (e *Emulator) Start(_ context.Context) error {
	addr := e.addr
	if addr == "" {
		return nil
	}
	l, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	srv := NewServer(Guard{Handler: http.HandlerFunc(e.serve), Name: "the emulator", AWSHosts: true, CrossOrigin: e.crossOrigin}, e.readTimeout)
	e.mu.Lock()
	e.listener, e.server, e.baseURL = l, srv, "http://"+l.Addr().String()
	e.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
	return nil
}

// crossOrigin is what AWS answers for pages of other origins: AppSync Events publishes and
// subscribes from any origin (its endpoint answers Access-Control-Allow-Origin: *), an API
// Gateway API the origins its CORS configuration names.
func (e *Emulator) crossOrigin(r *http.Request, origin string) bool {
	if strings.HasPrefix(r.URL.Path, appsync.PathPrefix) {
		return true
	}
	return e.APIGateway != nil && e.APIGateway.AllowsOrigin(r, origin)
}

// listenLoopback listens on a loopback address, and refuses any other.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q: the emulator binds loopback addresses only (127.0.0.1, ::1, localhost)", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (is another emulator running? try -addr 127.0.0.1:0)", addr, err)
	}
	return l, nil
}

// URL is the AWS endpoint on the loopback port ("" when not listening). A region of a Global
// answers its Global's URL, where every region is served.
func (e *Emulator) URL() string {
	if e.global != nil {
		return e.global.URL()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.baseURL
}

// APIURL returns the base URL of the stage's first API (REST or HTTP), on the loopback port when
// listening, else on the in-process host that HTTPClient reaches.
func (e *Emulator) APIURL() string {
	apis := e.APIGateway.APIs()
	if len(apis) == 0 {
		return ""
	}
	base := e.URL()
	if base == "" {
		base = "http://" + internalHost
	}
	return base + apis[0].Path
}

// HTTPClient returns a client whose requests go to the emulator in-process, whatever the URL's host.
func (e *Emulator) HTTPClient() *http.Client {
	return &http.Client{Transport: e.transport}
}

// Config is the aws.Config that points SDK clients at the emulator in-process. Handlers receive it.
func (e *Emulator) Config() aws.Config {
	return aws.Config{
		Region:       e.env.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("EMULATOR", "EMULATOR", ""),
		HTTPClient:   &http.Client{Transport: e.transport},
		BaseEndpoint: aws.String("http://" + internalHost),
	}
}

// Close stops the listener and closes the services (Lambda waits for running invocations to
// end).
func (e *Emulator) Close() error {
	e.mu.Lock()
	srv := e.server
	e.mu.Unlock()
	var err error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(ctx)
	}
	err = errors.Join(err, e.closeServices())
	if e.global == nil { // a Global closes the kitchen its regions share
		e.Kitchen.Close()
	}
	return err
}

// serve routes an AWS API request: the payment provider by host, the admin API by path, then
// the first service whose Serves is true.
func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Host == payment.InternalHost || r.URL.Host == payment.InternalHost:
		e.servePayment(w, r)
		return
	case r.Host == kitchen.InternalHost || r.URL.Host == kitchen.InternalHost:
		e.serveKitchen(w, r)
		return
	case strings.HasPrefix(r.URL.Path, adminPrefix):
		e.serveAdmin(w, r)
		return
	}
	for _, s := range e.services {
		if s.Serves(r) {
			s.ServeHTTP(w, r)
			return
		}
	}
	names := make([]string, len(e.services))
	for i, s := range e.services {
		names[i] = s.Name()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type":  "UnknownOperationException",
		"message": fmt.Sprintf("the emulator does not serve %s %s (X-Amz-Target %q); it serves %s, and its admin API under %s", r.Method, r.URL.Path, r.Header.Get("X-Amz-Target"), strings.Join(names, ", "), adminPrefix),
	})
}
