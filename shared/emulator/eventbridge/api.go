package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/pattern"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/eventbridge/transform"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// Limits from the API reference and the quotas page.
const (
	maxPutEntries     = 10      // API_PutEvents.html: Entries, 1–10 items
	maxRequestEntries = 1 << 20 // 1 MB since 2026-01-29 (was 256 KB)
	maxTargetsPerRule = 5       // eb-quota.html: targets per rule
	maxPatternLength  = 4096    // API_PutRule.html: EventPattern
	defaultLimit      = 100
)

const (
	stateEnabled  = "ENABLED"
	stateDisabled = "DISABLED"
)

var namePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// epoch is a timestamp as the JSON 1.1 protocol writes it: seconds since the epoch.
type epoch struct{ time.Time }

func (t epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

func (t *epoch) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		p, err := time.Parse(time.RFC3339, s)
		t.Time = p
		return err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

func ts(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	return &epoch{t}
}

func validation(format string, args ...any) error {
	return sim.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

func notFound(format string, args ...any) error {
	return sim.Errorf(http.StatusBadRequest, "ResourceNotFoundException", format, args...)
}

// op adapts a typed handler to an awsjson.Op.
func op[In any](f func(ctx context.Context, in *In) (any, error)) awsjson.Op {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if err := awsjson.Decode(body, in); err != nil {
			return nil, err
		}
		return f(ctx, in)
	}
}

func (s *Service) ops() map[string]awsjson.Op {
	return map[string]awsjson.Op{
		"PutEvents":             op(s.putEventsOp),
		"TestEventPattern":      op(s.testEventPattern),
		"CreateEventBus":        op(s.createEventBus),
		"DescribeEventBus":      op(s.describeEventBus),
		"ListEventBuses":        op(s.listEventBuses),
		"DeleteEventBus":        op(s.deleteEventBus),
		"PutRule":               op(s.putRuleOp),
		"DescribeRule":          op(s.describeRule),
		"ListRules":             op(s.listRules),
		"DeleteRule":            op(s.deleteRule),
		"EnableRule":            op(func(ctx context.Context, in *ruleRef) (any, error) { return nil, s.setState(in, stateEnabled) }),
		"DisableRule":           op(func(ctx context.Context, in *ruleRef) (any, error) { return nil, s.setState(in, stateDisabled) }),
		"PutTargets":            op(s.putTargetsOp),
		"ListTargetsByRule":     op(s.listTargets),
		"ListRuleNamesByTarget": op(s.listRuleNamesByTarget),
		"RemoveTargets":         op(s.removeTargets),
		"CreateArchive":         op(s.createArchiveOp),
		"DescribeArchive":       op(s.describeArchive),
		"ListArchives":          op(s.listArchives),
		"DeleteArchive":         op(s.deleteArchive),
		"StartReplay":           op(s.startReplay),
		"DescribeReplay":        op(s.describeReplay),
		"ListReplays":           op(s.listReplays),
		"CancelReplay":          op(s.cancelReplay),
		"TagResource":           op(s.tagResource),
		"UntagResource":         op(s.untagResource),
		"ListTagsForResource":   op(s.listTagsForResource),
		// Not an AWS operation: how Pipes, which shares API destinations with EventBridge,
		// sends to one through Env.Call.
		"InvokeApiDestination": op(s.invokeAPIDestinationOp),
	}
}

// invokeInput is InvokeApiDestination's input.
type invokeInput struct {
	ApiDestinationArn string          //nolint:revive // the wire name
	Body              string          `json:"Body"`
	HttpParameters    *httpParameters //nolint:revive // the wire name
}

// invokeAPIDestinationOp answers {"StatusCode", "Body"} for any status the endpoint gave, and
// an error only when no answer came (or the destination does not exist).
func (s *Service) invokeAPIDestinationOp(ctx context.Context, in *invokeInput) (any, error) {
	status, body, f := s.invokeAPIDestination(ctx, in.ApiDestinationArn, []byte(in.Body), in.HttpParameters)
	if status == 0 && f != nil {
		code := "ApiDestinationFailure"
		st := http.StatusBadGateway
		if f.code == "NO_RESOURCE" {
			code, st = "ResourceNotFoundException", http.StatusBadRequest
		}
		return nil, sim.Errorf(st, code, "%s", f.message)
	}
	return map[string]any{"StatusCode": status, "Body": string(body)}, nil
}

// page cuts a listing by Limit/NextToken (an offset, as the emulator writes it).
func page[T any](items []T, limit *int, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", validation("The NextToken %q is not valid.", token)
		}
		start = n
	}
	l := defaultLimit
	if limit != nil {
		if *limit < 1 || *limit > 100 {
			return nil, "", validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *limit)
		}
		l = *limit
	}
	end := min(start+l, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

// busName accepts a bus name or ARN; "" is the default bus.
func busName(nameOrARN string) string {
	if nameOrARN == "" {
		return DefaultBus
	}
	if arn.IsARN(nameOrARN) {
		if a, err := arn.Parse(nameOrARN); err == nil {
			return strings.TrimPrefix(a.Resource, "event-bus/")
		}
	}
	return nameOrARN
}

// lookupBus returns a bus. Callers hold s.mu.
func (s *Service) lookupBus(nameOrARN string) (*bus, error) {
	n := busName(nameOrARN)
	b := s.buses[n]
	if b == nil {
		return nil, notFound("Event bus %s does not exist.", n)
	}
	return b, nil
}

// lookupRule returns a rule. Callers hold s.mu.
func (s *Service) lookupRule(busNameOrARN, name string) (*rule, error) {
	b, err := s.lookupBus(busNameOrARN)
	if err != nil {
		return nil, err
	}
	r := b.rules[name]
	if r == nil {
		return nil, notFound("Rule %s does not exist on EventBus %s.", name, b.name)
	}
	return r, nil
}

// --- TestEventPattern ---

type testEventPatternInput struct {
	Event        string
	EventPattern string
}

// requiredEventFields are the fields TestEventPattern's Event must have (API_TestEventPattern.html).
var requiredEventFields = []string{"id", "account", "source", "time", "region", "resources", "detail-type"}

func (s *Service) testEventPattern(_ context.Context, in *testEventPatternInput) (any, error) {
	p, err := compilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, validation("1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null")
	}
	ev, err := pattern.ParseEvent([]byte(in.Event))
	obj, ok := ev.(map[string]any)
	if err != nil || !ok {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidEventPatternException", "Parameter Event is not valid. Reason: the event is not a JSON object.")
	}
	for _, f := range requiredEventFields {
		if _, ok := obj[f]; !ok {
			return nil, sim.Errorf(http.StatusBadRequest, "InvalidEventPatternException", "Parameter Event is not valid. Reason: mandatory field %q is missing.", f)
		}
	}
	return map[string]bool{"Result": p.MatchValue(obj)}, nil
}

// compilePattern compiles a rule's pattern; "" is no pattern.
func compilePattern(text string) (*pattern.Pattern, error) {
	if text == "" {
		return nil, nil
	}
	if len(text) > maxPatternLength {
		return nil, validation("1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to %d", maxPatternLength)
	}
	p, err := pattern.Compile([]byte(text))
	if err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidEventPatternException", "%s", err.Error())
	}
	return p, nil
}

// --- buses ---

type busInput struct {
	Name        string
	Description string
	Tags        []tagProp
}

type busOutput struct {
	Name             string `json:"Name"`
	Arn              string `json:"Arn"`
	Description      string `json:"Description,omitempty"`
	CreationTime     *epoch `json:"CreationTime,omitempty"`
	LastModifiedTime *epoch `json:"LastModifiedTime,omitempty"`
}

func (s *Service) createEventBus(_ context.Context, in *busInput) (any, error) {
	b, err := s.addBus(in.Name, in.Description, "", in.Tags)
	if err != nil {
		return nil, err
	}
	return map[string]string{"EventBusArn": b.arn}, nil
}

func (s *Service) addBus(name, description, logicalID string, tags []tagProp) (*bus, error) {
	// Custom bus names cannot contain "/", which only partner event buses (not modelled) use:
	// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html
	if strings.Contains(name, "/") {
		return nil, validation("Event bus name %s is not valid: a custom event bus name cannot contain '/'; only partner event bus names can.", name)
	}
	if !namePattern.MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+", name)
	}
	tagMap, err := newTags(tags)
	if err != nil {
		return nil, err
	}
	if name == DefaultBus {
		return nil, validation("Event bus name cannot be 'default'.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.buses[name]; ok {
		return nil, sim.Errorf(http.StatusBadRequest, "ResourceAlreadyExistsException", "Event bus %s already exists.", name)
	}
	b := &bus{name: name, arn: s.busARN(name), description: description, logicalID: logicalID, created: s.clock.Now(), tags: tagMap, rules: map[string]*rule{}}
	s.buses[name] = b
	return b, nil
}

func (s *Service) describeEventBus(_ context.Context, in *busInput) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, err := s.lookupBus(in.Name)
	if err != nil {
		return nil, err
	}
	return b.output(), nil
}

func (b *bus) output() busOutput {
	return busOutput{Name: b.name, Arn: b.arn, Description: b.description, CreationTime: ts(b.created), LastModifiedTime: ts(b.created)}
}

type listInput struct {
	NamePrefix     string
	EventBusName   string
	EventSourceArn string
	State          string
	Limit          *int
	NextToken      string
}

func (s *Service) listEventBuses(_ context.Context, in *listInput) (any, error) {
	s.mu.RLock()
	var all []busOutput
	for _, b := range s.buses {
		if strings.HasPrefix(b.name, in.NamePrefix) {
			all = append(all, b.output())
		}
	}
	s.mu.RUnlock()
	sortBy(all, func(b busOutput) string { return b.Name })
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"EventBuses": orEmpty(items), "NextToken": omit(next)}, nil
}

func (s *Service) deleteEventBus(_ context.Context, in *busInput) (any, error) {
	if in.Name == DefaultBus {
		return nil, validation("Cannot delete event bus default.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buses[busName(in.Name)]; b != nil {
		for _, r := range b.rules {
			if r.stopSchedule != nil {
				r.stopSchedule()
			}
		}
		delete(s.buses, b.name)
	}
	return nil, nil
}

// --- rules ---

type putRuleInput struct {
	Name               string
	EventBusName       string
	EventPattern       string
	ScheduleExpression string
	State              string
	Description        string
	RoleArn            string
	Tags               []tagProp // kept only when the rule is created (API_PutRule.html)
}

func (s *Service) putRuleOp(_ context.Context, in *putRuleInput) (any, error) {
	r, err := s.putRule(in, "")
	if err != nil {
		return nil, err
	}
	return map[string]string{"RuleArn": r.arn}, nil
}

func (s *Service) putRule(in *putRuleInput, logicalID string) (*rule, error) {
	if !namePattern.MatchString(in.Name) {
		return nil, validation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, validation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	p, err := compilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	var rate time.Duration
	if in.ScheduleExpression != "" {
		if rate, err = parseSchedule(in.ScheduleExpression); err != nil {
			return nil, err
		}
	}
	state := in.State
	switch state {
	case "":
		state = stateEnabled
	case stateEnabled, stateDisabled, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", state)
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(in.EventBusName)
	if err != nil {
		return nil, err
	}
	if in.ScheduleExpression != "" && b.name != DefaultBus {
		return nil, validation("ScheduleExpression is supported only on the default event bus.")
	}
	r := b.rules[in.Name]
	if r == nil {
		r = &rule{name: in.Name, arn: s.ruleARN(b.name, in.Name), bus: b.name, logicalID: logicalID, tags: tags}
		b.rules[in.Name] = r
	} else if r.stopSchedule != nil {
		r.stopSchedule()
		r.stopSchedule = nil
	}
	// PutRule replaces every field it is given and clears those it is not (API_PutRule.html).
	r.description, r.patternText, r.pattern = in.Description, in.EventPattern, p
	r.schedule, r.rate, r.state, r.roleArn = in.ScheduleExpression, rate, state, in.RoleArn
	b.rebuildActive()
	s.startSchedule(r)
	return r, nil
}

type ruleRef struct {
	Name         string
	EventBusName string
	Force        bool
}

type ruleOutput struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventBusName       string `json:"EventBusName"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

func (s *Service) ruleOutput(r *rule) ruleOutput {
	return ruleOutput{Name: r.name, Arn: r.arn, EventBusName: r.bus, EventPattern: r.patternText, ScheduleExpression: r.schedule, State: r.state, Description: r.description, RoleArn: r.roleArn, CreatedBy: s.env.AccountID}
}

func (s *Service) describeRule(_ context.Context, in *ruleRef) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.lookupRule(in.EventBusName, in.Name)
	if err != nil {
		return nil, err
	}
	return s.ruleOutput(r), nil
}

func (s *Service) listRules(_ context.Context, in *listInput) (any, error) {
	s.mu.RLock()
	b, err := s.lookupBus(in.EventBusName)
	var all []ruleOutput
	if err == nil {
		for _, r := range b.rules {
			if strings.HasPrefix(r.name, in.NamePrefix) {
				all = append(all, s.ruleOutput(r))
			}
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	sortBy(all, func(r ruleOutput) string { return r.Name })
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Rules": orEmpty(items), "NextToken": omit(next)}, nil
}

func (s *Service) deleteRule(_ context.Context, in *ruleRef) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(in.EventBusName)
	if err != nil {
		return nil, err
	}
	r := b.rules[in.Name]
	if r == nil {
		return nil, nil // deleting a rule that is not there succeeds
	}
	if len(r.targets) > 0 {
		return nil, validation("Rule can't be deleted since it has targets.")
	}
	if r.stopSchedule != nil {
		r.stopSchedule()
	}
	delete(b.rules, r.name)
	b.rebuildActive()
	return nil, nil
}

func (s *Service) setState(in *ruleRef, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.EventBusName, in.Name)
	if err != nil {
		return err
	}
	r.state = state
	s.buses[r.bus].rebuildActive()
	if r.stopSchedule != nil {
		r.stopSchedule()
		r.stopSchedule = nil
	}
	s.startSchedule(r)
	return nil
}

// --- targets ---

// target is a rule's target as PutTargets takes it and CloudFormation declares it. The
// unexported fields are compiled from the exported ones.
type target struct {
	Id               string            `json:"Id"`
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            *string           `json:"Input,omitempty"`
	InputPath        string            `json:"InputPath,omitempty"`
	InputTransformer *inputTransformer `json:"InputTransformer,omitempty"`
	RetryPolicy      *retryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *deadLetterConfig `json:"DeadLetterConfig,omitempty"`
	SqsParameters    *sqsParameters    `json:"SqsParameters,omitempty"`
	HttpParameters   *httpParameters   `json:"HttpParameters,omitempty"`

	transformer *transform.Transformer
	kind        string // lambda, sqs, states, events, api-destination
}

type inputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

type retryPolicy struct {
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
}

type deadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

type sqsParameters struct {
	MessageGroupId string `json:"MessageGroupId,omitempty"`
}

type httpParameters struct {
	PathParameterValues   []string          `json:"PathParameterValues,omitempty"`
	HeaderParameters      map[string]string `json:"HeaderParameters,omitempty"`
	QueryStringParameters map[string]string `json:"QueryStringParameters,omitempty"`
}

// check validates a target as PutTargets does and compiles its transformer.
func (t *target) check() error {
	if t.Id == "" || len(t.Id) > 64 || !namePattern.MatchString(t.Id) {
		return fmt.Errorf("target Id %q must be 1–64 characters of letters, digits, '.', '-' and '_'", t.Id)
	}
	a, err := arn.Parse(t.Arn)
	if err != nil {
		return fmt.Errorf("target %s: Arn %q is not a valid ARN", t.Id, t.Arn)
	}
	switch {
	case a.Service == "lambda" && strings.HasPrefix(a.Resource, "function:"):
		t.kind = "lambda"
	case a.Service == "sqs":
		t.kind = "sqs"
	case a.Service == "states" && strings.HasPrefix(a.Resource, "stateMachine:"):
		t.kind = "states"
	case a.Service == ServiceName && strings.HasPrefix(a.Resource, "event-bus/"):
		t.kind = "events"
	case a.Service == ServiceName && strings.HasPrefix(a.Resource, "api-destination/"):
		t.kind = "api-destination"
	default:
		return fmt.Errorf("target %s: the emulator does not deliver to %s targets (%s)", t.Id, a.Service, t.Arn)
	}
	n := 0
	if t.Input != nil {
		n++
		if !json.Valid([]byte(*t.Input)) {
			return fmt.Errorf("target %s: Input is not valid JSON", t.Id)
		}
	}
	if t.InputPath != "" {
		n++
		if _, err := transform.SelectPath([]byte(`{}`), t.InputPath); err != nil {
			var ve *transform.ValidationError
			if asValidation(err, &ve) {
				return fmt.Errorf("target %s: %s", t.Id, ve.Message)
			}
		}
	}
	if t.InputTransformer != nil {
		n++
		tr, err := transform.New(t.InputTransformer.InputPathsMap, t.InputTransformer.InputTemplate)
		if err != nil {
			return fmt.Errorf("target %s: InputTransformer: %w", t.Id, err)
		}
		t.transformer = tr
	}
	if n > 1 {
		return fmt.Errorf("target %s: only one of Input, InputPath and InputTransformer may be given", t.Id)
	}
	if p := t.RetryPolicy; p != nil {
		if v := p.MaximumRetryAttempts; v != nil && (*v < 0 || *v > 185) {
			return fmt.Errorf("target %s: RetryPolicy.MaximumRetryAttempts must be 0–185, got %d", t.Id, *v)
		}
		if v := p.MaximumEventAgeInSeconds; v != nil && (*v < 60 || *v > 86400) {
			return fmt.Errorf("target %s: RetryPolicy.MaximumEventAgeInSeconds must be 60–86400, got %d", t.Id, *v)
		}
	}
	if d := t.DeadLetterConfig; d != nil && d.Arn != "" {
		a, err := arn.Parse(d.Arn)
		if err != nil || a.Service != "sqs" {
			return fmt.Errorf("target %s: DeadLetterConfig.Arn %q is not an SQS queue ARN", t.Id, d.Arn)
		}
		if strings.HasSuffix(a.Resource, ".fifo") {
			return fmt.Errorf("target %s: a FIFO queue cannot be a dead-letter queue", t.Id)
		}
	}
	return nil
}

type putTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []*target
}

type failedTarget struct {
	TargetId     string `json:"TargetId"`
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

func (s *Service) putTargetsOp(_ context.Context, in *putTargetsInput) (any, error) {
	failed, err := s.putTargets(in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"FailedEntryCount": len(failed), "FailedEntries": orEmpty(failed)}, nil
}

func (s *Service) putTargets(in *putTargetsInput) ([]failedTarget, error) {
	if len(in.Targets) == 0 || len(in.Targets) > 100 {
		return nil, validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	var failed []failedTarget
	var ok []*target
	for _, t := range in.Targets {
		if err := t.check(); err != nil {
			failed = append(failed, failedTarget{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: err.Error()})
			continue
		}
		ok = append(ok, t)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.EventBusName, in.Rule)
	if err != nil {
		return nil, err
	}
	next := append([]*target(nil), r.targets...)
	for _, t := range ok {
		replaced := false
		for i, old := range next {
			if old.Id == t.Id {
				next[i], replaced = t, true
			}
		}
		if !replaced {
			next = append(next, t)
		}
	}
	if len(next) > maxTargetsPerRule {
		return nil, sim.Errorf(http.StatusBadRequest, "LimitExceededException", "The requested resource exceeds the maximum number allowed: a rule has at most %d targets.", maxTargetsPerRule)
	}
	r.targets = next
	return failed, nil
}

type listTargetsInput struct {
	Rule         string
	EventBusName string
	Limit        *int
	NextToken    string
}

func (s *Service) listTargets(_ context.Context, in *listTargetsInput) (any, error) {
	s.mu.RLock()
	r, err := s.lookupRule(in.EventBusName, in.Rule)
	var all []*target
	if err == nil {
		all = r.targets
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Targets": orEmpty(items), "NextToken": omit(next)}, nil
}

type listRuleNamesInput struct {
	TargetArn    string
	EventBusName string
	Limit        *int
	NextToken    string
}

// listRuleNamesByTarget answers the names of a bus's rules with a target of the given ARN,
// sorted (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRuleNamesByTarget.html).
func (s *Service) listRuleNamesByTarget(_ context.Context, in *listRuleNamesInput) (any, error) {
	if in.TargetArn == "" {
		return nil, validation("1 validation error detected: Value null at 'targetArn' failed to satisfy constraint: Member must not be null")
	}
	s.mu.RLock()
	b, err := s.lookupBus(in.EventBusName)
	var names []string
	if err == nil {
		for _, r := range b.rules {
			for _, t := range r.targets {
				if t.Arn == in.TargetArn {
					names = append(names, r.name)
					break
				}
			}
		}
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	items, next, err := page(names, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"RuleNames": orEmpty(items), "NextToken": omit(next)}, nil
}

type removeTargetsInput struct {
	Rule         string
	EventBusName string
	Ids          []string
	Force        bool
}

func (s *Service) removeTargets(_ context.Context, in *removeTargetsInput) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.EventBusName, in.Rule)
	if err != nil {
		return nil, err
	}
	var next []*target
	for _, t := range r.targets {
		keep := true
		for _, id := range in.Ids {
			if t.Id == id {
				keep = false
			}
		}
		if keep {
			next = append(next, t)
		}
	}
	r.targets = next
	return map[string]any{"FailedEntryCount": 0, "FailedEntries": []failedTarget{}}, nil
}

// --- archives and replays ---

type createArchiveInput struct {
	ArchiveName    string
	EventSourceArn string
	Description    string
	EventPattern   string
	RetentionDays  int
}

func (s *Service) createArchiveOp(_ context.Context, in *createArchiveInput) (any, error) {
	a, err := s.createArchive(in, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"ArchiveArn": a.arn, "State": stateEnabled, "CreationTime": ts(a.created)}, nil
}

func (s *Service) createArchive(in *createArchiveInput, logicalID string) (*archive, error) {
	if in.ArchiveName == "" || len(in.ArchiveName) > 48 || !namePattern.MatchString(in.ArchiveName) {
		return nil, validation("1 validation error detected: Value '%s' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length 1–48", in.ArchiveName)
	}
	if in.RetentionDays < 0 {
		return nil, validation("RetentionDays must not be negative")
	}
	p, err := compilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.lookupBus(in.EventSourceArn)
	if err != nil || !arn.IsARN(in.EventSourceArn) {
		return nil, notFound("Event bus %s does not exist.", in.EventSourceArn)
	}
	if _, ok := s.archives[in.ArchiveName]; ok {
		return nil, sim.Errorf(http.StatusBadRequest, "ResourceAlreadyExistsException", "Archive %s already exists.", in.ArchiveName)
	}
	a := &archive{name: in.ArchiveName, arn: s.archiveARN(in.ArchiveName), source: b.arn, bus: b.name, description: in.Description,
		patternText: in.EventPattern, pattern: p, retentionDays: in.RetentionDays, created: s.clock.Now(), logicalID: logicalID}
	s.archives[a.name] = a
	return a, nil
}

type archiveOutput struct {
	ArchiveName    string `json:"ArchiveName"`
	ArchiveArn     string `json:"ArchiveArn,omitempty"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description,omitempty"`
	EventPattern   string `json:"EventPattern,omitempty"`
	State          string `json:"State"`
	RetentionDays  int    `json:"RetentionDays"`
	SizeBytes      int64  `json:"SizeBytes"`
	EventCount     int    `json:"EventCount"`
	CreationTime   *epoch `json:"CreationTime"`
}

func (a *archive) output() archiveOutput {
	var size int64
	for _, e := range a.events {
		size += int64(e.size)
	}
	return archiveOutput{ArchiveName: a.name, ArchiveArn: a.arn, EventSourceArn: a.source, Description: a.description, EventPattern: a.patternText,
		State: stateEnabled, RetentionDays: a.retentionDays, SizeBytes: size, EventCount: len(a.events), CreationTime: ts(a.created)}
}

type archiveRef struct{ ArchiveName string }

func (s *Service) describeArchive(_ context.Context, in *archiveRef) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.archives[in.ArchiveName]
	if a == nil {
		return nil, notFound("Archive %s does not exist.", in.ArchiveName)
	}
	return a.output(), nil
}

func (s *Service) listArchives(_ context.Context, in *listInput) (any, error) {
	s.mu.RLock()
	var all []archiveOutput
	for _, a := range s.archives {
		if strings.HasPrefix(a.name, in.NamePrefix) && (in.EventSourceArn == "" || in.EventSourceArn == a.source) && (in.State == "" || in.State == stateEnabled) {
			o := a.output()
			o.ArchiveArn, o.Description, o.EventPattern = "", "", ""
			all = append(all, o)
		}
	}
	s.mu.RUnlock()
	sortBy(all, func(a archiveOutput) string { return a.ArchiveName })
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Archives": orEmpty(items), "NextToken": omit(next)}, nil
}

func (s *Service) deleteArchive(_ context.Context, in *archiveRef) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.archives[in.ArchiveName] == nil {
		return nil, notFound("Archive %s does not exist.", in.ArchiveName)
	}
	delete(s.archives, in.ArchiveName)
	return nil, nil
}

type replayDestination struct {
	Arn        string   `json:"Arn"`
	FilterArns []string `json:"FilterArns,omitempty"`
}

type startReplayInput struct {
	ReplayName     string
	Description    string
	EventSourceArn string
	EventStartTime *epoch
	EventEndTime   *epoch
	Destination    *replayDestination
}

func (s *Service) startReplay(_ context.Context, in *startReplayInput) (any, error) {
	if in.ReplayName == "" || !namePattern.MatchString(in.ReplayName) {
		return nil, validation("1 validation error detected: Value '%s' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ReplayName)
	}
	if in.EventStartTime == nil || in.EventEndTime == nil || in.Destination == nil || in.EventSourceArn == "" {
		return nil, validation("EventSourceArn, EventStartTime, EventEndTime and Destination are required.")
	}
	if !in.EventStartTime.Before(in.EventEndTime.Time) {
		return nil, validation("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var a *archive
	for _, x := range s.archives {
		if x.arn == in.EventSourceArn {
			a = x
		}
	}
	if a == nil {
		return nil, notFound("Archive %s does not exist.", in.EventSourceArn)
	}
	if in.Destination.Arn != a.source {
		return nil, validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	if old := s.replays[in.ReplayName]; old != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "ResourceAlreadyExistsException", "Replay %s already exists.", in.ReplayName)
	}
	now := s.clock.Now()
	rp := &replay{name: in.ReplayName, arn: s.replayARN(in.ReplayName), description: in.Description, source: a.arn, destination: *in.Destination,
		start: in.EventStartTime.Time, end: in.EventEndTime.Time, state: "STARTING", replayStart: now}
	s.replays[rp.name] = rp
	events := append([]archived(nil), a.events...)
	s.spawn(func() { s.runReplay(rp, a.bus, a.retentionDays, events) })
	return map[string]any{"ReplayArn": rp.arn, "State": "STARTING", "ReplayStartTime": ts(now)}, nil
}

type replayOutput struct {
	ReplayName            string             `json:"ReplayName"`
	ReplayArn             string             `json:"ReplayArn,omitempty"`
	Description           string             `json:"Description,omitempty"`
	State                 string             `json:"State"`
	StateReason           string             `json:"StateReason,omitempty"`
	EventSourceArn        string             `json:"EventSourceArn"`
	Destination           *replayDestination `json:"Destination,omitempty"`
	EventStartTime        *epoch             `json:"EventStartTime"`
	EventEndTime          *epoch             `json:"EventEndTime"`
	EventLastReplayedTime *epoch             `json:"EventLastReplayedTime,omitempty"`
	ReplayStartTime       *epoch             `json:"ReplayStartTime"`
	ReplayEndTime         *epoch             `json:"ReplayEndTime,omitempty"`
}

func (rp *replay) output() replayOutput {
	d := rp.destination
	return replayOutput{ReplayName: rp.name, ReplayArn: rp.arn, Description: rp.description, State: rp.state, StateReason: rp.stateReason,
		EventSourceArn: rp.source, Destination: &d, EventStartTime: ts(rp.start), EventEndTime: ts(rp.end),
		EventLastReplayedTime: ts(rp.lastReplayed), ReplayStartTime: ts(rp.replayStart), ReplayEndTime: ts(rp.replayEnd)}
}

type replayRef struct{ ReplayName string }

func (s *Service) describeReplay(_ context.Context, in *replayRef) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rp := s.replays[in.ReplayName]
	if rp == nil {
		return nil, notFound("Replay %s does not exist.", in.ReplayName)
	}
	return rp.output(), nil
}

func (s *Service) listReplays(_ context.Context, in *listInput) (any, error) {
	s.mu.RLock()
	var all []replayOutput
	for _, rp := range s.replays {
		if strings.HasPrefix(rp.name, in.NamePrefix) && (in.EventSourceArn == "" || in.EventSourceArn == rp.source) && (in.State == "" || in.State == rp.state) {
			o := rp.output()
			o.ReplayArn, o.Description, o.Destination = "", "", nil
			all = append(all, o)
		}
	}
	s.mu.RUnlock()
	sortBy(all, func(r replayOutput) string { return r.ReplayName })
	items, next, err := page(all, in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Replays": orEmpty(items), "NextToken": omit(next)}, nil
}

func (s *Service) cancelReplay(_ context.Context, in *replayRef) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.replays[in.ReplayName]
	if rp == nil {
		return nil, notFound("Replay %s does not exist.", in.ReplayName)
	}
	if rp.state != "STARTING" && rp.state != "RUNNING" {
		return nil, sim.Errorf(http.StatusBadRequest, "IllegalStatusException", "Replay %s is in state %s and cannot be cancelled.", rp.name, rp.state)
	}
	rp.cancelled.Store(true)
	rp.state = "CANCELLING"
	return map[string]any{"ReplayArn": rp.arn, "State": "CANCELLING"}, nil
}
