package reporting_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/ddb/ddbtest"
	"github.com/emilys-pastries/serverless-evolution/05-global/internal/reporting"
)

// Batching and partial batch responses:
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
func TestHandle(t *testing.T) {
	t.Parallel()
	cfg, db := ddbtest.Start(t, ddbtest.Sales)
	r, err := reporting.NewReporter(context.Background(), cfg, ddbtest.Env(nil))
	require.NoError(t, err)
	var batch events.SQSEvent
	for i := range 30 {
		store := []string{"lon-01", "par-01", "lon-01"}[i%3]
		b, _ := json.Marshal(reporting.Sale{OrderID: fmt.Sprint("o-", i), StoreID: store, Day: "2026-11-27", Total: 100, Currency: "GBP"})
		batch.Records = append(batch.Records, events.SQSMessage{MessageId: fmt.Sprint("m", i), Body: string(b)})
	}
	batch.Records = append(batch.Records, events.SQSMessage{MessageId: "bad", Body: "{}"})
	resp, err := r.Handle(context.Background(), batch)
	require.NoError(t, err)
	assert.Equal(t, []events.SQSBatchItemFailure{{ItemIdentifier: "bad"}}, resp.BatchItemFailures)

	tests := []struct {
		store              string
		wantOrders, wantTo int64
	}{{"lon-01", 20, 2000}, {"par-01", 10, 1000}}
	for _, tt := range tests {
		t.Run(tt.store, func(t *testing.T) {
			out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(ddbtest.Sales.Name),
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": ddb.S(tt.store + "#2026-11-27")}})
			require.NoError(t, err)
			var orders, total int64
			for _, it := range out.Items {
				var c struct {
					Orders int64 `json:"orders"`
					Total  int64 `json:"total"`
				}
				require.NoError(t, ddb.Unmarshal(it, &c))
				orders, total = orders+c.Orders, total+c.Total
			}
			assert.Equal(t, tt.wantOrders, orders)
			assert.Equal(t, tt.wantTo, total)
			assert.LessOrEqual(t, len(out.Items), reporting.Shards)
		})
	}
}

// TestShardsHaveOneWritingRegion: the Sales table is a global table, whose concurrent writes to
// one item resolve last-writer-wins
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html),
// so the two regions' reporters must never add to the same shard: each region's shard keys name it.
func TestShardsHaveOneWritingRegion(t *testing.T) {
	t.Parallel()
	cfg, db := ddbtest.Start(t, ddbtest.Sales)
	sale, _ := json.Marshal(reporting.Sale{OrderID: "o-1", StoreID: "nyc-01", Day: "2026-11-27", Total: 250, Currency: "USD"})
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		r, err := reporting.NewReporter(context.Background(), cfg, ddbtest.Env(map[string]string{ddb.EnvRegion: region}))
		require.NoError(t, err)
		for i := range 2 * reporting.Shards {
			resp, err := r.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{MessageId: fmt.Sprint(region, i), Body: string(sale)}}})
			require.NoError(t, err)
			require.Empty(t, resp.BatchItemFailures)
		}
	}
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(ddbtest.Sales.Name),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": ddb.S("nyc-01#2026-11-27")}})
	require.NoError(t, err)
	var orders int64
	for _, it := range out.Items {
		sk := it["sk"].(*types.AttributeValueMemberS).Value
		assert.Regexp(t, `^shard#(eu-west-1|us-east-1)#\d+$`, sk)
		var c struct {
			Orders int64 `json:"orders"`
		}
		require.NoError(t, ddb.Unmarshal(it, &c))
		orders += c.Orders
	}
	assert.Equal(t, int64(4*reporting.Shards), orders, "every sale counted once, in its region's shards")
}
