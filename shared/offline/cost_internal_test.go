package offline

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	lambdago "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/lambda"
	"github.com/emilys-pastries/serverless-evolution/shared/emulator/latency"
	"github.com/emilys-pastries/serverless-evolution/shared/loadgen"
)

// TestTheBillCountsEveryMeteredService: SQS requests and EventBridge events a run makes are on
// its bill, priced from shared/loadgen/prices.json, not only Lambda, API Gateway and DynamoDB
// (https://aws.amazon.com/sqs/pricing/, https://aws.amazon.com/eventbridge/pricing/).
func TestTheBillCountsEveryMeteredService(t *testing.T) {
	tmpl, err := os.ReadFile("../emulator/testdata/messaging.template.json")
	require.NoError(t, err)
	emu, err := emulator.New(emulator.Stage{Name: "00-test", StackName: "Messaging", Template: tmpl}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	defer emu.Close()
	ctx := context.Background()
	cfg := emu.Config()

	var bus string
	for _, r := range emu.Resources() {
		if r.Type == "AWS::Events::EventBus" {
			bus = r.Physical
		}
	}
	require.NotEmpty(t, bus)
	eb := eventbridge.NewFromConfig(cfg)
	for range 3 {
		_, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			EventBusName: aws.String(bus), Source: aws.String("test"), DetailType: aws.String("Nothing"), Detail: aws.String(`{}`)}}})
		require.NoError(t, err)
	}
	q := sqs.NewFromConfig(cfg)
	list, err := q.ListQueues(ctx, &sqs.ListQueuesInput{})
	require.NoError(t, err)
	require.NotEmpty(t, list.QueueUrls)
	for range 4 {
		_, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(list.QueueUrls[0]), MessageBody: aws.String("x")})
		require.NoError(t, err)
	}

	var r loadgen.Result
	fillFromEmulator(&r, emu)
	require.NotNil(t, r.Cost)
	assert.InDelta(t, 3*1.00/1e6, r.Cost.ByService["eventbridge"], 1e-12, "three custom events at $1 per million")
	assert.GreaterOrEqual(t, r.Cost.ByService["sqs"], 4*0.40/1e6, "at least the four sends at $0.40 per million requests")
}

// filterTemplate is a queue whose event source mapping lets only bodies with "keep": true reach
// its function.
const filterTemplate = `{"Resources": {
  "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
  "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
  "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "provided.al2023", "Handler": "bootstrap",
    "Code": {"ZipFile": "x"}, "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Timeout": 5}},
  "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "Worker"},
    "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 1,
    "FilterCriteria": {"Filters": [{"Pattern": "{\"body\": {\"keep\": [true]}}"}]}}}
}}`

// TestTheResultCountsFilteredRecords: records an event source mapping's filter drops are
// deleted without an invocation
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html); the result
// reports them per mapping, so a stage can show what its filter saves.
func TestTheResultCountsFilteredRecords(t *testing.T) {
	var calls atomic.Int64
	worker := func(context.Context, aws.Config, func(string) string) (lambdago.Handler, error) {
		return lambdago.NewHandler(func(events.SQSEvent) error { calls.Add(1); return nil }), nil
	}
	emu, err := emulator.New(emulator.Stage{Name: "00-test", StackName: "Filter", Template: []byte(filterTemplate),
		Handlers: map[string]lambda.Constructor{"Worker": worker}}, emulator.Options{Latency: latency.Zero()})
	require.NoError(t, err)
	defer emu.Close()
	q := sqs.NewFromConfig(emu.Config())
	list, err := q.ListQueues(context.Background(), &sqs.ListQueuesInput{})
	require.NoError(t, err)
	require.Len(t, list.QueueUrls, 1)
	bodies := []string{`{"keep": true}`, `{"keep": false}`, `{"keep": true}`, `not json`, `{"other": 1}`}
	for _, b := range bodies {
		_, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(list.QueueUrls[0]), MessageBody: aws.String(b)})
		require.NoError(t, err)
	}
	var r loadgen.Result
	var got loadgen.Mapping
	require.Eventually(t, func() bool {
		fillFromEmulator(&r, emu)
		for _, m := range r.Mappings {
			got = m
		}
		// An invocation is counted when it starts: wait for the handler to have run too, or
		// the count of calls below races with the last one (1 run in 30 under -race).
		return len(r.Mappings) == 1 && got.Invocations+got.Filtered == int64(len(bodies)) && calls.Load() == got.Invocations
	}, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, int64(2), got.Invocations, "the two records that match")
	assert.Equal(t, int64(3), got.Filtered, "the three that do not")
	assert.Equal(t, int64(2), calls.Load())
	assert.Contains(t, got.Source, "Queue")
	assert.Contains(t, r.Mappings, "Worker", "keyed by the function's logical ID, the same in every region")
}
