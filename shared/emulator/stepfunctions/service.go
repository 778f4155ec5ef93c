package stepfunctions

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// ServiceName is Step Functions' ARN namespace, the name it is registered under for Env.Call.
const ServiceName = "states"

// Latency model components the service waits on.
const (
	componentExpressTransition  = "stepfunctions.express.transition"
	componentStandardTransition = "stepfunctions.standard.transition"
	componentStartSync          = "stepfunctions.StartSyncExecution"
)

// State machine types.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// Quotas (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, and
// ../shared/reference/aws-figures.md): the StartExecution token buckets per account and the
// StateTransition bucket of standard workflows; express runs at most five minutes.
const (
	startStandardBurst, startStandardRefill = 1300, 300
	startExpressBurst, startExpressRefill   = 6000, 6000
	transitionBurst, transitionRefill       = 5000, 1500
	expressMaxDuration                      = 5 * time.Minute
	// maxHistoryEvents is the history an execution can have (25,000 events); further events
	// are not kept.
	maxHistoryEvents = 25000
)

// Metric counters per state machine (env.Metrics.Resource("states", name)).
const (
	MetricExecutionsStarted   = "ExecutionsStarted"
	MetricExecutionsSucceeded = "ExecutionsSucceeded"
	MetricExecutionsFailed    = "ExecutionsFailed"
	MetricExecutionsTimedOut  = "ExecutionsTimedOut"
	MetricExecutionsAborted   = "ExecutionsAborted"
	MetricExecutionThrottled  = "ExecutionThrottled"
	MetricStateTransitions    = "StateTransitions"
	MetricExpressBilledMBms   = "ExpressBilledMBms"
)

// Service is the emulated Step Functions of one emulator: the AWS JSON 1.0 API (ServeHTTP),
// Env.Call (Call), the CloudFormation provisioner (Types, Provision) and the task
// integrations that reach other services through Env.Call.
type Service struct {
	env    *sim.Env
	clock  sim.Clock
	router *awsjson.Router
	tokens *asl.TaskTokens

	startStandard, startExpress, transitions *bucket

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.RWMutex
	machines   map[string]*stateMachine // by name
	executions map[string]*execution    // standard executions by ARN
	byMachine  map[string][]*execution  // standard executions by state machine ARN, oldest first
}

var (
	_ sim.Service = (*Service)(nil)
	_ sim.Caller  = (*Service)(nil)
)

// New returns the Step Functions service of an emulator and registers it for Env.Call as
// "states". env.Latency is required. The caller must Close it.
func New(env *sim.Env) *Service {
	s := &Service{
		env:        env,
		clock:      env.Clock,
		tokens:     asl.NewTaskTokens(),
		machines:   map[string]*stateMachine{},
		executions: map[string]*execution{},
		byMachine:  map[string][]*execution{},
	}
	if s.clock == nil {
		s.clock = sim.Real{}
	}
	now := s.clock.Now()
	s.startStandard = newBucket(startStandardBurst, startStandardRefill, now)
	s.startExpress = newBucket(startExpressBurst, startExpressRefill, now)
	s.transitions = newBucket(transitionBurst, transitionRefill, now)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.router = &awsjson.Router{Prefix: "AWSStepFunctions", Version: "1.0", Ops: s.ops(), MaxBody: 4 << 20}
	env.Register(ServiceName, s)
	return s
}

// Name is Step Functions' ARN namespace.
func (s *Service) Name() string { return ServiceName }

// Serves reports whether a request carries an AWSStepFunctions.* X-Amz-Target, whatever its
// host: the SDKs send StartSyncExecution to "sync-states.<region>…", which the emulator's one
// endpoint also answers.
func (s *Service) Serves(r *http.Request) bool { return s.router.Serves(r) }

// ServeHTTP answers the AWS JSON 1.0 protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Call runs one API operation with its JSON body (sim.Caller): EventBridge targets, Pipes and
// API Gateway integrations reach StartExecution and StartSyncExecution this way.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	return s.router.Call(ctx, op, input)
}

// Close stops running executions and waits for them to end.
func (s *Service) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

// Resources lists the state machines with the resources their Task states reach.
func (s *Service) Resources() []sim.Resource {
	s.mu.RLock()
	out := make([]sim.Resource, 0, len(s.machines))
	for _, sm := range s.machines {
		out = append(out, sim.Resource{ID: sim.NewID(ServiceName, sm.name), Type: TypeStateMachine, LogicalID: sm.logicalID,
			Physical: sm.arn, ARN: sm.arn, Targets: append([]sim.ID(nil), sm.targets...)})
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// count adds n to a state machine's counter.
func (s *Service) count(machine, metric string, n int64) {
	if s.env.Metrics != nil && n != 0 {
		s.env.Metrics.Resource(ServiceName, machine).Add(metric, n)
	}
}

// aslClock is the emulator's clock as the interpreter takes it.
type aslClock struct{ c sim.Clock }

func (a aslClock) Now() time.Time { return a.c.Now() }
func (a aslClock) Sleep(ctx context.Context, d time.Duration) error {
	return sim.Sleep(ctx, a.c, d)
}

// bucket is a token bucket on the emulator's clock.
type bucket struct {
	mu       sync.Mutex
	capacity float64
	rate     float64 // tokens per second
	tokens   float64
	last     time.Time
}

func newBucket(capacity, rate float64, now time.Time) *bucket {
	return &bucket{capacity: capacity, rate: rate, tokens: capacity, last: now}
}

func (b *bucket) refill(now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(b.capacity, b.tokens+el*b.rate)
		b.last = now
	}
}

// take takes one token if there is one.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// reserve takes one token, going into debt if needed, and returns how long to wait until the
// token would have been there.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// validName reports whether a state machine or execution name is one AWS accepts: 1–80
// characters, none of whitespace, brackets, wildcards, the special characters
// " # % \ ^ | ~ ` $ & , ; : / or control characters
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html).
func validName(n string) bool {
	if n == "" || len([]rune(n)) > 80 {
		return false
	}
	for _, r := range n {
		switch {
		case r <= 0x20, r >= 0x7f && r <= 0x9f:
			return false
		case strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r):
			return false
		}
	}
	return true
}
