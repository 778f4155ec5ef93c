package dynamodb_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A write asked for ReturnItemCollectionMetrics SIZE answers the item collection's key and a
// size estimate in whole gigabytes when the table has a local secondary index, and nothing
// otherwise
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-response-ItemCollectionMetrics,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html);
// any other value than SIZE or NONE is a validation error.
func TestItemCollectionMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	collectionTables(t, c)

	item := map[string]types.AttributeValue{"store": s("lon-01"), "order": s("o-1"), "day": s("2026-12-05")}
	key := map[string]types.AttributeValue{"store": s("lon-01"), "order": s("o-1")}
	want := &types.ItemCollectionMetrics{ItemCollectionKey: map[string]types.AttributeValue{"store": s("lon-01")}, SizeEstimateRangeGB: []float64{0, 1}}
	tests := []struct {
		name  string
		table string
		call  func(table string, ricm types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error)
		want  *types.ItemCollectionMetrics
	}{
		{"PutItem, a table with an LSI", "with-lsi", func(tb string, r types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: item, ReturnItemCollectionMetrics: r})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, want},
		{"UpdateItem", "with-lsi", func(tb string, r types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
			out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(tb), Key: key, ReturnItemCollectionMetrics: r,
				UpdateExpression: aws.String("SET qty = :q"), ExpressionAttributeValues: map[string]types.AttributeValue{":q": n("2")}})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, want},
		{"DeleteItem", "with-lsi", func(tb string, r types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
			out, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(tb), Key: key, ReturnItemCollectionMetrics: r})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, want},
		{"a table without an LSI answers none", "plain", func(tb string, r types.ReturnItemCollectionMetrics) (*types.ItemCollectionMetrics, error) {
			out, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tb), Item: item, ReturnItemCollectionMetrics: r})
			if err != nil {
				return nil, err
			}
			return out.ItemCollectionMetrics, nil
		}, nil},
	}
	for _, tt := range tests {
		got, err := tt.call(tt.table, types.ReturnItemCollectionMetricsSize)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
		got, err = tt.call(tt.table, types.ReturnItemCollectionMetricsNone)
		require.NoError(t, err, tt.name)
		assert.Nil(t, got, "%s: NONE asks for nothing", tt.name)
	}

	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("with-lsi"), Item: item, ReturnItemCollectionMetrics: "BYTES"})
	require.ErrorContains(t, err, "Value 'BYTES' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]")
}

// BatchWriteItem and TransactWriteItems answer ItemCollectionMetrics per table: a list with an
// entry for the item collections their puts, updates and deletes touched, for tables with a
// local secondary index only
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html#DDB-BatchWriteItem-response-ItemCollectionMetrics,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#DDB-TransactWriteItems-response-ItemCollectionMetrics).
func TestItemCollectionMetricsOfBatchAndTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c, _ := newService(t)
	collectionTables(t, c)
	item := func(store, order string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"store": s(store), "order": s(order), "day": s("2026-12-05")}
	}
	metrics := func(store string) types.ItemCollectionMetrics {
		return types.ItemCollectionMetrics{ItemCollectionKey: map[string]types.AttributeValue{"store": s(store)}, SizeEstimateRangeGB: []float64{0, 1}}
	}

	bw, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize,
		RequestItems: map[string][]types.WriteRequest{
			"with-lsi": {{PutRequest: &types.PutRequest{Item: item("lon-01", "o-1")}}, {PutRequest: &types.PutRequest{Item: item("par-01", "o-2")}}},
			"plain":    {{PutRequest: &types.PutRequest{Item: item("lon-01", "o-1")}}},
		}})
	require.NoError(t, err)
	assert.Equal(t, map[string][]types.ItemCollectionMetrics{"with-lsi": {metrics("lon-01"), metrics("par-01")}}, bw.ItemCollectionMetrics)

	bw, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
		"with-lsi": {{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"store": s("par-01"), "order": s("o-2")}}}}}})
	require.NoError(t, err)
	assert.Empty(t, bw.ItemCollectionMetrics, "not asked for")

	tw, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{ReturnItemCollectionMetrics: types.ReturnItemCollectionMetricsSize,
		TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String("with-lsi"), Item: item("ber-01", "o-3")}},
			{Delete: &types.Delete{TableName: aws.String("with-lsi"), Key: map[string]types.AttributeValue{"store": s("lon-01"), "order": s("o-1")}}},
			{ConditionCheck: &types.ConditionCheck{TableName: aws.String("plain"), Key: map[string]types.AttributeValue{"store": s("lon-01"), "order": s("o-1")},
				ConditionExpression: aws.String("attribute_exists(#s)"), ExpressionAttributeNames: map[string]string{"#s": "store"}}},
		}})
	require.NoError(t, err)
	assert.Equal(t, map[string][]types.ItemCollectionMetrics{"with-lsi": {metrics("ber-01"), metrics("lon-01")}}, tw.ItemCollectionMetrics)
}

// collectionTables creates "with-lsi" (store, order; a local secondary index by-day) and "plain"
// (the same key, no index).
func collectionTables(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	ctx := context.Background()
	keys := []types.KeySchemaElement{{AttributeName: aws.String("store"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("order"), KeyType: types.KeyTypeRange}}
	attrs := []types.AttributeDefinition{{AttributeName: aws.String("store"), AttributeType: types.ScalarAttributeTypeS},
		{AttributeName: aws.String("order"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("day"), AttributeType: types.ScalarAttributeTypeS}}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("with-lsi"), BillingMode: types.BillingModePayPerRequest,
		KeySchema: keys, AttributeDefinitions: attrs,
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("by-day"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("store"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("day"), KeyType: types.KeyTypeRange}}}}})
	require.NoError(t, err)
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("plain"), BillingMode: types.BillingModePayPerRequest,
		KeySchema: keys, AttributeDefinitions: attrs[:2]})
	require.NoError(t, err)
}
