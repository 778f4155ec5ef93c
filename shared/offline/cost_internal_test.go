package offline

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator"
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
