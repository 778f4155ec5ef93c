package dynamodb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsumedCapacitySplit checks which answers split their units into ReadCapacityUnits and
// WriteCapacityUnits: only the transactions' do (https://github.com/aws/aws-sdk-go/issues/2699:
// WriteCapacityUnits set on TransactWriteItems, ReadCapacityUnits never on Query); GetItem,
// PutItem, UpdateItem, DeleteItem, Query, Scan and the batch operations answer CapacityUnits
// alone, for the table and each index
// (https://github.com/paritysuite/dynamodb-conformance/issues/69, characterised against
// DynamoDB in 2026; https://github.com/aws/aws-sdk-java/issues/1986).
func TestConsumedCapacitySplit(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	item := `{"store":{"S":"lon"},"order":{"S":"o1"},"status":{"S":"new"},"createdAt":{"N":"1"}}`
	key := `{"store":{"S":"lon"},"order":{"S":"o1"}}`
	_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"orders","Item":`+item+`}`))
	require.NoError(t, err)
	tests := []struct {
		name, op, body, want string
	}{
		{"UpdateItem INDEXES", "UpdateItem",
			`{"TableName":"orders","Key":` + key + `,"UpdateExpression":"SET x = :x","ExpressionAttributeValues":{":x":{"N":"1"}},"ReturnConsumedCapacity":"INDEXES"}`,
			`{"ConsumedCapacity":{"TableName":"orders","CapacityUnits":2,"Table":{"CapacityUnits":1},"GlobalSecondaryIndexes":{"byStatus":{"CapacityUnits":1}}}}`},
		{"DeleteItem TOTAL of a missing item", "DeleteItem",
			`{"TableName":"orders","Key":{"store":{"S":"lon"},"order":{"S":"none"}},"ReturnConsumedCapacity":"TOTAL"}`,
			`{"ConsumedCapacity":{"TableName":"orders","CapacityUnits":1}}`},
		{"Query INDEXES on an index", "Query",
			`{"TableName":"orders","IndexName":"byStatus","KeyConditionExpression":"#s = :s","ExpressionAttributeNames":{"#s":"status"},"ExpressionAttributeValues":{":s":{"S":"none"}},"Select":"COUNT","ReturnConsumedCapacity":"INDEXES"}`,
			`{"Count":0,"ScannedCount":0,"ConsumedCapacity":{"TableName":"orders","CapacityUnits":0.5,"GlobalSecondaryIndexes":{"byStatus":{"CapacityUnits":0.5}}}}`},
		{"BatchWriteItem TOTAL", "BatchWriteItem",
			`{"RequestItems":{"orders":[{"DeleteRequest":{"Key":{"store":{"S":"lon"},"order":{"S":"none"}}}}]},"ReturnConsumedCapacity":"TOTAL"}`,
			`{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"orders","CapacityUnits":1}]}`},
		{"TransactGetItems TOTAL splits", "TransactGetItems",
			`{"TransactItems":[{"Get":{"TableName":"orders","Key":` + key + `,"ProjectionExpression":"#o","ExpressionAttributeNames":{"#o":"order"}}}],"ReturnConsumedCapacity":"TOTAL"}`,
			`{"Responses":[{"Item":{"order":{"S":"o1"}}}],"ConsumedCapacity":[{"TableName":"orders","CapacityUnits":2,"ReadCapacityUnits":2}]}`},
		{"TransactWriteItems TOTAL splits", "TransactWriteItems",
			`{"TransactItems":[{"Put":{"TableName":"orders","Item":{"store":{"S":"lon"},"order":{"S":"o2"}}}}],"ReturnConsumedCapacity":"TOTAL"}`,
			`{"ConsumedCapacity":[{"TableName":"orders","CapacityUnits":2,"WriteCapacityUnits":2}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}
