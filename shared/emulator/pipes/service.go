package pipes

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// ServiceName is the Pipes ARN namespace.
const ServiceName = "pipes"

// Latency components: one pipe execution (a batch from receipt to the target's answer) waits
// ComponentDeliver when the latency model has it, else ComponentSQS (the model's "EventBridge
// Pipes, SQS source to target" entry), else nothing.
const (
	ComponentDeliver = "pipes.deliver"
	ComponentSQS     = "pipes.sqs"
)

// DefaultPollers is how many batches a pipe reads at once: "When messages are available,
// EventBridge reads up to five batches" (eb-pipes-sqs.html, Scaling and processing).
const DefaultPollers = 5

// Options configures the service.
type Options struct {
	// HTTPClient calls API destinations when the EventBridge service cannot invoke them
	// itself (it has no InvokeApiDestination operation); nil means http.DefaultClient.
	HTTPClient *http.Client
	// Pollers is the number of batches each running pipe processes at once; 0 means
	// DefaultPollers.
	Pollers int
}

// Service is the emulated EventBridge Pipes of one emulator. The caller must Close it.
type Service struct {
	env    *sim.Env
	clock  sim.Clock
	client *http.Client
	opts   Options

	mu      sync.Mutex
	pipes   map[string]*pipe
	logical map[string]string // pipe name → logical id
	closed  bool

	muxOnce sync.Once
	httpMux *http.ServeMux
}

var _ sim.Service = (*Service)(nil)

// New returns the Pipes service of an emulator. It does not register with Env.Call: no other
// service calls Pipes.
func New(env *sim.Env, opts Options) *Service {
	s := &Service{env: env, clock: env.Clock, client: opts.HTTPClient, opts: opts,
		pipes: map[string]*pipe{}, logical: map[string]string{}}
	if s.clock == nil {
		s.clock = sim.Real{}
	}
	if s.client == nil {
		s.client = http.DefaultClient
	}
	if s.opts.Pollers <= 0 {
		s.opts.Pollers = DefaultPollers
	}
	return s
}

// Name is the Pipes ARN namespace.
func (s *Service) Name() string { return ServiceName }

func (s *Service) arn(name string) string { return s.env.ARN(ServiceName, "pipe/"+name) }

// component is the latency component of an execution, "" when the model has none.
func (s *Service) component() string {
	if s.env.Latency == nil {
		return ""
	}
	for _, c := range []string{ComponentDeliver, ComponentSQS} {
		if s.env.Latency.Has(c) {
			return c
		}
	}
	return ""
}

// Create validates in, creates the pipe and starts it when its desired state is RUNNING. The
// answer carries CurrentState CREATING, as CreatePipe's does; the emulator finishes creating at
// once, so DescribePipe then shows RUNNING or STOPPED. A source queue that does not exist
// leaves the pipe CREATE_FAILED with a StateReason, as AWS's asynchronous check does.
func (s *Service) Create(ctx context.Context, in Input) (Description, error) {
	d := Description{
		Name: in.Name, DesiredState: in.DesiredState, Source: in.Source, SourceParameters: in.SourceParameters,
		EnrichmentParameters: in.EnrichmentParameters, Target: in.Target, TargetParameters: in.TargetParameters,
		RoleArn: in.RoleArn, Tags: in.Tags, LogConfiguration: in.LogConfiguration,
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.Enrichment != nil {
		d.Enrichment = *in.Enrichment
	}
	if in.KmsKeyIdentifier != nil {
		d.KmsKeyIdentifier = *in.KmsKeyIdentifier
	}
	if d.DesiredState == "" {
		d.DesiredState = StateRunning
	}
	c, err := validate(d)
	if err != nil {
		return Description{}, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Description{}, sim.Errorf(http.StatusInternalServerError, "InternalException", "the emulator is closing")
	}
	if _, ok := s.pipes[d.Name]; ok {
		s.mu.Unlock()
		return Description{}, conflict("Pipe %s already exists.", d.Name)
	}
	now := s.clock.Now()
	c.desc.Arn = s.arn(d.Name)
	c.desc.CreationTime, c.desc.LastModifiedTime = now, now
	p := &pipe{s: s, id: sim.NewID(ServiceName, d.Name), cfg: c}
	s.pipes[d.Name] = p
	s.mu.Unlock()

	answer := p.snapshot()
	answer.CurrentState = StateCreating
	if url, err := s.queueURL(ctx, c.queueName); err != nil {
		p.setState(StateCreateFailed, "Source "+d.Source+" could not be read: "+err.Error())
		return answer, nil
	} else {
		p.mu.Lock()
		p.cfg.queueURL = url
		p.mu.Unlock()
	}
	if d.DesiredState == StateRunning {
		p.start()
	} else {
		p.setState(StateStopped, "")
	}
	return answer, nil
}

// queueURL asks SQS for the source queue's URL.
func (s *Service) queueURL(ctx context.Context, queue string) (string, error) {
	in, _ := json.Marshal(map[string]string{"QueueName": queue})
	out, err := s.env.Call(ctx, "sqs", "GetQueueUrl", in)
	if err != nil {
		return "", err
	}
	var r struct{ QueueUrl string }
	if err := json.Unmarshal(out, &r); err != nil {
		return "", err
	}
	return r.QueueUrl, nil
}

func (s *Service) lookup(name string) (*pipe, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pipes[name]
	if !ok {
		return nil, notFound(name)
	}
	return p, nil
}

// Describe answers DescribePipe.
func (s *Service) Describe(name string) (Description, error) {
	p, err := s.lookup(name)
	if err != nil {
		return Description{}, err
	}
	return p.snapshot(), nil
}

// Update applies UpdatePipe: members present in in replace the pipe's, and each parameter
// object given replaces the one it names, as the API reference describes. The source cannot
// change. The answer carries CurrentState UPDATING.
func (s *Service) Update(ctx context.Context, in Input) (Description, error) {
	p, err := s.lookup(in.Name)
	if err != nil {
		return Description{}, err
	}
	p.mu.Lock()
	d := p.cfg.desc.clone()
	queueURL := p.cfg.queueURL
	p.mu.Unlock()
	if in.Source != "" && in.Source != d.Source {
		return Description{}, invalidField("Source", "the source of a pipe cannot be changed")
	}
	if in.RoleArn != "" {
		d.RoleArn = in.RoleArn
	}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.DesiredState != "" {
		d.DesiredState = in.DesiredState
	}
	if in.Enrichment != nil {
		d.Enrichment = *in.Enrichment
	}
	if in.KmsKeyIdentifier != nil {
		d.KmsKeyIdentifier = *in.KmsKeyIdentifier
	}
	if in.LogConfiguration != nil {
		d.LogConfiguration = in.LogConfiguration
	}
	if sp := in.SourceParameters; sp != nil {
		if d.SourceParameters == nil {
			d.SourceParameters = &SourceParameters{}
		}
		merged := *d.SourceParameters
		if sp.FilterCriteria != nil {
			merged.FilterCriteria = sp.FilterCriteria
		}
		if sp.SqsQueueParameters != nil {
			merged.SqsQueueParameters = sp.SqsQueueParameters
		}
		merged.ActiveMQBrokerParameters, merged.DynamoDBStreamParameters = sp.ActiveMQBrokerParameters, sp.DynamoDBStreamParameters
		merged.KinesisStreamParameters, merged.ManagedStreamingKafkaParameters = sp.KinesisStreamParameters, sp.ManagedStreamingKafkaParameters
		merged.RabbitMQBrokerParameters, merged.SelfManagedKafkaParameters = sp.RabbitMQBrokerParameters, sp.SelfManagedKafkaParameters
		d.SourceParameters = &merged
	}
	if ep := in.EnrichmentParameters; ep != nil {
		merged := EnrichmentParameters{}
		if d.EnrichmentParameters != nil {
			merged = *d.EnrichmentParameters
		}
		if ep.InputTemplate != nil {
			merged.InputTemplate = ep.InputTemplate
		}
		if ep.HttpParameters != nil {
			merged.HttpParameters = ep.HttpParameters
		}
		d.EnrichmentParameters = &merged
	}
	if in.Target != "" {
		d.Target = in.Target
	}
	if tp := in.TargetParameters; tp != nil {
		merged := TargetParameters{}
		if d.TargetParameters != nil {
			merged = *d.TargetParameters
		}
		// Each parameter object given replaces the pipe's; the others stay.
		if tp.InputTemplate != nil {
			merged.InputTemplate = tp.InputTemplate
		}
		if tp.SqsQueueParameters != nil {
			merged.SqsQueueParameters = tp.SqsQueueParameters
		}
		if tp.LambdaFunctionParameters != nil {
			merged.LambdaFunctionParameters = tp.LambdaFunctionParameters
		}
		if tp.StepFunctionStateMachineParameters != nil {
			merged.StepFunctionStateMachineParameters = tp.StepFunctionStateMachineParameters
		}
		if tp.EventBridgeEventBusParameters != nil {
			merged.EventBridgeEventBusParameters = tp.EventBridgeEventBusParameters
		}
		if tp.HttpParameters != nil {
			merged.HttpParameters = tp.HttpParameters
		}
		merged.BatchJobParameters, merged.CloudWatchLogsParameters = tp.BatchJobParameters, tp.CloudWatchLogsParameters
		merged.EcsTaskParameters, merged.KinesisStreamParameters = tp.EcsTaskParameters, tp.KinesisStreamParameters
		merged.RedshiftDataParameters, merged.SageMakerPipelineParameters = tp.RedshiftDataParameters, tp.SageMakerPipelineParameters
		merged.TimestreamParameters = tp.TimestreamParameters
		d.TargetParameters = &merged
	}
	c, err := validate(d)
	if err != nil {
		return Description{}, err
	}
	c.queueURL = queueURL
	c.desc.LastModifiedTime = s.clock.Now()
	p.stop()
	p.mu.Lock()
	c.desc.CurrentState, c.desc.StateReason = p.cfg.desc.CurrentState, p.cfg.desc.StateReason
	p.cfg = c
	p.mu.Unlock()
	answer := p.snapshot()
	answer.CurrentState = StateUpdating
	p.settle()
	return answer, nil
}

// settle brings a pipe to its desired state.
func (p *pipe) settle() {
	d := p.snapshot()
	switch {
	case d.CurrentState == StateCreateFailed:
	case d.DesiredState == StateRunning:
		p.start()
	default:
		p.setState(StateStopped, "")
	}
}

// Start answers StartPipe: the desired state becomes RUNNING and the answer carries STARTING.
func (s *Service) Start(name string) (Description, error) {
	return s.setDesired(name, StateRunning, StateStarting)
}

// Stop answers StopPipe: the pollers end after their current batch; the answer carries
// STOPPING.
func (s *Service) Stop(name string) (Description, error) {
	return s.setDesired(name, StateStopped, StateStopping)
}

func (s *Service) setDesired(name, desired, transient string) (Description, error) {
	p, err := s.lookup(name)
	if err != nil {
		return Description{}, err
	}
	p.mu.Lock()
	if p.cfg.desc.CurrentState == StateCreateFailed {
		p.mu.Unlock()
		return Description{}, conflict("Pipe %s is in state %s and cannot be changed; delete it and create it again.", name, StateCreateFailed)
	}
	p.cfg.desc.DesiredState = desired
	p.cfg.desc.LastModifiedTime = s.clock.Now()
	p.mu.Unlock()
	answer := p.snapshot()
	answer.CurrentState = transient
	if desired == StateStopped {
		p.stop()
	}
	p.settle()
	return answer, nil
}

// Delete answers DeletePipe: the pipe stops and is removed; the answer carries DELETING.
func (s *Service) Delete(name string) (Description, error) {
	s.mu.Lock()
	p, ok := s.pipes[name]
	if ok {
		delete(s.pipes, name)
		delete(s.logical, name)
	}
	s.mu.Unlock()
	if !ok {
		return Description{}, notFound(name)
	}
	p.stop()
	answer := p.snapshot()
	answer.CurrentState = StateDeleting
	return answer, nil
}

// ListFilter is ListPipes' query.
type ListFilter struct {
	NamePrefix, SourcePrefix, TargetPrefix string
	CurrentState, DesiredState             string
	Limit                                  int
	NextToken                              string
}

// List answers ListPipes, sorted by name. NextToken is an offset, as the emulator writes it.
func (s *Service) List(f ListFilter) ([]Description, string, error) {
	s.mu.Lock()
	ps := make([]*pipe, 0, len(s.pipes))
	for _, p := range s.pipes {
		ps = append(ps, p)
	}
	s.mu.Unlock()
	var out []Description
	for _, p := range ps {
		d := p.snapshot()
		if !strings.HasPrefix(d.Name, f.NamePrefix) || !strings.HasPrefix(d.Source, f.SourcePrefix) ||
			!strings.HasPrefix(d.Target, f.TargetPrefix) ||
			(f.CurrentState != "" && d.CurrentState != f.CurrentState) ||
			(f.DesiredState != "" && d.DesiredState != f.DesiredState) {
			continue
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	start := 0
	if f.NextToken != "" {
		n, err := strconv.Atoi(f.NextToken)
		if err != nil || n < 0 || n > len(out) {
			return nil, "", invalidField("NextToken", "NextToken %q is not valid", f.NextToken)
		}
		start = n
	}
	if f.Limit < 0 || f.Limit > 100 {
		return nil, "", rangeError("Limit", f.Limit, 1, 100)
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	out = out[start:]
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = strconv.Itoa(start + limit)
	}
	return out, next, nil
}

// Resources lists the pipes with their source, enrichment and target for the topology.
func (s *Service) Resources() []sim.Resource {
	s.mu.Lock()
	ps := make([]*pipe, 0, len(s.pipes))
	for _, p := range s.pipes {
		ps = append(ps, p)
	}
	logical := make(map[string]string, len(s.logical))
	for k, v := range s.logical {
		logical[k] = v
	}
	s.mu.Unlock()
	out := make([]sim.Resource, 0, len(ps))
	for _, p := range ps {
		p.mu.Lock()
		c := p.cfg
		p.mu.Unlock()
		r := sim.Resource{ID: p.id, Type: TypePipe, LogicalID: logical[c.desc.Name], Physical: c.desc.Name, ARN: c.desc.Arn,
			Sources: []sim.ID{sim.NewID("sqs", c.queueName)}}
		if c.enrichment != nil {
			r.Targets = append(r.Targets, c.enrichment.id())
		}
		r.Targets = append(r.Targets, c.target.id())
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Close stops every pipe's pollers and waits for their batches.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	ps := make([]*pipe, 0, len(s.pipes))
	for _, p := range s.pipes {
		ps = append(ps, p)
	}
	s.mu.Unlock()
	for _, p := range ps {
		p.stop()
	}
	return nil
}

// epoch writes a time as the epoch seconds the REST-JSON protocol uses.
func epoch(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
}
