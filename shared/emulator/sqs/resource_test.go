package sqs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/cfn"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html
func TestProvision(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dlq, err := f.svc.Provision(ctx, &cfn.Resource{LogicalID: "DeadLetters", Type: TypeQueue}, map[string]any{"MessageRetentionPeriod": "1209600"})
	require.NoError(t, err)
	assert.Equal(t, "http://emulator.internal/000000000000/Stack-DeadLetters", dlq.Ref)
	assert.Equal(t, "arn:aws:sqs:us-east-1:000000000000:Stack-DeadLetters", dlq.Attrs["Arn"])

	orders, err := f.svc.Provision(ctx, &cfn.Resource{LogicalID: "Orders", Type: TypeQueue}, map[string]any{
		"FifoQueue": true, "ContentBasedDeduplication": true, "VisibilityTimeout": 90,
		"Tags": []any{map[string]any{"Key": "team", "Value": "bakery"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "Stack-Orders.fifo", orders.Attrs["QueueName"], "a generated FIFO name ends in .fifo")

	work, err := f.svc.Provision(ctx, &cfn.Resource{LogicalID: "Work", Type: TypeQueue}, map[string]any{
		"QueueName":            "work",
		"RedrivePolicy":        map[string]any{"deadLetterTargetArn": dlq.Attrs["Arn"], "maxReceiveCount": 3},
		"SqsManagedSseEnabled": true, "KmsDataKeyReusePeriodSeconds": 300,
	})
	require.NoError(t, err)
	assert.Equal(t, "work", work.Attrs["QueueName"])
	assert.Equal(t, work.Ref, work.Attrs["QueueUrl"])

	_, err = f.svc.Provision(ctx, &cfn.Resource{LogicalID: "Policy", Type: TypeQueuePolicy}, map[string]any{"Queues": []any{work.Ref}, "PolicyDocument": map[string]any{"Statement": []any{}}})
	require.NoError(t, err)

	attrs, err := f.svc.Model().GetQueueAttributes("Stack-Orders.fifo", []string{"VisibilityTimeout", "FifoQueue"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"VisibilityTimeout": "90", "FifoQueue": "true"}, attrs)

	res := f.svc.Resources()
	require.Len(t, res, 3)
	assert.Equal(t, sim.Resource{ID: "sqs:work", Type: TypeQueue, LogicalID: "Work", Physical: work.Ref.(string),
		ARN: "arn:aws:sqs:us-east-1:000000000000:work", Targets: []sim.ID{"sqs:Stack-DeadLetters"}}, res[2])
}

func TestProvisionRejects(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]any
		want  string
	}{
		{name: "unknown property", props: map[string]any{"Colour": "blue"}, want: `resource Bad (AWS::SQS::Queue): property "Colour" is not supported by the emulator`},
		{name: "bad value", props: map[string]any{"VisibilityTimeout": 50000}, want: "resource Bad (AWS::SQS::Queue): create queue Stack-Bad: InvalidAttributeValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.svc.Provision(context.Background(), &cfn.Resource{LogicalID: "Bad", Type: TypeQueue}, tt.props)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
