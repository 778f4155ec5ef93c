package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

// Machine is a parsed and validated state machine definition. It is immutable and safe for
// concurrent executions.
type Machine struct {
	root    *graph
	timeout time.Duration
	comment string
}

// QueryLanguage is the machine's top-level query language, JSONPath unless the definition says
// JSONata.
func (m *Machine) QueryLanguage() string { return m.root.ql }

// StartAt is the name of the first state.
func (m *Machine) StartAt() string { return m.root.startAt }

// Timeout is the definition's TimeoutSeconds, zero when it has none.
func (m *Machine) Timeout() time.Duration { return m.timeout }

// DefinitionError lists every problem Parse found. Its message is the one CreateStateMachine
// returns with InvalidDefinition.
type DefinitionError struct {
	// Problems are the messages, "CODE: message at /location".
	Problems []string
	// Diagnostics are the same problems in parts, for ValidateStateMachineDefinition.
	Diagnostics []Diagnostic
}

// Diagnostic is one problem of a definition, shaped like
// ValidateStateMachineDefinitionDiagnostic (severity is always ERROR).
type Diagnostic struct {
	Code     string
	Message  string
	Location string
}

func (e *DefinitionError) Error() string {
	return "Invalid State Machine Definition: '" + strings.Join(e.Problems, "', '") + "'"
}

// Problem codes, the first word of each DefinitionError problem.
const (
	CodeSchema            = "SCHEMA_VALIDATION_FAILED"
	CodeMissingTarget     = "MISSING_TRANSITION_TARGET"
	CodeUnreachable       = "UNREACHABLE_STATE"
	CodeDuplicateState    = "DUPLICATE_STATE_NAME"
	CodeInvalidJSONPath   = "INVALID_JSON_PATH"
	CodeInvalidJSONata    = "INVALID_JSONATA"
	CodeInvalidIntrinsic  = "INVALID_INTRINSIC_FUNCTION"
	CodeInvalidDefinition = "INVALID_JSON_DESCRIPTION"
	CodeInvalidResource   = "INVALID_RESOURCE"
	CodeMissingEndState   = "MISSING_END_STATE"
	CodeInvalidStateName  = "INVALID_STATE_NAME"
)

// Parse validates definition and returns the machine, or a *DefinitionError.
func Parse(definition []byte) (*Machine, error) {
	v, err := decode(definition)
	if err != nil {
		msg := fmt.Sprintf("Invalid JSON: %v", err)
		return nil, &DefinitionError{Problems: []string{CodeInvalidDefinition + ": " + msg}, Diagnostics: []Diagnostic{{Code: CodeInvalidDefinition, Message: msg, Location: "/"}}}
	}
	top, ok := v.(map[string]any)
	if !ok {
		msg := "The definition must be a JSON object"
		return nil, &DefinitionError{Problems: []string{CodeSchema + ": " + msg + " at /"}, Diagnostics: []Diagnostic{{Code: CodeSchema, Message: msg, Location: "/"}}}
	}
	p := &parser{names: map[string]string{}}
	for _, d := range duplicateStates(definition) {
		p.add(CodeDuplicateState, d.msg, d.at)
	}
	m := &Machine{}
	ql := JSONPath
	if q, ok := top["QueryLanguage"]; ok {
		if s, _ := q.(string); s == JSONPath || s == JSONata {
			ql = s
		} else {
			p.add(CodeSchema, "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", "/QueryLanguage")
		}
	}
	p.fields(top, "", map[string]bool{"Comment": true, "StartAt": true, "States": true, "TimeoutSeconds": true, "Version": true, "QueryLanguage": true})
	if t, ok := top["TimeoutSeconds"]; ok {
		n, ok := p.intField(t, "TimeoutSeconds", "/TimeoutSeconds", 0)
		if ok {
			m.timeout = time.Duration(n) * time.Second
		}
	}
	m.comment, _ = top["Comment"].(string)
	m.root = p.graph(top, "", ql, nil)
	if len(p.problems) > 0 {
		return nil, &DefinitionError{Problems: p.problems, Diagnostics: p.diags}
	}
	return m, nil
}

type parser struct {
	problems []string
	diags    []Diagnostic
	// names maps every state name to its location, since names are unique machine-wide.
	names map[string]string
}

func (p *parser) add(code, msg, at string) {
	if at == "" {
		at = "/"
	}
	p.problems = append(p.problems, fmt.Sprintf("%s: %s at %s", code, msg, at))
	p.diags = append(p.diags, Diagnostic{Code: code, Message: msg, Location: at})
}

// fields reports every field of obj that allowed lacks, in name order.
func (p *parser) fields(obj map[string]any, at string, allowed map[string]bool) {
	var bad []string
	for k := range obj {
		if !allowed[k] {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	for _, k := range bad {
		p.add(CodeSchema, fmt.Sprintf("The field '%s' is not supported by Step Functions", k), at)
	}
}

func (p *parser) str(obj map[string]any, key, at string) (string, bool) {
	v, ok := obj[key]
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING", key), at+"/"+key)
		return "", false
	}
	return s, true
}

func (p *parser) intField(v any, key, at string, minimum int64) (int64, bool) {
	n, ok := v.(json.Number)
	if ok {
		if i, err := n.Int64(); err == nil {
			if i < minimum {
				p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be greater than or equal to %d", key, minimum), at)
				return 0, false
			}
			return i, true
		}
	}
	p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be an INTEGER", key), at)
	return 0, false
}

var stateTypes = []string{"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}

// graph parses a States/StartAt pair. outerVars holds the names outer scopes assign, which an
// inner scope may read but not assign.
func (p *parser) graph(obj map[string]any, at, ql string, outerVars map[string]bool) *graph {
	g := &graph{states: map[string]*state{}, ql: ql}
	// MISSING_END_STATE is only worth reporting for an otherwise sound graph.
	problemsBefore := len(p.problems)
	start, ok := p.str(obj, "StartAt", at)
	if _, present := obj["StartAt"]; !present {
		p.add(CodeSchema, "These fields are required: [StartAt]", at)
	}
	g.startAt = start
	rawStates, present := obj["States"]
	if !present {
		p.add(CodeSchema, "These fields are required: [States]", at)
		return g
	}
	states, isObj := rawStates.(map[string]any)
	if !isObj {
		p.add(CodeSchema, "The value for the field 'States' must be an OBJECT", at+"/States")
		return g
	}
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, n)
	}
	sort.Strings(names)
	// The names this scope assigns, so that nested scopes cannot assign them.
	scopeVars := map[string]bool{}
	for k := range outerVars {
		scopeVars[k] = true
	}
	for _, n := range names {
		if sm, ok := states[n].(map[string]any); ok {
			for _, name := range assignNames(sm) {
				scopeVars[name] = true
			}
		}
	}
	for _, n := range names {
		sat := at + "/States/" + n
		if prev, dup := p.names[n]; dup {
			p.add(CodeDuplicateState, fmt.Sprintf("Duplicate State name: '%s' (also at %s)", n, prev), sat)
		} else {
			p.names[n] = sat
		}
		if len(n) == 0 || len(n) > 80 || strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			p.add(CodeInvalidStateName, fmt.Sprintf("State name '%s' must be 1 to 80 characters without control characters", n), sat)
		}
		sm, ok := states[n].(map[string]any)
		if !ok {
			p.add(CodeSchema, "The value for the field '"+n+"' must be an OBJECT", sat)
			continue
		}
		if s := p.state(n, sm, sat, ql, outerVars, scopeVars); s != nil {
			g.states[n] = s
		}
	}
	if ok {
		if _, exists := g.states[start]; !exists {
			if _, raw := states[start]; !raw {
				p.add(CodeMissingTarget, fmt.Sprintf("Missing 'Next' target: %s", start), at+"/StartAt")
			}
		}
	}
	p.reachability(g, states, at)
	terminal := len(p.problems) > problemsBefore
	for _, s := range g.states {
		if s.end || s.typ == "Succeed" || s.typ == "Fail" {
			terminal = true
		}
	}
	if !terminal && len(g.states) == len(states) && len(states) > 0 {
		p.add(CodeMissingEndState, "Workflow has no terminal state", at+"/States")
	}
	return g
}

func assignNames(sm map[string]any) []string {
	var out []string
	collect := func(v any) {
		if a, ok := v.(map[string]any); ok {
			for k := range a {
				out = append(out, strings.TrimSuffix(k, ".$"))
			}
		}
	}
	collect(sm["Assign"])
	for _, key := range []string{"Catch", "Choices"} {
		if list, ok := sm[key].([]any); ok {
			for _, c := range list {
				if cm, ok := c.(map[string]any); ok {
					collect(cm["Assign"])
				}
			}
		}
	}
	return out
}

// reachability reports transitions to missing states and states nothing reaches.
func (p *parser) reachability(g *graph, raw map[string]any, at string) {
	seen := map[string]bool{}
	var visit func(n string)
	visit = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		s := g.states[n]
		if s == nil {
			return
		}
		for _, t := range s.targets() {
			if _, ok := raw[t.name]; !ok {
				p.add(CodeMissingTarget, fmt.Sprintf("Missing 'Next' target: %s", t.name), at+"/States/"+n+t.field)
				continue
			}
			visit(t.name)
		}
	}
	if _, ok := raw[g.startAt]; ok {
		visit(g.startAt)
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !seen[n] {
			p.add(CodeUnreachable, fmt.Sprintf("State '%s' is not reachable", n), at+"/States/"+n)
		}
	}
}

type target struct{ name, field string }

func (s *state) targets() []target {
	var out []target
	if s.next != "" {
		out = append(out, target{s.next, "/Next"})
	}
	for i, c := range s.choices {
		if c.next != "" {
			out = append(out, target{c.next, fmt.Sprintf("/Choices[%d]/Next", i)})
		}
	}
	if s.defaultNext != "" {
		out = append(out, target{s.defaultNext, "/Default"})
	}
	for i, c := range s.catch {
		if c.next != "" {
			out = append(out, target{c.next, fmt.Sprintf("/Catch[%d]/Next", i)})
		}
	}
	return out
}

// Fields each state type allows, by query language
// (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html).
var (
	commonFields    = []string{"Type", "Comment", "QueryLanguage"}
	allowedJSONPath = map[string][]string{
		"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"},
		"Task":     {"Next", "End", "Resource", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Assign"},
		"Choice":   {"Choices", "Default", "InputPath", "OutputPath", "Assign"},
		"Wait":     {"Next", "End", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "InputPath", "OutputPath", "Assign"},
		"Succeed":  {"InputPath", "OutputPath"},
		"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
		"Parallel": {"Next", "End", "Branches", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Assign"},
		"Map": {"Next", "End", "ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "Parameters", "MaxConcurrency", "MaxConcurrencyPath",
			"ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage",
			"ToleratedFailurePercentagePath", "Label", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Retry", "Catch", "Assign"},
	}
	allowedJSONata = map[string][]string{
		"Pass":     {"Next", "End", "Output", "Assign"},
		"Task":     {"Next", "End", "Resource", "Arguments", "Output", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "Assign"},
		"Choice":   {"Choices", "Default", "Output", "Assign"},
		"Wait":     {"Next", "End", "Seconds", "Timestamp", "Output", "Assign"},
		"Succeed":  {"Output"},
		"Fail":     {"Error", "Cause"},
		"Parallel": {"Next", "End", "Branches", "Arguments", "Output", "Retry", "Catch", "Assign"},
		"Map": {"Next", "End", "ItemProcessor", "Items", "ItemSelector", "MaxConcurrency", "ItemReader", "ItemBatcher", "ResultWriter",
			"ToleratedFailureCount", "ToleratedFailurePercentage", "Label", "Output", "Retry", "Catch", "Assign"},
	}
)

func (p *parser) state(name string, sm map[string]any, at, parentQL string, outerVars, scopeVars map[string]bool) *state {
	s := &state{name: name, ql: parentQL, inputPath: defaultPath(), outputPath: defaultPath(), resultPath: defaultPath()}
	if _, ok := sm["Type"]; !ok {
		p.add(CodeSchema, "These fields are required: [Type]", at)
		return nil
	}
	typ, ok := p.str(sm, "Type", at)
	if !ok {
		return nil
	}
	if _, known := allowedJSONPath[typ]; !known {
		p.add(CodeSchema, fmt.Sprintf("The value for the field 'Type' must be one of %v", "["+strings.Join(stateTypes, ", ")+"]"), at+"/Type")
		return nil
	}
	s.typ = typ
	raw := encode(sm)
	s.usesContext = bytes.Contains(raw, []byte("$$")) || bytes.Contains(raw, []byte("context"))
	if q, ok := sm["QueryLanguage"]; ok {
		switch q {
		case JSONPath, JSONata:
			s.ql = q.(string)
			if parentQL == JSONata && s.ql == JSONPath {
				p.add(CodeSchema, "A state cannot use JSONPath when the state machine's QueryLanguage is JSONata", at+"/QueryLanguage")
			}
		default:
			p.add(CodeSchema, "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", at+"/QueryLanguage")
		}
	}
	allowed := map[string]bool{}
	for _, f := range commonFields {
		allowed[f] = true
	}
	table := allowedJSONPath
	if s.ql == JSONata {
		table = allowedJSONata
	}
	for _, f := range table[typ] {
		allowed[f] = true
	}
	var bad []string
	for k := range sm {
		if !allowed[k] {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad)
	for _, k := range bad {
		if _, other := fieldOfOtherLanguage(typ, s.ql, k); other {
			p.add(CodeSchema, fmt.Sprintf("The field '%s' is not supported when the QueryLanguage is %s", k, s.ql), at)
		} else {
			p.add(CodeSchema, fmt.Sprintf("The field '%s' is not supported by Step Functions", k), at)
		}
	}

	// Transitions.
	next, hasNext := p.str(sm, "Next", at)
	endV, hasEnd := sm["End"]
	if hasEnd {
		b, isBool := endV.(bool)
		if !isBool {
			p.add(CodeSchema, "The value for the field 'End' must be a BOOLEAN", at+"/End")
		}
		s.end = b
	}
	s.next = next
	switch typ {
	case "Choice", "Succeed", "Fail":
	default:
		_, rawNext := sm["Next"]
		switch {
		case rawNext && hasEnd && s.end:
			p.add(CodeSchema, "Only one of the fields [Next, End] may be present", at)
		case !rawNext && !s.end:
			p.add(CodeSchema, "These fields are required: [Next or End]", at)
		}
		_ = hasNext
	}

	// Data fields.
	if s.ql == JSONPath {
		s.inputPath = p.pathField(sm, "InputPath", at, false)
		s.outputPath = p.pathField(sm, "OutputPath", at, false)
		s.resultPath = p.pathField(sm, "ResultPath", at, true)
		// A Map's Parameters is its legacy ItemSelector, read by mapState.
		if v, ok := sm["Parameters"]; ok && typ != "Map" {
			s.parameters, s.hasParameters = v, true
			p.template(v, at+"/Parameters", "Parameters")
		}
		if v, ok := sm["ResultSelector"]; ok {
			s.resultSelector, s.hasResultSelector = v, true
			p.template(v, at+"/ResultSelector", "ResultSelector")
		}
		if v, ok := sm["Result"]; ok {
			s.result, s.hasResult = v, true
		}
	} else {
		if v, ok := sm["Arguments"]; ok {
			s.arguments, s.hasArguments = v, true
			p.jsonataTemplate(v, at+"/Arguments", "Arguments")
			if typ == "Task" {
				if _, isStr := v.(string); !isStr {
					if _, isObj := v.(map[string]any); !isObj {
						p.add(CodeSchema, "The value for the field 'Arguments' must be an OBJECT or a JSONata expression", at+"/Arguments")
					}
				}
			}
		}
		if v, ok := sm["Output"]; ok {
			s.output, s.hasOutput = v, true
			p.jsonataTemplate(v, at+"/Output", "Output")
		}
	}
	if v, ok := sm["Assign"]; ok {
		s.assign = p.assign(v, at+"/Assign", s.ql, outerVars)
	}

	switch typ {
	case "Task":
		p.task(s, sm, at)
	case "Choice":
		p.choice(s, sm, at, outerVars)
	case "Wait":
		p.wait(s, sm, at)
	case "Fail":
		p.fail(s, sm, at)
	case "Parallel":
		p.retryCatch(s, sm, at, outerVars)
		list, ok := sm["Branches"].([]any)
		if !ok || len(list) == 0 {
			p.add(CodeSchema, "The value for the field 'Branches' must be a non-empty ARRAY", at+"/Branches")
			break
		}
		for i, b := range list {
			bm, ok := b.(map[string]any)
			bat := fmt.Sprintf("%s/Branches[%d]", at, i)
			if !ok {
				p.add(CodeSchema, "A branch must be an OBJECT", bat)
				continue
			}
			p.fields(bm, bat, map[string]bool{"StartAt": true, "States": true, "Comment": true, "QueryLanguage": true})
			s.branches = append(s.branches, p.graph(bm, bat, s.ql, scopeVars))
		}
	case "Map":
		p.mapState(s, sm, at, scopeVars)
	}
	return s
}

func fieldOfOtherLanguage(typ, ql, field string) (string, bool) {
	other := allowedJSONata
	if ql == JSONata {
		other = allowedJSONPath
	}
	for _, f := range other[typ] {
		if f == field {
			return f, true
		}
	}
	return "", false
}

// pathField reads an InputPath, OutputPath or ResultPath.
func (p *parser) pathField(sm map[string]any, key, at string, reference bool) optPath {
	v, ok := sm[key]
	if !ok {
		return defaultPath()
	}
	if v == nil {
		return optPath{null: true}
	}
	s, isStr := v.(string)
	if !isStr {
		p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING", key), at+"/"+key)
		return defaultPath()
	}
	p.checkPath(s, key, at+"/"+key, reference)
	return optPath{path: s}
}

func (p *parser) checkPath(s, key, at string, reference bool) {
	if err := jpValid(s); err != nil || s[0] != '$' || (len(s) > 1 && s[1] == '$') {
		p.add(CodeInvalidJSONPath, fmt.Sprintf("The value for the field '%s' must be a valid JSONPath", key), at)
		return
	}
	if reference && !jpReference(s) {
		p.add(CodeInvalidJSONPath, fmt.Sprintf("The value for the field '%s' must be a valid ReferencePath", key), at)
	}
}

// checkAnyPath validates a path that may address the context object or a variable.
func (p *parser) checkAnyPath(s, key, at string) {
	if err := jpValid(s); err != nil {
		p.add(CodeInvalidJSONPath, fmt.Sprintf("The value for the field '%s' must be a valid JSONPath", key), at)
	}
}

// template validates a JSONPath Payload Template: every ".$" field holds a path or an
// intrinsic function.
func (p *parser) template(v any, at, key string) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if strings.HasSuffix(k, ".$") {
				s, ok := e.(string)
				if !ok {
					p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING that contains a JSONPath or an intrinsic function", k), at+"/"+k)
					continue
				}
				if jpIsIntrinsic(s) {
					if err := jpValidateIntrinsic(s); err != nil {
						p.add(CodeInvalidIntrinsic, fmt.Sprintf("The value for the field '%s' must be a valid intrinsic function: %v", k, err), at+"/"+k)
					}
					continue
				}
				p.checkAnyPath(s, k, at+"/"+k)
				continue
			}
			p.template(e, at+"/"+k, key)
		}
	case []any:
		for i, e := range t {
			p.template(e, fmt.Sprintf("%s[%d]", at, i), key)
		}
	}
}

// jsonataTemplate validates every "{% %}" string in a JSONata field value.
func (p *parser) jsonataTemplate(v any, at, key string) {
	switch t := v.(type) {
	case string:
		if isJSONataString(t) {
			if err := compileCheck(t); err != nil {
				p.add(CodeSchema, fmt.Sprintf("The JSONata expression '%s' specified for the field '%s' is invalid: %v", t, key, err), at)
			}
		}
	case map[string]any:
		for k, e := range t {
			p.jsonataTemplate(e, at+"/"+k, key)
		}
	case []any:
		for i, e := range t {
			p.jsonataTemplate(e, fmt.Sprintf("%s[%d]", at, i), key)
		}
	}
}

// jsonataOrValue validates a field that takes either a literal or one JSONata expression.
func (p *parser) jsonataOrValue(v any, at, key string) {
	if s, ok := v.(string); ok {
		if !isJSONataString(s) {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a JSONata expression or a literal value", key), at)
			return
		}
		p.jsonataTemplate(s, at, key)
	}
}

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,79}$`)

func (p *parser) assign(v any, at, ql string, outerVars map[string]bool) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		p.add(CodeSchema, "The value for the field 'Assign' must be an OBJECT", at)
		return nil
	}
	for k, e := range m {
		name := k
		if ql == JSONPath {
			name = strings.TrimSuffix(k, ".$")
		}
		if !varName.MatchString(name) || name == "states" {
			p.add(CodeSchema, fmt.Sprintf("The variable name '%s' is invalid", name), at+"/"+k)
			continue
		}
		if outerVars[name] {
			p.add(CodeSchema, fmt.Sprintf("The variable '%s' is assigned in an outer scope and cannot be assigned in a nested Parallel or Map state", name), at+"/"+k)
		}
		if ql == JSONPath {
			if strings.HasSuffix(k, ".$") {
				s, isStr := e.(string)
				if !isStr {
					p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING", k), at+"/"+k)
				} else if jpIsIntrinsic(s) {
					if err := jpValidateIntrinsic(s); err != nil {
						p.add(CodeInvalidIntrinsic, fmt.Sprintf("The value for the field '%s' must be a valid intrinsic function: %v", k, err), at+"/"+k)
					}
				} else {
					p.checkAnyPath(s, k, at+"/"+k)
				}
			} else {
				p.template(e, at+"/"+k, "Assign")
			}
		} else {
			p.jsonataTemplate(e, at+"/"+k, "Assign")
		}
	}
	return m
}

func (p *parser) task(s *state, sm map[string]any, at string) {
	r, ok := p.str(sm, "Resource", at)
	if _, present := sm["Resource"]; !present {
		p.add(CodeSchema, "These fields are required: [Resource]", at)
	} else if ok && !arn.IsARN(r) {
		p.add(CodeInvalidResource, fmt.Sprintf("Resource '%s' is not a valid ARN", r), at+"/Resource")
	}
	s.resource = r
	p.seconds(sm, at, s.ql, "TimeoutSeconds", &s.timeout, &s.timeoutPath)
	p.seconds(sm, at, s.ql, "HeartbeatSeconds", &s.heartbeat, &s.heartbeatPath)
	p.retryCatch(s, sm, at, nil)
}

// seconds reads a positive integer field that may also come from a path or a JSONata expression.
func (p *parser) seconds(sm map[string]any, at, ql, key string, val *any, path *string) {
	if v, ok := sm[key]; ok {
		if s, isStr := v.(string); isStr && ql == JSONata {
			p.jsonataOrValue(s, at+"/"+key, key)
		} else {
			p.intField(v, key, at+"/"+key, 1)
		}
		*val = v
	}
	if v, ok := p.str(sm, key+"Path", at); ok {
		if _, both := sm[key]; both {
			p.add(CodeSchema, fmt.Sprintf("Only one of the fields [%s, %sPath] may be present", key, key), at)
		}
		p.checkAnyPath(v, key+"Path", at+"/"+key+"Path")
		*path = v
	}
}

func (p *parser) retryCatch(s *state, sm map[string]any, at string, outerVars map[string]bool) {
	if v, ok := sm["Retry"]; ok {
		list, isList := v.([]any)
		if !isList {
			p.add(CodeSchema, "The value for the field 'Retry' must be an ARRAY", at+"/Retry")
		}
		for i, e := range list {
			rat := fmt.Sprintf("%s/Retry[%d]", at, i)
			rm, ok := e.(map[string]any)
			if !ok {
				p.add(CodeSchema, "A Retrier must be an OBJECT", rat)
				continue
			}
			p.fields(rm, rat, map[string]bool{"ErrorEquals": true, "IntervalSeconds": true, "MaxAttempts": true, "BackoffRate": true, "MaxDelaySeconds": true, "JitterStrategy": true, "Comment": true})
			r := retrier{interval: 1, maxAttempts: 3, backoff: 2}
			r.errorEquals = p.errorEquals(rm, rat, i == len(list)-1)
			if v, ok := rm["IntervalSeconds"]; ok {
				if n, ok := p.intField(v, "IntervalSeconds", rat+"/IntervalSeconds", 1); ok {
					r.interval = float64(n)
				}
			}
			if v, ok := rm["MaxAttempts"]; ok {
				if n, ok := p.intField(v, "MaxAttempts", rat+"/MaxAttempts", 0); ok {
					r.maxAttempts = int(n)
				}
			}
			if v, ok := rm["BackoffRate"]; ok {
				f, isNum := jsonpath.Number(v)
				if !isNum || f < 1 {
					p.add(CodeSchema, "The value for the field 'BackoffRate' must be a NUMBER greater than or equal to 1.0", rat+"/BackoffRate")
				} else {
					r.backoff = f
				}
			}
			if v, ok := rm["MaxDelaySeconds"]; ok {
				if n, ok := p.intField(v, "MaxDelaySeconds", rat+"/MaxDelaySeconds", 1); ok {
					r.maxDelay = float64(n)
				}
			}
			if v, ok := rm["JitterStrategy"]; ok {
				switch v {
				case "FULL":
					r.jitterFull = true
				case "NONE":
				default:
					p.add(CodeSchema, "The value for the field 'JitterStrategy' must be one of [FULL, NONE]", rat+"/JitterStrategy")
				}
			}
			s.retry = append(s.retry, r)
		}
	}
	if v, ok := sm["Catch"]; ok {
		list, isList := v.([]any)
		if !isList {
			p.add(CodeSchema, "The value for the field 'Catch' must be an ARRAY", at+"/Catch")
		}
		for i, e := range list {
			cat := fmt.Sprintf("%s/Catch[%d]", at, i)
			cm, ok := e.(map[string]any)
			if !ok {
				p.add(CodeSchema, "A Catcher must be an OBJECT", cat)
				continue
			}
			allowed := map[string]bool{"ErrorEquals": true, "Next": true, "Comment": true, "Assign": true}
			if s.ql == JSONPath {
				allowed["ResultPath"] = true
			} else {
				allowed["Output"] = true
			}
			p.fields(cm, cat, allowed)
			c := catcher{resultPath: defaultPath()}
			c.errorEquals = p.errorEquals(cm, cat, i == len(list)-1)
			next, ok := p.str(cm, "Next", cat)
			if _, present := cm["Next"]; !present {
				p.add(CodeSchema, "These fields are required: [Next]", cat)
			}
			if ok {
				c.next = next
			}
			if s.ql == JSONPath {
				c.resultPath = p.pathField(cm, "ResultPath", cat, true)
			} else if v, ok := cm["Output"]; ok {
				c.output, c.hasOutput = v, true
				p.jsonataTemplate(v, cat+"/Output", "Output")
			}
			if v, ok := cm["Assign"]; ok {
				c.assign = p.assign(v, cat+"/Assign", s.ql, outerVars)
			}
			s.catch = append(s.catch, c)
		}
	}
}

func (p *parser) errorEquals(m map[string]any, at string, last bool) []string {
	v, ok := m["ErrorEquals"]
	if !ok {
		p.add(CodeSchema, "These fields are required: [ErrorEquals]", at)
		return nil
	}
	list, isList := v.([]any)
	if !isList || len(list) == 0 {
		p.add(CodeSchema, "The value for the field 'ErrorEquals' must be a non-empty ARRAY of STRING", at+"/ErrorEquals")
		return nil
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			p.add(CodeSchema, "The value for the field 'ErrorEquals' must be a non-empty ARRAY of STRING", at+"/ErrorEquals")
			return nil
		}
		out = append(out, s)
	}
	for _, s := range out {
		if s == ErrAll && (len(out) > 1 || !last) {
			p.add(CodeSchema, "States.ALL must appear alone in ErrorEquals and in the last Retrier or Catcher", at+"/ErrorEquals")
		}
	}
	return out
}

func (p *parser) wait(s *state, sm map[string]any, at string) {
	n := 0
	for _, k := range []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"} {
		if _, ok := sm[k]; ok {
			n++
		}
	}
	if n != 1 {
		p.add(CodeSchema, "Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] must be present", at)
	}
	if v, ok := sm["Seconds"]; ok {
		if str, isStr := v.(string); isStr && s.ql == JSONata {
			p.jsonataOrValue(str, at+"/Seconds", "Seconds")
		} else {
			p.intField(v, "Seconds", at+"/Seconds", 0)
		}
		s.seconds = v
	}
	if v, ok := sm["Timestamp"]; ok {
		str, isStr := v.(string)
		switch {
		case !isStr:
			p.add(CodeSchema, "The value for the field 'Timestamp' must be a STRING", at+"/Timestamp")
		case s.ql == JSONata && isJSONataString(str):
			p.jsonataTemplate(str, at+"/Timestamp", "Timestamp")
		default:
			if _, err := parseTimestamp(str); err != nil {
				p.add(CodeSchema, "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp", at+"/Timestamp")
			}
		}
		s.timestamp = v
	}
	if v, ok := p.str(sm, "SecondsPath", at); ok {
		p.checkAnyPath(v, "SecondsPath", at+"/SecondsPath")
		s.secondsPath = v
	}
	if v, ok := p.str(sm, "TimestampPath", at); ok {
		p.checkAnyPath(v, "TimestampPath", at+"/TimestampPath")
		s.timestampPath = v
	}
}

func (p *parser) fail(s *state, sm map[string]any, at string) {
	for _, k := range []string{"Error", "Cause"} {
		v, ok := sm[k]
		if !ok {
			continue
		}
		str, isStr := v.(string)
		if !isStr {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a STRING", k), at+"/"+k)
			continue
		}
		if s.ql == JSONata {
			p.jsonataTemplate(str, at+"/"+k, k)
		}
		if _, both := sm[k+"Path"]; both {
			p.add(CodeSchema, fmt.Sprintf("Only one of the fields [%s, %sPath] may be present", k, k), at)
		}
	}
	s.errorName, s.cause = sm["Error"], sm["Cause"]
	if v, ok := p.str(sm, "ErrorPath", at); ok {
		if !jpIsIntrinsic(v) {
			p.checkAnyPath(v, "ErrorPath", at+"/ErrorPath")
		}
		s.errorPath = v
	}
	if v, ok := p.str(sm, "CausePath", at); ok {
		if !jpIsIntrinsic(v) {
			p.checkAnyPath(v, "CausePath", at+"/CausePath")
		}
		s.causePath = v
	}
}

func (p *parser) mapState(s *state, sm map[string]any, at string, scopeVars map[string]bool) {
	p.retryCatch(s, sm, at, nil)
	procKey := "ItemProcessor"
	proc, ok := sm["ItemProcessor"].(map[string]any)
	if !ok {
		procKey = "Iterator"
		proc, ok = sm["Iterator"].(map[string]any)
	}
	if !ok {
		p.add(CodeSchema, "These fields are required: [ItemProcessor]", at)
		return
	}
	pat := at + "/" + procKey
	p.fields(proc, pat, map[string]bool{"StartAt": true, "States": true, "Comment": true, "ProcessorConfig": true, "QueryLanguage": true})
	if cfg, ok := proc["ProcessorConfig"].(map[string]any); ok {
		p.fields(cfg, pat+"/ProcessorConfig", map[string]bool{"Mode": true, "ExecutionType": true})
		switch cfg["Mode"] {
		case nil, "INLINE":
		case "DISTRIBUTED":
			s.distributed = true
		default:
			p.add(CodeSchema, "The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]", pat+"/ProcessorConfig/Mode")
		}
	}
	inner := scopeVars
	if s.distributed {
		inner = nil
	}
	s.processor = p.graph(proc, pat, s.ql, inner)
	s.processor.distributed = s.distributed
	if s.ql == JSONPath {
		if v, ok := p.str(sm, "ItemsPath", at); ok {
			p.checkAnyPath(v, "ItemsPath", at+"/ItemsPath")
			s.itemsPath = v
		} else {
			s.itemsPath = "$"
		}
		for _, k := range []string{"ItemSelector", "Parameters"} {
			if v, ok := sm[k]; ok {
				if s.hasItemSelector {
					p.add(CodeSchema, "Only one of the fields [ItemSelector, Parameters] may be present", at)
				}
				s.itemSelector, s.hasItemSelector = v, true
				p.template(v, at+"/"+k, k)
			}
		}
	} else {
		if v, ok := sm["Items"]; ok {
			s.items, s.hasItems = v, true
			p.jsonataTemplate(v, at+"/Items", "Items")
		}
		if v, ok := sm["ItemSelector"]; ok {
			s.itemSelector, s.hasItemSelector = v, true
			p.jsonataTemplate(v, at+"/ItemSelector", "ItemSelector")
		}
	}
	p.numberOrPath(sm, at, s.ql, "MaxConcurrency", &s.maxConcurrency, &s.maxConcurrencyPath)
	p.numberOrPath(sm, at, s.ql, "ToleratedFailureCount", &s.toleratedCount, &s.toleratedCountPath)
	p.numberOrPath(sm, at, s.ql, "ToleratedFailurePercentage", &s.toleratedPercent, &s.toleratedPercentPath)
	s.hasTolerance = s.toleratedCount != nil || s.toleratedCountPath != "" || s.toleratedPercent != nil || s.toleratedPercentPath != ""
	if s.hasTolerance && !s.distributed {
		p.add(CodeSchema, "The fields [ToleratedFailureCount, ToleratedFailurePercentage] are only supported in DISTRIBUTED mode", at)
	}
	if _, ok := sm["ItemReader"]; ok {
		s.hasItemReader = true
	}
	if l, ok := p.str(sm, "Label", at); ok {
		s.label = l
		if !s.distributed {
			p.add(CodeSchema, "The field 'Label' is only supported in DISTRIBUTED mode", at+"/Label")
		}
	}
	if v, ok := sm["ItemBatcher"]; ok {
		bm, isObj := v.(map[string]any)
		if !isObj {
			p.add(CodeSchema, "The value for the field 'ItemBatcher' must be an OBJECT", at+"/ItemBatcher")
			return
		}
		bat := at + "/ItemBatcher"
		allowed := map[string]bool{"MaxItemsPerBatch": true, "MaxInputBytesPerBatch": true, "BatchInput": true}
		if s.ql == JSONPath {
			allowed["MaxItemsPerBatchPath"] = true
			allowed["MaxInputBytesPerBatchPath"] = true
		}
		p.fields(bm, bat, allowed)
		b := &itemBatcher{}
		p.numberOrPath(bm, bat, s.ql, "MaxItemsPerBatch", &b.maxItems, &b.maxItemsPath)
		p.numberOrPath(bm, bat, s.ql, "MaxInputBytesPerBatch", &b.maxInputBytes, &b.maxInputBytesPth)
		if v, ok := bm["BatchInput"]; ok {
			b.batchInput, b.hasBatchInput = v, true
		}
		s.batcher = b
	}
}

func (p *parser) numberOrPath(sm map[string]any, at, ql, key string, val *any, path *string) {
	if v, ok := sm[key]; ok {
		if s, isStr := v.(string); isStr && ql == JSONata {
			p.jsonataOrValue(s, at+"/"+key, key)
		} else if _, isNum := jsonpath.Number(v); !isNum {
			p.add(CodeSchema, fmt.Sprintf("The value for the field '%s' must be a NUMBER", key), at+"/"+key)
		}
		*val = v
	}
	if v, ok := p.str(sm, key+"Path", at); ok {
		p.checkAnyPath(v, key+"Path", at+"/"+key+"Path")
		*path = v
	}
}

// parseTimestamp accepts the RFC 3339 timestamps Wait and Choice compare.
func parseTimestamp(s string) (time.Time, error) {
	if !strings.ContainsAny(s, "Zz+") && strings.Count(s, "-") < 3 {
		return time.Time{}, fmt.Errorf("timestamp %q has no time zone", s)
	}
	return time.Parse(time.RFC3339Nano, s)
}
