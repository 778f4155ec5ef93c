package dynamodb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueryChecks checks the faults DynamoDB finds in a Query, and their order: the request's
// own members first (so a faulty request on a missing table is a ValidationException), then
// the key conditions against the table's or index's key schema and the ExclusiveStartKey.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
// (KeyConditionExpression: an equality on the partition key, at most one condition on the sort
// key with =, <, <=, >, >=, BETWEEN or begins_with; ExclusiveStartKey; Errors:
// ValidationException), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.KeyConditions.html
// and https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
// (ComparisonOperator: the number and types of values each takes; AttributeValueList members of
// one type), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.QueryFilter.html.
func TestQueryChecks(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	const keys = `"KeyConditionExpression":"#st = :s","ExpressionAttributeNames":{"#st":"store"},"ExpressionAttributeValues":{":s":{"S":"x"}}`
	tests := []struct {
		name, body, want string
	}{
		{"a KeyConditions value is checked before the number of values", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a","N":"1"}]}}}`,
			"ValidationException: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"the number of values an operator takes", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"a"},{"S":"b"}]}}}`,
			"ValidationException: One or more parameter values were invalid: Invalid number of argument(s) for the NE ComparisonOperator"},
		{"values of different types", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"a"},{"N":"1"}]}}}`,
			"ValidationException: One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
		{"a value type the operator does not take", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"IN","AttributeValueList":[{"L":[]}]}}}`,
			"ValidationException: One or more parameter values were invalid: ComparisonOperator IN is not valid for L AttributeValue type"},
		{"QueryFilter is checked before AttributesToGet", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"NULL"}},"AttributesToGet":["a","a"],"QueryFilter":{"b":{"ComparisonOperator":"NULL","AttributeValueList":[{"S":"a"}]}}}`,
			"ValidationException: One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"},
		{"AttributesToGet naming an attribute twice", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"NULL"}},"AttributesToGet":["a","a"]}`,
			"ValidationException: One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{"an ExclusiveStartKey value", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"NULL"}},"ExclusiveStartKey":{"a":{}}}`,
			"ValidationException: The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{"KeyConditions together with KeyConditionExpression", `{"TableName":"missing","KeyConditions":{},"KeyConditionExpression":""}`,
			"ValidationException: Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"},
		{"no key condition", `{"TableName":"missing"}`,
			"ValidationException: Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
		{"more than two key conditions", `{"TableName":"missing","KeyConditions":{"a":{"ComparisonOperator":"NULL"},"b":{"ComparisonOperator":"NULL"},"c":{"ComparisonOperator":"NULL"}}}`,
			"ValidationException: Conditions can be of length 1 or 2 only"},
		{"OR in a key condition, on a missing table", `{"TableName":"missing","KeyConditionExpression":"a = :a OR b = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}`,
			"ValidationException: Invalid operator used in KeyConditionExpression: OR"},
		{"a function other than begins_with", `{"TableName":"missing","KeyConditionExpression":"attribute_exists(a)"}`,
			"ValidationException: Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"two conditions on one attribute", `{"TableName":"missing","KeyConditionExpression":"b > :a AND b < :a","ExpressionAttributeValues":{":a":{"N":"1"}}}`,
			"ValidationException: KeyConditionExpressions must only contain one condition per key"},
		{"a nested attribute", `{"TableName":"missing","KeyConditionExpression":"a.d > :a","ExpressionAttributeValues":{":a":{"N":"1"}}}`,
			"ValidationException: KeyConditionExpressions cannot have conditions on nested attributes"},
		{"no attribute", `{"TableName":"missing","KeyConditionExpression":":b > :a AND a < :b","ExpressionAttributeValues":{":a":{"N":"1"},":b":{"N":"1"}}}`,
			"ValidationException: Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"BETWEEN bounds of two types", `{"TableName":"missing","KeyConditionExpression":"a between :b and :a","ExpressionAttributeValues":{":a":{"S":"a"},":b":{"N":"1"}}}`,
			"ValidationException: Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		{"the key schema is checked once the table is found", `{"TableName":"missing","KeyConditions":{"z":{"ComparisonOperator":"NULL"}}}`,
			"ResourceNotFoundException"},
		{"a non-indexable operator on the partition key", `{"TableName":"orders","KeyConditions":{"store":{"ComparisonOperator":"NULL"}}}`,
			"ValidationException: Attempted conditional constraint is not an indexable operation"},
		{"a condition on another attribute", `{"TableName":"orders","KeyConditionExpression":"#st = :s AND z = :s","ExpressionAttributeNames":{"#st":"store"},"ExpressionAttributeValues":{":s":{"S":"x"}}}`,
			"ValidationException: Query condition missed key schema element: order"},
		{"the partition key compared with >", `{"TableName":"orders","KeyConditionExpression":"#st > :s","ExpressionAttributeNames":{"#st":"store"},"ExpressionAttributeValues":{":s":{"S":"x"}}}`,
			"ValidationException: Query key condition not supported"},
		{"an unknown index", `{"TableName":"orders","IndexName":"nope",` + keys + `}`,
			"ValidationException: The table does not have the specified index: nope"},
		{"an ExclusiveStartKey without the sort key", `{"TableName":"orders",` + keys + `,"ExclusiveStartKey":{"store":{"S":"x"},"z":{"S":"y"}}}`,
			"ValidationException: The provided starting key is invalid"},
		{"an ExclusiveStartKey of another partition", `{"TableName":"orders",` + keys + `,"ExclusiveStartKey":{"store":{"S":"y"},"order":{"S":"y"}}}`,
			"ValidationException: The provided starting key is outside query boundaries based on provided conditions"},
		{"an ExclusiveStartKey outside the sort key condition", `{"TableName":"orders","KeyConditionExpression":"#st = :s AND #o > :s","ExpressionAttributeNames":{"#st":"store","#o":"order"},"ExpressionAttributeValues":{":s":{"S":"x"}},"ExclusiveStartKey":{"store":{"S":"x"},"order":{"S":"a"}}}`,
			"ValidationException: The provided starting key does not match the range key predicate"},
		{"a QueryFilter on a key attribute", `{"TableName":"orders","KeyConditions":{"store":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"QueryFilter":{"order":{"ComparisonOperator":"NULL"}}}`,
			"ValidationException: QueryFilter can only contain non-primary key attributes: Primary key attribute: order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "Query", []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := svc.Call(t.Context(), "Query", []byte(`{"TableName":"orders","KeyConditions":{"store":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"order":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"a"}]}}}`))
	assert.NoError(t, err, "KeyConditions with a sort key condition")
}
