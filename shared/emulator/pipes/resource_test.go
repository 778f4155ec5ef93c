package pipes_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/pipes"
)

func props(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

// AWS::Pipes::Pipe as
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-pipes-pipe.html
// documents it: Ref is the name; GetAtt Arn, CurrentState, CreationTime, LastModifiedTime.
func TestProvisionPipe(t *testing.T) {
	f := newFixture(t)
	res := &cfn.Resource{LogicalID: "OrdersPipe", Type: pipes.TypePipe}
	phys, err := f.pipes.Provision(context.Background(), res, props(t, `{
		"RoleArn": "arn:aws:iam::000000000000:role/pipe-role",
		"Source": "arn:aws:sqs:us-east-1:000000000000:orders",
		"SourceParameters": {"SqsQueueParameters": {"BatchSize": "5"}, "FilterCriteria": {"Filters": [{"Pattern": "{\"body\":{\"type\":[\"paid\"]}}"}]}},
		"Enrichment": "arn:aws:lambda:us-east-1:000000000000:function:Enrich",
		"EnrichmentParameters": {"InputTemplate": "{\"id\": <$.messageId>}"},
		"Target": "arn:aws:states:us-east-1:000000000000:stateMachine:Fulfil",
		"TargetParameters": {"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}},
		"DesiredState": "STOPPED",
		"LogConfiguration": {"Level": "ERROR"},
		"Tags": {"team": "bakery"},
		"KmsKeyIdentifier": "alias/pipes"
	}`))
	require.NoError(t, err)
	assert.Equal(t, "Test-OrdersPipe", phys.Ref, "an unnamed pipe gets <stack>-<logical id>")
	assert.Equal(t, "arn:aws:pipes:us-east-1:000000000000:pipe/Test-OrdersPipe", phys.Attrs["Arn"])
	assert.Equal(t, "STOPPED", phys.Attrs["CurrentState"])
	assert.Equal(t, "2026-12-04T07:00:00Z", phys.Attrs["CreationTime"])
	assert.Equal(t, "2026-12-04T07:00:00Z", phys.Attrs["LastModifiedTime"])
	d, err := f.pipes.Describe("Test-OrdersPipe")
	require.NoError(t, err)
	assert.Equal(t, 5, *d.SourceParameters.SqsQueueParameters.BatchSize)
	assert.Equal(t, "FIRE_AND_FORGET", d.TargetParameters.StepFunctionStateMachineParameters.InvocationType)
	assert.Equal(t, "OrdersPipe", f.pipes.Resources()[0].LogicalID)
}

// Sources and targets the emulator does not model are refused with the resource and property
// named, not ignored.
func TestProvisionRejects(t *testing.T) {
	tests := []struct {
		name, props, want string
	}{
		{"kinesis source", `{"RoleArn": "arn:aws:iam::000000000000:role/r", "Source": "arn:aws:kinesis:us-east-1:000000000000:stream/clicks",
			"Target": "arn:aws:sqs:us-east-1:000000000000:out", "SourceParameters": {"KinesisStreamParameters": {"StartingPosition": "LATEST"}}}`,
			`resource P (AWS::Pipes::Pipe): property "Source"`},
		{"dynamodb stream source", `{"RoleArn": "arn:aws:iam::000000000000:role/r", "Source": "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026",
			"Target": "arn:aws:sqs:us-east-1:000000000000:out"}`, `property "Source"`},
		{"MQ parameters on an SQS source", `{"RoleArn": "arn:aws:iam::000000000000:role/r", "Source": "arn:aws:sqs:us-east-1:000000000000:orders",
			"Target": "arn:aws:sqs:us-east-1:000000000000:out", "SourceParameters": {"ActiveMQBrokerParameters": {"QueueName": "q"}}}`,
			`property "SourceParameters.ActiveMQBrokerParameters"`},
		{"kinesis target parameters", `{"RoleArn": "arn:aws:iam::000000000000:role/r", "Source": "arn:aws:sqs:us-east-1:000000000000:orders",
			"Target": "arn:aws:sqs:us-east-1:000000000000:out", "TargetParameters": {"KinesisStreamParameters": {"PartitionKey": "k"}}}`,
			`property "TargetParameters.KinesisStreamParameters"`},
		{"unknown property", `{"RoleArn": "arn:aws:iam::000000000000:role/r", "Source": "arn:aws:sqs:us-east-1:000000000000:orders",
			"Target": "arn:aws:sqs:us-east-1:000000000000:out", "Flavour": "vanilla"}`, `property "Flavour" is not supported`},
		{"missing source queue", `{"RoleArn": "arn:aws:iam::000000000000:role/r", "Source": "arn:aws:sqs:us-east-1:000000000000:nope",
			"Target": "arn:aws:sqs:us-east-1:000000000000:out"}`, "CREATE_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.pipes.Provision(context.Background(), &cfn.Resource{LogicalID: "P", Type: pipes.TypePipe}, props(t, tt.props))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "resource P (AWS::Pipes::Pipe)")
			assert.Empty(t, f.pipes.Resources())
		})
	}
}
