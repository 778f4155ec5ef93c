package eventbridge

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/workers"
)

// ServiceName is EventBridge's ARN namespace, under which it registers for Env.Call.
const ServiceName = "events"

// Latency components the service waits when the latency model has them.
const (
	ComponentPut     = "eventbridge.PutEvents" // one PutEvents call
	ComponentDeliver = "eventbridge.delivery"  // ingestion to the first attempt on a target
)

// DefaultBus is the bus every account has.
const DefaultBus = "default"

// Options configures the service.
type Options struct {
	// HTTPClient sends API destination requests. The emulator passes its in-process client so
	// that its own hosts resolve; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Service is the emulated EventBridge of one emulator. The caller must Close it.
type Service struct {
	env    *sim.Env
	clock  sim.Clock
	client *http.Client
	router *awsjson.Router

	mu           sync.RWMutex
	buses        map[string]*bus
	archives     map[string]*archive
	replays      map[string]*replay
	connections  map[string]*connection     // by name
	destinations map[string]*apiDestination // by name

	queueURLs sync.Map // queue ARN → URL

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	dropped atomic.Int64
}

var (
	_ sim.Service = (*Service)(nil)
	_ sim.Caller  = (*Service)(nil)
)

type bus struct {
	name, arn   string
	description string
	logicalID   string
	created     time.Time
	tags        map[string]string // guarded by Service.mu
	rules       map[string]*rule
	// active is the enabled rules with a pattern, rebuilt on every change so that PutEvents
	// reads it without copying.
	active []*rule
}

type rule struct {
	name, arn, bus string
	description    string
	patternText    string
	pattern        *pattern.Pattern
	schedule       string
	rate           time.Duration
	state          string
	roleArn        string
	logicalID      string
	tags           map[string]string // guarded by Service.mu
	targets        []*target         // replaced, never modified in place
	stopSchedule   func() bool
}

type archive struct {
	name, arn, source string // source is the bus ARN
	bus               string
	description       string
	patternText       string
	pattern           *pattern.Pattern
	retentionDays     int
	created           time.Time
	logicalID         string
	events            []archived
}

// archived is what an archive keeps of an event: what replaying it and describing the archive
// need. The event's JSON and decoded form are built again on replay from the entry: an archive
// keeps every event of a run, and they were most of the memory it held.
type archived struct {
	id             string
	entry          putEventsEntry
	time, ingested time.Time
	size           int // the event's JSON, as DescribeArchive's SizeBytes counts it
}

type replay struct {
	name, arn, description string
	source                 string // archive ARN
	destination            replayDestination
	start, end             time.Time
	state, stateReason     string
	replayStart, replayEnd time.Time
	lastReplayed           time.Time
	cancelled              atomic.Bool
}

// New returns the EventBridge service of an emulator with its default bus, and registers it for
// Env.Call as "events". The caller must Close it.
func New(env *sim.Env, opts Options) *Service {
	s := &Service{
		env:          env,
		clock:        env.Clock,
		client:       opts.HTTPClient,
		buses:        map[string]*bus{},
		archives:     map[string]*archive{},
		replays:      map[string]*replay{},
		connections:  map[string]*connection{},
		destinations: map[string]*apiDestination{},
	}
	if s.clock == nil {
		s.clock = sim.Real{}
	}
	if s.client == nil {
		s.client = http.DefaultClient
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.buses[DefaultBus] = &bus{name: DefaultBus, arn: s.busARN(DefaultBus), created: s.clock.Now(), rules: map[string]*rule{}}
	s.router = &awsjson.Router{Prefix: "AWSEvents", Version: "1.1", Ops: s.ops(), MaxBody: 2*maxRequestEntries + 64<<10}
	env.Register(ServiceName, s)
	return s
}

// Name is EventBridge's ARN namespace.
func (s *Service) Name() string { return ServiceName }

// Serves reports whether a request carries an AWSEvents.* X-Amz-Target.
func (s *Service) Serves(r *http.Request) bool { return s.router.Serves(r) }

// ServeHTTP answers the AWS JSON 1.1 protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Call runs one API operation with its JSON body (sim.Caller), e.g. "PutEvents" from a Step
// Functions task. The operations are those of ServeHTTP.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	return s.router.Call(ctx, op, input)
}

// Dropped is how many events failed delivery for good with no dead-letter queue to take them.
func (s *Service) Dropped() int64 { return s.dropped.Load() }

// Close stops schedules, replays, retries and deliveries in flight, and waits for them.
func (s *Service) Close() error {
	s.cancel()
	s.mu.Lock()
	for _, b := range s.buses {
		for _, r := range b.rules {
			if r.stopSchedule != nil {
				r.stopSchedule()
			}
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// go runs f in a goroutine that Close waits for, unless the service is closed.
func (s *Service) spawn(f func()) {
	if s.ctx.Err() != nil {
		return
	}
	s.wg.Add(1)
	workers.Go(func() {
		defer s.wg.Done()
		f()
	})
}

// Resources lists buses, rules (with their targets and dead-letter queues as edges) and API
// destinations.
func (s *Service) Resources() []sim.Resource {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []sim.Resource
	for _, b := range s.buses {
		if b.name == DefaultBus && len(b.rules) == 0 {
			continue // every account has it; a stage that does not use it should not show it
		}
		br := sim.Resource{ID: sim.NewID(ServiceName, b.name), Type: TypeEventBus, LogicalID: b.logicalID, Physical: b.name, ARN: b.arn}
		for _, r := range b.rules {
			id := sim.NewID(ServiceName, b.name+"/"+r.name)
			br.Targets = append(br.Targets, id)
			rr := sim.Resource{ID: id, Type: TypeRule, LogicalID: r.logicalID, Physical: r.name, ARN: r.arn, Sources: []sim.ID{br.ID}}
			for _, t := range r.targets {
				if tid := resourceID(t.Arn); tid != "" {
					rr.Targets = append(rr.Targets, tid)
				}
				if t.DeadLetterConfig != nil {
					if tid := resourceID(t.DeadLetterConfig.Arn); tid != "" {
						rr.Targets = append(rr.Targets, tid)
					}
				}
			}
			out = append(out, rr)
		}
		sort.Slice(br.Targets, func(i, j int) bool { return br.Targets[i] < br.Targets[j] })
		out = append(out, br)
	}
	for _, d := range s.destinations {
		out = append(out, sim.Resource{ID: sim.NewID("apidestination", d.name), Type: TypeApiDestination, LogicalID: d.logicalID, Physical: d.name, ARN: d.arn})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ARNs of the service's resources.
func (s *Service) busARN(name string) string { return s.env.ARN(ServiceName, "event-bus/"+name) }

func (s *Service) ruleARN(busName, name string) string {
	if busName == DefaultBus {
		return s.env.ARN(ServiceName, "rule/"+name)
	}
	return s.env.ARN(ServiceName, "rule/"+busName+"/"+name)
}

func (s *Service) archiveARN(name string) string { return s.env.ARN(ServiceName, "archive/"+name) }
func (s *Service) replayARN(name string) string  { return s.env.ARN(ServiceName, "replay/"+name) }

// component returns c when the latency model has it, else "" (no wait).
func (s *Service) component(c string) string {
	if s.env.Latency == nil || !s.env.Latency.Has(c) {
		return ""
	}
	return c
}

// count adds to a rule's counter.
func (s *Service) count(busName, ruleName, metric string, n int64) {
	if s.env.Metrics != nil {
		s.env.Metrics.Resource(ServiceName, busName+"/"+ruleName).Add(metric, n)
	}
}

// rebuildActive refreshes a bus's list of rules that match events. Callers hold s.mu.
func (b *bus) rebuildActive() {
	active := make([]*rule, 0, len(b.rules))
	for _, r := range b.rules {
		if r.pattern != nil && r.state != stateDisabled {
			active = append(active, r)
		}
	}
	sort.Slice(active, func(i, j int) bool { return active[i].name < active[j].name })
	b.active = active
}
