package pipes_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awspipes "github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Pipes API through the real SDK v2 client: request and answer shapes of
// https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_CreatePipe.html,
// API_DescribePipe.html, API_ListPipes.html, API_StopPipe.html, API_StartPipe.html,
// API_UpdatePipe.html and API_DeletePipe.html.
func TestAPIThroughTheSDK(t *testing.T) {
	f := newFixture(t)
	client := f.sdk(t)
	ctx := context.Background()

	created, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{
		Name: aws.String("orders-to-out"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out),
		Description: aws.String("paid orders"),
		SourceParameters: &types.PipeSourceParameters{
			SqsQueueParameters: &types.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(5), MaximumBatchingWindowInSeconds: aws.Int32(2)},
			FilterCriteria:     &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":{"type":["paid"]}}`)}}},
		},
		TargetParameters: &types.PipeTargetParameters{InputTemplate: aws.String(`{"order": <$.body.order>}`)},
		Tags:             map[string]string{"team": "bakery"},
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-out", aws.ToString(created.Arn))
	assert.Equal(t, types.PipeStateCreating, created.CurrentState)
	assert.Equal(t, types.RequestedPipeStateRunning, created.DesiredState)
	assert.Equal(t, start, created.CreationTime.UTC())

	_, err = client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("stopped"), RoleArn: aws.String(role),
		Source: aws.String(orders), Target: aws.String(workerFn), DesiredState: types.RequestedPipeStateStopped})
	require.NoError(t, err)

	d, err := client.DescribePipe(ctx, &awspipes.DescribePipeInput{Name: aws.String("orders-to-out")})
	require.NoError(t, err)
	assert.Equal(t, types.PipeStateRunning, d.CurrentState)
	assert.Equal(t, "paid orders", aws.ToString(d.Description))
	assert.Equal(t, orders, aws.ToString(d.Source))
	assert.Equal(t, int32(5), aws.ToInt32(d.SourceParameters.SqsQueueParameters.BatchSize))
	assert.Equal(t, `{"body":{"type":["paid"]}}`, aws.ToString(d.SourceParameters.FilterCriteria.Filters[0].Pattern))
	assert.Equal(t, `{"order": <$.body.order>}`, aws.ToString(d.TargetParameters.InputTemplate))
	assert.Equal(t, map[string]string{"team": "bakery"}, d.Tags)
	assert.Equal(t, role, aws.ToString(d.RoleArn))

	list, err := client.ListPipes(ctx, &awspipes.ListPipesInput{})
	require.NoError(t, err)
	require.Len(t, list.Pipes, 2)
	assert.Equal(t, "orders-to-out", aws.ToString(list.Pipes[0].Name))
	assert.Equal(t, types.PipeStateStopped, list.Pipes[1].CurrentState)

	list, err = client.ListPipes(ctx, &awspipes.ListPipesInput{CurrentState: types.PipeStateRunning})
	require.NoError(t, err)
	require.Len(t, list.Pipes, 1)
	assert.Equal(t, "orders-to-out", aws.ToString(list.Pipes[0].Name))

	list, err = client.ListPipes(ctx, &awspipes.ListPipesInput{NamePrefix: aws.String("st")})
	require.NoError(t, err)
	require.Len(t, list.Pipes, 1)
	assert.Equal(t, "stopped", aws.ToString(list.Pipes[0].Name))

	page, err := client.ListPipes(ctx, &awspipes.ListPipesInput{Limit: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, page.Pipes, 1)
	require.NotNil(t, page.NextToken)
	page, err = client.ListPipes(ctx, &awspipes.ListPipesInput{Limit: aws.Int32(1), NextToken: page.NextToken})
	require.NoError(t, err)
	require.Len(t, page.Pipes, 1)
	assert.Equal(t, "stopped", aws.ToString(page.Pipes[0].Name))
	assert.Nil(t, page.NextToken)

	stopped, err := client.StopPipe(ctx, &awspipes.StopPipeInput{Name: aws.String("orders-to-out")})
	require.NoError(t, err)
	assert.Equal(t, types.PipeStateStopping, stopped.CurrentState)
	assert.Equal(t, types.RequestedPipeStateStopped, stopped.DesiredState)
	d, err = client.DescribePipe(ctx, &awspipes.DescribePipeInput{Name: aws.String("orders-to-out")})
	require.NoError(t, err)
	assert.Equal(t, types.PipeStateStopped, d.CurrentState)

	started, err := client.StartPipe(ctx, &awspipes.StartPipeInput{Name: aws.String("orders-to-out")})
	require.NoError(t, err)
	assert.Equal(t, types.PipeStateStarting, started.CurrentState)

	updated, err := client.UpdatePipe(ctx, &awspipes.UpdatePipeInput{Name: aws.String("orders-to-out"), RoleArn: aws.String(role),
		TargetParameters: &types.PipeTargetParameters{InputTemplate: aws.String(`<$.body>`)}})
	require.NoError(t, err)
	assert.Equal(t, types.PipeStateUpdating, updated.CurrentState)
	d, err = client.DescribePipe(ctx, &awspipes.DescribePipeInput{Name: aws.String("orders-to-out")})
	require.NoError(t, err)
	assert.Equal(t, `<$.body>`, aws.ToString(d.TargetParameters.InputTemplate))
	assert.Equal(t, int32(5), aws.ToInt32(d.SourceParameters.SqsQueueParameters.BatchSize), "members not given stay")
	assert.Equal(t, types.PipeStateRunning, d.CurrentState)

	deleted, err := client.DeletePipe(ctx, &awspipes.DeletePipeInput{Name: aws.String("orders-to-out")})
	require.NoError(t, err)
	assert.Equal(t, types.PipeStateDeleting, deleted.CurrentState)
	_, err = client.DescribePipe(ctx, &awspipes.DescribePipeInput{Name: aws.String("orders-to-out")})
	var nf *types.NotFoundException
	require.ErrorAs(t, err, &nf)
}

// Error shapes of the API reference's Errors sections: NotFoundException (404) for an unknown
// pipe, ConflictException (409) for a name in use, ValidationException (400) with fieldList for
// bad input.
func TestAPIErrors(t *testing.T) {
	f := newFixture(t)
	client := f.sdk(t)
	ctx := context.Background()
	_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("p"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out)})
	require.NoError(t, err)

	tests := []struct {
		name      string
		call      func() error
		target    any
		wantField string
		wantMsg   string
	}{
		{"describe unknown", func() error {
			_, err := client.DescribePipe(ctx, &awspipes.DescribePipeInput{Name: aws.String("nope")})
			return err
		}, new(*types.NotFoundException), "", "Pipe nope does not exist."},
		{"stop unknown", func() error {
			_, err := client.StopPipe(ctx, &awspipes.StopPipeInput{Name: aws.String("nope")})
			return err
		}, new(*types.NotFoundException), "", "does not exist"},
		{"create twice", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("p"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out)})
			return err
		}, new(*types.ConflictException), "", "already exists"},
		// eb-pipes-batching-concurrency.html: BatchSize 1–10,000 for SQS sources.
		{"batch size above 10,000", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(workerFn),
				SourceParameters: &types.PipeSourceParameters{SqsQueueParameters: &types.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(10001)}}})
			return err
		}, new(*types.ValidationException), "SourceParameters.SqsQueueParameters.BatchSize", "numeric instance is greater than the required maximum (maximum: 10000, found: 10001)"},
		{"batch size zero", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(workerFn),
				SourceParameters: &types.PipeSourceParameters{SqsQueueParameters: &types.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(0)}}})
			return err
		}, new(*types.ValidationException), "SourceParameters.SqsQueueParameters.BatchSize", "numeric instance is lower than the required minimum (minimum: 1, found: 0)"},
		// eb-pipes.html#pipes-validation: a source batch larger than the target's is refused.
		{"batch size above an SQS target's 10", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out),
				SourceParameters: &types.PipeSourceParameters{SqsQueueParameters: &types.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(11), MaximumBatchingWindowInSeconds: aws.Int32(1)}}})
			return err
		}, new(*types.ValidationException), "SourceParameters.SqsQueueParameters.BatchSize", "exceeds the maximum batch size 10"},
		// eb-pipes-event-filtering.html: patterns are EventBridge event patterns.
		{"invalid filter pattern", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out),
				SourceParameters: &types.PipeSourceParameters{FilterCriteria: &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String(`{"body":{"total":[{"numeric":[">"]}]}}`)}}}}})
			return err
		}, new(*types.ValidationException), "SourceParameters.FilterCriteria.Filters[0].Pattern", "Event pattern is not valid"},
		{"kinesis source", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role),
				Source: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/clicks"), Target: aws.String(out)})
			return err
		}, new(*types.ValidationException), "Source", "SQS queues only"},
		{"unsupported target", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role), Source: aws.String(orders),
				Target: aws.String("arn:aws:sns:us-east-1:000000000000:topic")})
			return err
		}, new(*types.ValidationException), "Target", "not supported by the emulator"},
		{"bad role", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String("admin"), Source: aws.String(orders), Target: aws.String(out)})
			return err
		}, new(*types.ValidationException), "RoleArn", "not an IAM role ARN"},
		{"bad name", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("my pipe"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out)})
			return err
		}, new(*types.ValidationException), "Name", "must be 1 to 64 characters"},
		{"bad input template", func() error {
			_, err := client.CreatePipe(ctx, &awspipes.CreatePipeInput{Name: aws.String("q"), RoleArn: aws.String(role), Source: aws.String(orders), Target: aws.String(out),
				TargetParameters: &types.PipeTargetParameters{InputTemplate: aws.String(`{"e": "<aws.pipes.event.json>"}`)}})
			return err
		}, new(*types.ValidationException), "TargetParameters.InputTemplate", "value of a JSON field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			require.ErrorAs(t, err, tt.target)
			assert.Contains(t, err.Error(), tt.wantMsg)
			var ve *types.ValidationException
			if errors.As(err, &ve) {
				require.NotEmpty(t, ve.FieldList)
				assert.Equal(t, tt.wantField, aws.ToString(ve.FieldList[0].Name))
			}
		})
	}
	list, err := client.ListPipes(ctx, &awspipes.ListPipesInput{})
	require.NoError(t, err)
	assert.Len(t, list.Pipes, 1, "nothing was created by bad input")
}
