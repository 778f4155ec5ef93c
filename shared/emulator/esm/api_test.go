package esm_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/esm"
)

// The Lambda API's event source mapping actions through the real SDK client:
// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html and its
// Get/List/Update/Delete siblings.
func TestAPIThroughTheSDK(t *testing.T) {
	f := newFixture(t, nil, &worker{timeout: 5}, nil)
	srv := httptest.NewServer(f.esm)
	t.Cleanup(srv.Close)
	client := lambda.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", "")})
	ctx := context.Background()

	created, err := client.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		EventSourceArn: aws.String(f.queue), FunctionName: aws.String("Worker"), BatchSize: aws.Int32(5),
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
		ScalingConfig:         &types.ScalingConfig{MaximumConcurrency: aws.Int32(4)},
	})
	require.NoError(t, err)
	assert.Equal(t, int32(5), aws.ToInt32(created.BatchSize))
	assert.Equal(t, "Enabled", aws.ToString(created.State))
	uuid := aws.ToString(created.UUID)

	got, err := client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	require.NoError(t, err)
	assert.Equal(t, int32(4), aws.ToInt32(got.ScalingConfig.MaximumConcurrency))

	list, err := client.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String("Worker")})
	require.NoError(t, err)
	require.Len(t, list.EventSourceMappings, 1)

	updated, err := client.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)})
	require.NoError(t, err)
	assert.Equal(t, "Disabled", aws.ToString(updated.State))

	_, err = client.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), BatchSize: aws.Int32(50)})
	var invalid *types.InvalidParameterValueException
	require.ErrorAs(t, err, &invalid, "batch 50 without a window is refused")

	_, err = client.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	require.NoError(t, err)
	_, err = client.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	var notFound *types.ResourceNotFoundException
	require.ErrorAs(t, err, &notFound)
}

// BenchmarkDrain measures messages per second through a mapping to a function that does
// nothing, with the SQS calls going through Env.Call and no modelled latency.
func BenchmarkDrain(b *testing.B) {
	f := newFixture(b, nil, &worker{timeout: 5}, nil)
	const n = 10000
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		f.send(b, n, func(i int) string { return strconv.Itoa(i) })
		before := f.fn.records.Load()
		b.StartTimer()
		start := time.Now()
		c, err := f.esm.Create(context.Background(), esm.Input{EventSourceArn: f.queue, FunctionName: "Worker", BatchSize: ptr(10),
			ScalingConfig: &esm.ScalingConfig{MaximumConcurrency: 20}})
		if err != nil {
			b.Fatal(err)
		}
		for f.fn.records.Load()-before < n {
			time.Sleep(time.Millisecond)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
		b.StopTimer()
		_, _ = f.esm.Delete(c.UUID)
		b.StartTimer()
	}
}
