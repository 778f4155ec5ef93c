package stepfunctions_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/stepfunctions"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/trace"
)

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html
func TestProvision(t *testing.T) {
	f := newFixture(t, options{})
	ctx := context.Background()
	res := func(id string) *cfn.Resource {
		return &cfn.Resource{LogicalID: id, Type: stepfunctions.TypeStateMachine}
	}

	// Definition as an object with DefinitionSubstitutions replaced before parsing.
	p, err := f.svc.Provision(ctx, res("Order"), map[string]any{
		"Definition": map[string]any{"StartAt": "Get", "States": map[string]any{
			"Get": map[string]any{"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
				"Parameters": map[string]any{"TableName": "${Table}", "Key": map[string]any{"pk": map[string]any{"S.$": "$.id"}}}, "Next": "Charge"},
			"Charge": map[string]any{"Type": "Task", "Resource": "${ChargeFn}", "End": true},
		}},
		"DefinitionSubstitutions": map[string]any{"Table": "Stock", "ChargeFn": "arn:aws:lambda:us-east-1:123456789012:function:charge"},
		"RoleArn":                 role,
		"StateMachineType":        "EXPRESS",
		"LoggingConfiguration":    map[string]any{"Level": "ALL", "IncludeExecutionData": true},
		"TracingConfiguration":    map[string]any{"Enabled": true},
		"Tags":                    []any{map[string]any{"Key": "team", "Value": "bakery"}},
	})
	require.NoError(t, err)
	arn := "arn:aws:states:us-east-1:123456789012:stateMachine:Stack-Order"
	assert.Equal(t, arn, p.Ref)
	assert.Equal(t, arn, p.Attrs["Arn"])
	assert.Equal(t, "Stack-Order", p.Attrs["Name"])
	assert.NotEmpty(t, p.Attrs["StateMachineRevisionId"])

	d, err := f.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, sfntypes.StateMachineTypeExpress, d.Type)
	assert.Contains(t, aws.ToString(d.Definition), `"TableName":"Stock"`)
	assert.Equal(t, sfntypes.LogLevelAll, d.LoggingConfiguration.Level)
	assert.True(t, d.TracingConfiguration.Enabled)

	// DefinitionString, named.
	p2, err := f.svc.Provision(ctx, res("Named"), map[string]any{"StateMachineName": "named", "RoleArn": role,
		"DefinitionString":        `{"StartAt":"S","States":{"S":{"Type":"Pass","Result":${Count},"End":true}}}`,
		"DefinitionSubstitutions": map[string]any{"Count": 3}})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:named", p2.Ref)
	out := f.run(t, p2.Ref.(string), `{}`)
	assert.Equal(t, "3", aws.ToString(out.Output))

	tests := []struct {
		name, contains string
		props          map[string]any
	}{
		{name: "DefinitionS3Location is rejected", contains: `resource Bad (AWS::StepFunctions::StateMachine): property "DefinitionS3Location"`,
			props: map[string]any{"RoleArn": role, "DefinitionS3Location": map[string]any{"Bucket": "b", "Key": "k"}}},
		{name: "an invalid definition", contains: "MISSING_TRANSITION_TARGET",
			props: map[string]any{"RoleArn": role, "DefinitionString": `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`}},
		{name: "an unknown property", contains: `property "Bogus" is not supported`,
			props: map[string]any{"RoleArn": role, "DefinitionString": passDef, "Bogus": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Provision(ctx, res("Bad"), tt.props)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.contains)
		})
	}

	// The topology: the resources the Task states reach.
	var got []sim.Resource
	for _, r := range f.svc.Resources() {
		if r.ID == "states:Stack-Order" {
			got = append(got, r)
		}
	}
	require.Len(t, got, 1)
	assert.Equal(t, "Order", got[0].LogicalID)
	assert.Equal(t, []sim.ID{"dynamodb:Stock", "lambda:charge"}, got[0].Targets)
}

// An execution is a span on its state machine, each state a span under it, and a task's calls
// nest under their state (issue 14, item 7).
func TestTraceSpans(t *testing.T) {
	f := newFixture(t, options{traces: true})
	f.table(t, "Stock", item("croissant", "Croissant"))
	arn := f.machine(t, "traced", "EXPRESS", `{"StartAt":"Start","States":{
		"Start":{"Type":"Pass","Next":"Both"},
		"Both":{"Type":"Parallel","End":true,"Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S":"croissant"}}},"End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"Stock","Key":{"pk":{"S":"baguette"}}},"End":true}}}]}}}`)
	ctx, tr := trace.New(context.Background(), "t-1", "order")
	body, _ := json.Marshal(map[string]string{"stateMachineArn": arn, "input": "{}"})
	out, err := f.env.Call(ctx, "states", "StartSyncExecution", body)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"status":"SUCCEEDED"`)

	spans := tr.Spans()
	byOp := map[string]trace.Span{}
	for _, s := range spans {
		byOp[s.Resource+" "+s.Op] = s
	}
	exec := byOp["states:traced StartSyncExecution"]
	assert.Equal(t, 0, exec.Depth)
	for _, st := range []string{"Start", "Both", "A", "B"} {
		s, ok := byOp["states:traced "+st]
		require.True(t, ok, "a span for state %s in %+v", st, spans)
		assert.Equal(t, 1, s.Depth, st)
		assert.Equal(t, "ok", s.Outcome, st)
	}
	var gets []trace.Span
	for _, s := range spans {
		if s.Resource == "dynamodb:Stock" {
			gets = append(gets, s)
		}
	}
	require.Len(t, gets, 2)
	for _, g := range gets {
		parent := spans[g.Parent]
		assert.Equal(t, 2, g.Depth)
		assert.Contains(t, []string{"A", "B"}, parent.Op, "a task call nests under its state's span")
	}
}
