package notify_test

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
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/notify"
)

func TestApology(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reason string
		want   string
	}{
		{"payment: card declined", "your card was not charged"},
		{"fraud-screen: high risk", "Nothing was charged"},
		{"kitchen: not ready in time", "GBP 10.08 you paid will be refunded"},
		{"something else", "(something else)"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			t.Parallel()
			o := event.Sample("o-1")
			o.Reason = tt.reason
			got := notify.Apology(o)
			assert.Contains(t, got, "Dear Ada,")
			assert.Contains(t, got, tt.want)
		})
	}
}

// Asynchronous invocation retries and destinations:
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
func TestHandle(t *testing.T) {
	t.Parallel()
	cfg, db := ddbtest.Start(t, ddbtest.Outbox)
	n, err := notify.NewNotifier(context.Background(), cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	o := event.Sample("o-1")
	o.Reason = "payment: card declined"
	require.NoError(t, n.Handle(context.Background(), event.Envelope(event.OrderFailed, o)))
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(ddbtest.Outbox.Name),
		Key: map[string]types.AttributeValue{"recipient": ddb.S("ada@example.com"), "message_id": ddb.S("failed#o-1")}})
	require.NoError(t, err)
	require.NotNil(t, out.Item)

	o.Customer.Email = ""
	assert.ErrorContains(t, n.Handle(context.Background(), event.Envelope(event.OrderFailed, o)), "no customer email")
}
