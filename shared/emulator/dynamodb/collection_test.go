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

	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("with-lsi"), Item: item, ReturnItemCollectionMetrics: "BYTES"})
	require.ErrorContains(t, err, "Value 'BYTES' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]")
}
