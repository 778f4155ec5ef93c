package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
)

// stateMachine is one version of a state machine; UpdateStateMachine replaces it, so running
// executions keep the definition they started with.
type stateMachine struct {
	name, arn, typ, roleArn string
	definition              string
	description             string
	machine                 *asl.Machine
	created                 time.Time
	revisionID              string
	updated                 time.Time // when this version was made; the creation date for the first
	logging, tracing        json.RawMessage
	tags                    *tagSet // shared by every version of the state machine
	logicalID               string
	targets                 []sim.ID
}

// epoch is a timestamp in the AWS JSON protocol's form: seconds since the epoch.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', 3, 64), nil
}

func invalidArn(a string) error {
	return sim.Errorf(http.StatusBadRequest, "InvalidArn", "Invalid Arn: '%s'", a)
}

func (s *Service) ops() map[string]awsjson.Op {
	return map[string]awsjson.Op{
		"CreateStateMachine":               s.createStateMachine,
		"DescribeStateMachine":             s.describeStateMachine,
		"ListStateMachines":                s.listStateMachines,
		"UpdateStateMachine":               s.updateStateMachine,
		"DeleteStateMachine":               s.deleteStateMachine,
		"StartExecution":                   s.startExecution,
		"StartSyncExecution":               s.startSyncExecution,
		"DescribeExecution":                s.describeExecution,
		"ListExecutions":                   s.listExecutions,
		"GetExecutionHistory":              s.getExecutionHistory,
		"StopExecution":                    s.stopExecution,
		"SendTaskSuccess":                  s.sendTaskSuccess,
		"SendTaskFailure":                  s.sendTaskFailure,
		"SendTaskHeartbeat":                s.sendTaskHeartbeat,
		"TestState":                        s.testState,
		"ListTagsForResource":              s.listTagsForResource,
		"TagResource":                      s.tagResource,
		"UntagResource":                    s.untagResource,
		"DescribeStateMachineForExecution": s.describeStateMachineForExecution,
		"ValidateStateMachineDefinition":   s.validateDefinition,
	}
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type createInput struct {
	Name                 string          `json:"name"`
	Definition           string          `json:"definition"`
	RoleArn              string          `json:"roleArn"`
	Type                 string          `json:"type"`
	LoggingConfiguration json.RawMessage `json:"loggingConfiguration"`
	TracingConfiguration json.RawMessage `json:"tracingConfiguration"`
	Tags                 []tag           `json:"tags"`
	Publish              bool            `json:"publish"`
	VersionDescription   string          `json:"versionDescription"`
}

// parseDefinition validates a definition as CreateStateMachine does.
func parseDefinition(def string) (*asl.Machine, error) {
	if def == "" {
		return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null")
	}
	m, err := asl.Parse([]byte(def))
	if err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidDefinition", "%s", err.Error())
	}
	return m, nil
}

// CreateStateMachine (https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html).
func (s *Service) createStateMachine(_ context.Context, body []byte) (any, error) {
	var in createInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkNewTags(in.Name, in.Tags); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[t.Key] = t.Value
	}
	sm, err := s.create(in.Name, in.Definition, in.Type, in.RoleArn, in.LoggingConfiguration, in.TracingConfiguration, tags, "")
	if err != nil {
		return nil, err
	}
	return map[string]any{"stateMachineArn": sm.arn, "creationDate": epoch(sm.created)}, nil
}

// create adds a state machine; the same name with the same definition, type and
// configuration answers the existing one, as CreateStateMachine is idempotent.
func (s *Service) create(name, def, typ, roleArn string, logging, tracing json.RawMessage, tags map[string]string, logicalID string) (*stateMachine, error) {
	if !validName(name) {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidName", "Invalid Name: '%s'", name)
	}
	if typ == "" {
		typ = TypeStandard
	}
	if typ != TypeStandard && typ != TypeExpress {
		return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", typ)
	}
	if roleArn == "" {
		return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	if !arn.IsARN(roleArn) {
		return nil, invalidArn(roleArn)
	}
	m, err := parseDefinition(def)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	sm := &stateMachine{name: name, arn: s.env.ARN(ServiceName, "stateMachine:"+name), typ: typ, roleArn: roleArn, definition: def,
		machine: m, created: now, updated: now, revisionID: awsjson.RequestID(), logging: logging, tracing: tracing, tags: newTagSet(tags), logicalID: logicalID,
		targets: targetsOf(def)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.machines[name]; old != nil {
		if old.definition == def && old.typ == typ && string(old.logging) == string(logging) && string(old.tracing) == string(tracing) {
			return old, nil
		}
		return nil, sim.Errorf(http.StatusBadRequest, "StateMachineAlreadyExists", "State Machine Already Exists: '%s'", old.arn)
	}
	s.machines[name] = sm
	return sm, nil
}

// machineByArn finds a state machine by its ARN (a version or alias suffix is not supported).
func (s *Service) machineByArn(a string) (*stateMachine, error) {
	p, err := arn.Parse(a)
	if err != nil || p.Service != ServiceName || !strings.HasPrefix(p.Resource, "stateMachine:") {
		return nil, invalidArn(a)
	}
	name := strings.TrimPrefix(p.Resource, "stateMachine:")
	s.mu.RLock()
	sm := s.machines[name]
	s.mu.RUnlock()
	if sm == nil || sm.arn != a {
		return nil, sim.Errorf(http.StatusBadRequest, "StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", a)
	}
	return sm, nil
}

func (sm *stateMachine) config(key string) any {
	raw := sm.logging
	def := `{"level":"OFF","includeExecutionData":false}`
	if key == "tracing" {
		raw, def = sm.tracing, `{"enabled":false}`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(def)
	}
	return raw
}

type arnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	ExecutionArn    string `json:"executionArn"`
	ResourceArn     string `json:"resourceArn"`
}

// DescribeStateMachine (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachine.html).
func (s *Service) describeStateMachine(_ context.Context, body []byte) (any, error) {
	var in arnInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.machineByArn(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"stateMachineArn": sm.arn, "name": sm.name, "status": "ACTIVE", "definition": sm.definition, "roleArn": sm.roleArn,
		"type": sm.typ, "creationDate": epoch(sm.created), "loggingConfiguration": sm.config("logging"),
		"tracingConfiguration": sm.config("tracing"), "revisionId": sm.revisionID,
	}
	if sm.description != "" {
		out["description"] = sm.description
	}
	return out, nil
}

type listInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
	ExecutionArn    string `json:"executionArn"`
	ReverseOrder    bool   `json:"reverseOrder"`
	// IncludeExecutionData defaults to true.
	IncludeExecutionData *bool `json:"includeExecutionData"`
}

// page cuts n items at a next token (an index); maxResults 0 means def, at most 1000.
func page(n int, in listInput, def int) (from, to int, next string, err error) {
	size := in.MaxResults
	if size < 0 || size > 1000 {
		return 0, 0, "", sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", size)
	}
	if size == 0 {
		size = def
	}
	if in.NextToken != "" {
		from, err = strconv.Atoi(in.NextToken)
		if err != nil || from < 0 || from > n {
			return 0, 0, "", sim.Errorf(http.StatusBadRequest, "InvalidToken", "Invalid Token: '%s'", in.NextToken)
		}
	}
	to = min(n, from+size)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}

// ListStateMachines (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachines.html).
func (s *Service) listStateMachines(_ context.Context, body []byte) (any, error) {
	var in listInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	all := make([]*stateMachine, 0, len(s.machines))
	for _, sm := range s.machines {
		all = append(all, sm)
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	from, to, next, err := page(len(all), in, 100)
	if err != nil {
		return nil, err
	}
	items := make([]map[string]any, 0, to-from)
	for _, sm := range all[from:to] {
		items = append(items, map[string]any{"stateMachineArn": sm.arn, "name": sm.name, "type": sm.typ, "creationDate": epoch(sm.created)})
	}
	out := map[string]any{"stateMachines": items}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

// UpdateStateMachine (https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html).
func (s *Service) updateStateMachine(_ context.Context, body []byte) (any, error) {
	var in struct {
		StateMachineArn      string          `json:"stateMachineArn"`
		Definition           string          `json:"definition"`
		RoleArn              string          `json:"roleArn"`
		LoggingConfiguration json.RawMessage `json:"loggingConfiguration"`
		TracingConfiguration json.RawMessage `json:"tracingConfiguration"`
	}
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.machineByArn(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if in.Definition == "" && in.RoleArn == "" && len(in.LoggingConfiguration) == 0 && len(in.TracingConfiguration) == 0 {
		return nil, sim.Errorf(http.StatusBadRequest, "MissingRequiredParameter", "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified")
	}
	up := *sm
	if in.Definition != "" {
		m, err := parseDefinition(in.Definition)
		if err != nil {
			return nil, err
		}
		up.definition, up.machine, up.targets = in.Definition, m, targetsOf(in.Definition)
	}
	if in.RoleArn != "" {
		if !arn.IsARN(in.RoleArn) {
			return nil, invalidArn(in.RoleArn)
		}
		up.roleArn = in.RoleArn
	}
	if len(in.LoggingConfiguration) > 0 {
		up.logging = in.LoggingConfiguration
	}
	if len(in.TracingConfiguration) > 0 {
		up.tracing = in.TracingConfiguration
	}
	up.revisionID = awsjson.RequestID()
	up.updated = s.clock.Now()
	s.mu.Lock()
	s.machines[sm.name] = &up
	s.mu.Unlock()
	return map[string]any{"updateDate": epoch(s.clock.Now()), "revisionId": up.revisionID}, nil
}

// DeleteStateMachine (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachine.html):
// running executions go on to their end.
func (s *Service) deleteStateMachine(_ context.Context, body []byte) (any, error) {
	var in arnInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.machineByArn(in.StateMachineArn)
	if err != nil {
		var apiErr *sim.APIError
		if errors.As(err, &apiErr) && apiErr.Code == "StateMachineDoesNotExist" {
			return struct{}{}, nil // deleting twice is not an error
		}
		return nil, err
	}
	s.mu.Lock()
	if s.machines[sm.name] != nil && s.machines[sm.name].arn == sm.arn {
		delete(s.machines, sm.name)
	}
	s.mu.Unlock()
	return struct{}{}, nil
}

type startInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Input           string `json:"input"`
	TraceHeader     string `json:"traceHeader"`
}

// StartExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
func (s *Service) startExecution(ctx context.Context, body []byte) (any, error) {
	var in startInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.machineByArn(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	ex, err := s.execute(ctx, startRequest{sm: sm, name: in.Name, input: in.Input, op: "StartExecution"})
	if err != nil {
		return nil, err
	}
	return map[string]any{"executionArn": ex.arn, "startDate": epoch(ex.start)}, nil
}

// StartSyncExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html).
func (s *Service) startSyncExecution(ctx context.Context, body []byte) (any, error) {
	var in startInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.machineByArn(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if sm.typ != TypeExpress {
		return nil, sim.Errorf(http.StatusBadRequest, "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	ex, err := s.execute(ctx, startRequest{sm: sm, name: in.Name, input: in.Input, op: "StartSyncExecution", sync: true})
	if err != nil {
		return nil, err
	}
	status, output, errName, cause, stop := ex.snapshot()
	if status == asl.StatusAborted {
		// The caller went away; nobody reads this answer.
		status = asl.StatusFailed
	}
	out := map[string]any{
		"executionArn": ex.arn, "stateMachineArn": sm.arn, "name": ex.name, "startDate": epoch(ex.start), "stopDate": epoch(stop),
		"status": status, "input": ex.input, "inputDetails": map[string]bool{"included": true}, "billingDetails": ex.billing,
	}
	if status == asl.StatusSucceeded {
		out["output"] = output
		out["outputDetails"] = map[string]bool{"included": true}
	} else {
		out["error"], out["cause"] = errName, cause
	}
	return out, nil
}

// executionByArn finds a standard execution.
func (s *Service) executionByArn(a string) (*execution, error) {
	p, err := arn.Parse(a)
	if err != nil || p.Service != ServiceName || !(strings.HasPrefix(p.Resource, "execution:") || strings.HasPrefix(p.Resource, "express:")) {
		return nil, invalidArn(a)
	}
	s.mu.RLock()
	ex := s.executions[a]
	s.mu.RUnlock()
	if ex == nil {
		// Express executions are not kept: AWS answers the same for them.
		return nil, sim.Errorf(http.StatusBadRequest, "ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", a)
	}
	return ex, nil
}

// DescribeExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html).
func (s *Service) describeExecution(_ context.Context, body []byte) (any, error) {
	var in arnInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	ex, err := s.executionByArn(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	return describe(ex), nil
}

func describe(ex *execution) map[string]any {
	status, output, errName, cause, stop := ex.snapshot()
	out := map[string]any{
		"executionArn": ex.arn, "stateMachineArn": ex.sm.arn, "name": ex.name, "status": status, "startDate": epoch(ex.start),
		"input": ex.input, "inputDetails": map[string]bool{"included": true}, "redriveCount": 0, "redriveStatus": "NOT_REDRIVABLE",
	}
	if status != asl.StatusRunning {
		out["stopDate"] = epoch(stop)
	}
	if status == asl.StatusSucceeded {
		out["output"] = output
		out["outputDetails"] = map[string]bool{"included": true}
	}
	if errName != "" {
		out["error"] = errName
	}
	if cause != "" {
		out["cause"] = cause
	}
	return out
}

// ListExecutions (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html):
// newest first.
func (s *Service) listExecutions(_ context.Context, body []byte) (any, error) {
	var in listInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	sm, err := s.machineByArn(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if sm.typ == TypeExpress {
		return nil, sim.Errorf(http.StatusBadRequest, "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
	}
	switch in.StatusFilter {
	case "", asl.StatusRunning, asl.StatusSucceeded, asl.StatusFailed, asl.StatusTimedOut, asl.StatusAborted, "PENDING_REDRIVE":
	default:
		return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]", in.StatusFilter)
	}
	s.mu.RLock()
	list := append([]*execution(nil), s.byMachine[sm.arn]...)
	s.mu.RUnlock()
	var matched []map[string]any
	for i := len(list) - 1; i >= 0; i-- {
		ex := list[i]
		status, _, _, _, stop := ex.snapshot()
		if in.StatusFilter != "" && status != in.StatusFilter {
			continue
		}
		item := map[string]any{"executionArn": ex.arn, "stateMachineArn": sm.arn, "name": ex.name, "status": status, "startDate": epoch(ex.start)}
		if status != asl.StatusRunning {
			item["stopDate"] = epoch(stop)
		}
		matched = append(matched, item)
	}
	from, to, next, err := page(len(matched), in, 100)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"executions": append([]map[string]any{}, matched[from:to]...)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

// wireEvent is a history event with its timestamp in the protocol's epoch seconds: the outer
// field shadows the embedded one.
type wireEvent struct {
	asl.HistoryEvent
	Timestamp epoch `json:"timestamp"`
}

// GetExecutionHistory (https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html).
func (s *Service) getExecutionHistory(_ context.Context, body []byte) (any, error) {
	var in listInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	ex, err := s.executionByArn(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	ex.mu.Lock()
	events := append([]asl.HistoryEvent(nil), ex.history...)
	ex.mu.Unlock()
	if in.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	from, to, next, err := page(len(events), in, 100)
	if err != nil {
		return nil, err
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := make([]wireEvent, 0, to-from)
	for _, ev := range events[from:to] {
		if !withData {
			ev = withoutData(ev)
		}
		out = append(out, wireEvent{HistoryEvent: ev, Timestamp: epoch(ev.Timestamp)})
	}
	res := map[string]any{"events": out}
	if next != "" {
		res["nextToken"] = next
	}
	return res, nil
}

// withoutData blanks an event's input and output, for includeExecutionData false.
func withoutData(ev asl.HistoryEvent) asl.HistoryEvent {
	if d := ev.ExecutionStartedEventDetails; d != nil {
		c := *d
		c.Input = ""
		ev.ExecutionStartedEventDetails = &c
	}
	if d := ev.ExecutionSucceededEventDetails; d != nil {
		ev.ExecutionSucceededEventDetails = &asl.ExecutionSucceededEventDetails{}
	}
	if d := ev.StateEnteredEventDetails; d != nil {
		ev.StateEnteredEventDetails = &asl.StateEnteredEventDetails{Name: d.Name}
	}
	if d := ev.StateExitedEventDetails; d != nil {
		ev.StateExitedEventDetails = &asl.StateExitedEventDetails{Name: d.Name}
	}
	if d := ev.TaskSucceededEventDetails; d != nil {
		c := *d
		c.Output = ""
		ev.TaskSucceededEventDetails = &c
	}
	if d := ev.TaskScheduledEventDetails; d != nil {
		c := *d
		c.Parameters = ""
		ev.TaskScheduledEventDetails = &c
	}
	return ev
}

// StopExecution (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html).
func (s *Service) stopExecution(_ context.Context, body []byte) (any, error) {
	var in struct {
		ExecutionArn string `json:"executionArn"`
		Error        string `json:"error"`
		Cause        string `json:"cause"`
	}
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkErrorCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	ex, err := s.executionByArn(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	ex.mu.Lock()
	h, status := ex.handle, ex.status
	ex.mu.Unlock()
	if status == asl.StatusRunning && h != nil {
		h.Stop(in.Error, in.Cause)
		<-ex.done
	}
	_, _, _, _, stop := ex.snapshot()
	return map[string]any{"stopDate": epoch(stop)}, nil
}

// checkErrorCause applies the length constraints StopExecution and SendTaskFailure document
// for their error (at most 256 characters) and cause (at most 32,768):
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html.
func checkErrorCause(errName, cause string) error {
	if n := utf8.RuneCountInString(errName); n > 256 {
		return sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256")
	}
	if n := utf8.RuneCountInString(cause); n > 32768 {
		return sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'cause' failed to satisfy constraint: Member must have length less than or equal to 32768")
	}
	return nil
}

// tokenError maps the interpreter's token errors to the SendTask* errors.
func tokenError(err error) error {
	switch {
	case errors.Is(err, asl.ErrTaskDoesNotExist):
		return sim.Errorf(http.StatusBadRequest, "TaskDoesNotExist", "Task Does Not Exist")
	case errors.Is(err, asl.ErrInvalidToken):
		return sim.Errorf(http.StatusBadRequest, "InvalidToken", "Invalid Token: 'Invalid token'")
	}
	return sim.Errorf(http.StatusBadRequest, "InvalidOutput", "Invalid Output: '%v'", err)
}

type taskTokenInput struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"`
	Error     string `json:"error"`
	Cause     string `json:"cause"`
}

func decodeToken(body []byte) (taskTokenInput, error) {
	var in taskTokenInput
	if err := awsjson.Decode(body, &in); err != nil {
		return in, err
	}
	if in.TaskToken == "" {
		return in, sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null")
	}
	return in, nil
}

// SendTaskSuccess (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
func (s *Service) sendTaskSuccess(_ context.Context, body []byte) (any, error) {
	in, err := decodeToken(body)
	if err != nil {
		return nil, err
	}
	if !json.Valid([]byte(in.Output)) {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidOutput", "Invalid Output: 'the output is not valid JSON'")
	}
	if err := s.tokens.Success(in.TaskToken, []byte(in.Output)); err != nil {
		return nil, tokenError(err)
	}
	return struct{}{}, nil
}

// SendTaskFailure (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskFailure.html).
func (s *Service) sendTaskFailure(_ context.Context, body []byte) (any, error) {
	in, err := decodeToken(body)
	if err != nil {
		return nil, err
	}
	if err := checkErrorCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	if err := s.tokens.Failure(in.TaskToken, in.Error, in.Cause); err != nil {
		return nil, tokenError(err)
	}
	return struct{}{}, nil
}

// SendTaskHeartbeat (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html).
func (s *Service) sendTaskHeartbeat(_ context.Context, body []byte) (any, error) {
	in, err := decodeToken(body)
	if err != nil {
		return nil, err
	}
	if err := s.tokens.Heartbeat(in.TaskToken); err != nil {
		return nil, tokenError(err)
	}
	return struct{}{}, nil
}

// ValidateStateMachineDefinition (https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html).
func (s *Service) validateDefinition(_ context.Context, body []byte) (any, error) {
	var in struct {
		Definition string `json:"definition"`
	}
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	diags := []map[string]string{}
	if _, err := asl.Parse([]byte(in.Definition)); err != nil {
		var de *asl.DefinitionError
		if errors.As(err, &de) {
			for _, d := range de.Diagnostics {
				diags = append(diags, map[string]string{"severity": "ERROR", "code": d.Code, "message": d.Message, "location": d.Location})
			}
		}
	}
	result := "OK"
	if len(diags) > 0 {
		result = "FAIL"
	}
	return map[string]any{"result": result, "diagnostics": diags, "truncated": false}, nil
}
