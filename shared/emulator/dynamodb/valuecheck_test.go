package dynamodb_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
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
			`{"Count":0,"ScannedCount":0,"ConsumedCapacity":{"TableName":"orders","CapacityUnits":0.5,"Table":{"CapacityUnits":0},"GlobalSecondaryIndexes":{"byStatus":{"CapacityUnits":0.5}}}}`},
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

// TestValueMessages checks how a malformed attribute value is refused, before the table is
// looked up. DynamoDB has two value checkers that word a malformed number and a set with a
// repeated member differently: GetItem, BatchGetItem and Query answer the current wording,
// BatchWriteItem and the transactions the older one (captured in four regions in 2026,
// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/valueLayers.test.ts).
// A value's numbers are read before its types are counted, so {"S":"a","N":""} is a malformed
// number; an empty binary set has its own sentence
// (https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/putItem.test.ts).
func TestValueMessages(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	get := func(v string) (string, string) {
		return "GetItem", `{"TableName":"missing","Key":{"pk":` + v + `}}`
	}
	batchGet := func(v string) (string, string) {
		return "BatchGetItem", `{"RequestItems":{"missing":{"Keys":[{"pk":` + v + `}]}}}`
	}
	put := func(v string) (string, string) {
		return "PutItem", `{"TableName":"missing","Item":{"pk":{"S":"a"},"v":` + v + `}}`
	}
	batchPut := func(v string) (string, string) {
		return "BatchWriteItem", `{"RequestItems":{"missing":[{"PutRequest":{"Item":{"pk":{"S":"a"},"v":` + v + `}}}]}}`
	}
	batchDelete := func(v string) (string, string) {
		return "BatchWriteItem", `{"RequestItems":{"missing":[{"DeleteRequest":{"Key":{"pk":` + v + `}}}]}}`
	}
	transactPut := func(v string) (string, string) {
		return "TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"missing","Item":{"pk":{"S":"a"},"v":` + v + `}}}]}`
	}
	const notNumeric = "The parameter cannot be converted to a numeric value"
	const invalid = "One or more parameter values were invalid: "
	tests := []struct {
		name    string
		request func(string) (string, string)
		value   string
		want    string
	}{
		{"current: a word", get, `{"N":"abc"}`, notNumeric + ": abc"},
		{"current: an empty number keeps the colon", get, `{"N":""}`, notNumeric + ": "},
		{"current: a number with a space", batchGet, `{"N":" 1"}`, notNumeric + ":  1"},
		{"current: an empty number in a set", get, `{"NS":["1",""]}`, notNumeric + ": "},
		{"current: a malformed number nested in a map", put, `{"M":{"x":{"L":[{"N":"1e"}]}}}`, notNumeric + ": 1e"},
		{"the number is read before the types are counted", get, `{"S":"a","N":""}`, notNumeric + ": "},
		{"two valid types", get, `{"S":"a","N":"1"}`, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"overflow", get, `{"N":"1e126"}`, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"empty binary set", put, `{"BS":[]}`, invalid + "Binary sets should not be empty"},
		{"empty string set", put, `{"SS":[]}`, invalid + "An string set  may not be empty"},
		{"current: repeated string, sorted up to the repeat", get, `{"SS":["b","a","b"]}`, invalid + `Input collection ["a", "b", "b"] contains duplicates.`},
		{"current: repeated binary, sorted by bytes, no spaces", batchGet, `{"BS":["/w==","AA==","AA=="]}`, invalid + `Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`},
		{"current: repeated number", get, `{"NS":["2","1","2"]}`, invalid + "Input collection contains duplicates."},
		{"current: repeated number spelled differently", get, `{"NS":["1","1.0"]}`, invalid + "Input collection contains duplicates."},
		{"older: a word", batchPut, `{"N":"abc"}`, notNumeric + ": abc"},
		{"older: an empty number has no colon", batchPut, `{"N":""}`, notNumeric},
		{"older: an empty number in a delete key", batchDelete, `{"N":""}`, notNumeric},
		{"older: an empty number in a transaction", transactPut, `{"N":""}`, notNumeric},
		{"older: repeated string as sent", batchPut, `{"SS":["b","a","b"]}`, invalid + "Input collection [b, a, b] contains duplicates."},
		{"older: repeated binary as sent", batchPut, `{"BS":["/w==","AA==","AA=="]}`, invalid + "Input collection [/w==, AA==, AA==]of type BS contains duplicates."},
		{"older: repeated number", batchPut, `{"NS":["2","1","2"]}`, "Input collection contains duplicates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, body := tt.request(tt.value)
			_, err := svc.Call(t.Context(), op, []byte(body))
			require.Error(t, err)
			assert.Equal(t, "ValidationException: "+tt.want, err.Error())
		})
	}
}

// TestBatchWriteKeyMismatch checks that BatchWriteItem answers an item without its key, or with a
// key of the wrong type, with "The provided key element does not match the schema" where PutItem
// names the key; an empty key keeps its own sentence (captured in 2026:
// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchWriteItem.test.ts).
func TestBatchWriteKeyMismatch(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	const schema = "The provided key element does not match the schema"
	tests := []struct {
		name, op, body, want string
	}{
		{"batch put without the key", "BatchWriteItem", `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"other":{"S":"x"}}}}]}}`, schema},
		{"batch put of an empty item", "BatchWriteItem", `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{}}}]}}`, schema},
		{"batch put with a number key", "BatchWriteItem", `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"N":"5"}}}}]}}`, schema},
		{"batch put with a list key", "BatchWriteItem", `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"L":[{"S":"x"}]}}}}]}}`, schema},
		{"batch delete without the key", "BatchWriteItem", `{"RequestItems":{"tbl":[{"DeleteRequest":{"Key":{"other":{"S":"x"}}}}]}}`, schema},
		{"batch put with an empty key", "BatchWriteItem", `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":""}}}}]}}`,
			"One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"},
		{"PutItem names the missing key", "PutItem", `{"TableName":"tbl","Item":{"other":{"S":"x"}}}`,
			"One or more parameter values were invalid: Missing the key pk in the item"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			assert.Equal(t, "ValidationException: "+tt.want, err.Error())
		})
	}
}

// TestBatchGetRepeatedKey checks that BatchGetItem refuses a key listed twice (in any member
// order) before it looks the table up, so also on a missing table ("Provided list of item keys
// contains duplicates", as captured in
// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchGetItem.test.ts;
// dynalite's suite, recorded against DynamoDB, asks it on a missing table).
func TestBatchGetRepeatedKey(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	tests := []struct {
		name, keys, want string
	}{
		{"the same key twice", `[{"pk":{"S":"a"},"sk":{"N":"1"}},{"sk":{"N":"1"},"pk":{"S":"a"}}]`, "ValidationException: Provided list of item keys contains duplicates"},
		{"a number spelled twice", `[{"pk":{"N":"1"}},{"pk":{"N":"1.0"}}]`, "ValidationException: Provided list of item keys contains duplicates"},
		{"different keys reach the table", `[{"pk":{"S":"a"}},{"pk":{"S":"b"}}]`, "ResourceNotFoundException: Requested resource not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "BatchGetItem", []byte(`{"RequestItems":{"missing":{"Keys":`+tt.keys+`}}}`))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestIndexEqualKeysOrder checks the order of a global secondary index's entries that share
// their index key: by where their table key falls in DynamoDB's key space (the first bytes of
// the MD5 of "Outliers" and the table key's bytes, the scheme dynalite found to reproduce
// DynamoDB's Scan order), forwards and backwards, and page by page with ExclusiveStartKey. The
// API reference leaves the order of such items unspecified; this is the order DynamoDB answered
// in dynalite's recordings. A Query or Scan of an index answers, under INDEXES, the table with
// no units beside the index
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
func TestIndexEqualKeysOrder(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	type key struct{ store, order string }
	keys := []key{{"lon", "o1"}, {"lon", "o2"}, {"par", "o1"}, {"par", "o9"}, {"ber", "o5"}, {"ams", "o3"}}
	for _, k := range keys {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"orders","Item":{"store":{"S":"`+k.store+`"},"order":{"S":"`+k.order+`"},"status":{"S":"ready"},"createdAt":{"N":"1"}}}`))
		require.NoError(t, err)
	}
	place := func(k key) string {
		sum := md5.Sum([]byte("Outliers" + k.store + k.order))
		return hex.EncodeToString(sum[:3])
	}
	want := slices.Clone(keys)
	slices.SortFunc(want, func(a, b key) int { return strings.Compare(place(a), place(b)) })
	names := func(ks []key) []string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = k.store + "/" + k.order
		}
		return out
	}
	query := func(forward bool, extra string) (got []string, lek json.RawMessage, consumed json.RawMessage) {
		out, err := svc.Call(t.Context(), "Query", []byte(`{"TableName":"orders","IndexName":"byStatus","KeyConditionExpression":"#s = :s",
			"ExpressionAttributeNames":{"#s":"status"},"ExpressionAttributeValues":{":s":{"S":"ready"}},"ReturnConsumedCapacity":"INDEXES",
			"ScanIndexForward":`+strconv.FormatBool(forward)+extra+`}`))
		require.NoError(t, err)
		var ans struct {
			Items []struct {
				Store struct{ S string } `json:"store"`
				Order struct{ S string } `json:"order"`
			}
			LastEvaluatedKey json.RawMessage
			ConsumedCapacity json.RawMessage
		}
		require.NoError(t, json.Unmarshal(out, &ans))
		for _, it := range ans.Items {
			got = append(got, it.Store.S+"/"+it.Order.S)
		}
		return got, ans.LastEvaluatedKey, ans.ConsumedCapacity
	}
	tests := []struct {
		name    string
		forward bool
	}{{"forwards", true}, {"backwards", false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect := names(want)
			if !tt.forward {
				slices.Reverse(expect)
			}
			got, _, consumed := query(tt.forward, "")
			assert.Equal(t, expect, got)
			assert.JSONEq(t, `{"TableName":"orders","CapacityUnits":0.5,"Table":{"CapacityUnits":0},"GlobalSecondaryIndexes":{"byStatus":{"CapacityUnits":0.5}}}`, string(consumed))
			var paged []string
			extra := `,"Limit":4`
			for {
				page, lek, _ := query(tt.forward, extra)
				paged = append(paged, page...)
				if lek == nil {
					break
				}
				extra = `,"Limit":4,"ExclusiveStartKey":` + string(lek)
			}
			assert.Equal(t, expect, paged)
		})
	}
}
