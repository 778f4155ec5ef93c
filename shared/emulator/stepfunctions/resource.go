package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// TypeStateMachine is the CloudFormation type the service provisions.
const TypeStateMachine = "AWS::StepFunctions::StateMachine"

// Types lists the CloudFormation types the service provisions.
func (s *Service) Types() []string { return []string{TypeStateMachine} }

// stateMachineProps are AWS::StepFunctions::StateMachine's properties
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html).
type stateMachineProps struct {
	Definition              any            `json:"Definition"`
	DefinitionString        string         `json:"DefinitionString"`
	DefinitionS3Location    any            `json:"DefinitionS3Location"`
	DefinitionSubstitutions map[string]any `json:"DefinitionSubstitutions"`
	StateMachineName        string         `json:"StateMachineName"`
	StateMachineType        string         `json:"StateMachineType"`
	RoleArn                 string         `json:"RoleArn"`
	LoggingConfiguration    any            `json:"LoggingConfiguration"`
	TracingConfiguration    any            `json:"TracingConfiguration"`
	EncryptionConfiguration any            `json:"EncryptionConfiguration"`
	Tags                    []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
}

// Provision creates a state machine. Ref is its ARN; GetAtt offers Arn, Name and
// StateMachineRevisionId.
func (s *Service) Provision(_ context.Context, res *cfn.Resource, props map[string]any) (sim.Physical, error) {
	if res.Type != TypeStateMachine {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): the Step Functions service does not provision this type", res.LogicalID, res.Type)
	}
	var p stateMachineProps
	if err := cfn.Decode(res, props, &p); err != nil {
		return sim.Physical{}, err
	}
	if p.DefinitionS3Location != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"DefinitionS3Location\" is not supported by the emulator (it has no S3); inline the definition with Definition or DefinitionString", res.LogicalID, res.Type)
	}
	def, err := definitionOf(p)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): %w", res.LogicalID, res.Type, err)
	}
	name := p.StateMachineName
	if name == "" {
		name = s.env.PhysicalName(res.LogicalID, 80)
	}
	role := p.RoleArn
	if role == "" {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"RoleArn\" is required", res.LogicalID, res.Type)
	}
	logging, err := camelJSON(p.LoggingConfiguration)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"LoggingConfiguration\": %w", res.LogicalID, res.Type, err)
	}
	tracing, err := camelJSON(p.TracingConfiguration)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): property \"TracingConfiguration\": %w", res.LogicalID, res.Type, err)
	}
	tags := map[string]string{}
	for _, t := range p.Tags {
		tags[t.Key] = t.Value
	}
	sm, err := s.create(name, def, p.StateMachineType, role, logging, tracing, tags, res.LogicalID)
	if err != nil {
		return sim.Physical{}, fmt.Errorf("resource %s (%s): create state machine %s: %w", res.LogicalID, res.Type, name, err)
	}
	return sim.Physical{Ref: sm.arn, Attrs: map[string]any{"Arn": sm.arn, "Name": sm.name, "StateMachineRevisionId": sm.revisionID}}, nil
}

// definitionOf is the definition text with DefinitionSubstitutions applied: "${key}" is
// replaced before the definition is parsed, as CloudFormation does. In a Definition object a
// substitution sits inside a JSON string, so its value is escaped as string content.
func definitionOf(p stateMachineProps) (string, error) {
	switch {
	case p.Definition != nil && p.DefinitionString != "":
		return "", fmt.Errorf("properties \"Definition\" and \"DefinitionString\" cannot both be set")
	case p.Definition != nil:
		b, err := json.Marshal(p.Definition)
		if err != nil {
			return "", fmt.Errorf("property \"Definition\": %w", err)
		}
		return substitute(string(b), p.DefinitionSubstitutions, true), nil
	case p.DefinitionString != "":
		return substitute(p.DefinitionString, p.DefinitionSubstitutions, false), nil
	}
	return "", fmt.Errorf("one of the properties \"Definition\", \"DefinitionString\" or \"DefinitionS3Location\" is required")
}

func substitute(def string, subs map[string]any, inString bool) string {
	if len(subs) == 0 {
		return def
	}
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		v := fmt.Sprint(subs[k])
		if b, ok := subs[k].(bool); ok {
			v = fmt.Sprint(b)
		}
		if inString {
			q, _ := json.Marshal(v)
			v = string(q[1 : len(q)-1])
		}
		pairs = append(pairs, "${"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(def)
}

// camelJSON turns CloudFormation's PascalCase configuration into the API's camelCase JSON.
func camelJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(recase(v, false))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// targetsOf lists the resources a definition's Task states reach, for the topology: the
// Lambda functions, DynamoDB tables, SQS queues, event buses and state machines named by
// literals in their Parameters or Arguments.
func targetsOf(def string) []sim.ID {
	var doc any
	if err := json.Unmarshal([]byte(def), &doc); err != nil {
		return nil
	}
	seen := map[sim.ID]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["Type"] == "Task" {
				if r, ok := x["Resource"].(string); ok {
					for _, id := range taskTargets(r, x) {
						seen[id] = true
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	out := make([]sim.ID, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func taskTargets(resource string, st map[string]any) []sim.ID {
	params, _ := st["Parameters"].(map[string]any)
	if params == nil {
		params, _ = st["Arguments"].(map[string]any)
	}
	lit := func(k string) string {
		s, _ := params[k].(string)
		if strings.Contains(s, "{%") {
			return ""
		}
		return s
	}
	if a, err := arn.Parse(resource); err == nil && a.Service == "lambda" {
		return []sim.ID{sim.NewID("lambda", functionName(resource))}
	}
	rest, ok := integration(resource)
	if !ok {
		return nil
	}
	service, action, _ := strings.Cut(rest, ":")
	if service == "aws-sdk" {
		service, _, _ = strings.Cut(action, ":")
	}
	switch service {
	case "lambda":
		if fn := lit("FunctionName"); fn != "" {
			return []sim.ID{sim.NewID("lambda", functionName(fn))}
		}
	case "dynamodb":
		if t := lit("TableName"); t != "" {
			return []sim.ID{sim.NewID("dynamodb", t)}
		}
	case "sqs":
		if u := lit("QueueUrl"); u != "" {
			return []sim.ID{sim.NewID("sqs", u[strings.LastIndex(u, "/")+1:])}
		}
	case "events", "eventbridge":
		entries, _ := params["Entries"].([]any)
		var out []sim.ID
		for _, e := range entries {
			m, _ := e.(map[string]any)
			bus, _ := m["EventBusName"].(string)
			if bus == "" {
				if _, dynamic := m["EventBusName.$"]; dynamic {
					continue
				}
				bus = "default"
			}
			if a, err := arn.Parse(bus); err == nil {
				bus = strings.TrimPrefix(a.Resource, "event-bus/")
			}
			out = append(out, sim.NewID("events", bus))
		}
		return out
	case "states", "sfn":
		if a, err := arn.Parse(lit("StateMachineArn")); err == nil {
			if rest, ok := strings.CutPrefix(a.Resource, "stateMachine:"); ok {
				name, _, _ := strings.Cut(rest, ":")
				return []sim.ID{sim.NewID(ServiceName, name)}
			}
		}
	}
	return nil
}

// functionName is the name in a function name or ARN, without a version or alias.
func functionName(s string) string {
	if a, err := arn.Parse(s); err == nil {
		parts := strings.Split(a.Resource, ":")
		if len(parts) >= 2 {
			return parts[1]
		}
		return a.Resource
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}
