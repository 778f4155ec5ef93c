package dynamodb_test

import (
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
