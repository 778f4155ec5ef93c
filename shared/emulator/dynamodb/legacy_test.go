package dynamodb_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emilys-pastries/serverless-evolution/shared/emulator/sim"
)

// TestLegacyParameters checks the legacy conditional parameters, evaluated as DynamoDB does.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
// (KeyConditions, QueryFilter, ScanFilter, Expected, AttributeUpdates, AttributesToGet,
// ConditionalOperator) and the API reference of each operation's request.
func TestLegacyParameters(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	createSimple(t, c, "tbl")
	for _, it := range []string{
		`{"store":{"S":"lon"},"order":{"S":"o1"},"total":{"N":"5"},"tags":{"SS":["hot"]},"note":{"S":"croissant x2"}}`,
		`{"store":{"S":"lon"},"order":{"S":"o2"},"total":{"N":"12"},"tags":{"SS":["cold","hot"]}}`,
		`{"store":{"S":"lon"},"order":{"S":"o3"},"total":{"N":"30"},"note":{"S":"baguette"}}`,
		`{"store":{"S":"par"},"order":{"S":"o4"},"total":{"N":"7"}}`,
	} {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"orders","Item":`+it+`}`))
		require.NoError(t, err)
	}
	tests := []struct {
		name, op, body string
		want           string // a fragment of the answer, or of the error's code and message
	}{
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.KeyConditions.html
		{"KeyConditions EQ and BETWEEN", "Query", `{"TableName":"orders","KeyConditions":{
			"store":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"lon"}]},
			"order":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"S":"o2"},{"S":"o3"}]}},"Select":"COUNT"}`, `"Count":2`},
		{"KeyConditions BEGINS_WITH", "Query", `{"TableName":"orders","KeyConditions":{
			"store":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"lon"}]},
			"order":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"o"}]}},"Select":"COUNT"}`, `"Count":3`},
		{"KeyConditions with a non-indexable operator", "Query", `{"TableName":"orders","KeyConditions":{
			"store":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"lon"}]}}}`,
			"ValidationException: Attempted conditional constraint is not an indexable operation"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.QueryFilter.html
		{"QueryFilter with ConditionalOperator OR", "Query", `{"TableName":"orders","KeyConditions":{
			"store":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"lon"}]}},
			"QueryFilter":{"total":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"20"}]},
			"tags":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"cold"}]}},"ConditionalOperator":"OR","Select":"COUNT"}`,
			`"Count":2,"ScannedCount":3`},
		{"KeyConditions with a FilterExpression", "Query", `{"TableName":"orders","KeyConditions":{
			"store":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"lon"}]}},
			"FilterExpression":"#t < :t","ExpressionAttributeNames":{"#t":"total"},"ExpressionAttributeValues":{":t":{"N":"10"}},"Select":"COUNT"}`, `"Count":1`},
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.ScanFilter.html
		{"ScanFilter IN", "Scan", `{"TableName":"orders","ScanFilter":{"total":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"5"},{"N":"7"}]}},"Select":"COUNT"}`, `"Count":2`},
		{"ScanFilter NULL and NOT_CONTAINS (AND)", "Scan", `{"TableName":"orders","ScanFilter":{"tags":{"ComparisonOperator":"NULL"},
			"note":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"bag"}]}},"Select":"COUNT"}`, `"Count":1`},
		{"ScanFilter NE matches a missing attribute", "Scan", `{"TableName":"orders","ScanFilter":{"note":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"baguette"}]}},"Select":"COUNT"}`, `"Count":3`},
		{"ScanFilter with too many values", "Scan", `{"TableName":"orders","ScanFilter":{"total":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"5"},{"N":"7"}]}}}`,
			"ValidationException: One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"ScanFilter BEGINS_WITH on a number", "Scan", `{"TableName":"orders","ScanFilter":{"total":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"5"}]}}}`,
			"ValidationException: One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{"ScanFilter BETWEEN upside down", "Scan", `{"TableName":"orders","ScanFilter":{"total":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"9"},{"N":"5"}]}}}`,
			"ValidationException: The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html#DDB-GetItem-request-AttributesToGet
		{"AttributesToGet", "GetItem", `{"TableName":"orders","Key":{"store":{"S":"par"},"order":{"S":"o4"}},"AttributesToGet":["total"]}`, `{"Item":{"total":{"N":"7"}}}`},
		// Mixing: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
		{"ScanFilter with a FilterExpression", "Scan", `{"TableName":"orders","ScanFilter":{"total":{"ComparisonOperator":"NULL"}},"FilterExpression":"attribute_exists(total)"}`,
			"ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"},
		{"QueryFilter with a KeyConditionExpression", "Query", `{"TableName":"orders","KeyConditionExpression":"store = :s","ExpressionAttributeValues":{":s":{"S":"lon"}},
			"QueryFilter":{"total":{"ComparisonOperator":"NULL"}}}`,
			"ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}"},
		{"Expected with a ConditionExpression", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"x"}},"Expected":{"pk":{"Exists":false}},"ConditionExpression":"attribute_not_exists(pk)"}`,
			"ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"},
		{"AttributeUpdates with an UpdateExpression", "UpdateItem", `{"TableName":"tbl","Key":{"pk":{"S":"x"}},"AttributeUpdates":{"v":{"Value":{"N":"1"}}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`,
			"ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"},
		{"values without an expression", "Scan", `{"TableName":"orders","ScanFilter":{"total":{"ComparisonOperator":"NULL"}},"ExpressionAttributeValues":{":v":{"N":"1"}}}`,
			"ValidationException: ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			got := string(out)
			if apiErr, ok := errors.AsType[*sim.APIError](err); ok {
				got = apiErr.Code + ": " + apiErr.Message
			} else {
				require.NoError(t, err)
			}
			assert.Contains(t, got, tt.want)
		})
	}
}

// TestLegacyWrites checks Expected and AttributeUpdates on PutItem, UpdateItem and DeleteItem.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.Expected.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.AttributeUpdates.html
func TestLegacyWrites(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	steps := []struct {
		name, op, body string
		want           string // "" for success, else the error's code and message
	}{
		{"put if absent", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"},"n":{"N":"1"},"s":{"SS":["x","y"]},"l":{"L":[{"S":"p"}]}},"Expected":{"pk":{"Exists":false}}}`, ""},
		{"put if absent again", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"}},"Expected":{"pk":{"Exists":false}}}`,
			"ConditionalCheckFailedException: The conditional request failed"},
		{"update with Expected Value", "UpdateItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"Expected":{"n":{"Value":{"N":"1"}}},
			"AttributeUpdates":{"n":{"Action":"ADD","Value":{"N":"2"}},"s":{"Action":"DELETE","Value":{"SS":["x"]}},
			"l":{"Action":"ADD","Value":{"L":[{"S":"q"}]}},"new":{"Value":{"S":"v"}}}}`, ""},
		{"update with a stale Expected", "UpdateItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"Expected":{"n":{"Value":{"N":"1"}}},"AttributeUpdates":{"n":{"Action":"PUT","Value":{"N":"9"}}}}`,
			"ConditionalCheckFailedException: The conditional request failed"},
		{"Exists true without a Value", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"}},"Expected":{"n":{"Exists":true}}}`,
			"ValidationException: One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: n"},
		{"Exists false with a Value", "PutItem", `{"TableName":"tbl","Item":{"pk":{"S":"a"}},"Expected":{"n":{"Exists":false,"Value":{"N":"3"}}}}`,
			"ValidationException: One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: n"},
		{"updating the key", "UpdateItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"AttributeUpdates":{"pk":{"Value":{"S":"b"}}}}`,
			"ValidationException: One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
		{"remove with DELETE", "UpdateItem", `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"AttributeUpdates":{"new":{"Action":"DELETE"}}}`, ""},
		{"delete with ComparisonOperator and OR", "DeleteItem", `{"TableName":"tbl","Key":{"pk":{"S":"b"}},"ConditionalOperator":"OR",
			"Expected":{"n":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"100"}]},"pk":{"ComparisonOperator":"NULL"}}}`, ""},
	}
	for _, st := range steps {
		_, err := svc.Call(t.Context(), st.op, []byte(st.body))
		if st.want == "" {
			require.NoError(t, err, st.name)
			continue
		}
		apiErr, ok := errors.AsType[*sim.APIError](err)
		require.True(t, ok, "%s: %v", st.name, err)
		assert.Equal(t, st.want, apiErr.Code+": "+apiErr.Message, st.name)
	}
	out, err := svc.Call(t.Context(), "GetItem", []byte(`{"TableName":"tbl","Key":{"pk":{"S":"a"}}}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Item":{"pk":{"S":"a"},"n":{"N":"3"},"s":{"SS":["y"]},"l":{"L":[{"S":"p"},{"S":"q"}]}}}`, string(out))
}

// TestMixedTypesAndListIndex checks that a comparison between operands of different types
// matches nothing and is no error (an attribute that is a string in some items and a number in
// others: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Comparators),
// that NOT and OR around such a comparison evaluate as in DynamoDB, and that a projection takes
// one element of a list by index (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html#Expressions.Attributes.NestedElements.DocumentPathExamples).
func TestMixedTypesAndListIndex(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	for _, it := range []string{
		`{"pk":{"S":"a"},"v":{"N":"5"},"c":{"L":[{"S":"x"},{"S":"y"},{"S":"z"}]}}`,
		`{"pk":{"S":"b"},"v":{"S":"five"}}`,
		`{"pk":{"S":"c"},"v":{"N":"50"}}`,
	} {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"tbl","Item":`+it+`}`))
		require.NoError(t, err)
	}
	tests := []struct {
		name, body, want string
	}{
		{"number comparison skips the string", `{"TableName":"tbl","FilterExpression":"v > :n","ExpressionAttributeValues":{":n":{"N":"1"}},"Select":"COUNT"}`, `"Count":2`},
		{"string comparison skips the numbers", `{"TableName":"tbl","FilterExpression":"v >= :s","ExpressionAttributeValues":{":s":{"S":"a"}},"Select":"COUNT"}`, `"Count":1`},
		{"NOT of a mismatch", `{"TableName":"tbl","FilterExpression":"NOT (v > :n)","ExpressionAttributeValues":{":n":{"N":"10"}},"Select":"COUNT"}`, `"Count":2`},
		{"OR past a mismatch", `{"TableName":"tbl","FilterExpression":"v < :n OR pk = :b","ExpressionAttributeValues":{":n":{"N":"10"},":b":{"S":"b"}},"Select":"COUNT"}`, `"Count":2`},
		{"BETWEEN on a mismatch", `{"TableName":"tbl","FilterExpression":"v BETWEEN :a AND :b","ExpressionAttributeValues":{":a":{"N":"1"},":b":{"N":"9"}},"Select":"COUNT"}`, `"Count":1`},
		{"list index projection", `{"TableName":"tbl","ProjectionExpression":"#c[2]","ExpressionAttributeNames":{"#c":"c"},"FilterExpression":"pk = :a","ExpressionAttributeValues":{":a":{"S":"a"}}}`,
			`"Items":[{"c":{"L":[{"S":"z"}]}}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), "Scan", []byte(tt.body))
			require.NoError(t, err)
			assert.Contains(t, string(out), tt.want)
		})
	}
}

// TestExpressionLimits checks DynamoDB's limits on expressions: at most 4 KB each
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters),
// no two update actions on the same or overlapping paths and no path used both as a map and as a
// list (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html),
// every placeholder defined and every one given used
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html).
func TestExpressionLimits(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "tbl")
	update := func(expr, names, values string) string {
		b := `{"TableName":"tbl","Key":{"pk":{"S":"a"}},"UpdateExpression":"` + expr + `"`
		if names != "" {
			b += `,"ExpressionAttributeNames":` + names
		}
		if values != "" {
			b += `,"ExpressionAttributeValues":` + values
		}
		return b + "}"
	}
	long := "attribute_exists(pk)" + strings.Repeat(" AND attribute_exists(pk)", 200)
	tests := []struct {
		name, op, body, want string
	}{
		{"overlapping SETs", "UpdateItem", update("SET a = :v, a = :w", "", `{":v":{"N":"1"},":w":{"N":"2"}}`),
			"Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"a path inside another", "UpdateItem", update("SET #p.#n = :v REMOVE #p", `{"#p":"profile","#n":"name"}`, `{":v":{"S":"x"}}`),
			"Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [profile, name], path two: [profile]"},
		{"a map key and a list index", "UpdateItem", update("SET c.d = :v, c[1] = :w", "", `{":v":{"N":"1"},":w":{"N":"2"}}`),
			"Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, d], path two: [c, [1]]"},
		{"siblings are fine", "UpdateItem", update("SET a = :v, ab = :w REMOVE c", "", `{":v":{"N":"1"},":w":{"N":"2"}}`), ""},
		{"an expression over 4 KB", "Scan", `{"TableName":"tbl","FilterExpression":"` + long + `"}`,
			fmt.Sprintf("Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: %d", len(long))},
		{"an undefined name", "UpdateItem", update("SET #a = :v", "", `{":v":{"N":"1"}}`),
			"Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a"},
		{"an undefined value", "UpdateItem", update("SET a = :v", "", `{":w":{"N":"1"}}`),
			"Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v"},
		{"an unused name", "UpdateItem", update("SET a = :v", `{"#b":"b"}`, `{":v":{"N":"1"}}`),
			"Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"},
		{"an unused value", "UpdateItem", update("SET a = :v", "", `{":v":{"N":"1"},":w":{"N":"2"}}`),
			"Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			apiErr, ok := errors.AsType[*sim.APIError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, "ValidationException", apiErr.Code)
			assert.Equal(t, tt.want, apiErr.Message)
		})
	}
}

// TestPartiQLStatements runs ExecuteStatement's statements in turn against one table keyed by
// pk (S) and sk (N), each case's request and the answer it gets, from the PartiQL reference
// pages: SELECT (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html),
// INSERT, whose existing key is a DuplicateItemException
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.insert.html),
// UPDATE with SET and REMOVE (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.update.html),
// DELETE (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.delete.html),
// ? parameters (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html)
// and the functions (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-functions.html).
func TestPartiQLStatements(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	_, err := svc.Call(t.Context(), "CreateTable", []byte(`{"TableName":"qls","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}`))
	require.NoError(t, err)
	steps := []struct {
		name, body, want string // want: the answer, or "error: …" for the error's text
	}{
		{"INSERT a map", `{"Statement":"INSERT INTO \"qls\" VALUE {'pk': 'a', 'sk': 1, 'tags': <<'x', 'y'>>, 'm': {'n': [1, TRUE, NULL]}}"}`, `{"Items":[]}`},
		{"INSERT with parameters", `{"Statement":"INSERT INTO qls VALUE {'pk': ?, 'sk': ?, 'v': ?}","Parameters":[{"S":"a"},{"N":"2"},{"S":"two"}]}`, `{"Items":[]}`},
		{"INSERT an existing key", `{"Statement":"INSERT INTO \"qls\" VALUE {'pk': 'a', 'sk': 1}"}`, "error: DuplicateItemException: Duplicate primary key exists in table"},
		{"SELECT a partition", `{"Statement":"SELECT pk, sk FROM \"qls\" WHERE pk = 'a'"}`, `{"Items":[{"pk":{"S":"a"},"sk":{"N":"1"}},{"pk":{"S":"a"},"sk":{"N":"2"}}]}`},
		{"SELECT with a comparison and a parameter", `{"Statement":"SELECT v FROM qls WHERE pk = ? AND sk > 1","Parameters":[{"S":"a"}]}`, `{"Items":[{"v":{"S":"two"}}]}`},
		{"SELECT a nested path answers it under its last name", `{"Statement":"SELECT m.n FROM qls WHERE pk = 'a' AND sk = 1"}`, `{"Items":[{"n":{"L":[{"N":"1"},{"BOOL":true},{"NULL":true}]}}]}`},
		{"SELECT with a function and IS MISSING", `{"Statement":"SELECT sk FROM qls WHERE begins_with(pk, 'a') AND v IS MISSING"}`, `{"Items":[{"sk":{"N":"1"}}]}`},
		{"SELECT with IN and BETWEEN", `{"Statement":"SELECT sk FROM qls WHERE pk IN ['a', 'b'] AND sk BETWEEN 2 AND 5"}`, `{"Items":[{"sk":{"N":"2"}}]}`},
		{"UPDATE with SET and REMOVE", `{"Statement":"UPDATE qls SET v = 'one' SET w = sk + 10 REMOVE tags WHERE pk = 'a' AND sk = 1"}`, `{"Items":[]}`},
		{"SELECT the updated item", `{"Statement":"SELECT * FROM qls WHERE pk = 'a' AND sk = 1"}`, `{"Items":[{"m":{"M":{"n":{"L":[{"N":"1"},{"BOOL":true},{"NULL":true}]}}},"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"},"w":{"N":"11"}}]}`},
		{"UPDATE a missing item", `{"Statement":"UPDATE qls SET v = 'x' WHERE pk = 'zz' AND sk = 1"}`, "error: ConditionalCheckFailedException: The conditional request failed"},
		{"UPDATE without the whole key", `{"Statement":"UPDATE qls SET v = 'x' WHERE pk = 'a'"}`, "error: ValidationException: Where clause does not contain a mandatory equality on all key attributes"},
		{"DELETE an item", `{"Statement":"DELETE FROM qls WHERE pk = 'a' AND sk = 2"}`, `{"Items":[]}`},
		{"SELECT after the DELETE", `{"Statement":"SELECT sk FROM qls WHERE pk = 'a'"}`, `{"Items":[{"sk":{"N":"1"}}]}`},
		{"a statement that does not parse", `{"Statement":"SELECTT * FROMM qls"}`, `error: ValidationException: Statement wasn't well formed, can't be processed: unexpected token "SELECTT", expected SELECT, INSERT, UPDATE or DELETE`},
		{"fewer parameters than ?", `{"Statement":"SELECT * FROM qls WHERE pk = ?"}`, "error: ValidationException: Number of parameters in request and statement don't match."},
		{"a missing table", `{"Statement":"SELECT * FROM \"nope\" WHERE pk = 'x'"}`, "error: ResourceNotFoundException: Requested resource not found"},
	}
	for _, st := range steps {
		out, err := svc.Call(t.Context(), "ExecuteStatement", []byte(st.body))
		if want, ok := strings.CutPrefix(st.want, "error: "); ok {
			require.Error(t, err, st.name)
			assert.Equal(t, want, err.Error(), st.name)
			continue
		}
		require.NoError(t, err, st.name)
		assert.JSONEq(t, st.want, string(out), st.name)
	}
}

// TestPartiQLBatchAndTransaction checks BatchExecuteStatement, whose statements fail one by one
// with an error code in their response
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchStatementError.html),
// and ExecuteTransaction, whose duplicate INSERT cancels every statement
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.multiplestatements.transactions.html).
func TestPartiQLBatchAndTransaction(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "qlb")
	_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"qlb","Item":{"pk":{"S":"old"},"v":{"N":"1"}}}`))
	require.NoError(t, err)
	tests := []struct {
		name, op, body, want string
	}{
		{"a batch of reads, one on a missing table", "BatchExecuteStatement",
			`{"Statements":[{"Statement":"SELECT * FROM qlb WHERE pk = 'old'"},{"Statement":"SELECT * FROM qlb WHERE pk = 'none'"},{"Statement":"SELECT * FROM nope WHERE pk = 'x'"}]}`,
			`{"Responses":[{"TableName":"qlb","Item":{"pk":{"S":"old"},"v":{"N":"1"}}},{"TableName":"qlb"},{"TableName":"nope","Error":{"Code":"ResourceNotFound","Message":"Requested resource not found"}}]}`},
		{"a batch of writes, one a duplicate", "BatchExecuteStatement",
			`{"Statements":[{"Statement":"INSERT INTO qlb VALUE {'pk': 'old'}"},{"Statement":"UPDATE qlb SET v = 2 WHERE pk = 'old'"}]}`,
			`{"Responses":[{"TableName":"qlb","Error":{"Code":"DuplicateItem","Message":"Duplicate primary key exists in table"}},{"TableName":"qlb"}]}`},
		{"a batch that mixes reads and writes", "BatchExecuteStatement",
			`{"Statements":[{"Statement":"SELECT * FROM qlb WHERE pk = 'old'"},{"Statement":"DELETE FROM qlb WHERE pk = 'old'"}]}`,
			"error: ValidationException: Batch statements must be either all reads or all writes"},
		{"an empty batch", "BatchExecuteStatement", `{"Statements":[]}`,
			"error: ValidationException: 1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a transaction with a duplicate INSERT", "ExecuteTransaction",
			`{"TransactStatements":[{"Statement":"INSERT INTO qlb VALUE {'pk': 'new'}"},{"Statement":"INSERT INTO qlb VALUE {'pk': 'old'}"}]}`,
			"error: TransactionCanceledException: Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem]"},
		{"a transaction of reads", "ExecuteTransaction",
			`{"TransactStatements":[{"Statement":"SELECT v FROM qlb WHERE pk = 'old'"},{"Statement":"SELECT * FROM qlb WHERE pk = 'new'"}]}`,
			`{"Responses":[{"Item":{"v":{"N":"2"}}},{}]}`},
		{"a transaction of writes", "ExecuteTransaction",
			`{"TransactStatements":[{"Statement":"INSERT INTO qlb VALUE {'pk': 'new', 'v': 3}"},{"Statement":"DELETE FROM qlb WHERE pk = 'old'"}]}`,
			`{}`},
		{"an empty transaction", "ExecuteTransaction", `{"TransactStatements":[]}`,
			"error: ValidationException: 1 validation error detected: Value '[]' at 'transactStatements' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	}
	for _, tt := range tests {
		out, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
		if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
			require.Error(t, err, tt.name)
			assert.Equal(t, want, err.Error(), tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.JSONEq(t, tt.want, string(out), tt.name)
	}
	out, err := svc.Call(t.Context(), "GetItem", []byte(`{"TableName":"qlb","Key":{"pk":{"S":"new"}}}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Item":{"pk":{"S":"new"},"v":{"N":"3"}}}`, string(out), "the transaction of writes was applied")
}

// TestLegacyEmptyAttributeValueList checks that an AttributeValueList sent empty is told apart
// from one not sent: with no ComparisonOperator it is refused as a list without an operator,
// with Value as the two used together, and with an operator as the wrong number of values.
// None of these needs the table, which does not exist here.
func TestLegacyEmptyAttributeValueList(t *testing.T) {
	t.Parallel()
	svc, _, _ := newService(t)
	const invalid = "ValidationException: One or more parameter values were invalid: "
	tests := []struct {
		name, op, body, want string
	}{
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
		{"empty list alone", "DeleteItem", `{"TableName":"nowhere","Key":{"pk":{"S":"k"}},"Expected":{"a":{"AttributeValueList":[]}}}`,
			invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"empty list with Exists", "DeleteItem", `{"TableName":"nowhere","Key":{"pk":{"S":"k"}},"Expected":{"a":{"Exists":true,"AttributeValueList":[]}}}`,
			invalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"empty list with Value", "PutItem", `{"TableName":"nowhere","Item":{"pk":{"S":"k"}},"Expected":{"a":{"Value":{"S":"v"},"AttributeValueList":[]}}}`,
			invalid + "Value and AttributeValueList cannot be used together for Attribute: a"},
		{"empty list with EQ", "PutItem", `{"TableName":"nowhere","Item":{"pk":{"S":"k"}},"Expected":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[]}}}`,
			invalid + "Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"empty list with IN", "UpdateItem", `{"TableName":"nowhere","Key":{"pk":{"S":"k"}},"Expected":{"a":{"ComparisonOperator":"IN","AttributeValueList":[]}}}`,
			invalid + "Invalid number of argument(s) for the IN ComparisonOperator"},
		// An absent list with an operator that needs values keeps its own message.
		{"no list with EQ", "PutItem", `{"TableName":"nowhere","Item":{"pk":{"S":"k"}},"Expected":{"a":{"ComparisonOperator":"EQ"}}}`,
			invalid + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{"null list with EQ", "PutItem", `{"TableName":"nowhere","Item":{"pk":{"S":"k"}},"Expected":{"a":{"ComparisonOperator":"EQ","AttributeValueList":null}}}`,
			invalid + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
		{"ScanFilter with an empty list", "Scan", `{"TableName":"nowhere","ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[]}}}`,
			invalid + "Invalid number of argument(s) for the EQ ComparisonOperator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), tt.op, []byte(tt.body))
			apiErr, ok := errors.AsType[*sim.APIError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.want, apiErr.Code+": "+apiErr.Message)
		})
	}
}

// TestFilterFunctionsAndEqualityByType checks filters whose attribute has another type in some
// items than the filter's value: contains and begins_with are false for such an item, = is false
// and <> true between different types, and two binary sets are equal whatever their order, in
// both the expression and the legacy ScanFilter forms.
func TestFilterFunctionsAndEqualityByType(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "mixed")
	for _, it := range []string{
		`{"pk":{"S":"str"},"v":{"S":"pain au chocolat"}}`,
		`{"pk":{"S":"num"},"v":{"N":"42"}}`,
		`{"pk":{"S":"bin"},"v":{"B":"cGFpbg=="}}`,
		`{"pk":{"S":"bset"},"v":{"BS":["cGFpbg==","Y2hvYw=="]}}`,
		`{"pk":{"S":"sset"},"v":{"SS":["pain","choc"]}}`,
		`{"pk":{"S":"list"},"v":{"L":[{"S":"pain"},{"N":"1"}]}}`,
	} {
		_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"mixed","Item":`+it+`}`))
		require.NoError(t, err)
	}
	tests := []struct {
		name, body string
		want       []string // the pk of every item matched
	}{
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Functions
		{"contains a string", `"FilterExpression":"contains(v, :x)","ExpressionAttributeValues":{":x":{"S":"pain"}}`,
			[]string{"list", "sset", "str"}},
		{"NOT contains a string", `"FilterExpression":"NOT contains(v, :x)","ExpressionAttributeValues":{":x":{"S":"pain"}}`,
			[]string{"bin", "bset", "num"}},
		// A binary attribute contains a subsequence, as the legacy CONTAINS documents for Binary.
		{"contains a binary", `"FilterExpression":"contains(v, :x)","ExpressionAttributeValues":{":x":{"B":"YWk="}}`,
			[]string{"bin"}},
		{"begins_with a string", `"FilterExpression":"begins_with(v, :x)","ExpressionAttributeValues":{":x":{"S":"pain"}}`,
			[]string{"str"}},
		{"begins_with a binary", `"FilterExpression":"begins_with(v, :x)","ExpressionAttributeValues":{":x":{"B":"cGE="}}`,
			[]string{"bin"}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.ScanFilter.html
		// (CONTAINS, NOT_CONTAINS and BEGINS_WITH in the API reference's Condition)
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
		{"ScanFilter CONTAINS", `"ScanFilter":{"v":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"choc"}]}}`,
			[]string{"sset", "str"}},
		{"ScanFilter NOT_CONTAINS", `"ScanFilter":{"v":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"choc"}]}}`,
			[]string{"bin", "bset", "list", "num"}},
		{"ScanFilter BEGINS_WITH", `"ScanFilter":{"v":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"B":"cA=="}]}}`,
			[]string{"bin"}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Comparators
		{"binary sets equal in another order", `"FilterExpression":"v = :x","ExpressionAttributeValues":{":x":{"BS":["Y2hvYw==","cGFpbg=="]}}`,
			[]string{"bset"}},
		{"binary sets not equal in another order", `"FilterExpression":"v <> :x","ExpressionAttributeValues":{":x":{"BS":["Y2hvYw==","cGFpbg=="]}}`,
			[]string{"bin", "list", "num", "sset", "str"}},
		{"ScanFilter EQ on a binary set", `"ScanFilter":{"v":{"ComparisonOperator":"EQ","AttributeValueList":[{"BS":["Y2hvYw==","cGFpbg=="]}]}}`,
			[]string{"bset"}},
		{"a number is not equal to a string of its digits", `"FilterExpression":"v = :x","ExpressionAttributeValues":{":x":{"S":"42"}}`,
			nil},
		{"<> between different types", `"FilterExpression":"v <> :x","ExpressionAttributeValues":{":x":{"S":"pain au chocolat"}}`,
			[]string{"bin", "bset", "list", "num", "sset"}},
		{"ScanFilter NE between different types", `"ScanFilter":{"v":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"42"}]}}`,
			[]string{"bin", "bset", "list", "sset", "str"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.Call(t.Context(), "Scan", []byte(`{"TableName":"mixed",`+tt.body+`}`))
			if apiErr, ok := errors.AsType[*sim.APIError](err); ok {
				t.Fatalf("%s: %s", apiErr.Code, apiErr.Message)
			}
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.want, scannedKeys(t, out))
		})
	}
}

// scannedKeys reads the pk of every item of a Scan's answer.
func scannedKeys(t *testing.T, out []byte) []string {
	t.Helper()
	var ans struct {
		Items []struct {
			Pk struct{ S string } `json:"pk"`
		}
	}
	require.NoError(t, json.Unmarshal(out, &ans))
	var keys []string
	for _, it := range ans.Items {
		keys = append(keys, it.Pk.S)
	}
	return keys
}

// TestLegacyExpectedValueOfAnyType checks that Expected's Value form compares a value of any
// type (a Boolean, a list, a map), where the ComparisonOperator EQ takes only strings, numbers,
// binaries and sets.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExpectedAttributeValue.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
func TestLegacyExpectedValueOfAnyType(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createSimple(t, c, "flags")
	_, err := svc.Call(t.Context(), "PutItem", []byte(`{"TableName":"flags","Item":{"pk":{"S":"k"},"on":{"BOOL":false},"tags":{"L":[{"S":"x"}]}}}`))
	require.NoError(t, err)
	tests := []struct {
		name, expected, want string // want: "" for success, else the error's code and message
	}{
		{"a Boolean Value", `{"on":{"Value":{"BOOL":false},"Exists":true}}`, ""},
		{"a list Value without Exists", `{"tags":{"Value":{"L":[{"S":"x"}]}}}`, ""},
		{"a Boolean Value that differs", `{"on":{"Value":{"BOOL":true}}}`, "ConditionalCheckFailedException: The conditional request failed"},
		{"EQ keeps its types", `{"on":{"ComparisonOperator":"EQ","AttributeValueList":[{"BOOL":false}]}}`,
			"ValidationException: One or more parameter values were invalid: ComparisonOperator EQ is not valid for BOOL AttributeValue type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "UpdateItem", []byte(`{"TableName":"flags","Key":{"pk":{"S":"k"}},"Expected":`+tt.expected+`,
				"AttributeUpdates":{"seen":{"Action":"PUT","Value":{"N":"1"}}}}`))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			apiErr, ok := errors.AsType[*sim.APIError](err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, tt.want, apiErr.Code+": "+apiErr.Message)
		})
	}
}
