package pipes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Pipe states (the API's PipeState and RequestedPipeState).
const (
	StateRunning      = "RUNNING"
	StateStopped      = "STOPPED"
	StateCreating     = "CREATING"
	StateUpdating     = "UPDATING"
	StateDeleting     = "DELETING"
	StateStarting     = "STARTING"
	StateStopping     = "STOPPING"
	StateCreateFailed = "CREATE_FAILED"
)

// Invocation types of Lambda and Step Functions targets.
const (
	RequestResponse = "REQUEST_RESPONSE"
	FireAndForget   = "FIRE_AND_FORGET"
)

// Limits from the Pipes API reference (CreatePipe, PipeSourceSqsQueueParameters, FilterCriteria)
// and the batching page (eb-pipes-batching-concurrency.html).
const (
	maxBatchSize      = 10000
	maxBatchWindow    = 300
	defaultBatchSize  = 10
	maxFilters        = 5
	maxPatternLength  = 4096
	maxTemplateLength = 8192
	// batchLimitSQS and batchLimitBus are the documented maximum batch sizes of SQS queue and
	// event bus targets; Lambda and Step Functions take what the source sends.
	batchLimitSQS = 10
	batchLimitBus = 10
)

// Description is a pipe as DescribePipe answers it.
type Description struct {
	Arn                  string                `json:"Arn"`
	Name                 string                `json:"Name"`
	Description          string                `json:"Description,omitempty"`
	DesiredState         string                `json:"DesiredState"`
	CurrentState         string                `json:"CurrentState"`
	StateReason          string                `json:"StateReason,omitempty"`
	Source               string                `json:"Source"`
	SourceParameters     *SourceParameters     `json:"SourceParameters,omitempty"`
	Enrichment           string                `json:"Enrichment,omitempty"`
	EnrichmentParameters *EnrichmentParameters `json:"EnrichmentParameters,omitempty"`
	Target               string                `json:"Target"`
	TargetParameters     *TargetParameters     `json:"TargetParameters,omitempty"`
	RoleArn              string                `json:"RoleArn"`
	Tags                 map[string]string     `json:"Tags,omitempty"`
	LogConfiguration     any                   `json:"LogConfiguration,omitempty"`
	KmsKeyIdentifier     string                `json:"KmsKeyIdentifier,omitempty"`
	CreationTime         time.Time             `json:"-"`
	LastModifiedTime     time.Time             `json:"-"`
}

// SourceParameters are PipeSourceParameters. Only SQS is modelled; the other sources' members
// exist so that a request naming them is refused by name rather than ignored.
type SourceParameters struct {
	FilterCriteria     *FilterCriteria     `json:"FilterCriteria,omitempty"`
	SqsQueueParameters *SqsQueueParameters `json:"SqsQueueParameters,omitempty"`

	ActiveMQBrokerParameters        any `json:"ActiveMQBrokerParameters,omitempty"`
	DynamoDBStreamParameters        any `json:"DynamoDBStreamParameters,omitempty"`
	KinesisStreamParameters         any `json:"KinesisStreamParameters,omitempty"`
	ManagedStreamingKafkaParameters any `json:"ManagedStreamingKafkaParameters,omitempty"`
	RabbitMQBrokerParameters        any `json:"RabbitMQBrokerParameters,omitempty"`
	SelfManagedKafkaParameters      any `json:"SelfManagedKafkaParameters,omitempty"`
}

// FilterCriteria holds the event patterns, as JSON strings.
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter is one event pattern.
type Filter struct {
	Pattern string `json:"Pattern"`
}

// SqsQueueParameters are PipeSourceSqsQueueParameters.
type SqsQueueParameters struct {
	BatchSize                      *int `json:"BatchSize,omitempty"`
	MaximumBatchingWindowInSeconds *int `json:"MaximumBatchingWindowInSeconds,omitempty"`
}

// HTTPParameters are the path, query and header values of an API destination call.
type HTTPParameters struct {
	HeaderParameters      map[string]string `json:"HeaderParameters,omitempty"`
	PathParameterValues   []string          `json:"PathParameterValues,omitempty"`
	QueryStringParameters map[string]string `json:"QueryStringParameters,omitempty"`
}

// EnrichmentParameters are PipeEnrichmentParameters.
type EnrichmentParameters struct {
	InputTemplate  *string         `json:"InputTemplate,omitempty"`
	HttpParameters *HTTPParameters `json:"HttpParameters,omitempty"`
}

// TargetParameters are PipeTargetParameters for the targets the emulator delivers to; the other
// targets' members exist to be refused by name.
type TargetParameters struct {
	InputTemplate                      *string                  `json:"InputTemplate,omitempty"`
	SqsQueueParameters                 *SqsTargetParameters     `json:"SqsQueueParameters,omitempty"`
	LambdaFunctionParameters           *InvocationParameters    `json:"LambdaFunctionParameters,omitempty"`
	StepFunctionStateMachineParameters *InvocationParameters    `json:"StepFunctionStateMachineParameters,omitempty"`
	EventBridgeEventBusParameters      *EventBusTargetParameter `json:"EventBridgeEventBusParameters,omitempty"`
	HttpParameters                     *HTTPParameters          `json:"HttpParameters,omitempty"`

	BatchJobParameters          any `json:"BatchJobParameters,omitempty"`
	CloudWatchLogsParameters    any `json:"CloudWatchLogsParameters,omitempty"`
	EcsTaskParameters           any `json:"EcsTaskParameters,omitempty"`
	KinesisStreamParameters     any `json:"KinesisStreamParameters,omitempty"`
	RedshiftDataParameters      any `json:"RedshiftDataParameters,omitempty"`
	SageMakerPipelineParameters any `json:"SageMakerPipelineParameters,omitempty"`
	TimestreamParameters        any `json:"TimestreamParameters,omitempty"`
}

// SqsTargetParameters are PipeTargetSqsQueueParameters (values may be dynamic "$." paths).
type SqsTargetParameters struct {
	MessageGroupId         string `json:"MessageGroupId,omitempty"`
	MessageDeduplicationId string `json:"MessageDeduplicationId,omitempty"`
}

// InvocationParameters are PipeTargetLambdaFunctionParameters and
// PipeTargetStateMachineParameters.
type InvocationParameters struct {
	InvocationType string `json:"InvocationType,omitempty"`
}

// EventBusTargetParameter are PipeTargetEventBridgeEventBusParameters (values may be dynamic).
type EventBusTargetParameter struct {
	DetailType string   `json:"DetailType,omitempty"`
	EndpointId string   `json:"EndpointId,omitempty"`
	Resources  []string `json:"Resources,omitempty"`
	Source     string   `json:"Source,omitempty"`
	Time       string   `json:"Time,omitempty"`
}

// Input is what CreatePipe and UpdatePipe take (the request body plus the name from the path).
// Pointers tell an absent member from an empty one for UpdatePipe.
type Input struct {
	Name                 string                `json:"-"`
	Description          *string               `json:"Description"`
	DesiredState         string                `json:"DesiredState"`
	Source               string                `json:"Source"`
	SourceParameters     *SourceParameters     `json:"SourceParameters"`
	Enrichment           *string               `json:"Enrichment"`
	EnrichmentParameters *EnrichmentParameters `json:"EnrichmentParameters"`
	Target               string                `json:"Target"`
	TargetParameters     *TargetParameters     `json:"TargetParameters"`
	RoleArn              string                `json:"RoleArn"`
	Tags                 map[string]string     `json:"Tags"`
	LogConfiguration     any                   `json:"LogConfiguration"`
	KmsKeyIdentifier     *string               `json:"KmsKeyIdentifier"`
}

// FieldError is one entry of a ValidationException's fieldList.
type FieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// ValidationError is the API's ValidationException.
type ValidationError struct {
	Message string
	Fields  []FieldError
}

func (e *ValidationError) Error() string { return "ValidationException: " + e.Message }

func invalidField(field, format string, args ...any) *ValidationError {
	msg := fmt.Sprintf(format, args...)
	return &ValidationError{Message: msg, Fields: []FieldError{{Name: field, Message: msg}}}
}

func notFound(name string) *sim.APIError {
	return sim.Errorf(http.StatusNotFound, "NotFoundException", "Pipe %s does not exist.", name)
}

func conflict(format string, args ...any) *sim.APIError {
	return sim.Errorf(http.StatusConflict, "ConflictException", format, args...)
}

// namePattern is the Name constraint of the API reference: 1–64 of [.\-_A-Za-z0-9].
var namePattern = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

// rolePattern is RoleArn's constraint.
var rolePattern = regexp.MustCompile(`^arn:(aws[a-zA-Z0-9-]*):iam::\d{12}:role/?[a-zA-Z0-9+=,.@\-_/]+$`)

// endpoint is a parsed enrichment or target ARN.
type endpoint struct {
	arn  string
	kind string // "lambda", "states", "sqs", "bus", "apidestination"
	name string // function, state machine, queue, bus or destination name
}

// id is the endpoint's resource ID for the topology.
func (e endpoint) id() sim.ID {
	switch e.kind {
	case "bus":
		return sim.NewID("events", e.name)
	default:
		return sim.NewID(e.kind, e.name)
	}
}

// parseEndpoint reads an enrichment or target ARN. The resource forms are those of the Lambda,
// Step Functions, SQS and EventBridge ARNs.
func parseEndpoint(field, s string, enrichment bool) (endpoint, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return endpoint{}, invalidField(field, "%s %q is not a valid ARN", field, s)
	}
	e := endpoint{arn: s}
	switch a.Service {
	case "lambda":
		name, ok := strings.CutPrefix(a.Resource, "function:")
		if !ok {
			break
		}
		name, _, _ = strings.Cut(name, ":") // a qualifier is accepted and not modelled
		e.kind, e.name = "lambda", name
	case "states":
		if name, ok := strings.CutPrefix(a.Resource, "stateMachine:"); ok {
			e.kind, e.name = "states", name
		}
	case "sqs":
		if !enrichment && a.Resource != "" {
			e.kind, e.name = "sqs", a.Resource
		}
	case "events":
		if name, ok := strings.CutPrefix(a.Resource, "api-destination/"); ok {
			name, _, _ = strings.Cut(name, "/")
			e.kind, e.name = "apidestination", name
		} else if name, ok := strings.CutPrefix(a.Resource, "event-bus/"); ok && !enrichment {
			e.kind, e.name = "bus", name
		}
	}
	if e.kind == "" {
		what := "targets: SQS queues, Lambda functions, Step Functions state machines, event buses and API destinations"
		if enrichment {
			what = "enrichments: Lambda functions, Step Functions state machines and API destinations"
		}
		return endpoint{}, invalidField(field, "%s %q is not supported by the emulator, which models these %s", field, s, what)
	}
	return e, nil
}

// compiled is the runtime form of a pipe's configuration, rebuilt on every change.
type compiled struct {
	desc        Description
	queueName   string
	queueURL    string
	batchSize   int
	window      time.Duration
	filters     []*pattern.Pattern
	enrichment  *endpoint
	enrichTmpl  *Template
	target      endpoint
	targetTmpl  *Template
	invocation  string // Lambda or Step Functions target's invocation type
	targetParam TargetParameters
	enrichParam EnrichmentParameters
}

// validate checks a pipe as CreatePipe or UpdatePipe does and compiles it.
func validate(d Description) (*compiled, error) {
	if !namePattern.MatchString(d.Name) {
		return nil, invalidField("Name", "Name %q must be 1 to 64 characters of letters, digits, '.', '-' and '_'", d.Name)
	}
	if len(d.Description) > 512 {
		return nil, invalidField("Description", "Description must be at most 512 characters, got %d", len(d.Description))
	}
	if !rolePattern.MatchString(d.RoleArn) {
		return nil, invalidField("RoleArn", "RoleArn %q is not an IAM role ARN", d.RoleArn)
	}
	switch d.DesiredState {
	case StateRunning, StateStopped:
	default:
		return nil, invalidField("DesiredState", "DesiredState must be RUNNING or STOPPED, got %q", d.DesiredState)
	}
	c := &compiled{desc: d, batchSize: defaultBatchSize}
	a, err := arn.Parse(d.Source)
	if err != nil {
		return nil, invalidField("Source", "Source %q is not a valid ARN", d.Source)
	}
	if a.Service != "sqs" {
		return nil, invalidField("Source", "Source %q: the emulator's pipes read Amazon SQS queues only (not %s)", d.Source, a.Service)
	}
	c.queueName = a.Resource
	if p := d.SourceParameters; p != nil {
		for name, v := range map[string]any{
			"ActiveMQBrokerParameters": p.ActiveMQBrokerParameters, "DynamoDBStreamParameters": p.DynamoDBStreamParameters,
			"KinesisStreamParameters": p.KinesisStreamParameters, "ManagedStreamingKafkaParameters": p.ManagedStreamingKafkaParameters,
			"RabbitMQBrokerParameters": p.RabbitMQBrokerParameters, "SelfManagedKafkaParameters": p.SelfManagedKafkaParameters,
		} {
			if v != nil {
				return nil, invalidField("SourceParameters."+name, "SourceParameters.%s does not apply to an Amazon SQS source", name)
			}
		}
		if q := p.SqsQueueParameters; q != nil {
			if q.BatchSize != nil {
				c.batchSize = *q.BatchSize
			}
			if q.MaximumBatchingWindowInSeconds != nil {
				c.window = time.Duration(*q.MaximumBatchingWindowInSeconds) * time.Second
				if *q.MaximumBatchingWindowInSeconds < 0 || *q.MaximumBatchingWindowInSeconds > maxBatchWindow {
					return nil, rangeError("SourceParameters.SqsQueueParameters.MaximumBatchingWindowInSeconds", *q.MaximumBatchingWindowInSeconds, 0, maxBatchWindow)
				}
			}
			if c.batchSize < 1 || c.batchSize > maxBatchSize {
				return nil, rangeError("SourceParameters.SqsQueueParameters.BatchSize", c.batchSize, 1, maxBatchSize)
			}
		}
		if f := p.FilterCriteria; f != nil {
			if len(f.Filters) > maxFilters {
				return nil, invalidField("SourceParameters.FilterCriteria.Filters", "[array is too long: must have at most %d elements but instance has %d elements]", maxFilters, len(f.Filters))
			}
			for i, flt := range f.Filters {
				field := fmt.Sprintf("SourceParameters.FilterCriteria.Filters[%d].Pattern", i)
				if len(flt.Pattern) > maxPatternLength {
					return nil, invalidField(field, "Pattern must be at most %d characters", maxPatternLength)
				}
				pat, err := pattern.Compile([]byte(flt.Pattern))
				if err != nil {
					return nil, invalidField(field, "%s", err.Error())
				}
				c.filters = append(c.filters, pat)
			}
		}
	}
	if d.Enrichment != "" {
		e, err := parseEndpoint("Enrichment", d.Enrichment, true)
		if err != nil {
			return nil, err
		}
		c.enrichment = &e
		if e.kind == "apidestination" && c.batchSize != 1 {
			// eb-pipes.html#pipes-validation: API destination enrichments take batches of 1.
			return nil, invalidField("SourceParameters.SqsQueueParameters.BatchSize", "an API destination enrichment only supports a batch size of 1, got %d", c.batchSize)
		}
	}
	if p := d.EnrichmentParameters; p != nil {
		c.enrichParam = *p
		if p.InputTemplate != nil {
			if c.enrichTmpl, err = ParseTemplate(*p.InputTemplate); err != nil {
				return nil, invalidField("EnrichmentParameters.InputTemplate", "%s", err.Error())
			}
		}
	}
	if c.target, err = parseEndpoint("Target", d.Target, false); err != nil {
		return nil, err
	}
	if p := d.TargetParameters; p != nil {
		c.targetParam = *p
		for name, v := range map[string]any{
			"BatchJobParameters": p.BatchJobParameters, "CloudWatchLogsParameters": p.CloudWatchLogsParameters,
			"EcsTaskParameters": p.EcsTaskParameters, "KinesisStreamParameters": p.KinesisStreamParameters,
			"RedshiftDataParameters": p.RedshiftDataParameters, "SageMakerPipelineParameters": p.SageMakerPipelineParameters,
			"TimestreamParameters": p.TimestreamParameters,
		} {
			if v != nil {
				return nil, invalidField("TargetParameters."+name, "TargetParameters.%s is not supported by the emulator (its target type is not modelled)", name)
			}
		}
		if p.InputTemplate != nil {
			if c.targetTmpl, err = ParseTemplate(*p.InputTemplate); err != nil {
				return nil, invalidField("TargetParameters.InputTemplate", "%s", err.Error())
			}
		}
	}
	c.invocation = RequestResponse
	var inv *InvocationParameters
	switch c.target.kind {
	case "lambda":
		inv = c.targetParam.LambdaFunctionParameters
	case "states":
		inv = c.targetParam.StepFunctionStateMachineParameters
	}
	if inv != nil && inv.InvocationType != "" {
		if inv.InvocationType != RequestResponse && inv.InvocationType != FireAndForget {
			return nil, invalidField("TargetParameters.InvocationType", "InvocationType must be REQUEST_RESPONSE or FIRE_AND_FORGET, got %q", inv.InvocationType)
		}
		c.invocation = inv.InvocationType
	}
	// eb-pipes-batching-concurrency.html: a pipe's source batch may not exceed the target's.
	limit := 0
	switch c.target.kind {
	case "sqs":
		limit = batchLimitSQS
	case "bus":
		limit = batchLimitBus
	case "apidestination":
		limit = 1
	}
	if limit > 0 && c.batchSize > limit {
		return nil, invalidField("SourceParameters.SqsQueueParameters.BatchSize", "the batch size %d exceeds the maximum batch size %d of the target %s", c.batchSize, limit, d.Target)
	}
	return c, nil
}

// rangeError words an out-of-range number as the service's schema validation does.
func rangeError(field string, got, lo, hi int) *ValidationError {
	if got < lo {
		return invalidField(field, "[numeric instance is lower than the required minimum (minimum: %d, found: %d)]", lo, got)
	}
	return invalidField(field, "[numeric instance is greater than the required maximum (maximum: %d, found: %d)]", hi, got)
}

// clone copies a description deeply enough that callers cannot change the service's copy.
func (d Description) clone() Description {
	b, _ := json.Marshal(d)
	var out Description
	_ = json.Unmarshal(b, &out)
	out.CreationTime, out.LastModifiedTime = d.CreationTime, d.LastModifiedTime
	return out
}
