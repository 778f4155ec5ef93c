package esm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Scaling figures from the Lambda developer guide (services-sqs-scaling.html) and the
// provisioned-mode launch (2025-11-14), as listed in docs/latency-model.md's sources.
const (
	initialConcurrency        = 5
	onDemandPerMinute         = 300
	onDemandMaxConcurrency    = 1250
	provisionedPerMinute      = 1000
	provisionedMaxConcurrency = 20000
	maxSyncPayload            = 6 << 20
)

// Config is a mapping as the Lambda API describes it (EventSourceMappingConfiguration).
type Config struct {
	UUID                           string                   `json:"UUID"`
	EventSourceArn                 string                   `json:"EventSourceArn"`
	FunctionArn                    string                   `json:"FunctionArn"`
	BatchSize                      int                      `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int                      `json:"MaximumBatchingWindowInSeconds"`
	FunctionResponseTypes          []string                 `json:"FunctionResponseTypes,omitempty"`
	FilterCriteria                 *FilterCriteria          `json:"FilterCriteria,omitempty"`
	ScalingConfig                  *ScalingConfig           `json:"ScalingConfig,omitempty"`
	ProvisionedPollerConfig        *ProvisionedPollerConfig `json:"ProvisionedPollerConfig,omitempty"`
	State                          string                   `json:"State"`
	StateTransitionReason          string                   `json:"StateTransitionReason"`
	LastModified                   float64                  `json:"LastModified"`
	EventSourceMappingArn          string                   `json:"EventSourceMappingArn"`
}

// FilterCriteria holds up to 5 patterns (more with a quota increase; the emulator allows 10).
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter is one pattern, as a JSON string.
type Filter struct {
	Pattern string `json:"Pattern"`
}

// ScalingConfig caps the concurrent invocations of an on-demand mapping.
type ScalingConfig struct {
	MaximumConcurrency int `json:"MaximumConcurrency,omitempty"`
}

// ProvisionedPollerConfig switches a mapping to provisioned mode.
type ProvisionedPollerConfig struct {
	MinimumPollers int `json:"MinimumPollers,omitempty"`
	MaximumPollers int `json:"MaximumPollers,omitempty"`
}

// Input is what Create and Update accept (the API's request body; CloudFormation's properties
// map onto it). Pointers tell "absent" from zero for Update.
type Input struct {
	EventSourceArn                 string                   `json:"EventSourceArn"`
	FunctionName                   string                   `json:"FunctionName"`
	Enabled                        *bool                    `json:"Enabled"`
	BatchSize                      *int                     `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int                     `json:"MaximumBatchingWindowInSeconds"`
	FunctionResponseTypes          []string                 `json:"FunctionResponseTypes"`
	FilterCriteria                 *FilterCriteria          `json:"FilterCriteria"`
	ScalingConfig                  *ScalingConfig           `json:"ScalingConfig"`
	ProvisionedPollerConfig        *ProvisionedPollerConfig `json:"ProvisionedPollerConfig"`
}

// Service runs every mapping of one emulator.
type Service struct {
	env *sim.Env

	mu       sync.Mutex
	mappings map[string]*Mapping
	seq      atomic.Uint64
	closed   bool
}

// Mapping is one running event source mapping.
type Mapping struct {
	s       *Service
	mu      sync.Mutex
	cfg     Config
	filters []*pattern.Pattern
	fifo    bool
	queue   string // queue URL, for the SQS calls
	qname   string
	cancel  context.CancelFunc
	done    chan struct{}

	inflight    atomic.Int64 // invocations running now
	maxInflight atomic.Int64 // the most seen at once
	workers     atomic.Int64 // pollers running now
	invocations atomic.Int64
	filtered    atomic.Int64
}

// New returns the event source mapping service. It registers nothing with env.Call: other
// services do not call mappings.
func New(env *sim.Env) *Service {
	return &Service{env: env, mappings: map[string]*Mapping{}}
}

func invalid(format string, args ...any) *sim.APIError {
	return sim.Errorf(http.StatusBadRequest, "InvalidParameterValueException", format, args...)
}

// Create validates in, checks the source queue and the function, and starts polling.
func (s *Service) Create(ctx context.Context, in Input) (Config, error) {
	cfg := Config{State: "Enabled", BatchSize: 10}
	if err := s.apply(ctx, &cfg, in, true); err != nil {
		return Config{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Config{}, sim.Errorf(http.StatusServiceUnavailable, "ServiceException", "the emulator is closing")
	}
	for _, m := range s.mappings {
		if m.cfg.EventSourceArn == cfg.EventSourceArn && m.cfg.FunctionArn == cfg.FunctionArn {
			return Config{}, sim.Errorf(http.StatusConflict, "ResourceConflictException",
				"An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s",
				cfg.EventSourceArn, cfg.FunctionArn, m.cfg.UUID)
		}
	}
	n := s.seq.Add(1)
	cfg.UUID = fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
	cfg.EventSourceMappingArn = s.env.ARN("lambda", "event-source-mapping:"+cfg.UUID)
	cfg.LastModified = float64(s.env.Now().UnixMilli()) / 1000
	m, err := s.newMapping(cfg)
	if err != nil {
		return Config{}, err
	}
	s.mappings[cfg.UUID] = m
	if cfg.State == "Enabled" {
		m.start()
	}
	return cfg, nil
}

// apply validates in against the API's rules and writes it into cfg. create says whether the
// source and function are required.
func (s *Service) apply(ctx context.Context, cfg *Config, in Input, create bool) error {
	if create {
		if in.EventSourceArn == "" {
			return invalid("EventSourceArn is required: the ARN of the SQS queue to read")
		}
		a, err := arn.Parse(in.EventSourceArn)
		if err != nil || a.Service != "sqs" {
			return invalid("EventSourceArn %q: the emulator's event source mappings read SQS queues only (arn:aws:sqs:<region>:<account>:<queue>)", in.EventSourceArn)
		}
		if in.FunctionName == "" {
			return invalid("FunctionName is required")
		}
		cfg.EventSourceArn = in.EventSourceArn
	}
	fifo := strings.HasSuffix(cfg.EventSourceArn, ".fifo")
	if in.BatchSize != nil {
		cfg.BatchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		cfg.MaximumBatchingWindowInSeconds = *in.MaximumBatchingWindowInSeconds
	}
	maxBatch := 10000
	if fifo {
		maxBatch = 10
	}
	switch {
	case cfg.BatchSize < 1 || cfg.BatchSize > maxBatch:
		return invalid("BatchSize must be between 1 and %d for this queue, got %d", maxBatch, cfg.BatchSize)
	case cfg.MaximumBatchingWindowInSeconds < 0 || cfg.MaximumBatchingWindowInSeconds > 300:
		return invalid("MaximumBatchingWindowInSeconds must be between 0 and 300, got %d", cfg.MaximumBatchingWindowInSeconds)
	case cfg.BatchSize > 10 && cfg.MaximumBatchingWindowInSeconds < 1:
		return invalid("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	if in.FunctionResponseTypes != nil {
		for _, t := range in.FunctionResponseTypes {
			if t != "ReportBatchItemFailures" {
				return invalid("FunctionResponseTypes: %q is not a valid value; the only one is ReportBatchItemFailures", t)
			}
		}
		cfg.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.FilterCriteria != nil {
		if len(in.FilterCriteria.Filters) > 10 {
			return invalid("FilterCriteria has %d filters; at most 5 (10 with a quota increase) are allowed", len(in.FilterCriteria.Filters))
		}
		for i, f := range in.FilterCriteria.Filters {
			if _, err := pattern.Compile([]byte(f.Pattern)); err != nil {
				return invalid("Invalid filter pattern definition. FilterCriteria.Filters[%d]: %v", i, err)
			}
		}
		cfg.FilterCriteria = in.FilterCriteria
		if len(in.FilterCriteria.Filters) == 0 {
			cfg.FilterCriteria = nil
		}
	}
	if in.ScalingConfig != nil {
		cfg.ScalingConfig = in.ScalingConfig
		if mc := in.ScalingConfig.MaximumConcurrency; mc != 0 && (mc < 2 || mc > 1000) {
			return invalid("ScalingConfig.MaximumConcurrency must be between 2 and 1000, got %d", mc)
		}
		if in.ScalingConfig.MaximumConcurrency == 0 {
			cfg.ScalingConfig = nil
		}
	}
	if in.ProvisionedPollerConfig != nil {
		p := *in.ProvisionedPollerConfig
		if p.MinimumPollers == 0 {
			p.MinimumPollers = 2
		}
		if p.MaximumPollers == 0 {
			p.MaximumPollers = 200
		}
		switch {
		case p.MinimumPollers < 2 || p.MinimumPollers > 200:
			return invalid("ProvisionedPollerConfig.MinimumPollers must be between 2 and 200, got %d", p.MinimumPollers)
		case p.MaximumPollers < p.MinimumPollers || p.MaximumPollers > 2000:
			return invalid("ProvisionedPollerConfig.MaximumPollers must be between MinimumPollers (%d) and 2000, got %d", p.MinimumPollers, p.MaximumPollers)
		}
		cfg.ProvisionedPollerConfig = &p
	}
	if cfg.ScalingConfig != nil && cfg.ProvisionedPollerConfig != nil {
		return invalid("ScalingConfig.MaximumConcurrency and ProvisionedPollerConfig cannot be used together: provisioned mode sets its own concurrency")
	}
	if in.Enabled != nil {
		cfg.State = map[bool]string{true: "Enabled", false: "Disabled"}[*in.Enabled]
	}
	if create {
		fn, timeout, err := s.function(ctx, in.FunctionName)
		if err != nil {
			return err
		}
		cfg.FunctionArn = fn
		vis, err := s.visibility(ctx, cfg.EventSourceArn)
		if err != nil {
			return err
		}
		if timeout > vis {
			return invalid("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", vis, timeout)
		}
	}
	return nil
}

// function asks Lambda for the function's ARN and timeout in seconds.
func (s *Service) function(ctx context.Context, name string) (string, int, error) {
	in, _ := json.Marshal(map[string]string{"FunctionName": name})
	out, err := s.env.Call(ctx, "lambda", "GetFunctionConfiguration", in)
	if err != nil {
		return "", 0, err
	}
	var c struct {
		FunctionArn string
		Timeout     int
	}
	if err := json.Unmarshal(out, &c); err != nil {
		return "", 0, fmt.Errorf("lambda GetFunctionConfiguration answer: %w", err)
	}
	return c.FunctionArn, c.Timeout, nil
}

// visibility reads the queue's visibility timeout in seconds.
func (s *Service) visibility(ctx context.Context, queueARN string) (int, error) {
	url, err := s.queueURL(ctx, queueARN)
	if err != nil {
		return 0, err
	}
	in, _ := json.Marshal(map[string]any{"QueueUrl": url, "AttributeNames": []string{"VisibilityTimeout"}})
	out, err := s.env.Call(ctx, "sqs", "GetQueueAttributes", in)
	if err != nil {
		return 0, err
	}
	var a struct{ Attributes map[string]string }
	if err := json.Unmarshal(out, &a); err != nil {
		return 0, fmt.Errorf("sqs GetQueueAttributes answer: %w", err)
	}
	var v int
	if _, err := fmt.Sscan(a.Attributes["VisibilityTimeout"], &v); err != nil {
		return 0, fmt.Errorf("queue %s: VisibilityTimeout %q: %w", queueARN, a.Attributes["VisibilityTimeout"], err)
	}
	return v, nil
}

func (s *Service) queueURL(ctx context.Context, queueARN string) (string, error) {
	a, err := arn.Parse(queueARN)
	if err != nil {
		return "", invalid("EventSourceArn %q: %v", queueARN, err)
	}
	in, _ := json.Marshal(map[string]string{"QueueName": a.Resource, "QueueOwnerAWSAccountId": a.AccountID})
	out, err := s.env.Call(ctx, "sqs", "GetQueueUrl", in)
	if err != nil {
		var apiErr *sim.APIError
		if ok := asAPIError(err, &apiErr); ok && strings.Contains(apiErr.Code, "NonExistentQueue") || ok && strings.Contains(apiErr.Code, "QueueDoesNotExist") {
			return "", invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue %s does not exist", queueARN)
		}
		return "", err
	}
	var u struct{ QueueUrl string }
	if err := json.Unmarshal(out, &u); err != nil {
		return "", fmt.Errorf("sqs GetQueueUrl answer: %w", err)
	}
	return u.QueueUrl, nil
}

func (s *Service) newMapping(cfg Config) (*Mapping, error) {
	m := &Mapping{s: s, cfg: cfg, fifo: strings.HasSuffix(cfg.EventSourceArn, ".fifo")}
	if err := m.compile(); err != nil {
		return nil, err
	}
	a, _ := arn.Parse(cfg.EventSourceArn)
	m.qname = a.Resource
	url, err := s.queueURL(context.Background(), cfg.EventSourceArn)
	if err != nil {
		return nil, err
	}
	m.queue = url
	return m, nil
}

func (m *Mapping) compile() error {
	m.filters = nil
	if m.cfg.FilterCriteria == nil {
		return nil
	}
	for i, f := range m.cfg.FilterCriteria.Filters {
		p, err := pattern.Compile([]byte(f.Pattern))
		if err != nil {
			return invalid("FilterCriteria.Filters[%d]: %v", i, err)
		}
		m.filters = append(m.filters, p)
	}
	return nil
}

// Get returns one mapping's configuration.
func (s *Service) Get(uuid string) (Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mappings[uuid]
	if !ok {
		return Config{}, notFound(uuid)
	}
	return m.config(), nil
}

func notFound(uuid string) *sim.APIError {
	return sim.Errorf(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: %s) event source mapping %s", "emulator", uuid)
}

// List returns the mappings, optionally of one function or one source, in creation order.
func (s *Service) List(function, source string) []Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Config
	for _, m := range s.mappings {
		c := m.config()
		if function != "" && c.FunctionArn != function && functionName(c.FunctionArn) != sim.FunctionName(function) {
			continue
		}
		if source != "" && c.EventSourceArn != source {
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

// Update changes a mapping; a running one restarts its pollers with the new settings.
func (s *Service) Update(ctx context.Context, uuid string, in Input) (Config, error) {
	s.mu.Lock()
	m, ok := s.mappings[uuid]
	s.mu.Unlock()
	if !ok {
		return Config{}, notFound(uuid)
	}
	if in.EventSourceArn != "" {
		return Config{}, invalid("EventSourceArn cannot be changed; delete the mapping and create another")
	}
	cfg := m.config()
	if err := s.apply(ctx, &cfg, in, false); err != nil {
		return Config{}, err
	}
	if in.FunctionName != "" {
		fn, _, err := s.function(ctx, in.FunctionName)
		if err != nil {
			return Config{}, err
		}
		cfg.FunctionArn = fn
	}
	cfg.LastModified = float64(s.env.Now().UnixMilli()) / 1000
	m.stop()
	m.mu.Lock()
	m.cfg = cfg
	err := m.compile()
	m.mu.Unlock()
	if err != nil {
		return Config{}, err
	}
	if cfg.State == "Enabled" {
		m.start()
	}
	return m.config(), nil
}

// Delete stops and removes a mapping.
func (s *Service) Delete(uuid string) (Config, error) {
	s.mu.Lock()
	m, ok := s.mappings[uuid]
	delete(s.mappings, uuid)
	s.mu.Unlock()
	if !ok {
		return Config{}, notFound(uuid)
	}
	m.stop()
	c := m.config()
	c.State = "Deleting"
	return c, nil
}

// Close stops every mapping's pollers and waits for running batches to end.
func (s *Service) Close() error {
	s.mu.Lock()
	s.closed = true
	ms := make([]*Mapping, 0, len(s.mappings))
	for _, m := range s.mappings {
		ms = append(ms, m)
	}
	s.mu.Unlock()
	for _, m := range ms {
		m.stop()
	}
	return nil
}

// Mapping returns a running mapping by UUID, for tests and metrics.
func (s *Service) Mapping(uuid string) (*Mapping, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.mappings[uuid]
	return m, ok
}

func (m *Mapping) config() Config {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cfg
}

// Stats are a mapping's counters.
type Stats struct {
	Pollers, InFlight, MaxInFlight, Invocations, Filtered int64
}

// Stats reads the mapping's counters.
func (m *Mapping) Stats() Stats {
	return Stats{Pollers: m.workers.Load(), InFlight: m.inflight.Load(), MaxInFlight: m.maxInflight.Load(),
		Invocations: m.invocations.Load(), Filtered: m.filtered.Load()}
}

func asAPIError(err error, target **sim.APIError) bool {
	e, ok := err.(*sim.APIError) //nolint:errorlint // Env.Call returns the callee's *APIError unwrapped
	if ok {
		*target = e
	}
	return ok
}

func (s *Service) clock() sim.Clock {
	if s.env.Clock == nil {
		return sim.Real{}
	}
	return s.env.Clock
}
