package dynamodb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScanChecks checks the faults DynamoDB finds in a Scan and their order: the request's own
// members (legacy and expression parameters, AttributesToGet, ScanFilter, ExclusiveStartKey
// values, Segment and TotalSegments, the expressions) before the table is looked up, then the
// index and the ExclusiveStartKey against the table.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
// (Segment and TotalSegments go together, Segment less than TotalSegments; ExclusiveStartKey;
// Errors: ValidationException), https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.ScanFilter.html
// and https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html
// (the number and types of values each ComparisonOperator takes),
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html (BETWEEN).
func TestScanChecks(t *testing.T) {
	t.Parallel()
	svc, c, _ := newService(t)
	createOrders(t, c, "orders")
	tests := []struct {
		name, body, want string
	}{
		{"AttributesToGet is checked before ScanFilter", `{"TableName":"missing","AttributesToGet":["a","a"],"ScanFilter":{"a":{"ComparisonOperator":"EQ"}}}`,
			"ValidationException: One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{"a ScanFilter value is checked before the number of values", `{"TableName":"missing","ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a","N":"1"},{"S":"b"}]}}}`,
			"ValidationException: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"the number of values an operator takes", `{"TableName":"missing","ScanFilter":{"a":{"ComparisonOperator":"EQ"}}}`,
			"ValidationException: One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
		{"ScanFilter is checked before the ExclusiveStartKey", `{"TableName":"missing","ScanFilter":{"a":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"L":[]}]}},"ExclusiveStartKey":{"a":{}}}`,
			"ValidationException: One or more parameter values were invalid: ComparisonOperator NOT_CONTAINS is not valid for L AttributeValue type"},
		{"an ExclusiveStartKey value, before Segment", `{"TableName":"missing","ExclusiveStartKey":{"a":{}},"Segment":1}`,
			"ValidationException: The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{"Segment without TotalSegments", `{"TableName":"missing","Segment":1}`,
			"ValidationException: The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
		{"TotalSegments without Segment", `{"TableName":"missing","TotalSegments":2}`,
			"ValidationException: The Segment parameter is required but was not present in the request when parameter TotalSegments is present"},
		{"Segment not below TotalSegments", `{"TableName":"missing","Segment":2,"TotalSegments":2}`,
			"ValidationException: The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"},
		{"BETWEEN bounds in the wrong order, on a missing table", `{"TableName":"missing","FilterExpression":"a between :b and :a","ExpressionAttributeValues":{":a":{"S":"a"},":b":{"S":"b"}}}`,
			"ValidationException: Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
		{"an unknown index, before the ExclusiveStartKey", `{"TableName":"orders","IndexName":"nope","ExclusiveStartKey":{"a":{"S":"x"}}}`,
			"ValidationException: The table does not have the specified index: nope"},
		{"an ExclusiveStartKey of other attributes", `{"TableName":"orders","ExclusiveStartKey":{"a":{"S":"x"}}}`,
			"ValidationException: The provided starting key is invalid: The provided key element does not match the schema"},
		{"an index ExclusiveStartKey without the index's sort key", `{"TableName":"orders","IndexName":"byStatus","ExclusiveStartKey":{"store":{"S":"x"},"order":{"S":"x"},"status":{"S":"x"},"z":{"S":"x"}}}`,
			"ValidationException: The provided starting key is invalid"},
		{"an index ExclusiveStartKey of the wrong type", `{"TableName":"orders","IndexName":"byStatus","ExclusiveStartKey":{"store":{"S":"x"},"order":{"S":"x"},"status":{"S":"x"},"createdAt":{"S":"x"}}}`,
			"ValidationException: The provided key element does not match the schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Call(t.Context(), "Scan", []byte(tt.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := svc.Call(t.Context(), "Scan", []byte(`{"TableName":"orders","Segment":0}`))
	assert.ErrorContains(t, err, "The TotalSegments parameter is required", "Segment 0 needs TotalSegments too (API_Scan.html: if you provide Segment, you must also provide TotalSegments)")
	_, err = svc.Call(t.Context(), "Scan", []byte(`{"TableName":"orders","Segment":1,"TotalSegments":3,"ScanFilter":{"status":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"a"},{"S":"b"}]}}}`))
	assert.NoError(t, err)
}
