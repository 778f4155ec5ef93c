package receipts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb/ddbtest"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/event"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/receipts"
)

func TestRender(t *testing.T) {
	t.Parallel()
	nyc := event.Sample("o-2")
	nyc.StoreID, nyc.Currency, nyc.PickupAt = "nyc-01", "USD", "2026-11-27T13:30:00Z"
	tests := []struct {
		name  string
		order event.Order
		want  []string
	}{
		{"a London receipt has VAT and London time", event.Sample("o-1"), []string{"VAT 20.00 % GBP 1.68", "Total GBP 10.08", "Pick up: Fri 27 Nov 08:30 GMT", "2 × Butter croissant"}},
		{"a New York receipt has sales tax and New York time", nyc, []string{"Sales tax", "Total USD 10.08", "Pick up: Fri 27 Nov 08:30 EST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := receipts.Render(tt.order)
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

// Rules deliver to Lambda asynchronously, at least once:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
func TestHandleWritesOneMessagePerOrder(t *testing.T) {
	t.Parallel()
	cfg, db := ddbtest.Start(t, ddbtest.Outbox)
	m, err := receipts.NewMailer(context.Background(), cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	ev := event.Envelope(event.OrderPaid, event.Sample("o-1"))
	for range 2 {
		require.NoError(t, m.Handle(context.Background(), ev))
	}
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(ddbtest.Outbox.Name),
		KeyConditionExpression:    aws.String("recipient = :r"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":r": ddb.S("ada@example.com")}})
	require.NoError(t, err)
	require.Len(t, out.Items, 1, "a redelivered event rewrites the same message")
	var msg ddb.Message
	require.NoError(t, ddb.Unmarshal(out.Items[0], &msg))
	assert.Equal(t, "receipt#o-1", msg.MessageID)
	assert.Contains(t, msg.Body, "Total GBP 10.08")

	assert.ErrorContains(t, m.Handle(context.Background(), event.Envelope(event.OrderPaid, event.Order{})), "no order_id")
	_, err = receipts.NewMailer(context.Background(), cfg, func(string) string { return "" })
	assert.ErrorContains(t, err, ddb.EnvOutbox)
}
