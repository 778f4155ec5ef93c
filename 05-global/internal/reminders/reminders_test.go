package reminders_test

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
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/reminders"
)

// Delay queues: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
func TestHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       string
		wantReminder bool
	}{
		{"an order still on the counter", "ready", true},
		{"an order picked up meanwhile", "picked-up", false},
		{"an order that failed meanwhile", "failed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, db := ddbtest.Start(t, ddbtest.Orders, ddbtest.Outbox)
			ddbtest.PutOrder(t, db, map[string]any{"orderId": "o-1", "status": tt.status})
			r, err := reminders.NewReminder(context.Background(), cfg, ddbtest.Env(nil))
			require.NoError(t, err)
			b, _ := json.Marshal(event.Envelope(event.OrderReady, event.Sample("o-1")))
			resp, err := r.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: string(b)}}})
			require.NoError(t, err)
			assert.Empty(t, resp.BatchItemFailures)
			out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Outbox.Name),
				Key: map[string]types.AttributeValue{"recipient": ddb.S("ada@example.com"), "message_id": ddb.S("reminder#o-1")}})
			require.NoError(t, err)
			assert.Equal(t, tt.wantReminder, out.Item != nil)
			if tt.wantReminder {
				var m ddb.Message
				require.NoError(t, ddb.Unmarshal(out.Item, &m))
				assert.Contains(t, m.Body, "ready since 08:30 at our London shop")
			}
		})
	}
}
