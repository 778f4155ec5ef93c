package dynamodb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNumbersNormalised checks that numbers come back as DynamoDB returns them: it stores a
// number, not its spelling ("Numbers are variable length. Leading and trailing zeroes are
// trimmed.", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number),
// and answers it in plain decimal notation.
func TestNumbersNormalised(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	tests := []struct {
		name, value, typ, want string
	}{
		{"trailing fractional zero", `"1.50"`, "N", `"1.5"`},
		{"leading zero", `"01"`, "N", `"1"`},
		{"negative zero", `"-0"`, "N", `"0"`},
		{"zero with a fraction", `"0.000"`, "N", `"0"`},
		{"plus sign", `"+7"`, "N", `"7"`},
		{"positive exponent", `"1E2"`, "N", `"100"`},
		{"negative exponent", `"1.5e-3"`, "N", `"0.0015"`},
		{"both zeros and a sign", `"-000.100"`, "N", `"-0.1"`},
		{"bare fraction", `".5"`, "N", `"0.5"`},
		{"already canonical", `"-12.25"`, "N", `"-12.25"`},
		{"zeros on both sides", `"0012.340"`, "N", `"12.34"`},
		{"negative with a leading zero", `"-01"`, "N", `"-1"`},
		{"fraction below one with zeros", `"000.50"`, "N", `"0.5"`},
		{"large exponent", `"12E20"`, "N", `"1200000000000000000000"`},
		{"number set", `["1.0","02","3e1"]`, "NS", `["1","2","30"]`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf(`{"pk":{"S":"k%d"}}`, i)
			_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"tbl","Item":{"pk":{"S":"k`+fmt.Sprint(i)+`"},"v":{"`+tt.typ+`":`+tt.value+`}}}`))
			require.NoError(t, err)
			out, err := svc.Call(t.Context(), "GetItem", []byte(`{"TableName":"tbl","Key":`+key+`}`))
			require.NoError(t, err)
			assert.Contains(t, string(out), `"v":{"`+tt.typ+`":`+tt.want+`}`)
		})
	}
}

// TestConsumedCapacityShapes checks the ConsumedCapacity each ReturnConsumedCapacity value
// answers (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html):
// TOTAL the table's total, INDEXES also the table's and each index's share; NONE (or nothing)
// none. Outside transactions DynamoDB answers CapacityUnits alone, without the read or write
// split (https://github.com/paritysuite/dynamodb-conformance/issues/69).
func TestConsumedCapacityShapes(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	item := `{"store":{"S":"lon"},"order":{"S":"o1"},"status":{"S":"new"},"createdAt":{"N":"1"}}`
	key := `{"store":{"S":"lon"},"order":{"S":"o1"}}`
	tests := []struct {
		name, op, body, want string
	}{
		{"PutItem TOTAL", "PutItem", `{"TableName":"orders","Item":` + item + `,"ReturnConsumedCapacity":"TOTAL"}`,
			`{"ConsumedCapacity":{"TableName":"orders","CapacityUnits":2}}`},
		{"PutItem INDEXES", "PutItem", `{"TableName":"orders","Item":` + item + `,"ReturnConsumedCapacity":"INDEXES"}`,
			`{"ConsumedCapacity":{"TableName":"orders","CapacityUnits":2,"Table":{"CapacityUnits":1},"GlobalSecondaryIndexes":{"byStatus":{"CapacityUnits":1}}}}`},
		{"PutItem NONE", "PutItem", `{"TableName":"orders","Item":` + item + `,"ReturnConsumedCapacity":"NONE"}`, `{}`},
		{"GetItem TOTAL eventually consistent", "GetItem", `{"TableName":"orders","Key":` + key + `,"ReturnConsumedCapacity":"TOTAL","ProjectionExpression":"#o","ExpressionAttributeNames":{"#o":"order"}}`,
			`{"Item":{"order":{"S":"o1"}},"ConsumedCapacity":{"TableName":"orders","CapacityUnits":0.5}}`},
		{"GetItem INDEXES strongly consistent", "GetItem", `{"TableName":"orders","Key":` + key + `,"ReturnConsumedCapacity":"INDEXES","ConsistentRead":true,"ProjectionExpression":"#o","ExpressionAttributeNames":{"#o":"order"}}`,
			`{"Item":{"order":{"S":"o1"}},"ConsumedCapacity":{"TableName":"orders","CapacityUnits":1,"Table":{"CapacityUnits":1}}}`},
		{"BatchGetItem TOTAL is a list", "BatchGetItem", `{"RequestItems":{"orders":{"Keys":[` + key + `],"ProjectionExpression":"#o","ExpressionAttributeNames":{"#o":"order"}}},"ReturnConsumedCapacity":"TOTAL"}`,
			`{"Responses":{"orders":[{"order":{"S":"o1"}}]},"UnprocessedKeys":{},"ConsumedCapacity":[{"TableName":"orders","CapacityUnits":0.5}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}

// TestResponseIDs checks the identifiers DynamoDB answers with: x-amzn-RequestId is 52
// upper-case letters and digits (as in the request ids AWS prints, e.g.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html),
// different for each request, and TableId is a UUID
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
func TestResponseIDs(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	ids := map[string]bool{}
	for _, op := range []string{"DescribeTable", "DescribeTable", "GetItem"} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"TableName":"tbl","Key":{"pk":{"S":"a"}}}`))
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
		req.Header.Set("Authorization", testAuth)
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		id := w.Header().Get("X-Amzn-Requestid")
		assert.Regexp(t, `^[0-9A-Z]{52}$`, id)
		assert.False(t, ids[id], "request id %s repeated", id)
		ids[id] = true
		if op == "DescribeTable" {
			var d struct {
				Table struct {
					TableID string `json:"TableId"`
				}
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &d))
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, d.Table.TableID)
		}
	}
	out, err := c.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String("tbl")})
	require.NoError(t, err)
	assert.Len(t, aws.ToString(out.Table.TableId), 36)
}
