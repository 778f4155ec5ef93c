package stepfunctions

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/awsjson"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/asl"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions/jsonpath"
)

type testStateInput struct {
	Definition      string `json:"definition"`
	RoleArn         string `json:"roleArn"`
	Input           string `json:"input"`
	InspectionLevel string `json:"inspectionLevel"`
	StateName       string `json:"stateName"`
}

// TestState runs one state (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html): Task states
// really call their integration; a Retry that matches the error answers RETRIABLE without
// retrying, a Catch that does answers CAUGHT_ERROR with the catcher's Next; Wait states do not
// wait. DEBUG and TRACE add inspectionData.
func (s *Service) testState(ctx context.Context, body []byte) (any, error) {
	var in testStateInput
	if err := awsjson.Decode(body, &in); err != nil {
		return nil, err
	}
	switch in.InspectionLevel {
	case "":
		in.InspectionLevel = "INFO"
	case "INFO", "DEBUG", "TRACE":
	default:
		return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", in.InspectionLevel)
	}
	if in.Input == "" {
		in.Input = "{}"
	}
	rawInput, err := decodeJSON([]byte(in.Input))
	if err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "Invalid State Machine Execution Input: 'not valid JSON'")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(in.Definition), &doc); err != nil || doc == nil {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidDefinition", "Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: the state definition is not a JSON object'")
	}
	name, ql := "TestState", ""
	if states, ok := doc["States"].(map[string]any); ok {
		// A whole state machine with the state to test named by stateName.
		name = in.StateName
		if name == "" {
			name, _ = doc["StartAt"].(string)
		}
		st, _ := states[name].(map[string]any)
		if st == nil {
			return nil, sim.Errorf(http.StatusBadRequest, "ValidationException", "stateName '%s' is not a state of the definition", name)
		}
		ql, _ = doc["QueryLanguage"].(string)
		doc = st
	} else if in.StateName != "" {
		name = in.StateName
	}
	st := make(map[string]any, len(doc))
	for k, v := range doc {
		st[k] = v
	}
	typ, _ := st["Type"].(string)
	next, _ := st["Next"].(string)
	retry, _ := st["Retry"].([]any)
	delete(st, "Retry")
	stubs := map[string]bool{}
	switch typ {
	case "Choice":
		if d, ok := st["Default"].(string); ok {
			stubs[d] = true
		}
		choices, _ := st["Choices"].([]any)
		for _, c := range choices {
			if m, ok := c.(map[string]any); ok {
				if n, ok := m["Next"].(string); ok {
					stubs[n] = true
				}
			}
		}
	case "Succeed", "Fail":
	default:
		if next != "" {
			delete(st, "Next")
			st["End"] = true
		}
	}
	catchers, _ := st["Catch"].([]any)
	for _, c := range catchers {
		if m, ok := c.(map[string]any); ok {
			if n, ok := m["Next"].(string); ok {
				stubs[n] = true
			}
		}
	}
	states := map[string]any{name: st}
	for n := range stubs {
		if n != name {
			states[n] = map[string]any{"Type": "Succeed"}
		}
	}
	sm := map[string]any{"StartAt": name, "States": states}
	if ql != "" {
		sm["QueryLanguage"] = ql
	}
	def, _ := json.Marshal(sm)
	m, err := asl.Parse(def)
	if err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidDefinition", "%s", err.Error())
	}
	var events []asl.HistoryEvent
	clock := asl.Clock(aslClock{s.clock})
	if typ == "Wait" {
		clock = noWait{aslClock{s.clock}}
	}
	fake := &stateMachine{name: name, arn: s.env.ARN(ServiceName, "stateMachine:TestState"), typ: TypeExpress, roleArn: in.RoleArn}
	ex := &execution{arn: s.env.ARN(ServiceName, "execution:TestState:"+awsjson.RequestID()), name: "TestState", sm: fake, done: make(chan struct{})}
	res, err := m.Run(ctx, []byte(in.Input), asl.RunOptions{
		ExecutionArn: ex.arn, ExecutionName: ex.name, RoleArn: in.RoleArn, StateMachineArn: fake.arn, StateMachineName: name,
		Region: s.env.Region, Tasks: &integrations{s: s, ex: ex}, Clock: clock, Tokens: s.tokens,
		Listener: func(ev asl.HistoryEvent) { events = append(events, ev) },
	})
	if err != nil {
		return nil, sim.Errorf(http.StatusBadRequest, "InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	out := map[string]any{}
	var (
		exited           *asl.StateExitedEventDetails
		failName, failCs string
		entered          []string
		scheduled        string
		result           string
		hasResult        bool
	)
	for _, ev := range events {
		switch {
		case ev.StateEnteredEventDetails != nil:
			entered = append(entered, ev.StateEnteredEventDetails.Name)
		case ev.StateExitedEventDetails != nil && ev.StateExitedEventDetails.Name == name && exited == nil:
			exited = ev.StateExitedEventDetails
		case ev.TaskScheduledEventDetails != nil:
			scheduled = ev.TaskScheduledEventDetails.Parameters
		case ev.TaskSucceededEventDetails != nil:
			result, hasResult = ev.TaskSucceededEventDetails.Output, true
		case ev.TaskFailedEventDetails != nil:
			failName, failCs = ev.TaskFailedEventDetails.Error, ev.TaskFailedEventDetails.Cause
		case ev.TaskTimedOutEventDetails != nil:
			failName, failCs = ev.TaskTimedOutEventDetails.Error, ev.TaskTimedOutEventDetails.Cause
		}
	}
	if res.Status != asl.StatusSucceeded && failName == "" {
		failName, failCs = res.Error, res.Cause
	}
	caught := len(entered) > 1 && failName != ""
	switch {
	case failName != "" && retriable(retry, failName):
		out["status"], out["error"], out["cause"] = "RETRIABLE", failName, failCs
	case caught:
		out["status"], out["error"], out["cause"] = "CAUGHT_ERROR", failName, failCs
		out["nextState"] = entered[1]
		out["output"] = string(res.Output)
	case res.Status != asl.StatusSucceeded:
		out["status"], out["error"], out["cause"] = "FAILED", failName, failCs
	default:
		out["status"] = "SUCCEEDED"
		if exited != nil {
			out["output"] = exited.Output
		} else {
			out["output"] = string(res.Output)
		}
		switch {
		case typ == "Choice" && len(entered) > 1:
			out["nextState"] = entered[1]
		case next != "":
			out["nextState"] = next
		}
	}
	if in.InspectionLevel != "INFO" {
		out["inspectionData"] = inspection(st, rawInput, in.Input, scheduled, result, hasResult, ql)
	}
	return out, nil
}

// noWait is a clock on which Wait states end at once.
type noWait struct{ aslClock }

func (noWait) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// retriable reports whether a Retry field has a retrier for the error.
func retriable(retry []any, name string) bool {
	for _, r := range retry {
		m, _ := r.(map[string]any)
		eq, _ := m["ErrorEquals"].([]any)
		for _, e := range eq {
			switch e {
			case name, asl.ErrAll:
				return true
			case asl.ErrTaskFailed:
				if name != asl.ErrTimeout && !strings.HasPrefix(name, "States.") {
					return true
				}
			}
		}
	}
	return false
}

// inspection is TestState's inspectionData: the state's data at each processing step, as JSON
// text. The steps are recomputed with the jsonpath package from the state's fields, and the
// task's arguments and result come from its events.
func inspection(st map[string]any, input any, rawInput, scheduled, result string, hasResult bool, ql string) map[string]any {
	d := map[string]any{"input": rawInput}
	if q, ok := st["QueryLanguage"].(string); ok {
		ql = q
	}
	if ql == asl.JSONata {
		if scheduled != "" {
			d["afterArguments"] = scheduled
		}
		if hasResult {
			d["result"] = result
		}
		return d
	}
	effective := input
	if p, ok := st["InputPath"]; ok {
		if p == nil {
			effective = map[string]any{}
		} else if ps, ok := p.(string); ok {
			if v, err := jsonpath.Select(input, ps); err == nil {
				effective = v
			}
		}
	}
	d["afterInputPath"] = compact(effective)
	switch {
	case scheduled != "":
		d["afterParameters"] = scheduled
	case st["Parameters"] != nil:
		if v, err := jsonpath.ApplyTemplate(st["Parameters"], effective, nil, nil); err == nil {
			d["afterParameters"] = compact(v)
		}
	default:
		d["afterParameters"] = compact(effective)
	}
	if !hasResult {
		return d
	}
	d["result"] = result
	res, err := decodeJSON([]byte(result))
	if err != nil {
		return d
	}
	if sel, ok := st["ResultSelector"]; ok {
		if v, err := jsonpath.ApplyTemplate(sel, res, nil, nil); err == nil {
			res = v
		}
	}
	d["afterResultSelector"] = compact(res)
	after := res
	if p, ok := st["ResultPath"]; ok {
		switch ps := p.(type) {
		case nil:
			after = input
		case string:
			if v, err := jsonpath.Set(deepCopy(input), ps, res); err == nil {
				after = v
			}
		}
	}
	d["afterResultPath"] = compact(after)
	return d
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	c, _ := decodeJSON(b)
	return c
}
