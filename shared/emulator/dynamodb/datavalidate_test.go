package dynamodb_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDataPlaneConstraints checks that the reads' and writes' member constraints are reported
// together, in one ValidationException, as DynamoDB reports them, before the table is looked
// up (every table named here is missing). Each case cites where the constraint and its wording
// are documented or were captured from DynamoDB.
func TestDataPlaneConstraints(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const prefix = "ValidationException: "
	pattern := func(v, at string) string {
		return "Value '" + v + "' at '" + at + "' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	}
	atLeast3 := func(v, at string) string {
		return "Value '" + v + "' at '" + at + "' failed to satisfy constraint: Member must have length greater than or equal to 3"
	}
	null := func(at string) string {
		return "Value null at '" + at + "' failed to satisfy constraint: Member must not be null"
	}
	enum := func(v, at, set string) string {
		return "Value '" + v + "' at '" + at + "' failed to satisfy constraint: Member must satisfy enum value set: [" + set + "]"
	}
	const ops = "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS"
	long := strings.Repeat("a", 256)
	tests := []struct {
		name, op, body string
		want           []string // the violations, in order
	}{
		// TableName sent as "" fails the member's minimum length of 1 (a name or an ARN), not
		// "must not be null": captured from DynamoDB in 2026,
		// https://github.com/nubo-db/dynamodb-conformance/blob/main/tests/tier3/error-messages/putItem.test.ts
		{"PutItem empty TableName", "PutItem", `{"TableName":"","Item":{"pk":{"S":"a"}}}`,
			[]string{"Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 1"}},
		// Same capture: a 256-character name fails the naming rules' maximum, invalid
		// characters the pattern.
		{"PutItem long TableName", "PutItem", `{"TableName":"` + long + `","Item":{"pk":{"S":"a"}}}`,
			[]string{"Value '" + long + "' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"}},
		{"PutItem TableName with invalid characters", "PutItem", `{"TableName":"bad table!@#","Item":{"pk":{"S":"a"}}}`,
			[]string{pattern("bad table!@#", "tableName")}},
		// A short invalid name fails the pattern and the minimum, with the missing Key, all at
		// once (https://github.com/scylladb/scylladb/blob/master/test/alternator/test_item.py,
		// test_item_operations_improper_named_table: a short or badly named table is a
		// ValidationException for item operations).
		{"GetItem short TableName without Key", "GetItem", `{"TableName":"a;"}`,
			[]string{pattern("a;", "tableName"), atLeast3("a;", "tableName"), null("key")}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html:
		// AttributesToGet has at least one name.
		{"GetItem all members wrong", "GetItem", `{"TableName":"abc;","ReturnConsumedCapacity":"hi","AttributesToGet":[]}`,
			[]string{enum("hi", "returnConsumedCapacity", "INDEXES, TOTAL, NONE"),
				"Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1",
				pattern("abc;", "tableName"), null("key")}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html:
		// every enum violation is listed with the others.
		{"DeleteItem enums and name", "DeleteItem", `{"TableName":"abc;","ReturnConsumedCapacity":"hi","ReturnItemCollectionMetrics":"hi","ReturnValues":"hi"}`,
			[]string{enum("hi", "returnConsumedCapacity", "INDEXES, TOTAL, NONE"), pattern("abc;", "tableName"),
				enum("hi", "returnValues", "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW"),
				enum("hi", "returnItemCollectionMetrics", "SIZE, NONE"), null("key")}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
		{"PutItem Expected operator outside its values", "PutItem", `{"TableName":"missing","Item":{"pk":{"S":"a"}},"Expected":{"a":{"ComparisonOperator":"ABOUT"}}}`,
			[]string{enum("ABOUT", "expected.a.member.comparisonOperator", ops)}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html: ten
		// violations at most, in DynamoDB's order; a Condition's ComparisonOperator is
		// required and "" is no operator.
		{"Query eleven violations", "Query", `{"TableName":"abc;","ReturnConsumedCapacity":"hi","AttributesToGet":[],"IndexName":"abc;","Select":"hi","Limit":-1,
			"KeyConditions":{"a":{},"b":{"ComparisonOperator":""}},"ConditionalOperator":"AN","QueryFilter":{"a":{},"b":{"ComparisonOperator":""}}}`,
			[]string{enum("hi", "select", "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES"), pattern("abc;", "indexName"),
				enum("hi", "returnConsumedCapacity", "INDEXES, TOTAL, NONE"), null("queryFilter.a.member.comparisonOperator"),
				enum("", "queryFilter.b.member.comparisonOperator", ops), pattern("abc;", "tableName"), enum("AN", "conditionalOperator", "OR, AND"),
				"Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
				null("keyConditions.a.member.comparisonOperator")}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html:
		// IndexName has 3 to 255 characters of [a-zA-Z0-9_.-]; "" fails both.
		{"Query empty IndexName", "Query", `{"TableName":"abc","IndexName":""}`,
			[]string{pattern("", "indexName"), atLeast3("", "indexName")}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
		{"Scan segments and filter", "Scan", `{"TableName":"abc","Segment":-1,"TotalSegments":-1,"ScanFilter":{"a":{}}}`,
			[]string{"Value '-1' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1",
				null("scanFilter.a.member.comparisonOperator"),
				"Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"}},
		// The table names keying RequestItems follow the naming rules; DynamoDB reports them
		// once, echoing the map as JSON (captured in 2026,
		// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchGetItem.test.ts).
		{"BatchGetItem malformed table name", "BatchGetItem", `{"RequestItems":{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}}`,
			[]string{`Value '{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: ` +
				"[Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeysAndAttributes.html:
		// Keys is required, 1 to 100 keys.
		{"BatchGetItem short name without Keys", "BatchGetItem", `{"RequestItems":{"a":{}},"ReturnConsumedCapacity":"hi"}`,
			[]string{enum("hi", "returnConsumedCapacity", "INDEXES, TOTAL, NONE"),
				`Value '{"a":{}}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: ` +
					"[Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]",
				null("requestItems.a.member.keys")}},
		// An empty Keys list answers in the validation framework's wording (captured in 2026,
		// https://github.com/paritysuite/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchGetItem.test.ts).
		{"BatchGetItem empty Keys", "BatchGetItem", `{"RequestItems":{"abc":{"Keys":[]}}}`,
			[]string{"Value at 'RequestItems.abc.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1"}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html:
		// 1 to 25 requests per table, a constraint on the map's values; a put needs its Item
		// and a delete its Key. The map is quoted as Java prints it.
		{"BatchWriteItem empty list and missing members", "BatchWriteItem", `{"RequestItems":{"abc":[],"abd":[{"PutRequest":{},"DeleteRequest":{}}]}}`,
			[]string{`Value '{abc=[], abd=[WriteRequest(putRequest=PutRequest(), deleteRequest=DeleteRequest())]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: ` +
				"[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
				null("requestItems.abd.member.1.member.deleteRequest.key"), null("requestItems.abd.member.1.member.putRequest.item")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err)
			head := "1 validation error detected: "
			if len(tt.want) > 1 {
				head = fmt.Sprintf("%d validation errors detected: ", len(tt.want))
			}
			assert.Equal(t, prefix+head+strings.Join(tt.want, "; "), err.Error())
		})
	}
}

// TestBatchGetItemKeysLimit checks that over 100 keys for one table break the keys' member
// constraint, not the request-wide "Too many items" check
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeysAndAttributes.html;
// captured in 2026: "… at 'RequestItems.<table>.member.Keys' failed to satisfy constraint:
// Member must have length less than or equal to 100",
// https://github.com/nubo-db/dynamodb-conformance/blob/main/tests/tier3/error-messages/batchGetItem.test.ts).
func TestBatchGetItemKeysLimit(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	keys := make([]string, 101)
	for i := range keys {
		keys[i] = fmt.Sprintf(`{"pk":{"S":"%d"}}`, i)
	}
	_, err := svc.Call(t.Context(), "BatchGetItem", []byte(`{"RequestItems":{"abc":{"Keys":[`+strings.Join(keys, ",")+`]}}}`))
	require.Error(t, err)
	assert.Equal(t, "ValidationException: 1 validation error detected: Value at 'RequestItems.abc.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100", err.Error())
}

// TestBatchWriteItemRequestLimit checks BatchWriteItem's limit of 25 put and delete requests
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html: "There
// are more than 25 requests in the batch"): over 25 for one table breaks the map value's member
// constraint; within 25 per table but over 25 in all is the request-wide "Too many items"
// check, worded as BatchGetItem's over its 100 keys. All before the (missing) tables are
// looked up.
func TestBatchWriteItemRequestLimit(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	puts := func(n int) string {
		reqs := make([]string, n)
		for i := range reqs {
			reqs[i] = fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%d"}}}}`, i)
		}
		return "[" + strings.Join(reqs, ",") + "]"
	}
	tests := []struct {
		name, body, want string
	}{
		{"26 for one table", `{"RequestItems":{"abc":` + puts(26) + `}}`,
			"Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"},
		{"13 for each of two tables", `{"RequestItems":{"abc":` + puts(13) + `,"abd":` + puts(13) + `}}`,
			"ValidationException: Too many items requested for the BatchWriteItem call"},
		{"25 in all", `{"RequestItems":{"abc":` + puts(12) + `,"abd":` + puts(13) + `}}`,
			"ResourceNotFoundException: Requested resource not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "BatchWriteItem", []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestPageAtLimitHasLastEvaluatedKey checks that a Query or Scan page that stops at its Limit
// carries a LastEvaluatedKey even when it read the last matching item, and one that stops short
// of its Limit does not: "Whenever a resultset is returned that has reached the limit, a
// LastEvaluatedKey field is provided" (https://notes.paulswail.com/public/How+DynamoDB+pagination+works,
// after https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html),
// as dynalite's suite recorded from DynamoDB ("should not return LastEvaluatedKey if Limit is
// at least size of response": Limit equal to the items read still has one).
func TestPageAtLimitHasLastEvaluatedKey(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "two")
	for _, pk := range []string{"a", "b"} {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"two","Item":{"pk":{"S":"`+pk+`"}}}`))
		require.NoError(t, err)
	}
	tests := []struct {
		name, op, body string
		wantKey        bool
	}{
		{"Query at its Limit", "Query", `{"TableName":"two","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":1}`, true},
		{"Query short of its Limit", "Query", `{"TableName":"two","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":2}`, false},
		{"Scan at its Limit", "Scan", `{"TableName":"two","Limit":2}`, true},
		{"Scan short of its Limit", "Scan", `{"TableName":"two","Limit":3}`, false},
		{"Scan without Limit", "Scan", `{"TableName":"two"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.wantKey, strings.Contains(string(out), `"LastEvaluatedKey"`), string(out))
		})
	}
}

// TestScanKeySpaceOrder checks that a Scan reads partitions in DynamoDB's key space order and
// splits them into segments as DynamoDB does, for string and number keys: the orders and
// segments below are those dynalite's suite recorded from DynamoDB
// (https://github.com/architect/dynalite/blob/main/test/scan.js, "should return items in string
// hash order", "… number hash order", "… from correct string hash segments").
func TestScanKeySpaceOrder(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	scanKeys := func(t *testing.T, body, typ string) []string {
		t.Helper()
		out, err := svc.Call(t.Context(), "Scan", []byte(body))
		require.NoError(t, err)
		var page struct {
			Items []map[string]map[string]string
		}
		require.NoError(t, json.Unmarshal(out, &page))
		keys := []string{}
		for _, it := range page.Items {
			keys = append(keys, it["pk"][typ])
		}
		return keys
	}
	for _, typ := range []string{"S", "N"} {
		_, err := svc.Call(t.Context(), "CreateTable", []byte(`{"TableName":"order`+typ+`","BillingMode":"PAY_PER_REQUEST",
			"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"`+typ+`"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}`))
		require.NoError(t, err)
	}
	put := func(typ string, keys ...string) {
		for _, k := range keys {
			_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"order`+typ+`","Item":{"pk":{"`+typ+`":"`+k+`"}}}`))
			require.NoError(t, err)
		}
	}
	put("S", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "aardman", "hello", "zapf", "äáöü")
	put("N", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-0.09", "999.9", "0.012345", "-999.9")
	assert.Equal(t, []string{"2", "8", "9", "1", "6", "hello", "0", "5", "4", "äáöü", "aardman", "7", "3", "zapf"},
		scanKeys(t, `{"TableName":"orderS"}`, "S"))
	assert.Equal(t, []string{"7", "999.9", "8", "3", "2", "-999.9", "9", "4", "-0.09", "6", "1", "0", "0.012345", "5"},
		scanKeys(t, `{"TableName":"orderN"}`, "N"))

	put("S", "3635", "228", "1668", "3435")
	assert.Subset(t, scanKeys(t, `{"TableName":"orderS","Segment":0,"TotalSegments":4096}`, "S"), []string{"3635", "228"})
	assert.Contains(t, scanKeys(t, `{"TableName":"orderS","Segment":1,"TotalSegments":4096}`, "S"), "1668")
	assert.Contains(t, scanKeys(t, `{"TableName":"orderS","Segment":4,"TotalSegments":4096}`, "S"), "3435")
}

// repeatJSON joins n copies of what f makes of each index, comma-separated.
func repeatJSON(n int, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, ",")
}

// TestListEchoes checks that a list or map member over its documented maximum is quoted in the
// message as DynamoDB's own Java objects print it ([…], {table=[…]}, Name(member=value)), not as
// JSON or as a count. Each case cites the API reference page that sets the maximum.
func TestListEchoes(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const one = "ValidationException: 1 validation error detected: "
	tests := []struct {
		name, doc, op, body string
		want                string // the whole message, or its start when prefix is set
		prefix              bool
	}{
		{
			name: "CreateTable with three key schema elements",
			doc:  "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
			op:   "CreateTable",
			body: `{"TableName":"three","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
				"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"},{"AttributeName":"x","KeyType":"RANGE"}],
				"BillingMode":"PAY_PER_REQUEST"}`,
			want: one + "Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), " +
				"KeySchemaElement(attributeName=x, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
		},
		{
			name: "BatchWriteItem with 26 requests for one table",
			doc:  "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html",
			op:   "BatchWriteItem",
			body: `{"RequestItems":{"orders":[` + repeatJSON(26, func(i int) string {
				return fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"o%d"},"n":{"N":"1"}}}}`, i)
			}) + `]}}`,
			want:   one + "Value '{orders=[WriteRequest(putRequest=PutRequest(item={n=AttributeValue(n=1), pk=AttributeValue(s=o0)})), ",
			prefix: true,
		},
		{
			name: "BatchWriteItem with a delete among too many requests",
			doc:  "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html",
			op:   "BatchWriteItem",
			body: `{"RequestItems":{"orders":[{"DeleteRequest":{"Key":{"pk":{"S":"gone"}}}},` + repeatJSON(25, func(i int) string {
				return fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"o%d"}}}}`, i)
			}) + `]}}`,
			want:   one + "Value '{orders=[WriteRequest(deleteRequest=DeleteRequest(key={pk=AttributeValue(s=gone)})), WriteRequest(putRequest=",
			prefix: true,
		},
		{
			name: "TransactGetItems with 101 gets",
			doc:  "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html",
			op:   "TransactGetItems",
			body: `{"TransactItems":[` + repeatJSON(101, func(i int) string {
				return fmt.Sprintf(`{"Get":{"TableName":"orders","Key":{"pk":{"S":"g%d"}}}}`, i)
			}) + `]}`,
			want:   one + "Value '[TransactGetItem(get=Get(key={pk=AttributeValue(s=g0)}, tableName=orders)), TransactGetItem(",
			prefix: true,
		},
		{
			name: "TransactWriteItems with 101 actions",
			doc:  "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html",
			op:   "TransactWriteItems",
			body: `{"TransactItems":[{"Update":{"TableName":"orders","Key":{"pk":{"S":"u"}},"UpdateExpression":"SET a = :a","ExpressionAttributeValues":{":a":{"L":[{"BOOL":true}]}}}},` +
				repeatJSON(100, func(i int) string {
					return fmt.Sprintf(`{"Put":{"TableName":"orders","Item":{"pk":{"S":"p%d"}}}}`, i)
				}) + `]}`,
			want: one + "Value '[TransactWriteItem(update=Update(key={pk=AttributeValue(s=u)}, updateExpression=SET a = :a, tableName=orders)), " +
				"TransactWriteItem(put=Put(item={pk=AttributeValue(s=p0)}, tableName=orders)), ",
			prefix: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err, tt.doc)
			if !tt.prefix {
				assert.Equal(t, tt.want, err.Error(), tt.doc)
				return
			}
			assert.True(t, strings.HasPrefix(err.Error(), tt.want), "%s\n%s", tt.doc, err)
			assert.Contains(t, err.Error(), "' failed to satisfy constraint: ", tt.doc)
		})
	}
}

// TestFrameworkWording checks the members that DynamoDB already reports in its newer validation
// framework's wording: no value quoted, the member's path spelled as in the API reference
// ("Value at 'Limit' …"), while its neighbours keep the older wording ("Value '0' at 'limit'"
// for Scan). The constraints are the cited API reference pages'.
func TestFrameworkWording(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const one = "ValidationException: 1 validation error detected: "
	keys := repeatJSON(101, func(i int) string { return fmt.Sprintf(`{"pk":{"S":"k%d"}}`, i) })
	tests := []struct {
		name, doc, op, body, want string
	}{
		{"Query Limit 0", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html",
			"Query", `{"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":0}`,
			one + "Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"Query negative Limit", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html",
			"Query", `{"TableName":"orders","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Limit":-5}`,
			one + "Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"Scan Limit 0 keeps the older wording", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html",
			"Scan", `{"TableName":"orders","Limit":0}`,
			one + "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"BatchGetItem 101 keys for one table", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeysAndAttributes.html",
			"BatchGetItem", `{"RequestItems":{"orders":{"Keys":[` + keys + `]}}}`,
			one + "Value at 'RequestItems.orders.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"BatchGetItem no keys for a table", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_KeysAndAttributes.html",
			"BatchGetItem", `{"RequestItems":{"orders":{"Keys":[]}}}`,
			one + "Value at 'RequestItems.orders.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"BatchGetItem no tables", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html",
			"BatchGetItem", `{"RequestItems":{}}`,
			one + "Value at 'RequestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err, tt.doc)
			assert.Equal(t, tt.want, err.Error(), tt.doc)
		})
	}
}

// TestRequiredSentences checks the two required members that DynamoDB reports in a sentence of
// their own rather than as a member constraint: CreateTable's TableName, checked before any
// other member, and BatchWriteItem's RequestItems when it names no table, checked after them.
func TestRequiredSentences(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	tests := []struct {
		name, doc, op, body, want string
	}{
		{"CreateTable without TableName", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
			"CreateTable", `{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}`,
			"ValidationException: The parameter 'TableName' is required but was not present in the request"},
		{"CreateTable with TableName null and nothing else", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
			"CreateTable", `{"TableName":null}`,
			"ValidationException: The parameter 'TableName' is required but was not present in the request"},
		{"CreateTable with a short TableName is a member constraint", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html",
			"CreateTable", `{"TableName":"ab","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`,
			"ValidationException: 1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"BatchWriteItem with no tables", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html",
			"BatchWriteItem", `{"RequestItems":{}}`,
			"ValidationException: The requestItems parameter is required for BatchWriteItem"},
		{"BatchWriteItem without RequestItems is a member constraint", "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html",
			"BatchWriteItem", `{}`,
			"ValidationException: 1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			require.Error(t, err, tt.doc)
			assert.Equal(t, tt.want, err.Error(), tt.doc)
		})
	}
}

// TestProjectionSyntaxErrors checks that a projection expression outside its grammar (document
// paths separated by commas, each a name or #placeholder with .name and [n] parts, per
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html)
// is a syntax error naming the first token the grammar does not allow and the text around it,
// from every read that takes one, before the table is looked up.
func TestProjectionSyntaxErrors(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	get := func(pe string) (string, string) {
		return "GetItem", `{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":"` + pe + `"}`
	}
	txGet := func(pe string) (string, string) {
		return "TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"missing","Key":{"pk":{"S":"a"}},"ProjectionExpression":"` + pe + `"}}]}`
	}
	query := func(pe string) (string, string) {
		return "Query", `{"TableName":"missing","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"ProjectionExpression":"` + pe + `"}`
	}
	const syntax = "ValidationException: Invalid ProjectionExpression: Syntax error; "
	tests := []struct {
		name    string
		request func(string) (string, string)
		expr    string
		want    string
	}{
		{"a character outside the language, first", get, "!!! INVALID !!!", syntax + `token: "!", near: "!!"`},
		{"the same in a transaction's Get", txGet, "!!!", syntax + `token: "!", near: "!!"`},
		{"an empty path between commas", get, "a,,b", syntax + `token: ",", near: ",,b"`},
		{"two names without a comma", query, "a b", syntax + `token: "b", near: "a b"`},
		{"an unclosed index at the end", get, "a[1", syntax + `token: "<EOF>", near: "1"`},
		{"a character outside the language after a name", get, "a$", syntax + `token: "$", near: "a$"`},
		{"a path ending in a dot", get, "a.", syntax + `token: "<EOF>", near: "."`},
		{"an index that is no number", get, "a[x]", syntax + `token: "x", near: "[x]"`},
		{"a name that begins with a digit", get, "1st", syntax + `token: "1", near: "1st"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, body := tt.request(tt.expr)
			_, err := svc.Call(t.Context(), op, []byte(body))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestSpecificAttributesNeedsAttributes checks that Select SPECIFIC_ATTRIBUTES without a
// ProjectionExpression or AttributesToGet is refused, Query's answer within the "1 validation
// error detected: " envelope and Scan's without it, and that either way of naming the
// attributes is accepted: "SPECIFIC_ATTRIBUTES - Returns only the attributes listed in
// ProjectionExpression" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html).
func TestSpecificAttributesNeedsAttributes(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "specific")
	const msg = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
	const key = `"KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}`
	tests := []struct {
		name, op, body string
		want           string // "" when the request is accepted
	}{
		{"Query without attributes", "Query", `{"TableName":"specific",` + key + `,"Select":"SPECIFIC_ATTRIBUTES"}`,
			"ValidationException: 1 validation error detected: " + msg},
		{"Query with a consistent read and no attributes", "Query", `{"TableName":"specific",` + key + `,"Select":"SPECIFIC_ATTRIBUTES","ConsistentRead":true}`,
			"ValidationException: 1 validation error detected: " + msg},
		{"Scan without attributes", "Scan", `{"TableName":"specific","Select":"SPECIFIC_ATTRIBUTES"}`,
			"ValidationException: " + msg},
		{"Query with a ProjectionExpression", "Query", `{"TableName":"specific",` + key + `,"Select":"SPECIFIC_ATTRIBUTES","ProjectionExpression":"pk"}`, ""},
		{"Scan with AttributesToGet", "Scan", `{"TableName":"specific","Select":"SPECIFIC_ATTRIBUTES","AttributesToGet":["pk"]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestTransactionSizeLimit checks that a transaction whose items add up to more than 4 MB is
// refused with a ValidationException before its tables are looked up ("The aggregate size of the
// items in the transaction cannot exceed 4 MB",
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html),
// and that one under the limit goes on to the table lookup (here: a missing table).
func TestTransactionSizeLimit(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	payload := strings.Repeat("x", 350_000)
	puts := func(n int) string {
		return `{"TransactItems":[` + repeatJSON(n, func(i int) string {
			return fmt.Sprintf(`{"Put":{"TableName":"missing","Item":{"pk":{"S":"p%d"},"payload":{"S":"%s"}}}}`, i, payload)
		}) + `]}`
	}
	tests := []struct {
		name, body, want string
	}{
		{"twelve items of 350 KB (4.2 MB)", puts(12), "ValidationException: The aggregate size of the items in the transaction cannot exceed 4 MB"},
		{"eleven items of 350 KB (3.85 MB)", puts(11), "ResourceNotFoundException: Requested resource not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "TransactWriteItems", []byte(tt.body))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestTransactGetKeyMismatch checks that a TransactGetItems Get whose key does not fit its
// table's key schema cancels the transaction, the reason ValidationError at that Get's place and
// None at the others', rather than failing the whole request with a ValidationException:
// TransactionCanceledException lists "Validation Error" among the reasons a transaction is
// cancelled (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html).
func TestTransactGetKeyMismatch(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "txget")
	const canceled = "TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons "
	get := func(key string) string { return `{"Get":{"TableName":"txget","Key":` + key + `}}` }
	tests := []struct {
		name string
		gets []string
		want string // "" when the transaction succeeds
	}{
		{"an empty key", []string{get(`{}`)}, canceled + "[ValidationError]"},
		{"a key of the wrong type after a good one", []string{get(`{"pk":{"S":"a"}}`), get(`{"pk":{"N":"1"}}`)}, canceled + "[None, ValidationError]"},
		{"a key with an attribute too many", []string{get(`{"pk":{"S":"a"},"sk":{"S":"b"}}`), get(`{"pk":{"S":"b"}}`)}, canceled + "[ValidationError, None]"},
		{"keys that fit", []string{get(`{"pk":{"S":"a"}}`), get(`{"pk":{"S":"b"}}`)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "TransactGetItems", []byte(`{"TransactItems":[`+strings.Join(tt.gets, ",")+`]}`))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}
