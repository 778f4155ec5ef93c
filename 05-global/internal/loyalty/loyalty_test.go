package loyalty_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb/ddbtest"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/event"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/loyalty"
)

func TestPoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		total    int64
		currency string
		want     int64
	}{{1008, "GBP", 10}, {99, "EUR", 0}, {6000, "SEK", 6}, {9000, "CZK", 9}}
	for _, tt := range tests {
		t.Run(tt.currency, func(t *testing.T) {
			assert.Equal(t, tt.want, loyalty.Points(tt.total, tt.currency))
		})
	}
}

func message(id string, o event.Order) events.SQSMessage {
	b, _ := json.Marshal(event.Envelope(event.OrderPaid, o))
	return events.SQSMessage{MessageId: id, Body: string(b)}
}

// A rule's SQS target delivers the whole event as the message body
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html), at least once
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html).
func TestHandle(t *testing.T) {
	t.Parallel()
	cfg, db := ddbtest.Start(t, ddbtest.Customers)
	l, err := loyalty.NewLedger(context.Background(), cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	batch := events.SQSEvent{Records: []events.SQSMessage{
		message("m1", event.Sample("o-1")),
		message("m2", event.Sample("o-2")),
		message("m1-again", event.Sample("o-1")), // redelivered
		{MessageId: "bad", Body: "not json"},
	}}
	resp, err := l.Handle(context.Background(), batch)
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "bad"}}, resp.BatchItemFailures)

	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Customers.Name),
		Key: map[string]types.AttributeValue{"pk": ddb.S("ada@example.com"), "sk": ddb.S("PROFILE")}})
	require.NoError(t, err)
	var profile struct {
		Points int64 `json:"points"`
		Orders int64 `json:"orders"`
	}
	require.NoError(t, ddb.Unmarshal(out.Item, &profile))
	assert.Equal(t, int64(2), profile.Orders)
	assert.Equal(t, int64(10+10+loyalty.FirstOrderBonus), profile.Points)
}
